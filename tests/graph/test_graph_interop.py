"""Graph exports read back by the field's own tools, with every FtM edge schema in the store."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import orjson
import pytest
from followthemoney import model

from crosscheck.exchange import write_package
from crosscheck.graph.export import FORMATS, export
from crosscheck.graph.ftm import ftm_id
from crosscheck.service import hub
from crosscheck.service.graph import ftm_entities, link_graph
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.helpers import contribution

EDGE_SCHEMATA = sorted(s.name for s in model.schemata.values() if s.edge and not s.abstract)


def _endpoint_schema(prop_range: str) -> str:
    """A concrete schema that fits an edge end's range (LegalEntity → Person, Thing → Person)."""
    wanted = model.get(prop_range)
    assert wanted is not None
    for name in ("Person", "Company", "Organization", "Address", "Vessel"):
        candidate = model.get(name)
        if candidate is not None and candidate.is_a(wanted):
            return name
    return next(s.name for s in model.schemata.values() if s.is_a(wanted) and not s.abstract)


def every_edge_schema() -> list[dict[str, object]]:
    entities: list[dict[str, object]] = []
    for name in EDGE_SCHEMATA:
        schema = model.get(name)
        assert schema is not None and schema.source_prop and schema.target_prop
        ends = {}
        for end in (schema.source_prop, schema.target_prop):
            end_id = f"{name}-{end.name}"
            assert end.range is not None
            entities.append(
                {"id": end_id, "schema": _endpoint_schema(end.range.name),
                 "properties": {"name": [f"{name} {end.name}"]}}
            )  # fmt: skip
            ends[end.name] = [end_id]
        entities.append({"id": f"edge-{name}", "schema": name, "properties": ends})
    return entities


def test_every_ftm_edge_schema_is_built_and_exported(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    assert {"UnknownLink", "Ownership", "Directorship", "Payment", "Family"} <= set(EDGE_SCHEMATA)
    path = tmp_path / "edges.zip"
    write_package(path, contribution("c_edges"), every_edge_schema(), [])
    hub.ingest(store, path, settings, require_signature=False)
    view = link_graph(store)
    held = {e.id: e for e in view.entities}
    edges = {d.get("via") for _, _, d in view.graph.edges(data=True) if d.get("via")}
    assert len(edges) == len(EDGE_SCHEMATA)  # one graph edge per FtM edge entity
    for fmt in FORMATS:
        out = tmp_path / f"graph.{fmt}"
        export(view.graph, fmt, out, ftm_entities(view))
        assert out.stat().st_size > 0, fmt
    back = nx.read_graphml(tmp_path / "graph.graphml")
    assert back.number_of_edges() == view.graph.number_of_edges()
    lines = (tmp_path / "graph.ftm").read_bytes().splitlines()
    proxies = [model.get_proxy(orjson.loads(line)) for line in lines]
    assert {p.id for p in proxies} == {ftm_id(i) for i in held}  # ids FtM accepts
    assert {p.schema.name for p in proxies} >= set(EDGE_SCHEMATA)


def _small_graph() -> nx.MultiGraph:
    from crosscheck.graph.overlay import SameEdge, add_same_person

    graph: nx.MultiGraph = nx.MultiGraph()
    prov = {"contributions": "c1", "agencies": "A", "handling": "H2", "evaluation": "B2"}
    graph.add_node("p1", kind="entity", schema="Person", label="Ana", **prov)
    graph.add_node("p2", kind="entity", schema="Person", label="Ana G.", **prov)
    graph.add_edge("p1", "p2", key="k1", label="associate", **prov)
    add_same_person(graph, [SameEdge("p1", "p2", "cl-1", 0.987654)])
    return graph


def test_gexf_declares_real_types_and_no_networkx_key(tmp_path: Path) -> None:
    from xml.etree import ElementTree as ET

    out = tmp_path / "g.gexf"
    export(_small_graph(), "gexf", out)
    root = ET.parse(out).getroot()
    declared = {a.get("title"): a.get("type") for a in root.iter() if a.tag.endswith("}attribute")}
    assert "networkx_key" not in declared
    assert declared["probability"] in ("double", "float")
    back = nx.read_gexf(out)
    probabilities = [d["probability"] for _, _, d in back.edges(data=True) if "probability" in d]
    assert probabilities == [pytest.approx(0.987654)]
    assert sorted(d["label"] for _, _, d in back.edges(data=True)) == ["associate", "same person"]


def test_graphml_read_by_networkx_and_igraph(tmp_path: Path) -> None:
    import igraph

    out = tmp_path / "g.graphml"
    export(_small_graph(), "graphml", out)
    g = igraph.Graph.Read_GraphML(str(out))
    assert g.ecount() == 2 and sorted(g.vs["label"]) == ["Ana", "Ana G."]
    same = [e for e in g.es if e["label"] == "same person"]
    assert isinstance(same[0]["probability"], float) and same[0]["probability"] == pytest.approx(
        0.987654
    )
    back = nx.read_graphml(out)
    assert {d.get("probability") for _, _, d in back.edges(data=True)} >= {0.987654}


def _required_missing(proxy: object) -> list[str]:
    schema = proxy.schema  # type: ignore[attr-defined]
    return [name for name in schema.required if not proxy.has(name)]  # type: ignore[attr-defined]


def test_ftm_export_carries_overlay_links_and_is_complete(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    from crosscheck.graph.overlay import HitEdge, SameEdge, add_hits, add_same_person

    people = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Ana Lima"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["Ana L."]}},
        {"id": "acc", "schema": "UserAccount",
         "properties": {"username": ["ana.l"], "owner": ["p1"]}},
        {"id": "msg", "schema": "Message",
         "properties": {"bodyText": ["hello"], "senderAccount": ["acc"]}},
    ]  # fmt: skip
    path = tmp_path / "c.zip"
    write_package(path, contribution("c_overlay"), people, [])
    hub.ingest(store, path, settings, require_signature=False)
    view = link_graph(store)
    held = {e.caption: e.id for e in view.entities}
    ids = {caption: ftm_id(i) for caption, i in held.items()}  # as the FtM export writes them
    add_same_person(view.graph, [SameEdge(held["Ana Lima"], held["Ana L."], "cl-1", 0.995)])
    add_hits(view.graph, [HitEdge("H-1", "pdq", held["Ana Lima"], None, "pending", "AU police")])
    left, right = ids["Ana Lima"], ids["Ana L."]
    out = tmp_path / "graph.ftm"
    export(view.graph, "ftm", out, ftm_entities(view))
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    proxies = [model.get_proxy(line, cleaned=False) for line in lines]  # FtM cleans each value
    for line, proxy in zip(lines, proxies, strict=True):  # and loses none of them
        assert proxy.to_dict()["properties"] == line["properties"], line
    for proxy in proxies:  # FtM reads each back whole, with what its schema requires
        assert _required_missing(proxy) == [], (proxy.schema.name, proxy.to_dict())
    same = [p for p in proxies if p.schema.name == "UnknownLink"]
    assert len(same) == 1 and set(same[0].get("subject") + same[0].get("object")) == {left, right}
    assert "same person" in same[0].get("role") and "0.995" in same[0].first("summary")
    notes = [p for p in proxies if p.schema.name == "Note"]
    assert notes and notes[0].get("entity") == [left] and "H-1" in notes[0].first("description")
    message = next(p for p in proxies if p.schema.name == "Message")
    assert message.get("sender") == [ids["Ana Lima"]]  # the sending account's owner


def test_ftm_ids_are_ids_ftm_accepts() -> None:
    from followthemoney.types import registry

    assert ftm_id("acc-forum") == "acc-forum"  # already valid: unchanged
    assert ftm_id("es_1.suspect") == "es-1.suspect"  # contribution ids hold no "-": no clash
    odd = ftm_id("es_1.a b/c")
    for value in ("es_1.suspect", "es_1.a b/c", "x_" * 40):
        assert registry.entity.clean(ftm_id(value)) == ftm_id(value)
    assert odd != ftm_id("es_1.a b/d")
