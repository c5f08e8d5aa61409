"""A real `crosscheck serve` on loopback: aborted, refused or too-large uploads leave no spool.

And a file left in the spool by a killed hub is gone once the hub starts again.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from crosscheck.exchange.manifest import ENTITIES
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.web.test_hostile_inputs import signed
from tests.web.test_live_server import free_port, start

pytestmark = pytest.mark.slow
LIMIT = 64 << 10


def spooled(settings: Settings) -> list[Path]:
    folder = settings.home / "spool"
    return sorted(folder.iterdir()) if folder.exists() else []


def wait_for(condition: object, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_no_upload_leaves_a_spool_file(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings, create=True)
    key = tmp_path / "be.key"
    hub.add_agency(store, "BE police", "BE", key)
    hub.add_user(
        store, "examiner", "examiner", "BE police", tmp_path / "be.token", settings=settings
    )
    store.engine.dispose()
    token = (tmp_path / "be.token").read_text().strip()
    env = {
        **os.environ,
        "CROSSCHECK_HOME": str(settings.home),
        "CROSSCHECK_DB_URL": settings.db_url,
        "CROSSCHECK_MAX_PACKAGE_BYTES": str(LIMIT),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/contributions"
    headers = {"Authorization": f"Bearer {token}"}
    good = signed(tmp_path, key, "be_live_1")
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(twice, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        with pytest.warns(UserWarning):
            zout.writestr(ENTITIES, b"")
    server = start(env, port)
    try:
        # an upload the client abandons half-way
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(
                f"POST /api/v1/contributions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: {LIMIT - 1}\r\n\r\n".encode()
                + b"PK" * 8000
            )
            assert wait_for(lambda: spooled(settings) != []), "the upload was never spooled"
        assert wait_for(lambda: spooled(settings) == []), spooled(settings)

        for body, status, word in (
            (twice.read_bytes(), 400, "more than once"),
            (good.read_bytes() + b"\0" * LIMIT, 413, "size limit"),
            (b"PK\x03\x04" + os.urandom(2000), 400, "zip"),
        ):
            response = httpx.post(url, content=body, headers=headers, timeout=30)
            detail = response.json()["detail"]
            assert response.status_code == status and word in detail, detail
            assert str(settings.home) not in detail and "spool" not in detail
            assert spooled(settings) == []
        done = httpx.post(url, content=good.read_bytes(), headers=headers, timeout=30)
        assert done.status_code == 201, done.text
        assert spooled(settings) == []
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    # what a killed hub left behind is swept when it starts again
    stale = settings.home / "spool" / "tmp-left-by-a-killed-hub.zip"
    stale.write_bytes(good.read_bytes())
    server = start(env, port)
    try:
        assert not stale.exists()
    finally:
        server.kill()
        server.wait(timeout=10)
