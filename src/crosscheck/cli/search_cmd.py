"""`crosscheck search TEXT`: search your agency's own holdings, locally or on the hub."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from crosscheck.cli import common, remote
from crosscheck.cli.hub_cmd import ActingAgency
from crosscheck.service import search as searching


def print_found(rows: list[dict[str, Any]], fmt: common.TableOrJson) -> None:
    if fmt is common.TableOrJson.json:
        common.write_json(rows)
        return
    table = Table("contribution", "entity", "schema or kind", "property", "value")
    for row in rows:
        table.add_row(row["contribution"], row["entity"], row["schema"], row["prop"], row["value"])
    common.out.print(table)


def search(
    text: Annotated[str, typer.Argument(help="A name, username, e-mail, phone, wallet or hash")],
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    hub_url: remote.HubUrl = None,
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json")
    ] = common.TableOrJson.table,
) -> None:
    """Search your own contributions: values that hold TEXT (any case), hashes exactly."""
    target = remote.hub_for(hub_url, agency, token_file)
    if target is not None:
        print_found(target.get("/search", {"q": text}), fmt)
        return
    searching.terms(text)  # an empty or overlong search is refused before the store is opened
    case_store = common.store()
    who = common.acting(case_store, "read", agency, token_file, needs_agency=True)
    assert who.agency is not None
    found = searching.search(case_store, who.agency, text, who.actor)
    print_found([dict(item.__dict__) for item in found], fmt)
