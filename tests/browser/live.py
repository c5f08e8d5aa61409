"""A live `crosscheck serve` for browser tests: a free loopback port, stopped when done."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from crosscheck.settings import Settings
from tests.web.test_live_server import free_port, start


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The hub of ``settings`` served by a real `crosscheck serve`; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "CROSSCHECK_HOME": str(settings.home),
        "CROSSCHECK_DB_URL": settings.db_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    server = start(env, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
