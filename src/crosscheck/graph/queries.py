"""Questions an analyst asks of the link graph."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import networkx as nx

from crosscheck.exc import InvalidData, NotFound
from crosscheck.graph.types import Graph
from crosscheck.model.keys import SEPARATOR


@dataclass(frozen=True)
class Step:
    node: str
    label: str
    schema: str
    via: str | None  # the edge label that led here
    contributions: str


def _step(graph: Graph, node: str, via: str | None) -> Step:
    data = graph.nodes[node]
    return Step(
        node,
        str(data.get("label", node)),
        str(data.get("schema", "")),
        via,
        str(data.get("contributions", "")),
    )


def find_node(graph: Graph, name: str) -> str:
    """The node ``name``, or the one entity a package called ``name`` (held as ``<c>.<name>``).

    Entity ids are held qualified by their contribution; an analyst may type the
    package's own id. Held by several contributions, the caller must choose.
    """
    if name in graph:
        return name
    suffix = f"{SEPARATOR}{name}"
    found = sorted(
        str(n)
        for n, d in graph.nodes(data=True)
        if d.get("kind") == "entity" and n.endswith(suffix)
    )
    found = [n for n in found if SEPARATOR not in n[: -len(suffix)]]
    if len(found) > 1:
        raise InvalidData(f"{name!r} is held in several contributions: {', '.join(found)}")
    return found[0] if found else name


def _require(graph: Graph, node: str) -> None:
    if node not in graph:
        raise NotFound(f"{node!r} is not in the graph you may see")


def shortest_path(graph: Graph, source: str, target: str) -> list[Step]:
    _require(graph, source)
    _require(graph, target)
    try:
        nodes = nx.shortest_path(graph, source, target)
    except nx.NetworkXNoPath as exc:
        raise NotFound(f"no path from {source!r} to {target!r}") from exc
    steps = [_step(graph, nodes[0], None)]
    for before, after in pairwise(nodes):
        labels = sorted(
            {str(d.get("label", "")) for d in graph.get_edge_data(before, after).values()}
        )
        steps.append(_step(graph, after, ", ".join(labels)))
    return steps


def neighbours(graph: Graph, node: str, hops: int = 1) -> list[tuple[int, Step]]:
    """Nodes within ``hops`` links, each with what led to it (``via``): the relationship,
    the shared value, the hit signal or "same person" of the last link on a shortest path."""
    _require(graph, node)
    paths = nx.single_source_shortest_path(graph, node, cutoff=hops)
    return sorted(
        (
            (len(path) - 1, _step(graph, other, _via(graph, path[-2], other)))
            for other, path in paths.items()
            if other != node
        ),
        key=lambda item: (item[0], item[1].node),
    )


def _via(graph: Graph, before: str, after: str) -> str:
    """The meaning of the link ``before`` → ``after``; through a value node, the value shared."""
    labels = ", ".join(
        sorted({str(d.get("label", "")) for d in graph.get_edge_data(before, after).values()})
    )
    data = graph.nodes[before]
    if data.get("kind") == "value":
        return f"shared {labels}: {data.get('label', before)}"
    return labels


def shared(graph: Graph, value: str) -> list[tuple[str, list[Step]]]:
    """Entities sharing a value (e-mail, phone, surname, wallet, serial): who else uses it."""
    wanted = value.strip().casefold()
    out = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == "value" and str(data.get("label")) == wanted:
            holders = [
                _step(graph, n, str(d.get("label")))
                for n, _, d in ((n, k, d) for n, k, d in _edges(graph, node))
            ]
            out.append((node, sorted(holders, key=lambda s: s.node)))
    if not out:
        raise NotFound(f"no entity you may see shares {value!r} with another")
    return out


def _edges(graph: Graph, node: str) -> list[tuple[str, Any, dict[str, Any]]]:
    return [(other, key, data) for _, other, key, data in graph.edges(node, keys=True, data=True)]


def components(graph: Graph) -> list[list[str]]:
    return sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c))


def centrality(graph: Graph, top: int = 10) -> list[tuple[str, float]]:
    ranked = nx.degree_centrality(nx.Graph(graph)) if len(graph) > 1 else {}
    return sorted(ranked.items(), key=lambda item: (-item[1], item[0]))[:top]
