"""`crosscheck worker`: cross-check jobs taken from the hub's queue outside `serve`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from crosscheck.service import hub
from crosscheck.store import CaseStore
from crosscheck.store.access_store import AccessStore
from crosscheck.store.engine import make_engine
from crosscheck.store.tables import job
from tests.cli.conftest import run


def queue(db_url: str, subjects: list[str]) -> None:
    store = CaseStore(make_engine(db_url))
    for subject in subjects:
        AccessStore(store.engine).enqueue("cross-check", subject, datetime.now(UTC))
    store.engine.dispose()


def statuses(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        found = [r.status for r in conn.execute(select(job).order_by(job.c.id))]
    engine.dispose()
    return found


def test_worker_once_runs_the_queue_and_exits(
    env: Path, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init")[0] == 0
    queue(db_url, ["c1", "c2", "c3"])
    ran: list[str] = []

    def counted(_: CaseStore, subject: str) -> int:
        ran.append(subject)
        return 0

    monkeypatch.setattr(hub, "cross_check", counted)
    code, out, _ = run(capsys, "worker", "--once", "--jobs", "2")
    assert code == 0 and ran == ["c1", "c2"] and "2 jobs run" in out
    assert statuses(db_url) == ["done", "done", "queued"]
    code, out, _ = run(capsys, "worker", "--once")
    assert code == 0 and ran == ["c1", "c2", "c3"] and "1 job run" in out
    assert statuses(db_url) == ["done", "done", "done"]


def test_worker_refuses_a_bad_job_count(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init")[0] == 0
    code, _, err = run(capsys, "worker", "--jobs", "0")
    assert code == 2 and "--jobs" in err
