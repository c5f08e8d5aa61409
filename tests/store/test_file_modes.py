"""The case store's files are the hub's alone: 0600 files, 0700 folders, whatever the umask."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from crosscheck.store import CaseStore, make_engine
from crosscheck.store.files import private_dir


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_sqlite_store_files_and_folder_are_private(tmp_path: Path, open_umask: None) -> None:
    database = tmp_path / "home" / "sub" / "case.db"
    engine = make_engine(f"sqlite:///{database}")
    store = CaseStore(engine)
    store.initialise()
    with engine.begin() as conn:  # a write, so the WAL and shared-memory files exist
        conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        written = [p for p in database.parent.iterdir() if p.name.startswith("case.db")]
        assert {p.name for p in written} >= {"case.db", "case.db-wal"}
        for path in written:
            assert mode(path) == 0o600, path.name
    engine.dispose()
    assert mode(database) == 0o600
    assert mode(database.parent) == 0o700 and mode(database.parent.parent) == 0o700


def test_private_dir_makes_every_missing_folder_private(tmp_path: Path, open_umask: None) -> None:
    made = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == 0o700 and mode(made) == 0o700
    (tmp_path / "mine").mkdir(mode=0o755)
    private_dir(tmp_path / "mine")  # a folder that was there is left as its owner made it
    assert mode(tmp_path / "mine") == 0o755
