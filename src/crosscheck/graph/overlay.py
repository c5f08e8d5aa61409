"""Links from outside the entities: hits between holdings, and resolved identities.

A hit joins the two matched items; a viewer who may not see the other item
gets a hit node instead (its reference, signal and owning agency: what
hit/no-hit allows); a hit edge carries its ``distance`` when known. A
resolved cluster joins its records with "same person" edges carrying the
match probability. Each edge carries the provenance of
both ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crosscheck.graph.types import Graph

_PROVENANCE = ("contributions", "agencies", "handling", "evaluation")


@dataclass(frozen=True)
class HitEdge:
    ref: str
    signal: str
    left: str  # an entity the viewer sees
    right: str | None  # the other entity, or None where the viewer may not see it
    status: str
    other_agency: str
    outgoing: bool = True  # the viewer's item was the one that hit (else the owner's notice)
    distance: int | None = None  # PDQ/vPDQ Hamming distance; 0 for exact hashes and identifiers


@dataclass(frozen=True)
class SameEdge:
    left: str
    right: str
    cluster: str
    probability: float


def _joined(graph: Graph, *nodes: str) -> dict[str, str]:
    out = {}
    for key in _PROVENANCE:
        values = {v for n in nodes for v in str(graph.nodes[n].get(key, "")).split(";") if v}
        out[key] = ";".join(sorted(values))
    return out


def _distance(hit: HitEdge) -> dict[str, str]:
    return {} if hit.distance is None else {"distance": str(hit.distance)}


def add_hits(graph: Graph, hits: Iterable[HitEdge]) -> None:
    for hit in hits:
        if hit.left not in graph:
            continue
        if hit.right is not None and hit.right in graph:
            graph.add_edge(
                hit.left,
                hit.right,
                key=f"hit:{hit.ref}",
                label=f"hit: {hit.signal}",
                ref=hit.ref,
                status=hit.status,
                **_distance(hit),
                **_joined(graph, hit.left, hit.right),
            )
            continue
        node = f"hit:{hit.ref}"
        side = "held by" if hit.outgoing else "from"
        graph.add_node(
            node,
            kind="hit",
            schema="Hit",
            label=f"{hit.signal} hit {side} {hit.other_agency} ({hit.status})",
            contributions="",
            agencies=hit.other_agency,
            handling="",
            evaluation="",
        )
        graph.add_edge(
            hit.left, node, key=node, label=f"hit: {hit.signal}", ref=hit.ref, status=hit.status,
            **_distance(hit), **_joined(graph, hit.left),
        )  # fmt: skip


def add_same_person(graph: Graph, edges: Iterable[SameEdge]) -> None:
    for edge in edges:
        if edge.left in graph and edge.right in graph:
            graph.add_edge(
                edge.left,
                edge.right,
                key=f"same:{edge.left}:{edge.right}",
                label="same person",
                cluster=edge.cluster,
                probability=f"{edge.probability:.6f}",
                **_joined(graph, edge.left, edge.right),
            )
