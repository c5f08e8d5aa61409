"""The graph explorer's use cases: a view of the link graph, grown by the analyst.

A *view* is what the analyst has put on the screen: nodes shown (a start, the
nodes of a path) and nodes expanded (each with its neighbours). The page sends
that state with every request, so the server rebuilds exactly the same view —
for the drawing and for an export — from ``service/graph.link_graph`` with the
viewer's agency: nothing the viewer may not see is ever in the graph, and an
id the viewer may not see is answered as one that does not exist.

Each element says what it is: a node its caption, schema and provenance (per
contribution: agency, handling code, evaluation, marking); an edge what links
the two ends (a reference property, a relation, a shared value, a hit with its
signal and distance, or "same person" with its probability).
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.graph import queries
from crosscheck.graph.export import FORMATS, export, nodes_path
from crosscheck.graph.types import Graph
from crosscheck.service.access import may, visible_contributions
from crosscheck.service.graph import Filters, ViewerGraph, ftm_entities, link_graph
from crosscheck.service.workbench import actor
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.hub_store import HubStore

MAX_FOUND = 20  # entities a search lists
MAX_NEIGHBOURS = 150  # neighbours one expansion adds (the answer says how many more there are)
MAX_STATE = 200  # ids a view may name (shown and expanded together)
MAX_ID = 500  # characters of one id

# each export as a download: file name and media type (the CSV's two files come as one zip)
DOWNLOADS: dict[str, tuple[str, str]] = {
    "gexf": ("crosscheck-graph.gexf", "application/xml"),
    "graphml": ("crosscheck-graph.graphml", "application/xml"),
    "anx": ("crosscheck-graph.anx", "application/xml"),
    "cypher": ("crosscheck-graph.cypher", "text/plain; charset=utf-8"),
    "ftm": ("crosscheck-graph.ftm.jsonl", "application/x-ndjson"),
    "csv": ("crosscheck-graph.csv.zip", "application/zip"),
}


@dataclass(frozen=True)
class State:
    """The view on the screen: ids shown, and ids expanded with their neighbours."""

    show: tuple[str, ...] = ()
    expand: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.show) + len(self.expand) > MAX_STATE:
            raise InvalidData(f"a view names at most {MAX_STATE} ids")
        if any(len(i) > MAX_ID for i in (*self.show, *self.expand)):
            raise InvalidData(f"an id has at most {MAX_ID} characters")

    @property
    def empty(self) -> bool:
        return not self.show and not self.expand


def reader(caller: Caller) -> str:
    """The caller's agency, when its role may read the graph (the hub operator may not)."""
    agency = may(caller, "read")
    if agency is None:
        raise Forbidden(f"{caller.name} ({caller.role}) may not read the link graph")
    return agency


def viewer_graph(store: CaseStore, caller: Caller, filters: Filters) -> ViewerGraph:
    """The graph as ``caller``'s agency may see it, narrowed by ``filters`` (audited there)."""
    return link_graph(store, reader(caller), actor(caller), filters=filters)


def agencies(store: CaseStore, caller: Caller) -> list[str]:
    """The agencies a viewer's graph can hold: its own, and the other side of its hits."""
    agency = reader(caller)
    hub = HubStore(store.engine)
    others = {h.other_agency for h in hub.hits(requester=agency)}
    others |= {h.agency for h in hub.hits(owner=agency)}
    return [agency, *sorted(others - {agency})]


def own_contribution(store: CaseStore, caller: Caller, text: str) -> str | None:
    """``text`` when it is the id of a contribution the viewer may read (not an entity: the
    page offers the contribution's entities); else None, as for an id that names nothing."""
    wanted = text.strip()
    if not wanted:
        return None
    return wanted if wanted in (visible_contributions(store, reader(caller)) or []) else None


# -- finding entities ------------------------------------------------------------------------


def _summary(graph: Graph, node: str) -> dict[str, str]:
    data = graph.nodes[node]
    return {
        "id": node,
        "label": str(data.get("label", node)),
        "schema": str(data.get("schema", "")),
        "kind": str(data.get("kind", "")),
    }


def find(view: ViewerGraph, text: str) -> list[dict[str, str]]:
    """Entities (and shared values) by id, by the package's own id, or by caption."""
    wanted = text.strip()
    if not wanted:
        return []
    needle = wanted.casefold()
    ranked: list[tuple[int, str]] = []
    for node, data in view.graph.nodes(data=True):
        if data.get("kind") not in ("entity", "value"):
            continue
        label = str(data.get("label", "")).casefold()
        if node == wanted:
            rank = 0
        elif node.endswith(f".{wanted}") or label == needle:
            rank = 1
        elif needle in label:
            rank = 2
        else:
            continue
        ranked.append((rank, node))
    return [_summary(view.graph, node) for _, node in sorted(ranked)[:MAX_FOUND]]


def one(view: ViewerGraph, text: str) -> str:
    """The one node ``text`` names (id, package id or caption); several: say which."""
    wanted = text.strip()
    if wanted in view.graph:
        return wanted
    found = find(view, wanted)
    exact = wanted.casefold()
    best = [f for f in found if f["id"].endswith(f".{wanted}") or f["label"].casefold() == exact]
    chosen = best or found
    if len(chosen) == 1:
        return chosen[0]["id"]
    if not chosen:
        raise NotFound(f"{wanted!r} is not in the graph you may see")
    names = ", ".join(f["id"] for f in chosen[:5])
    raise InvalidData(f"{wanted!r} names several entities: {names}; give an id")


def _require(view: ViewerGraph, node: str) -> None:
    if node not in view.graph:
        raise NotFound(f"{node!r} is not in the graph you may see")


# -- views -----------------------------------------------------------------------------------


def _neighbours(graph: Graph, node: str) -> tuple[list[str], int]:
    around = sorted(str(n) for n in graph.neighbors(node))
    return around[:MAX_NEIGHBOURS], max(len(around) - MAX_NEIGHBOURS, 0)


def view_nodes(view: ViewerGraph, state: State) -> list[str]:
    """The nodes of ``state`` the viewer may see; ids not in the graph are left out."""
    graph = view.graph
    nodes = {n for n in state.show if n in graph}
    for node in state.expand:
        if node in graph:
            nodes.add(node)
            nodes.update(_neighbours(graph, node)[0])
    return sorted(nodes)


def _origin(view: ViewerGraph, cid: str) -> dict[str, str]:
    p = view.provenance[cid]
    code, _, note = p.handling.partition(" ")  # "H3 (the note)": the code and its note
    return {
        "contribution": cid,
        "agency": p.agency,
        "handling": code,
        "note": note.removeprefix("(").removesuffix(")"),
        "evaluation": p.evaluation,
        "marking": view.markings.get(cid, ""),
    }


def _provenance(view: ViewerGraph, data: dict[str, Any]) -> list[dict[str, str]]:
    cids = str(data.get("contributions", "")).split(";")
    return [_origin(view, cid) for cid in cids if cid in view.provenance]


def _node(view: ViewerGraph, node: str) -> dict[str, Any]:
    data = view.graph.nodes[node]
    out: dict[str, Any] = {
        **_summary(view.graph, node),
        "provenance": _provenance(view, data),
        "marking": str(data.get("marking", "")),
    }
    if data.get("kind") == "hit":  # what hit/no-hit allows: signal, owner, status, reference
        link = next(iter(d for *_, d in view.graph.edges(node, data=True)), {})
        out.update(
            agency=str(data.get("agencies", "")),
            signal=str(link.get("label", "")).removeprefix("hit: "),
            status=str(link.get("status", "")),
            ref=str(link.get("ref", "")),
        )
    return {"data": out}


def edge_id(source: str, target: str, key: str) -> str:
    digest = hashlib.sha256("\x1f".join([*sorted((source, target)), key]).encode())
    return "e" + digest.hexdigest()[:24]


def _edge(view: ViewerGraph, source: str, target: str, key: str) -> dict[str, Any]:
    graph = view.graph
    data = graph.get_edge_data(source, target)[key]
    ends = (graph.nodes[source].get("kind"), graph.nodes[target].get("kind"))
    if key.startswith(f"{target}:") or (ends[0] in ("hit", "value") and ends[1] == "entity"):
        source, target = target, source  # from the entity that holds the property, or hit
    label = str(data.get("label", ""))
    out: dict[str, Any] = {
        "id": edge_id(source, target, key),
        "source": source,
        "target": target,
        "label": label,
        "provenance": _provenance(view, data),
        "marking": str(data.get("marking", "")),
    }
    values = [n for n in (source, target) if graph.nodes[n].get("kind") == "value"]
    if key.startswith("hit:"):
        out.update(
            kind="hit",
            signal=label.removeprefix("hit: "),
            distance=int(data["distance"]) if "distance" in data else None,
            status=str(data.get("status", "")),
            ref=str(data.get("ref", "")),
        )
    elif key.startswith("same:"):
        out.update(kind="same", probability=float(data.get("probability", 0)))
    elif values:
        value = graph.nodes[values[0]]
        out.update(
            kind="shared",
            property=label,
            value_kind=str(value.get("schema", "")),
            value=str(value.get("label", "")),
        )
    elif "via" in data:
        out.update(kind="relation", relation=label)
    else:
        out.update(kind="reference", property=label)
    return {"data": out}


def elements(view: ViewerGraph, nodes: Iterable[str]) -> list[dict[str, Any]]:
    """The nodes and every edge between them, as Cytoscape.js elements."""
    chosen = sorted(set(nodes))
    sub = view.graph.subgraph(chosen)
    out = [_node(view, n) for n in chosen]
    out += [_edge(view, str(s), str(t), str(k)) for s, t, k in sub.edges(keys=True)]
    return out


def _legend(view: ViewerGraph, nodes: Iterable[str]) -> list[dict[str, str]]:
    """The contributions in the view, each with its handling code and marking."""
    shown = {c for n in nodes for c in str(view.graph.nodes[n].get("contributions", "")).split(";")}
    return [_origin(view, c) for c in sorted(shown) if c in view.provenance]


def answer(view: ViewerGraph, nodes: Iterable[str]) -> dict[str, Any]:
    listed = sorted(set(nodes))
    return {"elements": elements(view, listed), "markings": _legend(view, listed)}


def show(view: ViewerGraph, state: State) -> dict[str, Any]:
    return answer(view, view_nodes(view, state))


def expand(view: ViewerGraph, state: State, node: str) -> dict[str, Any]:
    """The view with ``node`` and its neighbours added; ``more``: neighbours left out."""
    _require(view, node)
    around, more = _neighbours(view.graph, node)
    return {
        **answer(view, [*view_nodes(view, state), node, *around]),
        "node": node,
        "neighbours": around,
        "more": more,
    }


def path(view: ViewerGraph, state: State, source: str, target: str) -> dict[str, Any]:
    """The shortest path (the CLI's ``graph path``) added to the view, its nodes and edges."""
    start, end = one(view, source), one(view, target)
    steps = queries.shortest_path(view.graph, start, end)
    nodes = [s.node for s in steps]
    hops = [
        [edge_id(a, b, str(k)) for k in sorted(view.graph.get_edge_data(a, b), key=str)]
        for a, b in nx.utils.pairwise(nodes)
    ]
    return {
        **answer(view, [*view_nodes(view, state), *nodes]),
        "path": {"nodes": nodes, "edges": hops},
    }


# -- exports ---------------------------------------------------------------------------------


def sub_view(view: ViewerGraph, state: State) -> ViewerGraph:
    """The view as a ViewerGraph of its own; an empty state: the whole graph, as the CLI."""
    if state.empty:
        return view
    nodes = view_nodes(view, state)
    if not nodes:
        raise NotFound("none of these ids is in the graph you may see")
    graph: Graph = view.graph.subgraph(nodes).copy()
    cids = {c for n in nodes for c in str(graph.nodes[n].get("contributions", "")).split(";")}
    return ViewerGraph(
        graph,
        [e for e in view.entities if e.id in graph],
        view.withheld,
        {c: m for c, m in view.markings.items() if c in cids},
        {c: p for c, p in view.provenance.items() if c in cids},
    )


def download(view: ViewerGraph, state: State, fmt: str) -> tuple[str, str, bytes]:
    """``fmt`` of the view written by the CLI's code (``graph/export.py``), markings included:
    file name, media type and bytes. CSV: the edges and nodes files in one zip."""
    if fmt not in DOWNLOADS:
        raise NotFound(f"no graph format {fmt!r}; one of {', '.join(FORMATS)}")
    chosen = sub_view(view, state)
    name, media = DOWNLOADS[fmt]
    with tempfile.TemporaryDirectory(prefix="crosscheck-graph-") as folder:
        out = Path(folder) / name.removesuffix(".zip")
        export(chosen.graph, fmt, out, ftm_entities(chosen))
        if fmt == "csv":
            packed = Path(folder) / name
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(out, out.name)
                archive.write(nodes_path(out), nodes_path(out).name)
            out = packed
        return name, media, out.read_bytes()
