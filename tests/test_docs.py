"""Docs that fail the build when they drift from the code."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from crosscheck.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    documented = set(re.findall(r"^\| `(CROSSCHECK_[A-Z_]+)`", text, re.MULTILINE))
    assert {s.name for s in SETTINGS} <= documented


def test_cli_reference_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import cli_docs
    finally:
        sys.path.pop(0)
    current = (ROOT / "docs" / "cli.md").read_text()
    assert current == cli_docs.render(), "run: .venv/bin/python scripts/cli_docs.py > docs/cli.md"


def test_architecture_names_every_module() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    package = ROOT / "src" / "crosscheck"
    missing = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "__init__.py"
        and "migrations/versions" not in str(path)  # revisions: the folder is named
        and str(path.relative_to(package)) not in text
    ]
    assert missing == [], f"ARCHITECTURE.md does not mention {missing}"


def test_readme_commands_are_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/install && .venv/bin/crosscheck demo" in readme
    assert "./scripts/test" in readme and "./scripts/test" in ci
