"""The resolution API on both engines: scoped to the caller's agency, evidence, judgements."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model.keys import qualify
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth

PEOPLE = [
    {"id": "p-1", "schema": "Person",
     "properties": {"name": ["Ana Ruiz"], "email": ["ana.ruiz77@gmail.com"]}},
    {"id": "acc-1", "schema": "UserAccount",
     "properties": {"username": ["nightfox77"], "email": ["anaruiz77+x@gmail.com"]}},
    {"id": "p-2", "schema": "Person", "properties": {"name": ["Tomás Gil"]}},
]  # fmt: skip
# held ids: qualified by the contribution that holds them
P1, ACC1, P2 = (qualify("be_1", e) for e in ("p-1", "acc-1", "p-2"))


def submit(
    client: TestClient, tmp_path: Path, token: str, agency: str, key: Path, cid: str
) -> None:
    path = tmp_path / f"{cid}.zip"
    provider = {"name": agency, "country": AGENCIES[agency]}
    write_package(path, contribution(cid, provider=provider), PEOPLE, [])
    sign_package(path, load_key(key), agency)
    response = client.post("/api/v1/contributions", content=path.read_bytes(), headers=auth(token))
    assert response.status_code == 201, response.text


def test_an_agency_resolves_reads_evidence_and_judges(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]],
    tmp_path: Path,
) -> None:
    client, tokens, keys = hub_env
    with client:
        submit(
            client, tmp_path, tokens["BE police/examiner"], "BE police", keys["BE police"], "be_1"
        )
        analyst = auth(tokens["BE police/analyst"])
        assert (
            client.post("/api/v1/resolution", headers=auth(tokens["operator"])).status_code == 403
        )
        assert (
            client.post(
                "/api/v1/resolution", headers=auth(tokens["BE police/examiner"])
            ).status_code
            == 403
        )
        rows = {r["id"]: r for r in client.post("/api/v1/resolution", headers=analyst).json()}
        assert set(rows) == {P1, ACC1, P2}
        assert rows[P1]["cluster"] == rows[ACC1]["cluster"] != rows[P2]["cluster"]
        assert rows[ACC1]["schema"] == "UserAccount"
        links = client.get("/api/v1/resolution/links", params={"record": P1}, headers=analyst)
        [link] = links.json()
        assert link["same_cluster"] and link["explanation"]["rule"] == "same mailbox"

        # France holds nothing: it sees none of Belgium's records, links or clusters
        french = auth(tokens["FR police/analyst"])
        assert client.post("/api/v1/resolution", headers=french).json() == []
        missing = client.get("/api/v1/resolution/links", params={"record": P1}, headers=french)
        assert missing.status_code == 404
        judged = client.post(
            "/api/v1/resolution/judgements",
            json={"left": P1, "right": ACC1, "verdict": "reject"},
            headers=french,
        )
        assert judged.status_code == 404

        made = client.post(
            "/api/v1/resolution/judgements",
            json={"left": P1, "right": ACC1, "verdict": "reject", "note": "two people"},
            headers=analyst,
        )
        assert made.status_code == 201, made.text
        assert made.json()[0]["by"] == "BE analyst (BE police)"
        rows = {r["id"]: r for r in client.post("/api/v1/resolution", headers=analyst).json()}
        assert rows[P1]["cluster"] != rows[ACC1]["cluster"]
        assert len(client.get("/api/v1/resolution/judgements", headers=analyst).json()) == 1
        assert client.get("/api/v1/resolution/judgements", headers=french).json() == []
        bad = client.post(
            "/api/v1/resolution/judgements",
            json={"left": P1, "verdict": "maybe"},
            headers=analyst,
        )
        assert bad.status_code == 422
