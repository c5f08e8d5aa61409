"""`crosscheck ingest-table FILE --mapping MAPPING.yml`: a table into a contribution."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.exc import InvalidData
from crosscheck.exchange import write_package
from crosscheck.exchange.tables import Skipped, load_mapping, map_table, shipped_mappings
from crosscheck.service.hub import ingest


def ingest_table(
    file: Annotated[Path, typer.Argument(help="A CSV file with a header, or JSON lines")],
    mapping: Annotated[
        str,
        typer.Option(
            help=f"An FtM mapping file, or a shipped one: {', '.join(shipped_mappings())}"
        ),
    ],
    agency: Annotated[str, typer.Option(help="Providing agency")],
    country: Annotated[str, typer.Option(help="Agency's country, ISO code")],
    case: Annotated[str, typer.Option(help="Case reference")],
    handling: Annotated[str, typer.Option(help="Handling code H0/H1/H2/H3")],
    evaluation: Annotated[str, typer.Option(help="Source and information grade, e.g. B2")],
    handling_note: Annotated[str | None, typer.Option(help="Restrictions, for H3")] = None,
    purpose: Annotated[str, typer.Option(help="Purpose")] = "Seized table",
    contribution_id: Annotated[str | None, typer.Option(help="Contribution id")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also keep the contribution package here")
    ] = None,
) -> None:
    """Turn a seized table into entities and statements of a new contribution, and import it."""
    settings = common.settings()
    item = common.contribution_from_options(
        agency, country, case, handling.upper(), handling_note, evaluation, purpose, contribution_id
    )
    report: list[Skipped] = []
    entities = map_table(file, load_mapping(mapping), report=report)
    path = out or settings.home / "tables" / f"{item.id}.zip"
    manifest = write_package(path, item, entities, [])
    for note in report:  # what the table lost, row by row, before anything is imported
        common.err.print(f"{file.name}: {note}", markup=False)
    if manifest.entity_count == 0 and any(not note.kept for note in report):
        path.unlink(missing_ok=True)
        raise InvalidData(f"{file.name}: no row could be mapped (first: {report[0]})")
    done = ingest(common.store(create=True), path, settings, require_signature=False)
    common.out.print(
        f"{file}: {manifest.entity_count} entities in contribution {item.id} "
        f"({'imported' if done.imported.result.created else 'already held'}; {done.hits} new hits)"
    )
