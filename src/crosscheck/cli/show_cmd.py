"""`crosscheck show ENTITY_ID`: every value with the contribution that supplied it."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.model.statements import BASE_ID, Statement, StatementEntity
from crosscheck.service.access import audit_read, visible_contributions
from crosscheck.store import CaseStore


def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id")],
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
    viewer: common.Viewer = None,
    token_file: common.TokenFile = None,
) -> None:
    """Show one entity: each value with its contribution, agency, handling code, evaluation."""
    case_store = common.store()
    who = common.acting(case_store, "read", viewer, token_file)
    viewer = who.agency
    visible = visible_contributions(case_store, viewer)
    matches = case_store.entity_matches(entity_id, visible)
    audit_read(case_store, viewer, entity_id, {"read": "show"}, who.actor)
    records = [_show_one(case_store, entity, stmts, visible, fmt) for entity, stmts in matches]
    if fmt is common.TableOrJson.json:
        # one entity: its object, as always; the id in several contributions: a list of them
        common.write_json(records[0] if len(records) == 1 else records)


def _show_one(
    case_store: CaseStore,
    entity: StatementEntity,
    statements: list[Statement],
    visible: list[str] | None,
    fmt: common.TableOrJson,
) -> dict[str, Any]:
    held = {c.id: c for c in case_store.contributions({s.dataset for s in statements})}
    values = sorted(
        (s for s in statements if s.prop != BASE_ID), key=lambda s: (s.prop, s.value, s.dataset)
    )
    fingerprints = list(case_store.fingerprints(entity_id=entity.id, contribution_ids=visible))
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
        return record
    common.out.print(
        common.styled(entity.caption, "bold"), f" {entity.schema.name}  {entity.id}", sep=" "
    )
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
    return {}
