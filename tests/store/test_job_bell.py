"""The job bell: an idle worker wakes when a job is queued (in process; PostgreSQL: from any)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from crosscheck.store import job_bell
from crosscheck.store.access_store import AccessStore
from crosscheck.store.engine import make_engine
from crosscheck.store.job_bell import JobBell

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SAFETY_S = 30.0  # a bell that works rings long before; one that does not fails the test


def test_a_ring_wakes_the_waiter_once() -> None:
    bell = JobBell()
    assert not bell.wait(0)
    woke = threading.Event()

    def waiter() -> None:
        if bell.wait(SAFETY_S):
            woke.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    bell.ring()
    thread.join(SAFETY_S)
    assert woke.is_set()
    assert not bell.wait(0)  # the ring was used up


def test_a_job_queued_on_another_connection_rings_a_listening_bell(db_url: str) -> None:
    listener, other = make_engine(db_url), make_engine(db_url)  # two processes' engines
    bell = JobBell()
    try:
        bell.listen(listener)
        if listener.dialect.name != "postgresql":  # SQLite: no notifications; workers poll
            AccessStore(other).enqueue("cross-check", "c1", NOW)
            assert not bell.listening.is_set() and not bell.wait(0)
            return
        assert bell.listening.wait(SAFETY_S)
        bell.wait(0)  # the look it takes once LISTEN is in place
        assert not bell.wait(0)
        AccessStore(other).enqueue("cross-check", "c1", NOW)
        assert bell.wait(SAFETY_S)
    finally:
        bell.close()
        listener.dispose()
        other.dispose()


def test_a_rolled_back_job_rings_no_one(db_url: str) -> None:
    listener, other = make_engine(db_url), make_engine(db_url)
    bell = JobBell()
    try:
        bell.listen(listener)
        if listener.dialect.name == "postgresql":
            assert bell.listening.wait(SAFETY_S)
        bell.wait(0)

        class Abandoned(Exception):
            pass

        try:
            with other.begin() as conn:
                AccessStore(other).enqueue("cross-check", "c1", NOW, conn=conn)
                raise Abandoned
        except Abandoned:
            pass
        AccessStore(other).enqueue("cross-check", "c2", NOW)  # a committed one after it
        if listener.dialect.name == "postgresql":
            assert bell.wait(SAFETY_S)  # only c2's: a NOTIFY goes with its transaction
        assert AccessStore(other).pending() == 1
    finally:
        bell.close()
        listener.dispose()
        other.dispose()


def test_a_dropped_listener_says_one_line_and_comes_back(
    pg_database_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tester's F7 (stop 20): a killed LISTEN connection logged the pool's traceback."""
    monkeypatch.setattr(job_bell, "RECONNECT_S", 0.2)
    listener, admin = make_engine(pg_database_url), make_engine(pg_database_url)
    bell = JobBell()
    try:
        bell.listen(listener)
        assert bell.listening.wait(SAFETY_S)
        caplog.clear()
        with caplog.at_level(logging.WARNING), admin.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"
                )
            )
        with caplog.at_level(logging.WARNING):
            deadline = time.monotonic() + SAFETY_S
            while bell.listening.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)  # until the listener has seen its connection go
            assert bell.listening.wait(SAFETY_S)  # back again
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [r.name for r in lines] == ["crosscheck.worker"], [r.getMessage() for r in lines]
        assert not any(r.exc_info for r in lines)
    finally:
        bell.close()
        listener.dispose()
        admin.dispose()
