"""The authorisation matrix: three agencies (H0, H1, H2), every role, every API read path.

Each agency's data carries markers (ids, names, addresses) no one else may
see. Every endpoint is called by every role of every agency and by the hub
operator; no response may hold another agency's marker, and asking for
another agency's record is answered as for one that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.model.keys import qualify
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth

HANDLING = {
    "BE police": HandlingCode.H0,
    "FR police": HandlingCode.H1,
    "AU police": HandlingCode.H2,
}
ROLES = ("examiner", "analyst", "agency_admin")
SHARED_SHA = "c" * 64  # BE and AU hold the same file: a hit, pending until BE decides


def markers(agency: str) -> list[str]:
    tag = AGENCIES[agency].lower()
    return [f"{tag}_contrib", f"{tag}-person", f"{tag}-account", f"Secretname{tag.capitalize()}",
            f"secret.{tag}@mail.example"]  # fmt: skip


def package(tmp_path: Path, agency: str, key: Path) -> bytes:
    tag = AGENCIES[agency].lower()
    path = tmp_path / f"{tag}.zip"
    entities = [
        {"id": f"{tag}-person", "schema": "Person",
         "properties": {"name": [f"Secretname{tag.capitalize()} Doe"],
                        "email": [f"secret.{tag}@mail.example"]}},
        {"id": f"{tag}-account", "schema": "UserAccount",
         "properties": {"username": [f"user_{tag}"], "owner": [f"{tag}-person"]}},
        {"id": f"{tag}-image", "schema": "Image", "properties": {"fileName": ["x.jpg"]}},
    ]  # fmt: skip
    sha = SHARED_SHA if agency in ("BE police", "AU police") else "d" * 64
    write_package(
        path,
        contribution(
            f"{tag}_contrib",
            provider={"name": agency, "country": AGENCIES[agency]},
            handling=Handling(code=HANDLING[agency]),
        ),
        entities,
        [Fingerprint(entity_id=f"{tag}-image", kind="sha256", value=sha)],
    )
    sign_package(path, load_key(key), agency)
    return path.read_bytes()


@pytest.fixture
def loaded(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]], settings: Settings, tmp_path: Path
) -> tuple[TestClient, dict[str, str]]:
    client, tokens, keys = hub_env
    with client:
        for agency in AGENCIES:
            body = package(tmp_path, agency, keys[agency])
            response = client.post(
                "/api/v1/contributions", content=body, headers=auth(tokens[f"{agency}/examiner"])
            )
            assert response.status_code == 201, response.text
    store = open_store(settings)
    hub.run_jobs(store)
    store.engine.dispose()
    return client, tokens


def calls(
    client: TestClient, headers: dict[str, str], other_record: str
) -> list[tuple[str, int, str]]:
    out = []
    for method, url in (
        ("GET", "/api/v1/contributions"),
        ("GET", "/api/v1/hits"),
        ("GET", "/api/v1/inbox"),
        ("GET", "/api/v1/notices"),
        ("GET", "/api/v1/notices/inbox"),
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/audit/verify"),
        ("POST", "/api/v1/resolution"),
        ("GET", "/api/v1/resolution/judgements"),
        ("GET", f"/api/v1/resolution/links?record={other_record}"),
    ):
        response = client.request(method, url, headers=headers)
        out.append((url, response.status_code, response.text))
    return out


def test_no_path_shows_another_agencys_data(loaded: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = loaded
    with client:
        for agency in AGENCIES:
            others = [m for a in AGENCIES if a != agency for m in markers(a)]
            for role in ROLES:
                for other in (a for a in AGENCIES if a != agency):
                    record = f"{AGENCIES[other].lower()}-person"
                    for url, status, text in calls(
                        client, auth(tokens[f"{agency}/{role}"]), record
                    ):
                        shown = text.replace(record, "")  # the id the caller asked for, echoed
                        leaked = [m for m in others if m in shown]
                        assert not leaked, (agency, role, url, status, leaked)
                        assert status < 500, (agency, role, url, text)
            # the test can fail: the agency's own analyst does see its own markers
            seen = " ".join(t for _, _, t in calls(client, auth(tokens[f"{agency}/analyst"]), "x"))
            assert all(m in seen for m in markers(agency)[:3]), agency
        # the hub operator: metadata and counts, never content
        for url, status, text in calls(client, auth(tokens["operator"]), "be-person"):
            leaked = [m for a in AGENCIES for m in markers(a) if m in text.replace("be-person", "")]
            assert not leaked and status < 500, (url, leaked)


def test_another_agencys_record_is_answered_as_a_missing_one(
    loaded: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = loaded
    with client:
        analyst = auth(tokens["FR police/analyst"])
        client.post("/api/v1/resolution", headers=analyst)
        held = client.get("/api/v1/resolution/links?record=be-person", headers=analyst)
        missing = client.get("/api/v1/resolution/links?record=zz-person", headers=analyst)
        assert held.status_code == missing.status_code == 404
        assert held.json()["detail"].replace("be-person", "X") == missing.json()["detail"].replace(
            "zz-person", "X"
        )


def test_hit_no_hit_and_release_follow_the_owner(loaded: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = loaded
    with client:
        [au_view] = client.get("/api/v1/hits", headers=auth(tokens["AU police/analyst"])).json()
        assert au_view["other_agency"] == "BE police" and au_view["other_entity"] is None
        ref = au_view["ref"]
        for who in ("AU police/agency_admin", "FR police/agency_admin", "BE police/analyst"):
            response = client.post(f"/api/v1/hits/{ref}/release", headers=auth(tokens[who]))
            assert response.status_code in (403, 404), who
        assert client.get("/api/v1/hits", headers=auth(tokens["FR police/analyst"])).json() == []
        decided = client.post(
            f"/api/v1/hits/{ref}/release", headers=auth(tokens["BE police/agency_admin"])
        )
        assert decided.json()["status"] == "released"
        [au_view] = client.get("/api/v1/hits", headers=auth(tokens["AU police/analyst"])).json()
        # the matched item, and nothing else of BE's
        assert au_view["other_entity"] == qualify("be_contrib", "be-image")
