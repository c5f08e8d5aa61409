"""`crosscheck entities [--schema S] [--format table|jsonl]`."""

from __future__ import annotations

from itertools import islice
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.model import entity_dict
from crosscheck.service.access import audit_read, visible_contributions


def entities(
    schema: Annotated[
        str | None, typer.Option("--schema", "-s", help="Only this FtM schema (and its children)")
    ] = None,
    fmt: Annotated[
        common.TableOrJsonl, typer.Option("--format", "-f", help="table or jsonl")
    ] = common.TableOrJsonl.table,
    limit: Annotated[int | None, typer.Option(help="At most this many", min=1)] = None,
    viewer: common.Viewer = None,
    token_file: common.TokenFile = None,
) -> None:
    """List the entities held, assembled from every contribution's statements."""
    case_store = common.store()
    who = common.acting(case_store, "read", viewer, token_file)
    visible = visible_contributions(case_store, who.agency)
    audit_read(case_store, who.agency, "entities", {"schema": schema or ""}, who.actor)
    found = (
        case_store.entities(schema=schema, contribution_ids=visible)
        if visible is None or visible
        else iter(())
    )
    stream = islice(found, limit)
    if fmt is common.TableOrJsonl.jsonl:
        common.write_json_lines(
            {**entity_dict(e), "contributions": sorted(e.datasets)} for e in stream
        )
        return
    table = Table("id", "schema", "caption", "contributions")
    for entity in stream:
        table.add_row(
            entity.id, entity.schema.name, entity.caption, ", ".join(sorted(entity.datasets))
        )
    common.out.print(table)
