"""Banks in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from crosscheck.exc import InvalidData, NotFound
from crosscheck.model.banks import BankEntry, BankFrame
from crosscheck.store import BankStore, CaseStore
from tests.conftest import snapshot

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def entries() -> list[BankEntry]:
    return [
        BankEntry(ref="a", md5="1" * 32, category="1"),
        BankEntry(ref="b", sha1="2" * 40, pdq="3" * 64),
        BankEntry(
            ref="v", frames=(BankFrame(0, 0.0, "4" * 64, 90), BankFrame(30, 1.0, "5" * 64, 40))
        ),
    ]


def test_import_list_lookup(store: CaseStore) -> None:
    banks = BankStore(store.engine)
    info, added = banks.import_entries("known", "csv", entries(), NOW)
    assert (added, info.entries, info.pdq_hashes, info.video_frames, info.version) == (
        3,
        3,
        1,
        2,
        1,
    )
    info, _ = banks.import_entries("known", "csv", entries()[:1], NOW)
    assert (info.entries, info.version) == (4, 2)
    assert [b.name for b in banks.banks()] == ["known"]
    hits = banks.exact(info.id, "md5", ["1" * 32, "f" * 32])
    assert list(hits) == ["1" * 32] and len(hits["1" * 32]) == 2
    assert [value for _, value in banks.pdq_rows(info.id)] == ["3" * 64]
    assert [(entry_id > 0, f.frame) for entry_id, f in banks.frames(info.id)] == [
        (True, 0),
        (True, 30),
    ]
    refs = [e.ref for _, e in banks.entries(info.id)]
    assert refs == ["a", "b", "v", "a"]


def test_a_failing_import_leaves_the_bank_as_it_was(store: CaseStore) -> None:
    banks = BankStore(store.engine)
    banks.import_entries("known", "csv", entries(), NOW)
    before = snapshot(store)

    def broken() -> Iterator[BankEntry]:
        yield BankEntry(ref="new", md5="9" * 32)
        raise InvalidData("line 2: not a hash")

    with pytest.raises(InvalidData):
        banks.import_entries("known", "csv", broken(), NOW)
    assert snapshot(store) == before


def test_empty_import_and_unknown_bank(store: CaseStore) -> None:
    banks = BankStore(store.engine)
    with pytest.raises(InvalidData, match="no hash"):
        banks.import_entries("empty", "csv", [], NOW)
    with pytest.raises(NotFound):
        banks.bank("empty")
