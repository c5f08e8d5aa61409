"""The `crosscheck` command: one typer app, one module per command.

Exit codes: 0 ok; 2 bad input (one line naming the file and the problem);
1 internal error.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from crosscheck import __version__
from crosscheck.cli.common import ReturnCode, close_stores, visible
from crosscheck.exc import BackendError, CrosscheckError

#: every command: (name, module under crosscheck.cli, the function or typer app in it,
#: and optionally the click command class the function needs).
#: A module is imported only when its command runs (or help lists it): start-up
#: stays small, and `text analyse` does not pay for the hub, the store or Splink.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("init", "init_cmd", "init"),
    ("import", "import_cmd", "import_"),
    ("export", "export_cmd", "export"),
    ("entities", "entities_cmd", "entities"),
    ("show", "show_cmd", "show"),
    ("stats", "stats_cmd", "stats"),
    ("fingerprint", "fingerprint_cmd", "fingerprint"),
    ("match", "match_cmd", "match"),
    ("crossmatch", "crossmatch_cmd", "crossmatch"),
    ("sign", "hub_cmd", "sign"),
    ("hits", "hub_cmd", "hits"),
    ("inbox", "hub_cmd", "inbox"),
    ("ingest-table", "ingest_table_cmd", "ingest_table"),
    ("resolve", "resolve_cmd", "resolve"),
    ("serve", "hub_cmd", "serve"),
    ("worker", "hub_cmd", "worker"),
    ("submit", "hub_cmd", "submit"),
    ("search", "search_cmd", "search"),
    ("login", "profile_cmd", "login"),
    ("logout", "profile_cmd", "logout"),
    ("profile", "profile_cmd", "show_profile"),
    ("demo", "demo_cmd", "demo"),
    ("report", "report_cmd", "report", "ReportCommand"),
    ("bank", "bank_cmd", "bank_app"),
    ("text", "text_cmd", "text_app"),
    ("agency", "hub_cmd", "agency_app"),
    ("hit", "hub_cmd", "hit_app"),
    ("audit", "hub_cmd", "audit_app"),
    ("user", "hub_cmd", "user_app"),
    ("retention", "retention_cmd", "retention_app"),
    ("message", "message_cmd", "message_app"),
    ("handling", "handling_cmd", "handling_app"),
    ("graph", "graph_cmd", "graph_app"),
    ("judgement", "resolve_cmd", "judgement_app"),
)


def load_command(name: str, module: str, attribute: str, command_class: str = "") -> Any:
    """The click command of one registry entry, importing its module now."""
    imported = importlib.import_module(f"crosscheck.cli.{module}")
    found = getattr(imported, attribute)
    if isinstance(found, typer.Typer):
        group = typer.main.get_group(found)
        group.name = name
        return group
    single = typer.Typer(add_completion=False)
    if command_class:
        single.command(name, cls=getattr(imported, command_class))(found)
    else:
        single.command(name)(found)
    return typer.main.get_command(single)


class LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: every name of :data:`COMMANDS`, each built on first use."""

    def __init__(self) -> None:
        self._where = {name: tuple(where) for name, *where in COMMANDS}
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            where = self._where[name]  # KeyError: no such command
            self._built[name] = load_command(name, *where)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._where.setdefault(name, ())
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


class LazyGroup(TyperGroup):
    """The root group: lists every command; imports one only to run it or show its help."""

    def __init__(self, *, commands: Mapping[str, Any] | None = None, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands()
        for name, command in (commands or {}).items():
            self.commands[name] = command


app = typer.Typer(
    name="crosscheck",
    help="Fingerprint seized material locally, exchange contributions, cross-check and analyse.",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"crosscheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """Settings come from CROSSCHECK_* environment variables (see docs/settings.md)."""


def _say(message: str) -> None:
    """One line on stderr, never wrapped, so scripts can read it; control characters shown."""
    sys.stderr.write(" ".join(visible(message).split()) + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return (or exit with) its code."""
    code: int
    try:
        command = typer.main.get_command(app)
        command.main(args=argv, prog_name="crosscheck", standalone_mode=False)
        code = ReturnCode.OK
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        _say("aborted")
        code = ReturnCode.INTERNAL
    except typer.TyperException as exc:  # usage errors: unknown command, bad option value
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _say(f"crosscheck: error: {exc}")
        code = ReturnCode.BAD_INPUT
    except BackendError as exc:
        _say(f"crosscheck: database error: {exc.message}")
        code = ReturnCode.INTERNAL
    except CrosscheckError as exc:
        _say(f"crosscheck: error: {exc.message}")
        code = ReturnCode.BAD_INPUT if exc.status < 500 else ReturnCode.INTERNAL
    except KeyboardInterrupt:
        _say("interrupted")
        code = ReturnCode.INTERNAL
    except Exception as exc:  # the last line of defence: say what broke, exit 1
        _say(f"crosscheck: internal error: {exc.__class__.__name__}: {exc}")
        code = ReturnCode.INTERNAL
    finally:
        close_stores()
    if argv is None:
        sys.exit(code)
    return code
