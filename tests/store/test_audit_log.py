"""The audit log keeps one chain under concurrent appends, and hashes exactly what it stores."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import select

from crosscheck.exc import InvalidData
from crosscheck.store import CaseStore, make_engine
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.tables import audit


def test_concurrent_appends_keep_one_chain(store: CaseStore) -> None:
    log = AuditLog(store.engine)
    threads, per_thread = 12, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                log.append(f"agency {n}", "access", f"hits {i}", {"n": n, "i": i})
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    verdict = log.verify()
    assert verdict.problem is None
    assert verdict.ok
    assert verdict.entries == threads * per_thread
    entries = log.entries()
    assert len({e["prev_hash"] for e in entries}) == len(entries)  # no two entries share a parent


def test_a_long_subject_is_stored_as_hashed(store: CaseStore) -> None:
    log = AuditLog(store.engine)
    log.append("hub", "access", "x" * 2000, {})
    assert log.verify().ok
    with store.engine.connect() as conn:
        stored = conn.execute(select(audit.c.subject)).scalar_one()
    assert stored == "x" * 1024


def test_an_over_long_actor_is_refused_and_nothing_written(store: CaseStore) -> None:
    log = AuditLog(store.engine)
    with pytest.raises(InvalidData, match="audit log"):
        log.append("a" * 201, "access", "hits", {})
    assert log.entries() == []
    assert log.verify().ok


APPENDER = """
import sys
from crosscheck.store import make_engine
from crosscheck.store.audit_log import AuditLog
log = AuditLog(make_engine(sys.argv[1]))
for i in range(int(sys.argv[3])):
    log.append("process " + sys.argv[2], "access", "hits", {"i": i})
"""


def test_appends_from_several_processes_keep_one_chain(db_url: str) -> None:
    processes, each = 4, 30
    running = [
        subprocess.Popen([sys.executable, "-c", APPENDER, db_url, str(n), str(each)])
        for n in range(processes)
    ]
    assert [p.wait(timeout=120) for p in running] == [0] * processes
    engine = make_engine(db_url)
    verdict = AuditLog(engine).verify()
    engine.dispose()
    assert verdict.problem is None
    assert verdict.entries == processes * each
