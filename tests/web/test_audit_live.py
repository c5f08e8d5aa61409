"""A real `crosscheck serve`: concurrent audited reads keep the audit chain one chain."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from tests.web.test_live_server import free_port, start

pytestmark = pytest.mark.slow


def test_concurrent_reads_over_http_keep_the_audit_chain(
    settings: Settings, tmp_path: Path
) -> None:
    store = open_store(settings, create=True)
    hub.add_agency(store, "BE police", "BE", tmp_path / "be.key")
    hub.add_user(
        store, "examiner", "examiner", "BE police", tmp_path / "be.token", settings=settings
    )
    before = AuditLog(store.engine).verify().entries
    store.engine.dispose()
    token = (tmp_path / "be.token").read_text().strip()
    env = {
        **os.environ,
        "CROSSCHECK_HOME": str(settings.home),
        "CROSSCHECK_DB_URL": settings.db_url,
    }
    port = free_port()
    server = start(env, port)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
            limits=httpx.Limits(max_connections=20),
        ) as client:

            def one(_: int) -> int:
                return client.get("/api/v1/hits").status_code

            with ThreadPoolExecutor(max_workers=20) as pool:
                statuses = list(pool.map(one, range(200)))
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert statuses == [200] * 200
    store = open_store(settings)
    verdict = AuditLog(store.engine).verify()
    store.engine.dispose()
    assert verdict.problem is None
    assert verdict.entries == before + 200
