"""Handling codes through the API: H3 acknowledged before the item shows; H2 only after release;
the audit names the user who acted."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from tests.helpers import contribution
from tests.web.conftest import auth

RESTRICTION = "Only for the Lyon team; no onward sharing"


def submit(client: TestClient, tmp_path: Path, tag: str, agency: str, handling: Handling,
           key: Path, token: str) -> None:  # fmt: skip
    path = tmp_path / f"{tag}.zip"
    write_package(
        path,
        contribution(f"{tag}_contrib", provider={"name": agency, "country": tag.upper()},
                     handling=handling),
        [{"id": f"{tag}-img", "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
        [Fingerprint(entity_id=f"{tag}-img", kind="sha256", value="f" * 64)],
    )  # fmt: skip
    sign_package(path, load_key(key), agency)
    response = client.post("/api/v1/contributions", content=path.read_bytes(), headers=auth(token))
    assert response.status_code == 201, response.text


def test_h3_and_h2_items_show_only_after_release_and_acknowledgement(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]], settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env
    with client:
        submit(client, tmp_path, "fr", "FR police",
               Handling(code=HandlingCode.H3, note=RESTRICTION), keys["FR police"],
               tokens["FR police/examiner"])  # fmt: skip
        submit(client, tmp_path, "au", "AU police", Handling(code=HandlingCode.H2),
               keys["AU police"], tokens["AU police/examiner"])  # fmt: skip
        submit(client, tmp_path, "be", "BE police", Handling(code=HandlingCode.H0),
               keys["BE police"], tokens["BE police/examiner"])  # fmt: skip
        store = open_store(settings)
        hub.run_jobs(store)
        be = auth(tokens["BE police/analyst"])
        hits = client.get("/api/v1/hits", headers=be).json()
        assert {h["other_agency"] for h in hits} == {"FR police", "AU police"}
        assert all(h["other_entity"] is None and h["restriction"] is None for h in hits)
        for owner in ("FR police", "AU police"):
            admin = auth(tokens[f"{owner}/agency_admin"])
            for notice in client.get("/api/v1/inbox", headers=admin).json():
                response = client.post(f"/api/v1/hits/{notice['ref']}/release", headers=admin)
                assert response.status_code == 200
        hits = {h["other_agency"]: h for h in client.get("/api/v1/hits", headers=be).json()}
        assert "au-img" in hits["AU police"]["other_entity"]
        assert hits["AU police"]["other_handling"].startswith("H2")
        assert hits["FR police"]["other_entity"] is None  # H3: not before acknowledgement
        assert hits["FR police"]["restriction"] == RESTRICTION
        ref = hits["FR police"]["ref"]
        # the owner cannot acknowledge for the requester
        other = client.post(f"/api/v1/hits/{ref}/acknowledge",
                            headers=auth(tokens["FR police/agency_admin"]))  # fmt: skip
        assert other.status_code == 403
        response = client.post(f"/api/v1/hits/{ref}/acknowledge", headers=be)
        assert response.status_code == 200 and response.json()["acknowledged"] == RESTRICTION
        hits = {h["other_agency"]: h for h in client.get("/api/v1/hits", headers=be).json()}
        assert "fr-img" in hits["FR police"]["other_entity"]
        entries = AuditLog(store.engine).entries()
        store.engine.dispose()
    [ack] = [e for e in entries if e["subject"] == ref and e["action"] == "access"
             and "acknowledged" in str(e["detail"])]  # fmt: skip
    assert ack["actor"] == "BE analyst@BE police"
    # the restriction text is the provider's content: no audit entry carries it
    assert not [e for e in entries if RESTRICTION in str(e["detail"]) + str(e["subject"])]
    released = [e for e in entries if e["action"] == "disclosure" and e["subject"] == ref]
    assert released and released[0]["actor"] == "FR agency_admin@FR police"
