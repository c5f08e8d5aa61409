"""`crosscheck export --contribution ID --out FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.service import export_contribution
from crosscheck.service.access import check_contribution
from crosscheck.service.handling import marking


def export(
    contribution: Annotated[str, typer.Option("--contribution", "-c", help="Contribution id")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Package file to write (.zip)")],
    viewer: common.Viewer = None,
    token_file: common.TokenFile = None,
) -> None:
    """Write a held contribution as a package another agency or the hub can import."""
    case_store = common.store()
    who = common.acting(case_store, "read", viewer, token_file)
    check_contribution(case_store, who.agency, contribution)
    manifest = export_contribution(case_store, contribution, out)
    common.out.print(
        f"wrote {out}: contribution {manifest.contribution.id}, "
        f"{manifest.entity_count} entities, {manifest.fingerprint_count} fingerprints"
    )
    # the handling code travels in the package's manifest; say what it means to whoever sends it
    common.out.print(f"handling {marking(manifest.contribution.handling)}")
