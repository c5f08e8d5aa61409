"""`crosscheck export --contribution ID --out FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.service import export_contribution
from crosscheck.service.access import check_contribution


def export(
    contribution: Annotated[str, typer.Option("--contribution", "-c", help="Contribution id")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Package file to write (.zip)")],
    viewer: common.Viewer = None,
) -> None:
    """Write a held contribution as a package another agency or the hub can import."""
    case_store = common.store()
    check_contribution(case_store, viewer, contribution)
    manifest = export_contribution(case_store, contribution, out)
    common.out.print(
        f"wrote {out}: contribution {manifest.contribution.id}, "
        f"{manifest.entity_count} entities, {manifest.fingerprint_count} fingerprints"
    )
