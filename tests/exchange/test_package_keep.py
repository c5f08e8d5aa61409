"""A small package's records are parsed once: `check()` keeps them for the import."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import PackageReader, package_reader, write_package
from crosscheck.model import Fingerprint, FingerprintKind
from tests.helpers import contribution, entities, fingerprints, make_package

SEEN = "2019-02-01T12:00:00+00:00"


def statements(reader: PackageReader, first_seen: str | None) -> list[object]:
    return [sorted(map(repr, e.statements)) for e in reader.entities(first_seen=first_seen)]


def test_the_checked_records_are_the_ones_read(tmp_path: Path) -> None:
    reader = PackageReader(make_package(tmp_path / "p.zip"))
    reader.check(SEEN)
    first = list(reader.entities(first_seen=SEEN))
    assert [e.id for e in first] == [e["id"] for e in entities()]
    assert all(a is b for a, b in zip(first, reader.entities(first_seen=SEEN), strict=True))
    assert list(reader.fingerprints()) == fingerprints()
    # another first_seen is parsed afresh, with that date on its statements
    assert {s.first_seen for e in reader.entities() for s in e.statements} == {None}


def test_a_bigger_package_is_streamed_again_with_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_package(tmp_path / "p.zip")
    small = PackageReader(path)
    small.check(SEEN)
    monkeypatch.setattr(package_reader, "KEEP_RECORDS", 3)  # this package has 8
    big = PackageReader(path)
    big.check(SEEN)
    again = list(big.entities(first_seen=SEEN))
    assert all(a is not b for a, b in zip(again, big.entities(first_seen=SEEN), strict=True))
    assert statements(big, SEEN) == statements(small, SEEN)
    assert list(big.fingerprints()) == list(small.fingerprints()) == fingerprints()


def test_a_failed_check_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ghost.zip"
    ghost = Fingerprint(entity_id="ghost", kind=FingerprintKind.MD5, value="0" * 32)
    write_package(path, contribution(), entities(), [*fingerprints(), ghost])
    reader = PackageReader(path)
    with pytest.raises(InvalidPackage, match="ghost"):
        reader.check(SEEN)
    kept = list(reader.entities(first_seen=SEEN))
    assert all(a is not b for a, b in zip(kept, reader.entities(first_seen=SEEN), strict=True))
