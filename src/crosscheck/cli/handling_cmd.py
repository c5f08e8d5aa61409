"""`crosscheck handling permit|list`: the provider's permissions under the handling codes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.service import handling

handling_app = typer.Typer(
    help="Handling codes: permissions for judicial use (H1) and dissemination (H2).",
    no_args_is_help=True,
)


@handling_app.command("permit")
def permit(
    subject: Annotated[str, typer.Argument(help="Your contribution id, or your message (MSG-…)")],
    kind: Annotated[str, typer.Option(help="judicial (H1) or dissemination (H2)")],
    to: Annotated[
        str | None, typer.Option("--to", help="Only for this agency (default: any)")
    ] = None,
    note: Annotated[str | None, typer.Option(help="On what grounds, e.g. a letter")] = None,
    agency: Annotated[
        str | None, typer.Option("--agency", "-a", help="The providing agency you act for")
    ] = None,
    token_file: common.TokenFile = None,
) -> None:
    """Permit use beyond the handling code; on a hub store by the provider's agency_admin."""
    case_store = common.store()
    who = common.acting(case_store, "permit", agency, token_file)
    granted = handling.permit(case_store, subject, kind, to, who, note)
    common.out.print(
        f"{granted.subject}: {granted.kind} permitted to {granted.to_agency or 'any agency'} "
        f"by {granted.granted_by}"
    )


@handling_app.command("list")
def list_(
    agency: Annotated[
        str | None, typer.Option("--agency", "-a", help="The agency you act for")
    ] = None,
    token_file: common.TokenFile = None,
) -> None:
    """Permissions recorded: those you granted or were granted."""
    case_store = common.store()
    who = common.acting(case_store, "read", agency, token_file)
    table = Table("subject", "kind", "to", "by", "at", "note")
    for item in handling.permissions(case_store, who):
        table.add_row(
            item.subject,
            item.kind,
            item.to_agency or "any",
            item.granted_by,
            item.granted_at.strftime("%Y-%m-%d %H:%M"),
            item.note or "",
        )
    common.out.print(table)
