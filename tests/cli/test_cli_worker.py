"""`crosscheck worker`: cross-check jobs taken from the hub's queue outside `serve`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from crosscheck.service import hub
from crosscheck.store import CaseStore
from crosscheck.store.access_store import AccessStore
from crosscheck.store.engine import make_engine
from crosscheck.store.tables import job
from tests.cli.conftest import run
from tests.helpers import SRC

SAFETY_S = 60.0  # start-up and one job; the worker's poll is an hour away


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


def test_a_worker_process_on_postgresql_wakes_when_a_job_is_queued(
    env: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A separate `crosscheck worker` polling once an hour takes a job queued elsewhere at once.

    Ordered by events: the job is queued only once the worker's LISTEN shows in
    pg_stat_activity, so only the notification (or the look it takes right after
    LISTEN) can have woken it.
    """
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no notifications: a worker there finds a job at its next poll")
    assert run(capsys, "init")[0] == 0
    name = f"cc-worker-test-{os.getpid()}-{secrets.token_hex(4)}"
    own_url = make_url(db_url).update_query_dict({"application_name": name})
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    worker = subprocess.Popen(
        [sys.executable, "-m", "crosscheck", "worker", "--jobs", "1", "--pause", "3600"],
        env=os.environ
        | {
            "PYTHONPATH": path,
            "CROSSCHECK_HOME": str(env),
            "CROSSCHECK_DB_URL": own_url.render_as_string(hide_password=False),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    engine = make_engine(db_url)
    try:
        listening = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = :name AND query LIKE 'LISTEN %'"
        )
        deadline = time.monotonic() + SAFETY_S
        while time.monotonic() < deadline and worker.poll() is None:
            with engine.connect() as conn:
                if conn.execute(listening, {"name": name}).scalar_one():
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the worker never listened")
        queue(db_url, ["c1"])  # nothing exists to check: the job fails, and so is run
        out, err = worker.communicate(timeout=SAFETY_S)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        engine.dispose()
    assert worker.returncode == 0, err
    assert "1 job run" in out
