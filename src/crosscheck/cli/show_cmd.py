"""`crosscheck show ENTITY_ID`: every value with the contribution that supplied it."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.model.statements import BASE_ID
from crosscheck.service.access import audit_read, visible_contributions


def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id")],
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
    viewer: common.Viewer = None,
) -> None:
    """Show one entity: each value with its contribution, agency, handling code, evaluation."""
    case_store = common.store()
    visible = visible_contributions(case_store, viewer)
    entity, statements = case_store.entity(entity_id, visible)
    audit_read(case_store, viewer, entity_id, {"read": "show"})
    held = {c.id: c for c in case_store.contributions({s.dataset for s in statements})}
    values = sorted(
        (s for s in statements if s.prop != BASE_ID), key=lambda s: (s.prop, s.value, s.dataset)
    )
    fingerprints = list(case_store.fingerprints(entity_id=entity_id, contribution_ids=visible))
    if fmt is common.TableOrJson.json:
        record: dict[str, Any] = {
            "id": entity.id,
            "schema": entity.schema.name,
            "caption": entity.caption,
            "values": [
                {
                    "prop": s.prop,
                    "value": s.value,
                    "original_value": s.original_value,
                    "contribution": s.dataset,
                    "agency": held[s.dataset].provider.name,
                    "country": held[s.dataset].provider.country,
                    "handling_code": held[s.dataset].handling.code.value,
                    "evaluation": str(held[s.dataset].evaluation),
                }
                for s in values
            ],
            "fingerprints": [f.model_dump(mode="json", exclude_none=True) for f in fingerprints],
        }
        common.write_json(record)
        return
    common.out.print(f"[bold]{entity.caption}[/bold]  {entity.schema.name}  {entity.id}")
    table = Table("property", "value", "contribution", "provided by")
    for s in values:
        table.add_row(s.prop, s.value, s.dataset, common.provenance(held[s.dataset]))
    common.out.print(table)
    if fingerprints:
        prints = Table("kind", "value", "quality", "frame", "ts")
        for f in fingerprints:
            prints.add_row(
                f.kind.value,
                f.value,
                "" if f.quality is None else str(f.quality),
                "" if f.frame is None else str(f.frame),
                "" if f.ts is None else f"{f.ts:.3f}",
            )
        common.out.print(prints)
