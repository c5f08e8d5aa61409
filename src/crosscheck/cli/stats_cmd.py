"""`crosscheck stats`: what the case store holds."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.service.access import audit_read, visible_contributions
from crosscheck.store import CaseStore


def print_contributions(case_store: CaseStore, visible: list[str] | None = None) -> None:
    """One row per contribution (only ``visible`` ones, if given)."""
    rows = Table(
        "contribution",
        "agency",
        "case",
        "handling",
        "eval",
        "received",
        "review",
        "entities",
        "fingerprints",
        title="Contributions",
    )
    counts = case_store.contribution_counts()
    for item in case_store.contributions(visible):
        received = item.received_at.date().isoformat() if item.received_at else ""
        review = item.review_date.isoformat() if item.review_date else ""
        entity_count, fingerprint_count = counts[item.id]
        rows.add_row(
            item.id,
            f"{item.provider.name} ({item.provider.country.upper()})",
            item.case_reference,
            str(item.handling),
            str(item.evaluation),
            received,
            review,
            str(entity_count),
            str(fingerprint_count),
        )
    common.out.print(rows)


def print_summary(case_store: CaseStore) -> None:
    """The case summary: counts, then one row per contribution."""
    stats = case_store.stats()
    totals = Table("held", "count", title="Case store")
    for label, n in (
        ("agencies", stats.agencies),
        ("contributions", stats.contributions),
        ("entities", stats.entities),
        ("statements", stats.statements),
        ("fingerprints", stats.fingerprints),
    ):
        totals.add_row(label, str(n))
    for schema, n in stats.entities_by_schema.items():
        totals.add_row(f"  {schema}", str(n))
    for kind, n in stats.fingerprints_by_kind.items():
        totals.add_row(f"  {kind} fingerprints", str(n))
    common.out.print(totals)
    print_contributions(case_store)


def stats(
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
    viewer: common.Viewer = None,
    token_file: common.TokenFile = None,
) -> None:
    """Counts of what is held: agencies, contributions, entities, statements, fingerprints.

    With --as, only that agency's own contributions and their counts.
    """
    case_store = common.store()
    who = common.acting(case_store, "read", viewer, token_file, content=False)
    viewer = who.agency
    visible = visible_contributions(case_store, viewer)
    if visible is not None:
        audit_read(case_store, viewer, "stats", {}, who.actor)
        counts = case_store.contribution_counts()
        if fmt is common.TableOrJson.json:
            common.write_json(
                {
                    "agency": viewer,
                    "contributions": {
                        cid: {"entities": counts[cid][0], "fingerprints": counts[cid][1]}
                        for cid in visible
                    },
                }
            )
            return
        print_contributions(case_store, visible)
        return
    if fmt is common.TableOrJson.json:
        common.write_json(dataclasses.asdict(case_store.stats()))
        return
    print_summary(case_store)
