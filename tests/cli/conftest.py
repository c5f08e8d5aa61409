"""CLI fixtures: a home and database per test, and a runner that captures output."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck.cli.app import main


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("CROSSCHECK_HOME", str(home))
    monkeypatch.setenv("CROSSCHECK_DB_URL", db_url)
    return home


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
