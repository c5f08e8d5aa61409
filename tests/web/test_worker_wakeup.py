"""`serve`'s worker takes a stored contribution's cross-check at once, not at its next poll.

The worker's poll interval is an hour here: a job done within the test's safety
limit was taken because the submission rang the worker's bell. Ordering is by
events (the worker is seen idle first), never by a wall-clock threshold.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.tables import job
from crosscheck.web.app import create_app
from tests.web.conftest import auth
from tests.web.test_api import signed_package

AN_HOUR = 3600.0
SAFETY_S = 30.0  # only a broken bell gets anywhere near it: the poll is an hour away


def job_statuses(settings: Settings) -> list[str]:
    store = open_store(settings)
    with store.engine.connect() as conn:
        found = [str(r.status) for r in conn.execute(select(job).order_by(job.c.id))]
    store.engine.dispose()
    return found


def test_a_stored_contribution_wakes_the_idle_worker(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, tokens, keys = hub_env
    idle = threading.Event()  # the worker found the queue empty and went to wait
    checked: list[str] = []
    real_run_jobs = hub.run_jobs

    def watched(store: CaseStore, limit: int | None = None) -> int:
        ran = real_run_jobs(store, limit)
        if ran == 0:
            idle.set()
        return ran

    def counted(_: CaseStore, subject: str) -> int:
        checked.append(subject)
        return 0

    monkeypatch.setattr(hub, "run_jobs", watched)
    monkeypatch.setattr(hub, "cross_check", counted)
    client = TestClient(create_app(settings, worker=True, worker_pause=AN_HOUR))
    with client:
        assert idle.wait(SAFETY_S), "the worker never went idle"
        body = signed_package(tmp_path, "BE police", keys["BE police"], "be_wake", "c" * 64)
        stored = client.post(
            "/api/v1/contributions", content=body, headers=auth(tokens["BE police/examiner"])
        )
        assert stored.status_code == 201, stored.text
        deadline = time.monotonic() + SAFETY_S
        while job_statuses(settings) != ["done"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert job_statuses(settings) == ["done"]
    assert checked == ["be_wake"]


def test_a_package_already_held_rings_no_cross_check(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]],
    settings: Settings,
    tmp_path: Path,
) -> None:
    client, tokens, keys = hub_env  # no worker: the queue shows what was asked of it
    body = signed_package(tmp_path, "BE police", keys["BE police"], "be_twice", "d" * 64)
    with client:
        for created in (True, False):
            answer = client.post(
                "/api/v1/contributions", content=body, headers=auth(tokens["BE police/examiner"])
            )
            assert answer.json()["created"] is created
    assert job_statuses(settings) == ["queued"]
