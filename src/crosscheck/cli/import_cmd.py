"""`crosscheck import PACKAGE...`: check and store contribution packages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.service.hub import ingest


def import_(
    packages: Annotated[list[Path], typer.Argument(help="Contribution package(s), .zip")],
    require_signature: Annotated[
        bool,
        typer.Option(
            "--require-signature", help="Refuse packages not signed by a registered agency (hub)"
        ),
    ] = False,
) -> None:
    """Import contribution packages: signature, every digest and record checked before storing.

    A signed package is verified against its agency's key. Importing a package
    that is already held changes nothing. Each new contribution is cross-checked
    against every other agency's holdings.
    """
    settings = common.settings()
    case_store = common.store(create=True)
    for path in packages:
        with common.err.status(f"Checking and importing {path} ..."):
            done = ingest(case_store, path, settings, require_signature=require_signature)
        item = done.imported.manifest.contribution
        result = done.imported.result
        if result.created:
            signed = f"signed with key {done.signed_by}" if done.signed_by else "not signed"
            assigned = (
                f" (your id {result.submitted_id} is held by another agency; "
                f"this hub holds it as {result.contribution_id})"
                if result.assigned
                else ""
            )
            common.out.print(
                f"imported {result.contribution_id} from {common.provenance(item)} ({signed})"
                f"{assigned}: "
                f"{done.imported.manifest.entity_count} entities, {result.statements} statements, "
                f"{result.fingerprints} fingerprints; {done.hits} new hits"
            )
        else:
            common.out.print(f"already held: {result.contribution_id} (nothing changed)")
