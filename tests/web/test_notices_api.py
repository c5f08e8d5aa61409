"""Notices over the API: grouped, decided as a whole, and need to know on every view."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth

SHA = "a" * 64
PDQ = "5c" * 32


def _near(bits: int) -> str:
    return f"{int(PDQ, 16) ^ ((1 << bits) - 1):064x}"


def _submit(client: TestClient, token: str, tmp_path: Path, agency: str, key: Path) -> None:
    tag = AGENCIES[agency].lower()
    count = 3 if agency == "BE police" else 1
    entities = [
        {"id": f"{tag}-{i}", "schema": "Image",
         "properties": {"fileName": [f"{tag}-secretfile-{i}.jpg"]}}
        for i in range(count)
    ]  # fmt: skip
    prints = [Fingerprint(entity_id=f"{tag}-0", kind="sha256", value=SHA)]
    prints += [
        Fingerprint(entity_id=f"{tag}-{i}", kind="pdq", value=_near(i * 3), quality=90)
        for i in range(count)
    ]
    path = tmp_path / f"{tag}.zip"
    item = contribution(f"{tag}_n", provider={"name": agency, "country": AGENCIES[agency]})
    write_package(path, item, entities, prints)
    sign_package(path, load_key(key), agency)
    response = client.post("/api/v1/contributions", content=path.read_bytes(), headers=auth(token))
    assert response.status_code == 201, response.text


def test_notices_grouped_decided_and_need_to_know(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]], settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env
    with client:
        for agency in ("BE police", "AU police"):
            _submit(client, tokens[f"{agency}/examiner"], tmp_path, agency, keys[agency])
        store = open_store(settings)
        hub.run_jobs(store)
        store.engine.dispose()
        au = auth(tokens["AU police/analyst"])
        response = client.get("/api/v1/notices", headers=au)
        assert response.status_code == 200, response.text
        [notice] = response.json()
        assert (
            notice["own_caption"] == "au-secretfile-0.jpg" and notice["other_agency"] == "BE police"
        )
        assert notice["signal"] == "sha256" and [i["distance"] for i in notice["items"]] == [
            0,
            3,
            6,
        ]
        assert "be-secretfile" not in response.text and "be_n." not in response.text
        # the per-signal detail stays, with captions of one's own items only
        detail = client.get("/api/v1/hits", headers=au)
        assert len(detail.json()) == 4 and "be-secretfile" not in detail.text
        assert {h["own_caption"] for h in detail.json()} == {"au-secretfile-0.jpg"}

        be_admin = auth(tokens["BE police/agency_admin"])
        [owned] = client.get("/api/v1/notices/inbox", headers=be_admin).json()
        assert owned["ref"] == notice["ref"] and owned["own_caption"] is None
        assert [i["caption"] for i in owned["items"]] == [
            f"be-secretfile-{i}.jpg" for i in range(3)
        ]
        assert "au-secretfile" not in str(owned)
        for who in ("AU police/agency_admin", "FR police/agency_admin", "BE police/analyst"):
            refused = client.post(
                f"/api/v1/notices/{notice['ref']}/release", headers=auth(tokens[who])
            )
            assert refused.status_code in (403, 404), who
        one = client.post(f"/api/v1/hits/{owned['items'][1]['ref']}/release", headers=be_admin)
        assert one.status_code == 200
        [seen] = client.get("/api/v1/notices", headers=au).json()
        assert seen["status"] == "partly released"
        assert [i["caption"] for i in seen["items"]] == [None, "be-secretfile-1.jpg", None]
        declined = client.post(f"/api/v1/notices/{notice['ref']}/decline", headers=be_admin)
        assert declined.status_code == 200, declined.text
        assert [i["status"] for i in declined.json()["items"]] == [
            "declined",
            "released",
            "declined",
        ]
        [seen] = client.get("/api/v1/notices", headers=au).json()
        assert seen["status"] == "partly released" and "be-secretfile-0" not in str(seen)
