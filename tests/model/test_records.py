from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from crosscheck.model import (
    Evaluation,
    Fingerprint,
    FingerprintKind,
    Handling,
    HandlingCode,
)
from crosscheck.model.records import HEX_LENGTH, add_years
from tests.helpers import contribution


@pytest.mark.parametrize("code", ["H0", "H1", "H2"])
def test_handling_codes_without_note(code: str) -> None:
    assert str(Handling(code=HandlingCode(code))) == code


def test_h3_needs_a_note_and_others_refuse_one() -> None:
    with pytest.raises(ValidationError, match="H3 needs a note"):
        Handling(code=HandlingCode.H3)
    assert str(Handling(code=HandlingCode.H3, note="only for case X")) == "H3 (only for case X)"
    with pytest.raises(ValidationError, match="takes no note"):
        Handling(code=HandlingCode.H1, note="x")


@pytest.mark.parametrize("code", ["H4", "h1", "", "H"])
def test_handling_code_outside_its_set(code: str) -> None:
    with pytest.raises(ValidationError):
        Handling.model_validate({"code": code})


@pytest.mark.parametrize(("source", "info"), [("A", "1"), ("B", "2"), ("C", "3"), ("X", "4")])
def test_evaluation_in_set(source: str, info: str) -> None:
    assert str(Evaluation.model_validate({"source": source, "information": info})) == source + info


@pytest.mark.parametrize(("source", "info"), [("D", "1"), ("A", "5"), ("a", "1"), ("A", "0")])
def test_evaluation_outside_set(source: str, info: str) -> None:
    with pytest.raises(ValidationError):
        Evaluation.model_validate({"source": source, "information": info})


def test_contribution_id_and_country_are_checked() -> None:
    with pytest.raises(ValidationError):
        contribution("Has Spaces")
    with pytest.raises(ValidationError, match="country"):
        contribution().model_validate(
            {**contribution().model_dump(), "provider": {"name": "x", "country": "Atlantis"}}
        )


def test_naive_timestamps_are_refused_and_aware_ones_become_utc() -> None:
    data = contribution().model_dump()
    with pytest.raises(ValidationError, match="time zone"):
        type(contribution()).model_validate({**data, "created_at": datetime(2020, 1, 1)})
    plus_two = datetime(2020, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    item = type(contribution()).model_validate({**data, "created_at": plus_two})
    assert item.created_at == datetime(2020, 1, 1, 10, tzinfo=UTC)


def test_review_date_defaults_to_three_years_after_receipt() -> None:
    received = contribution().received(datetime(2024, 2, 29, 8, tzinfo=UTC))
    assert received.review_date == date(2027, 2, 28)
    kept = contribution(review_date=date(2030, 1, 1)).received(datetime(2024, 1, 1, tzinfo=UTC))
    assert kept.review_date == date(2030, 1, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 1, 1)), st.integers(0, 50))
def test_add_years_moves_the_year_only(day: date, years: int) -> None:
    moved = add_years(day, years)
    assert moved.year == day.year + years
    assert moved.month == day.month
    assert moved.day == day.day or (day.month, day.day, moved.day) == (2, 29, 28)


@given(st.sampled_from(list(FingerprintKind)), st.binary(min_size=32, max_size=32))
def test_fingerprint_values_are_lowercase_hex_of_the_right_length(
    kind: FingerprintKind, raw: bytes
) -> None:
    value = raw.hex()[: HEX_LENGTH[kind]].upper()
    extra = {"frame": 3, "ts": 0.1} if kind is FingerprintKind.VPDQ_FRAME else {}
    item = Fingerprint.model_validate({"entity_id": "e", "kind": kind, "value": value, **extra})
    assert item.value == value.lower()
    assert Fingerprint.model_validate(item.model_dump()) == item  # round trip is stable


@given(st.text(max_size=80))
def test_fingerprint_rejects_anything_but_hex(value: str) -> None:
    try:
        item = Fingerprint.model_validate({"entity_id": "e", "kind": "md5", "value": value})
    except ValidationError:
        return
    assert len(item.value) == 32 and int(item.value, 16) >= 0


def test_frame_fields_only_on_vpdq_frames() -> None:
    with pytest.raises(ValidationError, match="frame number"):
        Fingerprint(entity_id="v", kind=FingerprintKind.VPDQ_FRAME, value="a" * 64)
    with pytest.raises(ValidationError, match="no frame"):
        Fingerprint(entity_id="v", kind=FingerprintKind.PDQ, value="a" * 64, frame=1, ts=0.0)
    with pytest.raises(ValidationError, match="no quality"):
        Fingerprint(entity_id="v", kind=FingerprintKind.SHA1, value="a" * 40, quality=50)
    with pytest.raises(ValidationError):
        Fingerprint(entity_id="v", kind=FingerprintKind.PDQ, value="a" * 64, quality=101)


def test_fingerprint_key_is_deterministic_and_distinguishes_frames() -> None:
    a = Fingerprint(entity_id="v", kind="vpdq-frame", value="a" * 64, frame=1, ts=0.5)
    b = Fingerprint(entity_id="v", kind="vpdq-frame", value="a" * 64, frame=2, ts=1.0)
    assert a.key == Fingerprint.model_validate(a.model_dump()).key
    assert a.key != b.key
