"""`crosscheck bank import|list|export`: hash lists of known material."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.exchange.banks import BankFormat
from crosscheck.service.banks import bank_store, export_bank, import_bank

bank_app = typer.Typer(
    help="Hash lists of known material (VICS, CSV, PDQ text).", no_args_is_help=True
)


@bank_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Hash list file")],
    name: Annotated[str, typer.Option("--name", "-n", help="Bank name (created if new)")],
    fmt: Annotated[BankFormat, typer.Option("--format", "-f", help="vics, csv, pdq-text or jsonl")],
) -> None:
    """Import a hash list into a bank, in one transaction (a bad line imports nothing)."""
    case_store = common.store(create=True)
    with common.err.status(f"importing {file} ..."):
        info, added = import_bank(case_store, file, name, fmt, common.settings())
    common.out.print(
        f"bank {info.name}: {added} entries added; now {info.entries} entries, "
        f"{info.pdq_hashes} PDQ hashes, {info.video_frames} video frames"
    )


@bank_app.command("list")
def list_() -> None:
    """The banks held, with their sizes."""
    table = Table("bank", "format", "entries", "PDQ hashes", "video frames", "updated")
    for info in bank_store(common.store()).banks():
        table.add_row(
            info.name,
            info.format,
            str(info.entries),
            str(info.pdq_hashes),
            str(info.video_frames),
            info.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    common.out.print(table)


@bank_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="Bank name")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="vics (VICS 2.0 JSON) or pdq-text (PDQ hashes, one a line)"
        ),
    ] = "vics",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout)")] = None,
) -> None:
    """Write a bank as VICS 2.0 JSON, or its PDQ hashes as text ThreatExchange's tools read."""
    if fmt not in ("vics", "pdq-text"):
        raise typer.BadParameter(
            f"vics or pdq-text are supported, got {fmt!r}", param_hint="--format"
        )
    case_store = common.store()
    if out is None:
        export_bank(case_store, name, sys.stdout.buffer, fmt)
        sys.stdout.flush()
        return
    with out.open("wb") as stream:
        count = export_bank(case_store, name, stream, fmt)
    common.err.print(f"wrote {count} entries to {out}")
