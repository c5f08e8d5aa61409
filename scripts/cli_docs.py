"""Write docs/cli.md from the CLI itself; `tests/test_docs.py` fails when the two drift.

Run: .venv/bin/python scripts/cli_docs.py > docs/cli.md
"""

from __future__ import annotations

import inspect
from typing import Any

import typer

from crosscheck.cli.app import app

HEADER = """# Command-line reference

Generated from the code by `scripts/cli_docs.py`; do not edit by hand.
Every command reads its settings from `CROSSCHECK_*` environment variables
([settings.md](settings.md)). Exit codes: `0` ok, `2` bad input (one line on
stderr naming the file and the problem), `1` internal error.
"""


def _param_row(param: Any) -> str:
    is_argument = type(param).__name__.endswith("Argument")
    names = param.name.upper() if is_argument else ", ".join(f"`{o}`" for o in param.opts)
    if is_argument:
        names = f"`{names}`" + ("..." if param.nargs == -1 else "")
    default = "" if param.required or param.default in (None, False) else f"`{param.default}`"
    required = "yes" if param.required else ""
    help_text = " ".join((param.help or "").split())
    return f"| {names} | {required} | {default} | {help_text} |"


def render() -> str:
    root = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(root, "commands", {})
    parts = [HEADER]
    for name, command in commands.items():
        parts.append(f"\n## `crosscheck {name}`\n")
        parts.append(inspect.cleandoc(command.help or "") + "\n")
        params = [p for p in command.params if p.name != "help"]
        if params:
            parts.append("\n| argument / option | required | default | meaning |")
            parts.append("|---|---|---|---|")
            parts.extend(_param_row(p) for p in params)
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
