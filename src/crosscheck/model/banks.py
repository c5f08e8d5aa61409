"""Hash lists ("banks") of known material: what one entry says."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEX = re.compile(r"^[0-9a-f]+$")
LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}


def clean_hash(kind: str, value: object) -> str | None:
    """A hash as lower-case hex of the right length, or None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if len(text) != LENGTHS[kind] or not _HEX.match(text):
        return None
    return text


def truthy(value: object) -> bool | None:
    """VICS writes booleans as true/false, "true"/"false", 1/0 or "1"/"0"; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    return None


@dataclass(frozen=True)
class BankFrame:
    frame: int
    ts: float
    pdq: str
    quality: int | None = None


@dataclass(frozen=True)
class BankEntry:
    """One known item: its reference in the source list, hashes and classification."""

    ref: str
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    category: str | None = None
    series: str | None = None
    victim_identified: bool | None = None
    frames: tuple[BankFrame, ...] = field(default=())
    # VICS fields kept as they came (MediaID, MediaSize, IsDistributed, MediaFiles,
    # RelativeFilePath, DateUpdated…), as a JSON object, so an export gives them back
    vics: str | None = None

    @property
    def has_hash(self) -> bool:
        return bool(self.md5 or self.sha1 or self.sha256 or self.pdq or self.frames)
