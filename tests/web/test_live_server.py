"""A real `crosscheck serve` on loopback: `submit` over HTTP, and a SIGKILL mid-ingest."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.helpers import contribution

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "crosscheck", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 90  # generous: a loaded 2-core machine starts it slowly
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.wait(timeout=10)
    raise AssertionError(f"the hub did not start (exit status {process.returncode})")


def big_package(path: Path, agency: str, cid: str, files: int) -> Path:
    entities = [
        {"id": f"{cid}-{i}", "schema": "Image", "properties": {"fileName": [f"{i}.jpg"]}}
        for i in range(files)
    ]
    prints = [
        Fingerprint(entity_id=f"{cid}-{i}", kind="sha256", value=f"{i:064x}") for i in range(files)
    ]
    write_package(
        path, contribution(cid, provider={"name": agency, "country": "BE"}), entities, prints
    )
    return path


def test_submit_over_http_and_sigkill_during_ingest(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings, create=True)
    key = tmp_path / "be.key"
    hub.add_agency(store, "BE police", "BE", key)
    hub.add_user(
        store, "examiner", "examiner", "BE police", tmp_path / "be.token", settings=settings
    )
    store.engine.dispose()
    env = {
        **os.environ,
        "CROSSCHECK_HOME": str(settings.home),
        "CROSSCHECK_DB_URL": settings.db_url,
    }
    port = free_port()
    server = start(env, port)
    try:
        small = big_package(tmp_path / "small.zip", "BE police", "be_small", 10)
        command = [
            sys.executable, "-m", "crosscheck", "submit", str(small),
            "--hub", f"http://127.0.0.1:{port}", "--agency-key", str(key),
            "--agency", "BE police", "--token-file", str(tmp_path / "be.token"),
        ]  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "stored as be_small; cross-check queued" in done.stdout
        again = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert again.returncode == 0, again.stderr
        assert "already held as be_small" in again.stdout  # nothing new: no cross-check queued
        assert "queued" not in again.stdout  # tester's finding F6 (stop 20)

        # a large upload, and the server killed while it ingests
        large = big_package(tmp_path / "large.zip", "BE police", "be_large", 40000)
        from crosscheck.exchange.signing import load_key, sign_package

        sign_package(large, load_key(key), "BE police")
        token = (tmp_path / "be.token").read_text().strip()
        answer: dict[str, object] = {}

        def upload() -> None:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/api/v1/contributions", content=large.read_bytes(),
                    headers={"Authorization": f"Bearer {token}"}, timeout=120,
                )  # fmt: skip
                answer["status"] = response.status_code
            except httpx.HTTPError as exc:
                answer["error"] = exc

        thread = threading.Thread(target=upload)
        thread.start()
        time.sleep(1.5)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        thread.join(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=10)
    store = open_store(settings)
    held = {c.id for c in store.contributions()}
    counts = store.contribution_counts()
    assert "be_small" in held
    if answer.get("status") == 201:  # acknowledged: it must be there, whole
        assert counts["be_large"] == (40000, 40000)
    else:  # not acknowledged: all or nothing, never half
        assert "be_large" not in held or counts["be_large"] == (40000, 40000)
        stored = sum(1 for _ in store.fingerprints(contribution_id="be_large"))
        assert stored in (0, 40000)
    store.engine.dispose()
