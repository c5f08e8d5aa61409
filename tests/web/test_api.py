"""The hub's API in process, on both engines: submission, hits, inbox, release, roles."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint
from crosscheck.model.keys import qualify
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth


def signed_package(tmp_path: Path, agency: str, key: Path, cid: str, sha: str) -> bytes:
    path = tmp_path / f"{cid}.zip"
    entity = f"{cid}-img"
    write_package(
        path,
        contribution(cid, provider={"name": agency, "country": AGENCIES[agency]}),
        [{"id": entity, "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
        [Fingerprint(entity_id=entity, kind="sha256", value=sha)],
    )
    sign_package(path, load_key(key), agency)
    return path.read_bytes()


def test_submission_hits_and_need_to_know(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]], settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env
    with client:
        assert client.get("/api/v1/health").json()["status"] == "ok"
        assert client.get("/api/v1/hits").status_code == 401
        assert client.get("/api/v1/hits", headers=auth("cc_1_wrong")).status_code == 401

        be = signed_package(tmp_path, "BE police", keys["BE police"], "be_1", "a" * 64)
        au = signed_package(tmp_path, "AU police", keys["AU police"], "au_1", "a" * 64)
        fr = signed_package(tmp_path, "FR police", keys["FR police"], "fr_1", "b" * 64)
        # an agency cannot submit another agency's package
        refused = client.post(
            "/api/v1/contributions", content=be, headers=auth(tokens["AU police/examiner"])
        )
        assert refused.status_code == 403
        # an analyst cannot submit at all
        assert (
            client.post(
                "/api/v1/contributions", content=be, headers=auth(tokens["BE police/analyst"])
            ).status_code
            == 403
        )
        for body, who in ((be, "BE police"), (au, "AU police"), (fr, "FR police")):
            response = client.post(
                "/api/v1/contributions", content=body, headers=auth(tokens[f"{who}/examiner"])
            )
            assert response.status_code == 201, response.text
            assert response.json()["created"] and response.json()["queued_cross_check"]
        again = client.post(
            "/api/v1/contributions", content=be, headers=auth(tokens["BE police/examiner"])
        )
        assert again.status_code == 201 and not again.json()["created"]
        junk = client.post(
            "/api/v1/contributions", content=b"junk", headers=auth(tokens["BE police/examiner"])
        )
        assert junk.status_code == 400 and "zip" in junk.json()["detail"]

        # the queued cross-checks survive in the database until a worker runs them
        stats = client.get("/api/v1/stats", headers=auth(tokens["operator"])).json()
        assert stats["pending_jobs"] == 3 and stats["contributions"] == 3
        store = open_store(settings)
        assert hub.run_jobs(store) == 3
        store.engine.dispose()

        au_hits = client.get("/api/v1/hits", headers=auth(tokens["AU police/analyst"])).json()
        assert [(h["signal"], h["other_agency"], h["other_entity"]) for h in au_hits] == [
            ("sha256", "BE police", None)
        ]
        assert client.get("/api/v1/hits", headers=auth(tokens["FR police/analyst"])).json() == []
        assert (
            client.get("/api/v1/inbox", headers=auth(tokens["FR police/agency_admin"])).json() == []
        )
        inbox = client.get("/api/v1/inbox", headers=auth(tokens["BE police/agency_admin"])).json()
        ref = inbox[0]["ref"]
        assert inbox[0]["other_agency"] == "AU police"
        assert inbox[0]["own_entity"] == qualify("be_1", "be_1-img")

        for who in ("AU police/agency_admin", "FR police/agency_admin"):
            assert (
                client.post(f"/api/v1/hits/{ref}/release", headers=auth(tokens[who])).status_code
                == 403
            )
        assert (
            client.post(
                f"/api/v1/hits/{ref}/release", headers=auth(tokens["BE police/analyst"])
            ).status_code
            == 403
        )
        released = client.post(
            f"/api/v1/hits/{ref}/release", headers=auth(tokens["BE police/agency_admin"])
        )
        assert released.json() == {"ref": ref, "status": "released", "agency": "AU police"}
        au_hits = client.get("/api/v1/hits", headers=auth(tokens["AU police/analyst"])).json()
        assert au_hits[0]["other_entity"] == qualify("be_1", "be_1-img")

        own = client.get("/api/v1/contributions", headers=auth(tokens["FR police/analyst"])).json()
        assert [c["id"] for c in own] == ["fr_1"]
        assert client.get("/api/v1/hits", headers=auth(tokens["operator"])).status_code == 403
        verdict = client.get("/api/v1/audit/verify", headers=auth(tokens["operator"])).json()
        assert verdict["intact"] and verdict["entries"] > 10
        assert (
            client.get(
                "/api/v1/audit/verify", headers=auth(tokens["BE police/agency_admin"])
            ).status_code
            == 403
        )
        assert "/api/v1/contributions" in client.get("/openapi.json").json()["paths"]
