"""Shared fixtures: the same storage tests run on SQLite and on PostgreSQL.

PostgreSQL is reached through CROSSCHECK_TEST_PG_URL (default: the local
server at 127.0.0.1:5432, user postgres, database test). One throwaway
database is created per test session and dropped after it. Without a
reachable server the PostgreSQL runs are skipped, unless
CROSSCHECK_REQUIRE_PG=1 (as in .ci/run), where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from crosscheck.settings import Settings
from crosscheck.store import CaseStore, make_engine
from crosscheck.store.tables import metadata

PG_URL = os.environ.get(
    "CROSSCHECK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("CROSSCHECK_REQUIRE_PG") == "1"
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def no_profile(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the user's own crosscheck profile or CROSSCHECK_HUB & co."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    for name in ("CROSSCHECK_HUB", "CROSSCHECK_AGENCY", "CROSSCHECK_AGENCY_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CROSSCHECK_TOKEN_FILE", raising=False)


def _admin_engine() -> Engine:
    return make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    name = f"crosscheck_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at {PG_URL} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    migrated = CaseStore(make_engine(url))
    migrated.initialise()
    migrated.engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'case.db'}"
        engine = make_engine(url)
        CaseStore(engine).initialise()
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("pg_database_url")
    yield url
    engine = make_engine(url)
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[CaseStore]:
    case_store = CaseStore(make_engine(db_url))
    yield case_store
    case_store.engine.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {"CROSSCHECK_HOME": str(tmp_path / "home"), "CROSSCHECK_DB_URL": db_url}
    )


def snapshot(case_store: CaseStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two equal snapshots mean an unchanged store."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with case_store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(table.select()).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
