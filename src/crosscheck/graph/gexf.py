"""Typed attributes for GEXF and GraphML, and a GEXF without networkx's own edge key.

Gephi, yEd and igraph size and filter by an attribute only when the file
declares it a number; the graph keeps probabilities as text (so every export
shows the same digits), so the XML exports get a copy with numbers as numbers.
networkx writes a multigraph's edge keys as an extra ``networkx_key``
attribute; here the key becomes the edge's id instead, and that attribute goes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from crosscheck.graph.types import Graph

NUMERIC = ("probability", "distance", "weight", "match_weight")


def _number(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return value  # not a number: left as it is


def typed(graph: Graph) -> Graph:
    """A copy whose numeric attributes are floats, and each edge's key as its ``id``."""
    out: Graph = nx.MultiGraph()
    out.graph.update(graph.graph)
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: _number(v) if k in NUMERIC else v for k, v in data.items()})
    for source, target, key, data in graph.edges(keys=True, data=True):
        attrs = {k: _number(v) if k in NUMERIC else v for k, v in data.items()}
        out.add_edge(source, target, key=key, **attrs)
    return out


def write_gexf(graph: Graph, path: Path) -> None:
    copy = typed(graph)
    for _, _, key, data in copy.edges(keys=True, data=True):
        data.setdefault("id", str(key))
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(copy)
    drop: set[str] = set()
    for attributes in writer.xml.iter("attributes"):
        for attribute in list(attributes):
            if attribute.get("title") == "networkx_key":
                drop.add(str(attribute.get("id")))
                attributes.remove(attribute)
    for attvalues in writer.xml.iter("attvalues"):
        for value in list(attvalues):
            if value.get("for") in drop:
                attvalues.remove(value)
    with path.open("wb") as stream:
        writer.write(stream)
