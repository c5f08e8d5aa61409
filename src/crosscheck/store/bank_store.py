"""Banks (hash lists of known material) in the case store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from crosscheck.exc import BackendError, InvalidData, NotFound
from crosscheck.model.banks import BankEntry, BankFrame
from crosscheck.store.tables import bank, bank_entry, bank_frame

BATCH = 5000
LOOKUP_BATCH = 500


@dataclass(frozen=True)
class BankInfo:
    id: int
    name: str
    format: str
    version: int
    updated_at: datetime
    entries: int
    pdq_hashes: int
    video_frames: int


def _row(entry: BankEntry, bank_id: int) -> dict[str, Any]:
    return {
        "bank_id": bank_id,
        "ref": entry.ref[:1024],
        "md5": entry.md5,
        "sha1": entry.sha1,
        "sha256": entry.sha256,
        "pdq": entry.pdq,
        "category": entry.category[:64] if entry.category else None,
        "series": entry.series[:255] if entry.series else None,
        "victim_identified": entry.victim_identified,
        "vics": entry.vics,
    }


class BankStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def import_entries(
        self, name: str, fmt: str, entries: Iterable[BankEntry], now: datetime
    ) -> tuple[BankInfo, int]:
        """Add entries to bank ``name`` (created if new) in one transaction: (bank, added)."""
        added = 0
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(bank).where(bank.c.name == name)).first()
                if row is None:
                    key = conn.execute(
                        bank.insert().values(name=name, format=fmt, version=1, updated_at=now)
                    ).inserted_primary_key
                    assert key is not None
                    bank_id = int(key[0])
                else:
                    bank_id = int(row.id)
                    conn.execute(
                        bank.update()
                        .where(bank.c.id == bank_id)
                        .values(version=bank.c.version + 1, updated_at=now)
                    )
                iterator = iter(entries)
                while batch := list(islice(iterator, BATCH)):
                    plain = [_row(e, bank_id) for e in batch if not e.frames]
                    if plain:
                        conn.execute(bank_entry.insert(), plain)
                    for entry in (e for e in batch if e.frames):
                        key = conn.execute(
                            bank_entry.insert().values(**_row(entry, bank_id))
                        ).inserted_primary_key
                        assert key is not None
                        conn.execute(
                            bank_frame.insert(),
                            [
                                {
                                    "entry_id": int(key[0]),
                                    "frame": f.frame,
                                    "ts": f.ts,
                                    "pdq": f.pdq,
                                    "quality": f.quality,
                                }
                                for f in entry.frames
                            ],
                        )
                    added += len(batch)
                if added == 0:  # raised inside the transaction: the new bank goes too
                    raise InvalidData(f"bank {name}: the file holds no hash; nothing was imported")
        except SQLAlchemyError as exc:
            raise BackendError(f"storing bank {name} failed: {exc.__class__.__name__}") from exc
        return self.bank(name), added

    def banks(self) -> list[BankInfo]:
        with self.engine.connect() as conn:
            names = [r.name for r in conn.execute(select(bank.c.name).order_by(bank.c.name))]
        return [self.bank(n) for n in names]

    def bank(self, name: str) -> BankInfo:
        with self.engine.connect() as conn:
            row = conn.execute(select(bank).where(bank.c.name == name)).first()
            if row is None:
                raise NotFound(f"no bank named {name!r}; see `crosscheck bank list`")

            def count(query: Any) -> int:
                return int(conn.execute(query).scalar_one())

            entries = select(func.count()).select_from(bank_entry)
            return BankInfo(
                id=row.id,
                name=row.name,
                format=row.format,
                version=row.version,
                updated_at=row.updated_at,
                entries=count(entries.where(bank_entry.c.bank_id == row.id)),
                pdq_hashes=count(
                    entries.where(bank_entry.c.bank_id == row.id, bank_entry.c.pdq.is_not(None))
                ),
                video_frames=count(
                    select(func.count())
                    .select_from(bank_frame.join(bank_entry))
                    .where(bank_entry.c.bank_id == row.id)
                ),
            )

    def entries(
        self, bank_id: int, ids: Sequence[int] | None = None
    ) -> Iterator[tuple[int, BankEntry]]:
        """(entry id, entry) in id order, streamed; frames are not loaded."""
        query = select(bank_entry).where(bank_entry.c.bank_id == bank_id).order_by(bank_entry.c.id)
        chunks: Iterable[Sequence[int] | None] = [None]
        if ids is not None:
            unique = sorted(set(ids))
            chunks = [unique[i : i + LOOKUP_BATCH] for i in range(0, len(unique), LOOKUP_BATCH)]
        with self.engine.connect() as conn:
            for chunk in chunks:
                selected = query if chunk is None else query.where(bank_entry.c.id.in_(chunk))
                for row in conn.execution_options(yield_per=BATCH).execute(selected):
                    yield (
                        row.id,
                        BankEntry(
                            ref=row.ref,
                            md5=row.md5,
                            sha1=row.sha1,
                            sha256=row.sha256,
                            pdq=row.pdq,
                            category=row.category,
                            series=row.series,
                            victim_identified=row.victim_identified,
                            vics=row.vics,
                        ),
                    )

    def exact(self, bank_id: int, kind: str, values: Iterable[str]) -> dict[str, list[int]]:
        """Entry ids whose ``kind`` hash (md5, sha1, sha256) is one of ``values``."""
        column = bank_entry.c[kind]
        unique = sorted(set(values))
        found: dict[str, list[int]] = defaultdict(list)
        with self.engine.connect() as conn:
            for start in range(0, len(unique), LOOKUP_BATCH):
                chunk = unique[start : start + LOOKUP_BATCH]
                query = select(column, bank_entry.c.id).where(
                    bank_entry.c.bank_id == bank_id, column.in_(chunk)
                )
                for value, entry_id in conn.execute(query):
                    found[value].append(int(entry_id))
        return dict(found)

    def pdq_rows(self, bank_id: int) -> Iterator[tuple[int, str]]:
        query = (
            select(bank_entry.c.id, bank_entry.c.pdq)
            .where(bank_entry.c.bank_id == bank_id, bank_entry.c.pdq.is_not(None))
            .order_by(bank_entry.c.id)
        )
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=BATCH).execute(query):
                yield int(row.id), str(row.pdq)

    def frames(self, bank_id: int) -> Iterator[tuple[int, BankFrame]]:
        query = (
            select(bank_frame)
            .join(bank_entry, bank_entry.c.id == bank_frame.c.entry_id)
            .where(bank_entry.c.bank_id == bank_id)
            .order_by(bank_frame.c.entry_id, bank_frame.c.frame)
        )
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=BATCH).execute(query):
                yield int(row.entry_id), BankFrame(row.frame, row.ts, row.pdq, row.quality)
