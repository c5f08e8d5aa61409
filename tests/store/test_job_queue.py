"""The job queue with several workers: each job taken once, failures retried, then failed."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crosscheck.service import hub
from crosscheck.store import CaseStore
from crosscheck.store.access_store import MAX_JOB_ATTEMPTS, AccessStore, backoff
from crosscheck.store.engine import make_engine
from crosscheck.store.tables import job

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def jobs(store: CaseStore) -> list[tuple[int, str, int, str | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(job).order_by(job.c.id)).all()
    return [(r.id, r.status, r.attempts, r.error) for r in rows]


def test_two_workers_take_each_job_exactly_once(db_url: str) -> None:
    queue = AccessStore(make_engine(db_url))
    for n in range(60):
        queue.enqueue("cross-check", f"c{n}", NOW)
    taken: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def worker() -> None:
        own = AccessStore(make_engine(db_url))  # its own engine, as a second process has
        start.wait()
        while (claimed := own.claim(NOW)) is not None:
            with lock:
                taken.append(claimed[0])
            own.finish(claimed[0], NOW)
        own.engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counts = Counter(taken)
    assert sorted(counts) == list(range(1, 61))
    assert set(counts.values()) == {1}, [i for i, c in counts.items() if c > 1]
    assert queue.pending() == 0
    queue.engine.dispose()


def test_hub_workers_run_each_cross_check_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CaseStore(make_engine(db_url))
    for n in range(30):
        AccessStore(store.engine).enqueue("cross-check", f"c{n}", NOW)
    ran: list[str] = []
    lock = threading.Lock()

    def counted(_: CaseStore, subject: str) -> int:
        with lock:
            ran.append(subject)
        return 0

    monkeypatch.setattr(hub, "cross_check", counted)
    workers = [CaseStore(make_engine(db_url)) for _ in range(2)]
    threads = [threading.Thread(target=hub.run_jobs, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for worker in workers:
        worker.engine.dispose()
    assert sorted(ran) == sorted(f"c{n}" for n in range(30))
    store.engine.dispose()


def test_a_failing_job_is_retried_after_backoff_then_failed(db_url: str) -> None:
    queue = AccessStore(make_engine(db_url))
    queue.enqueue("cross-check", "c1", NOW)
    now = NOW
    for attempt in range(1, MAX_JOB_ATTEMPTS + 1):
        claimed = queue.claim(now)
        assert claimed is not None, attempt
        assert queue.finish(claimed[0], now, "RuntimeError: boom") == (
            "failed" if attempt == MAX_JOB_ATTEMPTS else "queued"
        )
        if attempt < MAX_JOB_ATTEMPTS:
            wait = backoff(attempt)
            assert queue.claim(now + wait - timedelta(seconds=1)) is None  # not before
            now += wait
    assert queue.claim(now + timedelta(days=1)) is None
    ((_, status, attempts, error),) = [(i, s, a, e) for i, s, a, e in jobs_of(queue)]
    assert (status, attempts, error) == ("failed", MAX_JOB_ATTEMPTS, "RuntimeError: boom")
    assert queue.pending() == 0
    queue.engine.dispose()


def test_run_jobs_reports_a_job_failed_after_the_last_try(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = CaseStore(make_engine(db_url))
    AccessStore(store.engine).enqueue("cross-check", "c1", NOW)

    def broken(_: CaseStore, subject: str) -> int:
        raise RuntimeError("store went away")

    monkeypatch.setattr(hub, "cross_check", broken)
    clock = [NOW]
    monkeypatch.setattr(hub, "_now", lambda: clock[0])
    for attempt in range(1, MAX_JOB_ATTEMPTS + 1):
        assert hub.run_jobs(store) == 1
        assert hub.run_jobs(store) == 0  # backing off (or failed): nothing to take now
        clock[0] += backoff(attempt)
    assert [s for _, s, _, _ in jobs(store)] == ["failed"]
    failed = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(failed) == 1 and "failed after" in failed[0].getMessage()
    store.engine.dispose()


def test_a_stale_running_job_is_taken_again_and_not_forever(db_url: str) -> None:
    queue = AccessStore(make_engine(db_url))
    queue.enqueue("cross-check", "c1", NOW)
    now = NOW
    for _ in range(MAX_JOB_ATTEMPTS):
        assert queue.claim(now) is not None  # the worker dies without finishing
        assert queue.claim(now + timedelta(minutes=5)) is None  # still running, not stale
        now += timedelta(minutes=11)
    assert queue.claim(now) is None  # out of tries: failed, not taken again
    assert [s for _, s, _, _ in jobs_of(queue)] == ["failed"]
    queue.engine.dispose()


def jobs_of(queue: AccessStore) -> list[tuple[int, str, int, str | None]]:
    with queue.engine.connect() as conn:
        rows = conn.execute(select(job).order_by(job.c.id)).all()
    return [(r.id, r.status, r.attempts, r.error) for r in rows]
