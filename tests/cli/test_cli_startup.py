"""Start-up stays small (issue 12): a command imports only what it needs, without timing it.

Each check runs in a fresh interpreter and reads ``sys.modules`` there: the test
process has imported everything long before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from crosscheck.cli.app import COMMANDS, app, load_command
from tests.helpers import SRC, fresh_python

#: what no command needs just to start, nor `text analyse` at all
HUB_AND_STORE = ["splink", "duckdb", "faiss", "fastapi", "sqlalchemy", "httpx", "crosscheck.store",
                 "crosscheck.service", "crosscheck.web", "crosscheck.resolve"]  # fmt: skip
ANALYSIS = ["sklearn", "lingua", "scipy", "pandas", "followthemoney"]


def imported_by(code: str, watched: list[str]) -> list[str]:
    """The ``watched`` modules that running ``code`` in a fresh interpreter imported."""
    which = f"[m for m in {watched!r} if m in sys.modules]"
    found: list[str] = fresh_python(f"{code}\nimport json, sys\nprint(json.dumps({which}))")
    return found


def test_the_cli_imports_no_command_to_start() -> None:
    code = "import typer\nfrom crosscheck.cli.app import app\ntyper.main.get_command(app)"
    assert imported_by(code, HUB_AND_STORE + ANALYSIS) == []


def test_text_analyse_imports_no_hub_store_resolution_or_scikit_learn(tmp_path: Path) -> None:
    """The variety models are plain arrays (text/variety_format.py): no sklearn, joblib or scipy."""
    texts = tmp_path / "texts.txt"
    texts.write_text("Vosotros habéis cogido el autobús demasiado tarde esta mañana.\n", "utf-8")
    code = (
        "from crosscheck.cli.app import main\n"
        f"assert main(['text', 'analyse', {str(texts)!r}, '--format', 'jsonl']) == 0\n"
        "from crosscheck.text.variety import load_model\n"
        "assert load_model.cache_info().currsize == 1  # a variety model was loaded and used"
    )
    unwanted = [*HUB_AND_STORE, "sklearn", "joblib", "scipy"]  # numpy imports pickle itself
    assert imported_by(code, unwanted) == []


def test_help_lists_every_command_with_its_help() -> None:
    root = typer.main.get_command(app)
    context = typer.Context(root)
    names = [entry[0] for entry in COMMANDS]
    assert root.list_commands(context) == names  # type: ignore[attr-defined]
    for name, *where in COMMANDS:
        command = load_command(name, *where)
        assert command.name == name and (command.help or "").strip(), name
        assert root.get_command(context, name).help == command.help  # type: ignore[attr-defined]
    assert root.get_command(context, "no-such-command") is None  # type: ignore[attr-defined]


def test_help_prints_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crosscheck", "--help"],
        env=os.environ | {"PYTHONPATH": str(SRC), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    listed = {line.strip("│ ").split(" ")[0] for line in done.stdout.splitlines()}
    assert {entry[0] for entry in COMMANDS} <= listed
