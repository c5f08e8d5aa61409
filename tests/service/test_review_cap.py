"""A provider's review date is capped by the hub's policy (CROSSCHECK_REVIEW_YEARS after receipt).

Keeping data longer is a decision on the record (`retention justify`, with a
reason), never a date a package brings along.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.service.casework import import_package
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.helpers import make_package

RECEIVED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return RECEIVED


@pytest.mark.parametrize("review", [date(9999, 12, 31), date(2029, 3, 2)])
def test_a_review_date_past_the_cap_is_refused(
    store: CaseStore, settings: Settings, tmp_path: Path, review: date
) -> None:
    path = make_package(tmp_path / "p.zip", id="fr_far_1", review_date=review)
    with pytest.raises(InvalidPackage) as info:
        import_package(store, path, settings, clock)
    message = str(info.value)
    assert f"review date {review}" in message
    assert "3 years after receipt" in message and "retention justify" in message
    assert [c.id for c in store.contributions()] == []


def test_a_review_date_within_the_cap_is_kept(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    path = make_package(tmp_path / "p.zip", id="fr_near_1", review_date=date(2029, 3, 1))
    import_package(store, path, settings, clock)
    [held] = store.contributions()
    assert held.review_date == date(2029, 3, 1)


def test_the_cap_follows_the_setting(store: CaseStore, settings: Settings, tmp_path: Path) -> None:
    path = make_package(tmp_path / "p.zip", id="fr_long_1", review_date=date(2030, 3, 1))
    with pytest.raises(InvalidPackage, match="3 years"):
        import_package(store, path, settings, clock)
    longer = dataclasses.replace(settings, review_years=5)
    import_package(store, path, longer, clock)
    assert [c.review_date for c in store.contributions()] == [date(2030, 3, 1)]
