"""The graph explorer in process: its JSON reads, filters, exports and need to know.

On SQLite and PostgreSQL (the ``settings`` fixture): the workbench hub of
``workbench_data`` with BE's linked contribution of ``graph_data``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from crosscheck.cli.app import main
from crosscheck.graph.export import FORMATS, nodes_path
from crosscheck.service.graph_explorer import DOWNLOADS
from crosscheck.settings import Settings
from crosscheck.web.app import create_app
from crosscheck.web.pages.common import WEB
from tests.web.graph_data import (
    ACCOUNT,
    ANA,
    HOSTILE,
    PATH,
    PERSON,
    SAME_PROBABILITY,
    SHARED,
    SISTER,
    TWIN,
    add_links,
    settings_env,
)
from tests.web.test_pages import log_in
from tests.web.workbench_data import AGENCIES, ROLES, Hub, markers, populate, user

H1 = "H1: not to be disclosed in judicial proceedings without the provider's permission"
IMAGE = "be_contrib.be-image"


@pytest.fixture
def explorer(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, Hub]]:
    held = populate(settings, tmp_path)
    add_links(held, tmp_path)
    with TestClient(create_app(settings, worker=False)) as client:
        yield client, held


def nodes(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["data"]["id"]: e["data"] for e in answer["elements"] if "source" not in e["data"]}


def edges(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["data"] for e in answer["elements"] if "source" in e["data"]]


def between(answer: dict[str, Any], a: str, b: str) -> list[dict[str, Any]]:
    return [e for e in edges(answer) if {e["source"], e["target"]} == {a, b}]


def test_find_expand_and_path_say_what_links_each_pair(
    explorer: tuple[TestClient, Hub],
) -> None:
    client, _ = explorer
    assert client.get("/graph/view", follow_redirects=False).status_code == 303  # no session
    assert log_in(client, user("BE police", "analyst")) == 303
    found = client.get("/graph/find", params={"q": "ana"}).json()["found"]
    assert {ANA, ACCOUNT, TWIN} <= {f["id"] for f in found}  # by caption
    assert client.get("/graph/find", params={"q": "acct"}).json()["found"][0]["id"] == ACCOUNT

    around = client.get("/graph/neighbours", params={"node": ANA}).json()
    assert set(nodes(around)) == {ANA, ACCOUNT, SISTER, TWIN, SHARED}
    assert around["neighbours"] == sorted([ACCOUNT, SISTER, TWIN, SHARED]) and around["more"] == 0
    [owner] = between(around, ACCOUNT, ANA)
    assert (owner["kind"], owner["property"], owner["source"]) == ("reference", "owner", ACCOUNT)
    [family] = between(around, ANA, SISTER)
    assert (family["kind"], family["relation"]) == ("relation", "sister")
    [same] = between(around, ANA, TWIN)
    assert (same["kind"], same["probability"]) == ("same", SAME_PROBABILITY)
    [mail] = between(around, ANA, SHARED)
    assert (mail["kind"], mail["value_kind"], mail["value"], mail["property"]) == (
        "shared", "email", "secret.be@mail.example", "email"
    )  # fmt: skip
    [origin] = nodes(around)[ANA]["provenance"]
    assert origin == {"contribution": "be_graph", "agency": "BE police", "handling": "H1",
                      "note": "", "evaluation": "B2", "marking": H1}  # fmt: skip
    assert nodes(around)[ANA]["label"] == HOSTILE  # data, as sent: the page writes it as text

    image = client.get("/graph/neighbours", params={"node": IMAGE}).json()
    hits = [e for e in edges(image) if e["kind"] == "hit"]
    assert {(h["signal"], h["distance"], h["status"]) for h in hits} == {
        ("sha256", 0, "pending"), ("pdq", 0, "pending")
    }  # fmt: skip
    assert all(nodes(image)[h["target"]]["agency"] == "FR police" for h in hits)

    # the path by the package's id and by caption; the view so far is kept
    state = {"show": [ANA], "expand": [ANA]}
    found_path = client.get(
        "/graph/path", params={**state, "source": "acct", "target": "SecretnameBe Doe"}
    ).json()
    assert found_path["path"]["nodes"] == PATH
    ids = {e["id"]: e for e in edges(found_path)}
    kinds = [[ids[i]["kind"] for i in hop] for hop in found_path["path"]["edges"]]
    assert kinds == [["reference"], ["shared"], ["shared"]]
    assert set(nodes(found_path)) == {*PATH, SISTER, TWIN}
    view = client.get("/graph/view", params={"show": PATH, "expand": [ANA]}).json()
    assert set(nodes(view)) == set(nodes(found_path))
    assert [m["contribution"] for m in view["markings"]] == ["be_contrib", "be_graph"]
    lonely = client.get("/graph/path", params={"source": ANA, "target": IMAGE})
    assert lonely.status_code == 404 and "no path" in lonely.json()["error"]
    several = client.get("/graph/path", params={"source": "doe", "target": ANA})
    assert several.status_code == 400 and "several" in several.json()["error"]


def test_filters_apply_before_the_graph_is_sent(explorer: tuple[TestClient, Hub]) -> None:
    client, _ = explorer
    assert log_in(client, user("BE police", "analyst")) == 303
    state = {"show": [ANA, PERSON, IMAGE], "expand": [IMAGE]}

    def shown(**filters: Any) -> set[str]:
        answer = client.get("/graph/view", params={**state, **filters})
        assert answer.status_code == 200
        return set(nodes(answer.json()))

    everything = shown()
    assert {ANA, PERSON, IMAGE} <= everything and any(n.startswith("hit:") for n in everything)
    assert shown(handling="H1") == {ANA}
    assert shown(handling=["H2", "H3"]) - {ANA} == everything - {ANA}
    assert ANA not in shown(handling="H2")
    assert shown(since="2024-01-01") == {ANA}
    assert ANA not in shown(until="2023-12-31") and PERSON in shown(until="2023-12-31")
    assert shown(reliability="B") == {ANA} and ANA not in shown(reliability="A")
    assert shown(information="2") == {ANA}
    assert shown(agency="FR police") == set()  # BE's data are BE's
    assert not [n for n in shown(agency="BE police") if n.startswith("hit:")]  # hits with FR
    assert shown(agency="") == set()  # every box unticked: nothing
    gone = client.get("/graph/neighbours", params={"node": ANA, "handling": "H2"})
    assert gone.status_code == 404  # filtered out: as if not there


def test_exports_are_the_cli_exports_with_markings(
    explorer: tuple[TestClient, Hub], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, held = explorer
    assert set(DOWNLOADS) == set(FORMATS)  # every format of `crosscheck graph export`
    assert log_in(client, user("BE police", "analyst")) == 303
    state = {"show": PATH, "expand": [ANA]}
    for fmt, (name, _) in DOWNLOADS.items():
        answer = client.get(f"/graph/export/{fmt}", params=state)
        assert answer.status_code == 200, fmt
        assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
        body = answer.content
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                assert sorted(archive.namelist()) == ["crosscheck-graph.csv",
                                                      "crosscheck-graph.nodes.csv"]  # fmt: skip
                body = b"".join(archive.read(n) for n in archive.namelist())
        text = body.decode()
        assert "not to be disclosed in judicial proceedings" in text, fmt
        assert "SecretnameFr" not in text, fmt
        if fmt in ("gexf", "graphml"):
            reader = nx.read_gexf if fmt == "gexf" else nx.read_graphml
            path = tmp_path / name
            path.write_bytes(body)
            graph = reader(path)
            assert set(graph.nodes) == {*PATH, SISTER, TWIN}, fmt
            assert graph.nodes[ANA]["marking"] == H1
    # the whole graph (nothing shown) is byte for byte what `crosscheck graph export` writes
    token = tmp_path / "BE-analyst.token"
    for name, value in settings_env(held.settings).items():
        monkeypatch.setenv(name, value)
    for fmt in ("cypher", "csv", "ftm"):
        out = tmp_path / f"cli.{fmt}"
        args = ["graph", "export", "--format", fmt, "--out", str(out), "--token-file", str(token)]
        assert main(args) == 0
        web = client.get(f"/graph/export/{fmt}").content
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(web)) as archive:
                assert archive.read("crosscheck-graph.csv") == out.read_bytes()
                assert archive.read("crosscheck-graph.nodes.csv") == nodes_path(out).read_bytes()
        else:
            assert web == out.read_bytes(), fmt
    assert client.get("/graph/export/pdf").status_code == 404


def _asks(other_ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """Every read of the explorer, about ids of the other agency (guessed, never linked)."""
    ana, person = other_ids["ana"], other_ids["person"]
    reads: list[tuple[str, dict[str, Any]]] = [
        ("/graph/find", {"q": "Secretname"}), ("/graph/find", {"q": "Ana"}),
        ("/graph/find", {"q": ana}), ("/graph/find", {"q": "acct"}),
        ("/graph/view", {"show": [ana, person], "expand": [ana, person]}),
        ("/graph/neighbours", {"node": ana}), ("/graph/neighbours", {"node": person}),
        ("/graph/path", {"source": ana, "target": person}),
        ("/graph/path", {"source": "acct", "target": "Ana"}),
    ]  # fmt: skip
    reads += [(f"/graph/export/{fmt}", {"show": [ana], "expand": [ana]}) for fmt in FORMATS]
    reads += [(f"/graph/export/{fmt}", {}) for fmt in FORMATS]  # the whole graph one may see
    return reads


def _same_as_missing(client: TestClient, url: str, params: dict[str, Any], asked: str) -> None:
    """A guessed id is answered as one that does not exist (the id itself echoed)."""
    missing = json.loads(json.dumps(params).replace(asked, "be_graph.nothing-here"))
    one, other = client.get(url, params=params), client.get(url, params=missing)
    assert one.status_code == other.status_code, (url, params)
    assert one.content.replace(asked.encode(), b"?") == other.content.replace(
        b"be_graph.nothing-here", b"?"
    ), (url, params)


def test_need_to_know_with_guessed_ids(explorer: tuple[TestClient, Hub]) -> None:
    client, _ = explorer
    secrets = [*markers("BE police"), "be_graph", "ana_handle", "Berta", "alert("]
    for role in ROLES:
        client.cookies.clear()
        assert log_in(client, user("FR police", role)) == 303
        for url, params in _asks({"ana": ANA, "person": PERSON}):
            answer = client.get(url, params=params)
            assert answer.status_code in (200, 404), (role, url, answer.status_code)
            shown = answer.content.decode(errors="replace")
            for asked in (ANA, PERSON):
                shown = shown.replace(asked, "").replace(json.dumps(asked)[1:-1], "")
            assert not [s for s in secrets if s in shown], (role, url, params)
            if url in ("/graph/neighbours",) or (url.startswith("/graph/export") and params):
                assert answer.status_code == 404, (url, params)
                _same_as_missing(client, url, params, ANA)
        own = client.get("/graph/find", params={"q": "SecretnameFr"}).json()["found"]
        assert own, role  # the check can fail: FR's own data do show
    client.cookies.clear()
    assert log_in(client, "operator") == 303
    assert client.get("/graph").status_code == 403
    for url, params in _asks({"ana": ANA, "person": PERSON})[:6]:
        answer = client.get(url, params=params)
        assert answer.status_code == 403, url
        assert not [s for a in AGENCIES for s in markers(a) if s in answer.text], url


def test_hostile_captions_stay_text(explorer: tuple[TestClient, Hub]) -> None:
    client, _ = explorer
    assert log_in(client, user("BE police", "analyst")) == 303
    page = client.get("/graph", params={"start": HOSTILE})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "onerror=alert" not in page.text.replace(
        "onerror=alert(1)&gt;", ""
    )  # the start box holds it, escaped
    strings = re.search(r'<script type="application/json" id="graph-strings">(.*?)</script>',
                        page.text, re.S)  # fmt: skip
    assert strings is not None
    used = set(re.findall(r"\bS\.(\w+)", (WEB / "static" / "graph.js").read_text()))
    assert used <= set(json.loads(strings.group(1))), used - set(json.loads(strings.group(1)))
    script = (WEB / "static" / "graph.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script
    answer = client.get("/graph/neighbours", params={"node": ANA})
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    for name in ("/static/graph.js", "/static/graph.css", "/static/vendor/cytoscape.min.js"):
        assert client.get(name).status_code == 200, name


def test_spanish_page(explorer: tuple[TestClient, Hub]) -> None:
    client, _ = explorer
    assert log_in(client, user("BE police", "analyst")) == 303
    page = client.get("/graph", headers={"Accept-Language": "es"}).text
    assert "Explorador del grafo" in page and "Exportar esta vista" in page
    assert "no divulgar en procedimientos judiciales" in page  # H1 for the script, in Spanish
