"""`crosscheck retention review|justify|erase`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.service import retention

retention_app = typer.Typer(
    help="Review dates, justified retention and erasure.", no_args_is_help=True
)
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Review as of this date (YYYY-MM-DD; default today)")
]


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {value!r}") from exc


@retention_app.command("review")
def review(as_of: AsOf = None) -> None:
    """Contributions due for review: erase them, or justify keeping them."""
    table = Table("contribution", "agency", "handling", "received", "review date")
    for item in retention.due(common.store(), _date(as_of)):
        table.add_row(
            item.id,
            item.provider.name,
            str(item.handling),
            item.received_at.date().isoformat() if item.received_at else "",
            str(item.review_date),
        )
    common.out.print(table)


@retention_app.command("justify")
def justify(
    contribution: Annotated[str, typer.Argument(help="Contribution id")],
    until: Annotated[str, typer.Option(help="New review date, YYYY-MM-DD")],
    reason: Annotated[str, typer.Option(help="Why the data must be kept")],
    actor: Annotated[str, typer.Option(help="Who decides")] = "operator",
) -> None:
    """Keep a contribution past its review date; the reason goes on the audit record."""
    new = _date(until)
    assert new is not None
    retention.justify(common.store(), contribution, new, reason, actor)
    common.out.print(f"{contribution}: kept until {new}")


@retention_app.command("erase")
def erase(
    as_of: AsOf = None,
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking")] = False,
    actor: Annotated[str, typer.Option(help="Who erases")] = "operator",
) -> None:
    """Erase every contribution past its review date: entities, statements, fingerprints, hits."""
    case_store = common.store()
    items = retention.due(case_store, _date(as_of))
    if not items:
        common.out.print("nothing is due")
        return
    if not yes and not typer.confirm(f"erase {len(items)} contribution(s) for good?"):
        raise typer.Abort()
    for erased in retention.erase_due(case_store, actor, _date(as_of)):
        parts = ", ".join(f"{n} {k}" for k, n in erased.removed.items())
        common.out.print(f"erased {erased.contribution_id}: {parts}")
