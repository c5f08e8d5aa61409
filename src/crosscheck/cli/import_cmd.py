"""`crosscheck import PACKAGE...`: check and store contribution packages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.service import import_package


def import_(
    packages: Annotated[list[Path], typer.Argument(help="Contribution package(s), .zip")],
) -> None:
    """Import contribution packages: every digest and record is checked before anything is stored.

    Importing a package that is already held changes nothing.
    """
    settings = common.settings()
    case_store = common.store(create=True)
    for path in packages:
        with common.err.status(f"Checking and importing {path} ..."):
            done = import_package(case_store, path, settings)
        item = done.manifest.contribution
        result = done.result
        if result.created:
            common.out.print(
                f"imported {item.id} from {common.provenance(item)}: "
                f"{done.manifest.entity_count} entities, {result.statements} statements, "
                f"{result.fingerprints} fingerprints"
            )
        else:
            common.out.print(f"already held: {item.id} (nothing changed)")
