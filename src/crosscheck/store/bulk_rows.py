"""Many new rows at once, for a contribution's statements and fingerprints.

The import writes a new contribution's rows through :func:`insert_new`:
PostgreSQL takes them by ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy()``
on the transaction's own connection), SQLite by one ``executemany`` of plain
tuples on the DB-API cursor. Both run in the import's transaction, so the
contribution, its rows, its identifier keys, its feed row and its audit entry
land together or not at all. Rows of a new contribution cannot clash with rows
already held (their ids hash the contribution id), so only repeats within the
same contribution are dropped, here, by id.

:class:`FingerprintRow` is a fingerprint as a plain tuple, for callers that
hold many hashes already checked (a generated holding, a bank): it skips the
pydantic model per hash and is checked here for kind and hex form instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import SQLAlchemyError

from crosscheck.exc import BackendError, InvalidData
from crosscheck.model import Fingerprint
from crosscheck.model.keys import qualify
from crosscheck.model.records import HEX_LENGTH, PERCEPTUAL, FingerprintKind, fingerprint_key

_log = logging.getLogger("crosscheck.store")
_HEX = re.compile(r"[0-9a-f]+")
_LENGTH = {kind.value: n for kind, n in HEX_LENGTH.items()}
_PERCEPTUAL = {kind.value for kind in PERCEPTUAL}
_FRAME = FingerprintKind.VPDQ_FRAME.value
# a contribution of this many rows or more has PostgreSQL's statistics of the tables
# refreshed after it commits: with stale ones (a bulk load that autovacuum has not yet
# caught up with) the planner takes "kind IN (...)" for selective and scans the
# (kind, value) index over the whole holding, so a cross-check costs what the holding does
ANALYZE_ROWS = 50_000
SQLITE_CACHE_KIB = 256 * 1024  # SQLite's page cache during a bulk write (its default: 2 MiB)

FINGERPRINT_COLUMNS = (
    "id",
    "contribution_id",
    "entity_id",
    "kind",
    "value",
    "quality",
    "frame",
    "ts",
    "variant",
)


class FingerprintRow(NamedTuple):
    """A fingerprint as the package gives it (entity id unqualified), as a plain tuple."""

    entity_id: str
    kind: str
    value: str
    quality: int | None = None
    frame: int | None = None
    ts: float | None = None
    variant: str | None = None

    @classmethod
    def of(cls, item: Fingerprint) -> FingerprintRow:
        return cls(
            item.entity_id,
            item.kind.value,
            item.value,
            item.quality,
            item.frame,
            item.ts,
            item.variant,
        )


def check_row(row: FingerprintRow) -> None:
    """The checks :class:`Fingerprint` makes, on a plain row (``InvalidData`` if one fails)."""
    length = _LENGTH.get(row.kind)
    if length is None:
        raise InvalidData(f"unknown fingerprint kind {row.kind!r}")
    if len(row.value) != length or not _HEX.fullmatch(row.value):
        raise InvalidData(f"a {row.kind} value is {length} lowercase hex digits, got {row.value!r}")
    if not 0 < len(row.entity_id) <= 1024:
        raise InvalidData("a fingerprint's entity id is 1 to 1024 characters")
    perceptual, frame = row.kind in _PERCEPTUAL, row.kind == _FRAME
    if row.quality is not None and (not perceptual or not 0 <= row.quality <= 100):
        raise InvalidData(f"a {row.kind} fingerprint has no quality {row.quality!r}")
    if frame != (row.frame is not None) or frame != (row.ts is not None):
        raise InvalidData(f"a {row.kind} fingerprint's frame and timestamp are wrong")
    if (row.frame is not None and row.frame < 0) or (row.ts is not None and row.ts < 0):
        raise InvalidData("a frame number or timestamp is not negative")
    if row.variant is not None and not perceptual:
        raise InvalidData(f"a {row.kind} fingerprint has no variant")


def fingerprint_rows(
    contribution_id: str, items: Iterable[Fingerprint | FingerprintRow]
) -> Iterator[tuple[Any, ...]]:
    """The ``fingerprint`` table's rows (``FINGERPRINT_COLUMNS``) of a contribution's items.

    The id is the one :func:`crosscheck.store.case_store.fingerprint_id` gives the
    item with its entity id qualified (``Fingerprint.key`` of the held fingerprint).
    """
    for item in items:
        if isinstance(item, Fingerprint):
            row = FingerprintRow.of(item)
        else:
            row = item
            check_row(row)
        entity = qualify(contribution_id, row.entity_id)
        key = fingerprint_key(entity, row.kind, row.value, row.frame, row.ts, row.variant)
        row_id = hashlib.sha1(f"{contribution_id}\x1f{key}".encode()).hexdigest()
        yield (row_id, contribution_id, entity, *row[1:])


def insert_new(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Write rows (tuples in ``columns`` order, the first the id) in ``conn``'s transaction.

    For rows no other contribution can hold (a new contribution's): a repeated id
    is written once. Returns how many rows were written.
    """
    seen: set[Any] = set()

    def first_of_each() -> Iterator[tuple[Any, ...]]:
        for row in rows:
            if row[0] not in seen:
                seen.add(row[0])
                yield row

    unknown = [name for name in columns if name not in table.c]
    if unknown:  # names from the store's own tables only: they are written into the SQL
        raise ValueError(f"{table.name} has no column {unknown[0]!r}")
    names = ", ".join(columns)
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    driver_error: type[Exception] = conn.dialect.dbapi.Error  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            sql = f"COPY {table.name} ({names}) FROM STDIN"
            with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
                for row in first_of_each():
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor = dbapi.cursor()
            # a larger page cache while the rows go in: each row lands at random places in
            # the id and (kind, value) indexes; the connection's own size comes back after
            cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
            try:
                cursor.execute(f"PRAGMA cache_size = {min(int(cache), -SQLITE_CACHE_KIB)}")
                cursor.executemany(
                    f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608
                    first_of_each(),
                )
            finally:
                cursor.execute(f"PRAGMA cache_size = {int(cache)}")
                cursor.close()
    except driver_error as exc:
        raise BackendError(f"writing {table.name} rows failed: {exc.__class__.__name__}") from exc
    return len(seen)


def refresh_statistics(engine: Engine, tables: Sequence[Table]) -> None:
    """PostgreSQL: ``ANALYZE`` the tables, in a connection of its own (after the import's
    commit, so no import waits on another's ANALYZE). SQLite: nothing (its planner takes
    the contribution's own index without statistics)."""
    if engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect() as conn:
            auto = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in tables:
                auto.exec_driver_sql(f"ANALYZE {table.name}")
    except SQLAlchemyError as exc:  # the rows are stored: only the planner's guesses stay old
        _log.warning("could not refresh the statistics: %s", exc.__class__.__name__)


__all__ = [
    "ANALYZE_ROWS",
    "FINGERPRINT_COLUMNS",
    "FingerprintRow",
    "check_row",
    "fingerprint_rows",
    "insert_new",
    "refresh_statistics",
]
