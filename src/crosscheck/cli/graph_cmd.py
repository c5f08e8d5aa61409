"""`crosscheck graph path|neighbours|shared|components|export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.exc import InvalidData
from crosscheck.graph import queries
from crosscheck.graph.export import FORMATS, export, nodes_path
from crosscheck.graph.types import Graph
from crosscheck.service.graph import ViewerGraph, ftm_entities, link_graph
from crosscheck.service.handling import PURPOSES

graph_app = typer.Typer(
    help="The link graph: paths, neighbours, shared values, exports.", no_args_is_help=True
)
Viewer = common.Viewer
TokenFile = common.TokenFile


def _view(viewer: str | None, token_file: Path | None, purpose: str = "analysis") -> ViewerGraph:
    """The graph as the caller may see it (on a hub store: its agency, by its token)."""
    case_store = common.store()
    who = common.acting(case_store, "read", viewer, token_file)
    return link_graph(case_store, who.agency, who.actor, purpose)


def _steps_table(title: str, steps: list[queries.Step], hops: list[int] | None = None) -> Table:
    table = Table(
        "#" if hops is None else "hops",
        "node",
        "label",
        "schema",
        "via",
        "contributions",
        title=title,
    )
    for index, step in enumerate(steps):
        table.add_row(
            str(index if hops is None else hops[index]),
            step.node,
            step.label,
            step.schema,
            step.via or "",
            step.contributions,
        )
    return table


@graph_app.command("path")
def path(
    source: Annotated[str, typer.Argument(help="Entity id")],
    target: Annotated[str, typer.Argument(help="Entity id")],
    viewer: Viewer = None,
    token_file: TokenFile = None,
) -> None:
    """The shortest chain of links between two entities (e.g. a video and a person)."""
    graph = _view(viewer, token_file).graph
    steps = queries.shortest_path(
        graph, queries.find_node(graph, source), queries.find_node(graph, target)
    )
    common.out.print(_steps_table(f"{source} → {target}", steps))


@graph_app.command("neighbours")
def neighbours(
    node: Annotated[str, typer.Argument(help="Entity id")],
    hops: Annotated[int, typer.Option(help="How far", min=1, max=6)] = 1,
    viewer: Viewer = None,
    token_file: TokenFile = None,
) -> None:
    """Everything within a number of links of an entity."""
    graph = _view(viewer, token_file).graph
    found = queries.neighbours(graph, queries.find_node(graph, node), hops)
    common.out.print(
        _steps_table(f"within {hops} of {node}", [s for _, s in found], [d for d, _ in found])
    )


@graph_app.command("shared")
def shared(
    value: Annotated[str, typer.Argument(help="An e-mail, phone, surname, wallet…")],
    viewer: Viewer = None,
    token_file: TokenFile = None,
) -> None:
    """Who else uses this value."""
    for node, holders in queries.shared(_view(viewer, token_file).graph, value):
        common.out.print(_steps_table(node, holders))


@graph_app.command("components")
def components(viewer: Viewer = None, token_file: TokenFile = None) -> None:
    """Connected groups of entities, largest first, and the most connected entities."""
    graph = _view(viewer, token_file).graph
    for index, group in enumerate(queries.components(graph)[:20], start=1):
        members = ", ".join(_named(graph, node) for node in group[:8])
        common.out.print(f"{index}. {len(group)} nodes: {members}{' …' if len(group) > 8 else ''}")
    for node, score in queries.centrality(graph):
        common.out.print(f"  centrality {score:.3f}  {_named(graph, node)}")


def _named(graph: Graph, node: str) -> str:
    """A node as a person knows it: caption (schema) [id]; a value node is its value."""
    data = graph.nodes[node]
    label, schema = str(data.get("label", "")), str(data.get("schema", ""))
    if data.get("kind") == "entity" and label and label != node:
        return f"{label} ({schema}) [{node}]"
    if data.get("kind") == "value":
        return f"{schema} {label}"
    if data.get("kind") == "hit":
        return f"{label} [{node}]"
    return node


@graph_app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help=", ".join(FORMATS))],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write")],
    viewer: Viewer = None,
    token_file: TokenFile = None,
    purpose: Annotated[
        str,
        typer.Option(
            help="judicial: leave out H1 data the provider has not permitted for judicial use"
        ),
    ] = "analysis",
) -> None:
    """Write the graph for another tool, with provenance and handling marking on every item."""
    if fmt not in FORMATS:
        raise InvalidData(f"--format takes {', '.join(FORMATS)}, got {fmt!r}")
    if purpose not in PURPOSES:
        raise InvalidData(f"--purpose takes {' or '.join(PURPOSES)}, got {purpose!r}")
    view = _view(viewer, token_file, purpose)
    export(view.graph, fmt, out, ftm_entities(view))
    common.out.print(
        f"wrote {out}: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges"
    )
    if fmt == "csv":
        common.out.print(f"wrote {nodes_path(out)}: the nodes, with their labels")
    if view.withheld:
        common.out.print(
            f"left out for judicial use (H1, no permission from the provider): "
            f"{', '.join(view.withheld)}"
        )
    for contribution, marking in sorted(view.markings.items()):
        if not marking.startswith("H0"):
            common.out.print(f"{contribution}: {marking}")
