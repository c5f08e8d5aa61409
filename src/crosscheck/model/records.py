"""Our own records beside the FtM entities: agencies, contributions, fingerprints.

Handling codes and evaluations follow the 4x4 system used in law-enforcement
information exchange: the source is graded A/B/C/X, the information 1/2/3/4,
and every contribution carries one handling code H0-H3.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Self

from followthemoney.types import registry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

CONTRIBUTION_ID = re.compile(r"^[a-z0-9][a-z0-9_]{2,63}$")
DEFAULT_REVIEW_YEARS = 3


class HandlingCode(StrEnum):
    """What the receiver may do with the data (the provider decides)."""

    H0 = "H0"  # use only to prevent and combat crime
    H1 = "H1"  # not to be disclosed in judicial proceedings without the provider's permission
    H2 = "H2"  # not to be disseminated without the provider's permission
    H3 = "H3"  # other restrictions, stated in free text

    @property
    def meaning(self) -> str:
        return HANDLING_MEANINGS[self]


HANDLING_MEANINGS = {
    HandlingCode.H0: "use only to prevent and combat crime",
    HandlingCode.H1: (
        "not to be disclosed in judicial proceedings without the provider's permission"
    ),
    HandlingCode.H2: "not to be disseminated without the provider's permission",
    HandlingCode.H3: "other restrictions (see note)",
}


class SourceReliability(StrEnum):
    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # not usually reliable
    X = "X"  # cannot be assessed


class InformationAssessment(StrEnum):
    ONE = "1"  # accuracy not in doubt
    TWO = "2"  # known personally to the source but not to the official passing it on
    THREE = "3"  # not known personally to the source but corroborated
    FOUR = "4"  # cannot be corroborated


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a timestamp needs a time zone (e.g. 2026-01-31T10:00:00Z)")
    return value.astimezone(UTC)


def _country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code (``PT``, not ``Portugal``: the code becomes part of ids)."""
    cleaned = registry.country.clean(value)
    if not re.fullmatch(r"[A-Za-z]{2}", value) or cleaned != value.lower():
        named = cleaned and len(cleaned) == 2 and len(value) > 2  # a name, e.g. "Portugal"
        hint = f" (use {cleaned.upper()})" if named and cleaned else ""
        raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {value!r}{hint}")
    return cleaned


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Country = Annotated[str, AfterValidator(_country)]


class Evaluation(_Record):
    """Source reliability (A/B/C/X) and information assessment (1-4)."""

    source: SourceReliability
    information: InformationAssessment

    def __str__(self) -> str:
        return f"{self.source.value}{self.information.value}"


class Handling(_Record):
    """A handling code; H3 must say what the other restrictions are."""

    code: HandlingCode
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _note_for_h3(self) -> Self:
        if self.code is HandlingCode.H3 and not self.note:
            raise ValueError("handling code H3 needs a note stating the restrictions")
        if self.code is not HandlingCode.H3 and self.note:
            raise ValueError(f"handling code {self.code.value} takes no note (only H3 does)")
        return self

    def __str__(self) -> str:
        return f"H3 ({self.note})" if self.note else self.code.value


class Agency(_Record):
    """A law-enforcement agency that provides or receives data."""

    name: str = Field(min_length=1, max_length=200)
    country: Country


class Contribution(_Record):
    """One delivery of data by one agency, with its handling code and evaluation."""

    id: str = Field(pattern=CONTRIBUTION_ID.pattern)
    provider: Agency
    created_at: AwareDatetime
    received_at: AwareDatetime | None = None
    case_reference: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=2000)
    handling: Handling
    evaluation: Evaluation
    review_date: date | None = None

    def received(self, at: datetime, review_years: int = DEFAULT_REVIEW_YEARS) -> Contribution:
        """The contribution as received at ``at``; review ``review_years`` later by default."""
        at = _aware(at)
        review = self.review_date or add_years(at.date(), review_years)
        return self.model_copy(update={"received_at": at, "review_date": review})


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` on; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class FingerprintKind(StrEnum):
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    PDQ = "pdq"
    VPDQ_FRAME = "vpdq-frame"


HEX_LENGTH = {
    FingerprintKind.MD5: 32,
    FingerprintKind.SHA1: 40,
    FingerprintKind.SHA256: 64,
    FingerprintKind.PDQ: 64,
    FingerprintKind.VPDQ_FRAME: 64,
}
_HEX = re.compile(r"^[0-9a-f]+$")
PERCEPTUAL = frozenset({FingerprintKind.PDQ, FingerprintKind.VPDQ_FRAME})


def fingerprint_key(
    entity_id: str, kind: str, value: str, frame: int | None, ts: float | None, variant: str | None
) -> str:
    """The deterministic id of a fingerprint (``Fingerprint.key``), from its plain fields.

    The store's bulk path (``store/bulk_rows.py``) keys plain rows with it, so both give one id.
    """
    parts = [entity_id, kind, value, str(frame), repr(ts)]
    if variant is not None:
        parts.append(variant)
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


class Fingerprint(_Record):
    """A hash of one media entity: a file digest, a PDQ hash or one vPDQ frame."""

    entity_id: str = Field(min_length=1, max_length=1024)
    kind: FingerprintKind
    value: str
    quality: int | None = Field(default=None, ge=0, le=100)
    frame: int | None = Field(default=None, ge=0)
    ts: float | None = Field(default=None, ge=0)
    # a hash of a changed copy of the picture: "trimmed" (borders cut) or a dihedral
    # move ("rot90", "flip-h", ...); None for the picture as it is
    variant: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")

    @model_validator(mode="before")
    @classmethod
    def _lower_value(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("value"), str):
            return {**data, "value": data["value"].strip().lower()}
        return data

    @model_validator(mode="after")
    def _check(self) -> Self:
        length = HEX_LENGTH[self.kind]
        if len(self.value) != length or not _HEX.match(self.value):
            raise ValueError(
                f"a {self.kind.value} value is {length} hex digits, got {self.value!r}"
            )
        if self.kind not in PERCEPTUAL and self.quality is not None:
            raise ValueError(f"a {self.kind.value} fingerprint has no quality")
        is_frame = self.kind is FingerprintKind.VPDQ_FRAME
        if is_frame and (self.frame is None or self.ts is None):
            raise ValueError("a vpdq-frame fingerprint needs its frame number and timestamp (ts)")
        if not is_frame and (self.frame is not None or self.ts is not None):
            raise ValueError(f"a {self.kind.value} fingerprint has no frame or timestamp")
        if self.kind not in PERCEPTUAL and self.variant is not None:
            raise ValueError(f"a {self.kind.value} fingerprint has no variant")
        return self

    @property
    def key(self) -> str:
        """A deterministic id, the same wherever the same fingerprint is seen."""
        return self.key_as(self.entity_id)

    def key_as(self, entity_id: str) -> str:
        """``key`` of this fingerprint given to ``entity_id`` (a held id), without a copy."""
        return fingerprint_key(
            entity_id, self.kind.value, self.value, self.frame, self.ts, self.variant
        )
