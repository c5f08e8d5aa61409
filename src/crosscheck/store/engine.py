"""Engines for the two databases, and the few places where they differ."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Insert

from crosscheck.exc import InvalidData
from crosscheck.store.files import private_file

SUPPORTED = ("sqlite", "postgresql")


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite (file or memory) or PostgreSQL through psycopg 3."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise InvalidData(
            f"unsupported database {backend!r} in CROSSCHECK_DB_URL; use sqlite or postgresql"
        )
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    kwargs: dict[str, Any] = {}
    if database in ("", ":memory:"):
        # one connection for the whole process, or each one sees an empty database
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        # the store's folder 0700 and file 0600 (SQLite gives -wal and -shm the file's mode)
        private_file(Path(database))
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def transaction(engine: Engine, conn: Connection | None = None) -> Iterator[Connection]:
    """``conn`` as it is (the caller's transaction, committed by the caller), or a new one."""
    if conn is not None:
        yield conn
        return
    with engine.begin() as own:
        yield own


@contextmanager
def reading(engine: Engine, conn: Connection | None = None) -> Iterator[Connection]:
    """``conn`` (so a transaction reads its own writes), or a fresh connection."""
    if conn is not None:
        yield conn
        return
    with engine.connect() as own:
        yield own


def lock_for_writing(conn: Connection, key: int) -> None:
    """Make ``conn``'s transaction the only writer of ``key`` until it ends, across processes.

    PostgreSQL: a transaction-scoped advisory lock on ``key``. SQLite has one
    writer per database: the transaction takes the write lock now (``BEGIN
    IMMEDIATE``, waiting up to the busy timeout) unless it already holds it.
    pysqlite opens a transaction only at the first INSERT/UPDATE/DELETE, so a
    connection already in one has written and holds the lock; one that is not
    would otherwise read outside any transaction, and two appenders could read
    the same last entry (a forked chain).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignoring_duplicates(engine: Engine, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the engine's own dialect."""
    if is_postgres(engine):
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()
