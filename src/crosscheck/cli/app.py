"""The `crosscheck` command: one typer app, one module per command.

Exit codes: 0 ok; 2 bad input (one line naming the file and the problem);
1 internal error.
"""

from __future__ import annotations

import sys

import click
import typer

from crosscheck import __version__
from crosscheck.cli.common import ReturnCode, err
from crosscheck.cli.demo_cmd import demo
from crosscheck.cli.entities_cmd import entities
from crosscheck.cli.export_cmd import export
from crosscheck.cli.import_cmd import import_
from crosscheck.cli.init_cmd import init
from crosscheck.cli.show_cmd import show
from crosscheck.cli.stats_cmd import stats
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
app.command("demo")(demo)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(f"crosscheck {__version__}")
        raise typer.Exit()


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return (or exit with) its code."""
    command = typer.main.get_command(app)
    code: int
    try:
        command.main(args=argv, prog_name="crosscheck", standalone_mode=False)
        code = ReturnCode.OK
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = ReturnCode.BAD_INPUT
    except click.exceptions.Abort:
        err.print("aborted")
        code = ReturnCode.INTERNAL
    except BackendError as exc:
        err.print(f"crosscheck: database error: {_one_line(exc.message)}", markup=False)
        code = ReturnCode.INTERNAL
    except CrosscheckError as exc:
        err.print(f"crosscheck: error: {_one_line(exc.message)}", markup=False)
        code = ReturnCode.BAD_INPUT if exc.status < 500 else ReturnCode.INTERNAL
    except KeyboardInterrupt:
        err.print("interrupted")
        code = ReturnCode.INTERNAL
    except Exception as exc:  # the last line of defence: say what broke, exit 1
        err.print(f"crosscheck: internal error: {exc.__class__.__name__}: {exc}", markup=False)
        code = ReturnCode.INTERNAL
    if argv is None:
        sys.exit(code)
    return code
