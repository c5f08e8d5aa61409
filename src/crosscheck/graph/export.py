"""Link-graph exports: GEXF, GraphML (yEd, Maltego, Cytoscape), i2 ANX, Cypher, FtM, CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from crosscheck.graph.anx import write_anx
from crosscheck.graph.gexf import typed, write_gexf
from crosscheck.graph.safe_text import csv_row, xml_safe
from crosscheck.graph.types import Graph

FORMATS = ("gexf", "graphml", "anx", "cypher", "ftm", "csv")


def _cypher_value(value: Any) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def write_cypher(graph: Graph, path: Path) -> None:
    """MERGE statements, one per node and edge, provenance as properties."""
    with path.open("w", encoding="utf-8") as stream:
        for node, data in graph.nodes(data=True):
            label = str(data.get("schema") or "Node").replace("`", "")
            props = ", ".join(f"{k}: {_cypher_value(v)}" for k, v in sorted(data.items()))
            stream.write(
                f"MERGE (n:`{label}` {{id: {_cypher_value(node)}}}) SET n += {{{props}}};\n"
            )
        for source, target, data in graph.edges(data=True):
            kind = str(data.get("label", "LINK")).upper().replace("`", "").replace(" ", "_")
            props = ", ".join(f"{k}: {_cypher_value(v)}" for k, v in sorted(data.items()))
            stream.write(
                f"MATCH (a {{id: {_cypher_value(source)}}}), (b {{id: {_cypher_value(target)}}}) "
                f"MERGE (a)-[r:`{kind}`]->(b) SET r += {{{props}}};\n"
            )


PROVENANCE = ["contributions", "agencies", "handling", "evaluation", "marking"]


def nodes_path(path: Path) -> Path:
    """The node file beside a CSV edge list: ``graph.csv`` → ``graph.nodes.csv``."""
    stem = path.name[:-4] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.nodes.csv")


def write_csv(graph: Graph, path: Path) -> None:
    """The edge list at ``path`` and, beside it (:func:`nodes_path`), every node with its label."""
    with nodes_path(path).open(
        "w", encoding="utf-8", errors="backslashreplace", newline=""
    ) as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "kind", "schema", "label", *PROVENANCE])
        for node, data in graph.nodes(data=True):
            writer.writerow(
                csv_row(
                    [node, data.get("kind", ""), data.get("schema", ""), data.get("label", "")]
                    + [data.get(name, "") for name in PROVENANCE]
                )
            )
    with path.open("w", encoding="utf-8", errors="backslashreplace", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["source", "target", "label", "contributions", "agencies", "handling", "evaluation",
             "marking"]
        )  # fmt: skip
        for source, target, data in graph.edges(data=True):
            writer.writerow(
                csv_row(
                    [
                        source,
                        target,
                        data.get("label", ""),
                        data.get("contributions", ""),
                        data.get("agencies", ""),
                        data.get("handling", ""),
                        data.get("evaluation", ""),
                        data.get("marking", ""),
                    ]
                )
            )


def export(graph: Graph, fmt: str, path: Path, entities: Iterable[dict[str, Any]] = ()) -> None:
    if fmt in ("gexf", "graphml", "anx"):
        graph = xml_safe(graph)  # ids and values XML 1.0 cannot carry become visible escapes
    if fmt == "gexf":
        write_gexf(graph, path)  # numbers typed, no networkx_key
    elif fmt == "graphml":
        nx.write_graphml(typed(graph), path)
    elif fmt == "anx":
        write_anx(graph, path)
    elif fmt == "cypher":
        write_cypher(graph, path)
    elif fmt == "csv":
        write_csv(graph, path)
    elif fmt == "ftm":
        with path.open("wb") as stream:
            for entity in entities:
                stream.write(orjson.dumps(entity) + b"\n")
    else:
        raise ValueError(f"unknown graph format {fmt!r}; one of {', '.join(FORMATS)}")
