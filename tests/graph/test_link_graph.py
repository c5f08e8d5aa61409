"""The link graph on both engines: links, shared values, provenance, queries, exports, access."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from crosscheck.exc import NotFound
from crosscheck.exchange import write_package
from crosscheck.graph import queries
from crosscheck.graph.export import FORMATS, export
from crosscheck.model.keys import qualify
from crosscheck.service import hub
from crosscheck.service.graph import ftm_entities, link_graph
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.helpers import contribution


def put(store: CaseStore, settings: Settings, tmp_path: Path, cid: str, agency: str, country: str,
        entities: list[dict[str, object]]) -> None:  # fmt: skip
    path = tmp_path / f"{cid}.zip"
    write_package(
        path, contribution(cid, provider={"name": agency, "country": country}), entities, []
    )
    hub.ingest(store, path, settings, require_signature=False)


def e(entity_id: str, schema: str, **props: str) -> dict[str, object]:
    return {"id": entity_id, "schema": schema, "properties": {k: [v] for k, v in props.items()}}


# held entity ids: qualified by the contribution that holds them
S, AF, C = (qualify("es_1", e) for e in ("suspect", "acc-forum", "contact"))
AU_S, AS, POST, VIDEO = (qualify("au_1", e) for e in ("suspect", "acc-social", "post-1", "video-1"))


@pytest.fixture
def held(store: CaseStore, settings: Settings, tmp_path: Path) -> CaseStore:
    put(store, settings, tmp_path, "es_1", "ES police", "ES", [
        e("suspect", "Person", name="Juan García", lastName="García", email="jg@mail.example"),
        e("acc-forum", "UserAccount", username="jg77", owner="suspect"),
        e("contact", "Person", name="Ana García", lastName="García"),
    ])  # fmt: skip
    put(store, settings, tmp_path, "au_1", "AU police", "AU", [
        e("video-1", "Video", fileName="García family.mp4"),
        e("acc-social", "UserAccount", username="juan.g", email="JG@mail.example"),
        e("post-1", "Message", senderAccount="acc-social", bodyText="see video"),
        e("fam", "Family", person="suspect", relative="contact", relationship="cousin"),
        e("suspect", "Person", phone="+34 600 111 222"),
    ])  # fmt: skip
    return store


def test_links_shared_values_and_provenance(held: CaseStore) -> None:
    graph = link_graph(held).graph
    # each agency's "suspect" is its own entity: nothing merges across contributions
    assert (
        graph.nodes[S]["contributions"] == "es_1" and graph.nodes[AU_S]["contributions"] == "au_1"
    )
    assert graph.nodes[S]["agencies"] == "ES police"
    assert "email:jg@mail.example" in graph and "surname:garcía" in graph
    email_holders = {n for n in graph.neighbors("email:jg@mail.example")}
    assert email_holders == {S, AS}
    family = [d for _, _, d in graph.edges(AU_S, data=True) if d["label"] == "cousin"]
    assert family and family[0]["contributions"] == "au_1"
    steps = queries.shortest_path(graph, POST, C)
    assert steps[0].node == POST and steps[-1].node == C
    assert len(steps) <= 5
    near = {s.node for _, s in queries.neighbours(graph, S, 1)}
    assert {AF, "surname:garcía", "email:jg@mail.example"} <= near
    [(node, holders)] = queries.shared(graph, "García")
    assert node == "surname:garcía" and {h.node for h in holders} == {S, C}
    assert queries.components(graph)[0][0]


def test_a_viewer_sees_only_its_own_data(held: CaseStore) -> None:
    spain = link_graph(held, "ES police").graph
    assert VIDEO not in spain and POST not in spain and AS not in spain and AU_S not in spain
    assert "phone" not in str(spain.nodes[S]) and spain.nodes[S]["agencies"] == "ES police"
    assert not [d for _, _, d in spain.edges(data=True) if "au_1" in d["contributions"]]
    assert "email:jg@mail.example" not in spain  # only one entity the viewer sees holds it
    with pytest.raises(NotFound):
        queries.shortest_path(spain, S, VIDEO)
    assert link_graph(held, "FR police").graph.number_of_nodes() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports(held: CaseStore, tmp_path: Path, fmt: str) -> None:
    view = link_graph(held)
    out = tmp_path / f"graph.{fmt}"
    export(view.graph, fmt, out, ftm_entities(view))
    text = out.read_text(encoding="utf-8")
    assert "suspect" in text
    if fmt == "gexf":
        back = nx.read_gexf(out)
        assert back.number_of_nodes() == view.graph.number_of_nodes()
    if fmt == "graphml":
        back = nx.read_graphml(out)
        assert back.nodes[S]["handling"] == "H2"


def test_anx_carries_grades_and_provenance(held: CaseStore, tmp_path: Path) -> None:
    from xml.etree import ElementTree as ET

    view = link_graph(held)
    out = tmp_path / "chart.anx"
    export(view.graph, "anx", out)
    chart = ET.parse(out).getroot()
    items = chart.find("ChartItemCollection")
    assert items is not None
    entities = {e.get("EntityId"): e for e in items.iter("Entity")}
    links = list(items.iter("Link"))
    assert set(entities) == set(view.graph.nodes)
    assert len(links) == view.graph.number_of_edges()
    assert all(link.get("End1Id") in entities and link.get("End2Id") in entities for link in links)
    grades = [s.get("Text") for s in chart.iterfind("GradeThree/StringCollection/String")]
    suspect = next(i for i in items if i.find(f"End/Entity[@EntityId='{S}']") is not None)
    handling = view.graph.nodes[S]["handling"].split(";")[-1]
    assert grades[int(suspect.get("GradeThreeIndex", "-1"))].startswith(handling)
    values = {a.get("AttributeClass"): a.get("Value") for a in suspect.iter("Attribute")}
    assert values["agencies"] == "ES police"


def test_hits_are_edges_and_a_viewer_sees_only_hit_no_hit(held: CaseStore) -> None:
    whole = link_graph(held).graph
    hit_edges = [d for _, _, d in whole.edges(data=True) if str(d["label"]).startswith("hit:")]
    assert hit_edges and {d["label"] for d in hit_edges} == {"hit: email"}
    assert any(
        {a, b} == {S, AS}
        for a, b, d in whole.edges(data=True)
        if str(d["label"]).startswith("hit:")
    )
    australia = link_graph(held, "AU police").graph
    hit_nodes = [n for n, d in australia.nodes(data=True) if d.get("kind") == "hit"]
    assert len(hit_nodes) == 1 and "held by ES police" in australia.nodes[hit_nodes[0]]["label"]
    assert S not in australia or "Juan" not in str(australia.nodes.get(S))
    spain = link_graph(held, "ES police").graph
    [notice] = [n for n, d in spain.nodes(data=True) if d.get("kind") == "hit"]
    assert "from AU police" in spain.nodes[notice]["label"] and AS not in spain


def test_resolved_identities_are_same_person_edges(held: CaseStore) -> None:
    from crosscheck.service.resolution import ResolveOptions, resolve_store

    resolve_store(held, ResolveOptions())
    graph = link_graph(held).graph
    same = [(a, b) for a, b, d in graph.edges(data=True) if d["label"] == "same person"]
    assert tuple(sorted((AS, S))) in {tuple(sorted(p)) for p in same}  # one mailbox
    spain = link_graph(held, "ES police").graph  # the hub-wide resolution is not Spain's
    assert not [1 for _, _, d in spain.edges(data=True) if d["label"] == "same person"]


def test_neighbours_say_what_links_them(held: CaseStore) -> None:
    """Issue 12: the "via" column names the link: relationship, property, shared value."""
    graph = link_graph(held).graph
    via = {s.node: s.via for _, s in queries.neighbours(graph, S, 2)}
    assert via[AF] == "owner" and via["email:jg@mail.example"] == "email"
    assert via[AS] == "hit: email"  # ES and AU: the e-mail is a cross-border hit
    assert via[C] in ("shared lastName: garcía", "cousin")
    assert any(str(v).startswith("shared ") for v in via.values())
    assert all(via.values())


def test_a_file_and_the_same_file_named_in_a_report_share_its_hash(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    sha1 = "ab" * 20
    put(store, settings, tmp_path, "au_files", "AU police", "AU", [
        e("sha256-x", "Video", fileName="upload_1.mp4", contentHash=sha1),
        e("sha256-y", "Video", fileName="other.mp4", contentHash="cd" * 20),
    ])  # fmt: skip
    put(store, settings, tmp_path, "au_report", "AU police", "AU", [
        e("post", "Message", bodyText="hola"),
        e("attached", "Video", fileName="upload_1.mp4", contentHash=sha1.upper(), parent="post"),
    ])  # fmt: skip
    graph = link_graph(store).graph
    node = f"file:{sha1}"
    assert graph.nodes[node]["schema"] == "file"
    assert set(graph.neighbors(node)) == {
        qualify("au_files", "sha256-x"),
        qualify("au_report", "attached"),
    }
    assert "file:" + "cd" * 20 not in graph  # a hash only one entity holds links nothing
    steps = queries.shortest_path(
        graph, qualify("au_files", "sha256-x"), qualify("au_report", "post")
    )
    assert [s.node for s in steps][-1] == qualify("au_report", "post")
