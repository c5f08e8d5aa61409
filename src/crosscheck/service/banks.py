"""Use cases for banks: import a hash list, list banks, export one, open a matcher."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from crosscheck.exchange import PackageReader
from crosscheck.exchange.banks import BankFormat, read_bank, write_pdq_text, write_vics
from crosscheck.fingerprints.record import FileRecord, FrameRecord
from crosscheck.model import FingerprintKind
from crosscheck.model.banks import BankEntry
from crosscheck.service.casework import index_home
from crosscheck.service.triage import BankMatcher, MatchOptions, MatchRow, load_pdq_hashes
from crosscheck.settings import Settings
from crosscheck.store import BankInfo, BankStore
from crosscheck.store.case_store import CaseStore


def bank_store(store: CaseStore) -> BankStore:
    return BankStore(store.engine)


def import_bank(
    store: CaseStore, path: Path, name: str, fmt: BankFormat, settings: Settings
) -> tuple[BankInfo, int]:
    """Read the whole file in one transaction (a bad line leaves the bank as it was), then
    write the bank's PDQ index cache, so that the first match starts at once."""
    banks = bank_store(store)
    info, added = banks.import_entries(name, fmt.value, read_bank(path, fmt), datetime.now(UTC))
    load_pdq_hashes(banks, info, index_dir(settings))
    return info, added


def index_dir(settings: Settings) -> Path:
    """One cache folder per database, so two stores under one home never share a cache."""
    return index_home(settings)


def export_bank(store: CaseStore, name: str, stream: IO[bytes], fmt: str = "vics") -> int:
    """The bank as VICS 2.0 JSON, or as PDQ text (its PDQ hashes only, one a line)."""
    banks = bank_store(store)
    info = banks.bank(name)
    entries = (entry for _, entry in banks.entries(info.id))
    if fmt == BankFormat.pdq_text:
        return write_pdq_text(entries, stream)
    return write_vics(entries, stream)


def matcher(store: CaseStore, name: str, settings: Settings, options: MatchOptions) -> BankMatcher:
    banks = bank_store(store)
    return BankMatcher(banks, banks.bank(name), options, cache_dir=index_dir(settings))


def _most_severe(categories: list[str]) -> str | None:
    """VICS categories 1 (most severe) … 2, 3…, then any other label; 0 and unknown last."""
    numbers = sorted(int(c) for c in categories if c.isdigit() and int(c) > 0)
    if numbers:
        return str(numbers[0])
    labels = sorted(c for c in categories if not c.isdigit())
    return labels[0] if labels else None


def matches_as_vics(rows: list[MatchRow], stream: IO[bytes]) -> int:
    """Matched items as VICS 2.0: one media per item, with the bank entries it matched.

    The Category is the most severe of the matched entries', the Series all of
    theirs, VictimIdentified true when any says so; Comments name each bank
    entry and how it matched (signal and distance).
    """
    by_item: dict[str, list[MatchRow]] = {}
    for row in rows:
        by_item.setdefault(row.item, []).append(row)
    entries: list[BankEntry] = []
    for item, matched in by_item.items():
        series = sorted({r.series for r in matched if r.series})
        flags = [r.victim_identified for r in matched if r.victim_identified is not None]
        seen: dict[str, None] = {}
        for r in matched:
            seen.setdefault(f"{r.bank}/{r.bank_item} ({r.signal} {r.distance})", None)
        entries.append(
            BankEntry(
                ref=f"{item}; matched {'; '.join(seen)}",
                md5=next((r.md5 for r in matched if r.md5), None),
                sha1=next((r.sha1 for r in matched if r.sha1), None),
                category=_most_severe([r.category for r in matched if r.category]),
                series="; ".join(series) or None,
                victim_identified=any(flags) if flags else None,
            )
        )
    return write_vics(entries, stream)


def records_from_package(store_path: Path) -> Iterator[FileRecord]:
    """The files a contribution package describes, rebuilt from its fingerprints (no media).

    Identical files are one entity (keyed by content) with one ``fileName`` per
    path: each name is a file of its own here, so every one is checked and reported.
    """
    reader = PackageReader(store_path)
    reader.check()
    names: dict[str, list[str]] = {}
    for entity in reader.entities():
        if entity.id is not None:
            held = names.setdefault(entity.id, [])
            held.extend(n for n in entity.get("fileName") if n not in held)
    records: dict[str, FileRecord] = {}
    for fp in reader.fingerprints():
        record = records.setdefault(fp.entity_id, FileRecord(path=fp.entity_id))
        if fp.kind is FingerprintKind.PDQ:
            if fp.variant is None:
                record.pdq, record.pdq_quality = fp.value, fp.quality
            else:
                record.pdq_variants[fp.variant] = (fp.value, fp.quality or 0)
        elif fp.kind is FingerprintKind.VPDQ_FRAME:
            record.vpdq = record.vpdq or []
            record.vpdq.append(FrameRecord(fp.frame or 0, fp.ts or 0.0, fp.quality or 0, fp.value))
        else:
            setattr(record, fp.kind.value, fp.value)
    for entity_id, record in records.items():
        for name in names.get(entity_id) or [entity_id]:
            yield replace(record, path=name)
