"""The `crosscheck` command: one typer app, one module per command.

Exit codes: 0 ok; 2 bad input (one line naming the file and the problem);
1 internal error.
"""

from __future__ import annotations

import sys

import typer

from crosscheck import __version__
from crosscheck.cli.bank_cmd import bank_app
from crosscheck.cli.common import ReturnCode, close_stores, visible
from crosscheck.cli.crossmatch_cmd import crossmatch
from crosscheck.cli.demo_cmd import demo
from crosscheck.cli.entities_cmd import entities
from crosscheck.cli.export_cmd import export
from crosscheck.cli.fingerprint_cmd import fingerprint
from crosscheck.cli.graph_cmd import graph_app
from crosscheck.cli.handling_cmd import handling_app
from crosscheck.cli.hub_cmd import (
    agency_app,
    audit_app,
    hit_app,
    hits,
    inbox,
    serve,
    sign,
    submit,
    user_app,
    worker,
)
from crosscheck.cli.import_cmd import import_
from crosscheck.cli.ingest_table_cmd import ingest_table
from crosscheck.cli.init_cmd import init
from crosscheck.cli.match_cmd import match
from crosscheck.cli.message_cmd import message_app
from crosscheck.cli.profile_cmd import login, logout, show_profile
from crosscheck.cli.report_cmd import ReportCommand, report
from crosscheck.cli.resolve_cmd import judgement_app, resolve
from crosscheck.cli.retention_cmd import retention_app
from crosscheck.cli.search_cmd import search
from crosscheck.cli.show_cmd import show
from crosscheck.cli.stats_cmd import stats
from crosscheck.cli.text_cmd import text_app
from crosscheck.exc import BackendError, CrosscheckError

app = typer.Typer(
    name="crosscheck",
    help="Fingerprint seized material locally, exchange contributions, cross-check and analyse.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(init)
app.command("import")(import_)
app.command("export")(export)
app.command("entities")(entities)
app.command("show")(show)
app.command("stats")(stats)
app.command("fingerprint")(fingerprint)
app.add_typer(bank_app, name="bank")
app.command("match")(match)
app.command("crossmatch")(crossmatch)
app.add_typer(text_app, name="text")
app.add_typer(agency_app, name="agency")
app.command("sign")(sign)
app.command("hits")(hits)
app.command("inbox")(inbox)
app.add_typer(hit_app, name="hit")
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
app.add_typer(retention_app, name="retention")
app.add_typer(message_app, name="message")
app.add_typer(handling_app, name="handling")
app.add_typer(graph_app, name="graph")
app.command("ingest-table")(ingest_table)
app.command("resolve")(resolve)
app.add_typer(judgement_app, name="judgement")
app.command("serve")(serve)
app.command("worker")(worker)
app.command("submit")(submit)
app.command("search")(search)
app.command("login")(login)
app.command("logout")(logout)
app.command("profile")(show_profile)
app.command("demo")(demo)
app.command("report", cls=ReportCommand)(report)


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
