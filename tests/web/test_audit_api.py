"""What the hub audits over HTTP (both engines): refusals, failed logins, reads; the audit API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from crosscheck.web.auth import FailedAuthentication, credential_id
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth

Env = tuple[TestClient, dict[str, str], dict[str, Path]]
MARKER = "MARKER-REFUSED-4711"


def _entries(settings: Settings) -> list[dict[str, Any]]:
    store = open_store(settings)
    try:
        return AuditLog(store.engine).entries()
    finally:
        store.engine.dispose()


def _package(tmp_path: Path, agency: str, key: Path, cid: str, props: dict[str, Any]) -> bytes:
    path = tmp_path / f"{cid}.zip"
    write_package(
        path,
        contribution(cid, provider={"name": agency, "country": AGENCIES[agency]}),
        [{"id": f"{cid}-p", "schema": "Person", "properties": props}],
        [],
    )
    sign_package(path, load_key(key), agency)
    return path.read_bytes()


def test_failed_authentication_is_audited_without_the_secret(
    hub_env: Env, settings: Settings
) -> None:
    client, _, _ = hub_env
    with client:
        assert client.get("/api/v1/hits").status_code == 401
        bad = client.get("/api/v1/hits", headers=auth("cc_3_not-the-secret-xyz"))
        assert bad.status_code == 401
        junk = client.get("/api/v1/hits", headers=auth("x" * 5000))
        assert junk.status_code == 401
    failed = [e for e in _entries(settings) if e["action"] == "authentication"]
    assert [json.loads(e["detail"]).get("credential") for e in failed] == [None, 3, None]
    assert all(e["actor"] == "unauthenticated" for e in failed)
    text = json.dumps([dict(e, at=str(e["at"])) for e in _entries(settings)])
    assert "not-the-secret" not in text and "xxxxxxxx" not in text
    store = open_store(settings)
    assert AuditLog(store.engine).verify().ok
    store.engine.dispose()


def test_failed_authentication_entries_are_rate_limited(hub_env: Env, settings: Settings) -> None:
    client, _, _ = hub_env
    with client:
        for _ in range(200):
            assert client.get("/api/v1/hits", headers=auth("cc_9_guess")).status_code == 401
    failed = [e for e in _entries(settings) if e["action"] == "authentication"]
    assert 0 < len(failed) < 200
    # what was not written one by one is counted on an entry
    assert sum(1 + json.loads(e["detail"]).get("suppressed", 0) for e in failed) <= 200


def test_a_refused_package_is_audited_with_submitter_and_reason_not_content(
    hub_env: Env, settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env
    body = _package(tmp_path, "BE police", keys["BE police"], "be_bad", {"birthDate": [MARKER]})
    with client:
        response = client.post(
            "/api/v1/contributions", content=body, headers=auth(tokens["BE police/examiner"])
        )
        assert response.status_code == 400
        assert MARKER in response.text  # the submitter is told which value
    refusals = [e for e in _entries(settings) if e["action"] == "refusal"]
    assert len(refusals) == 1
    assert refusals[0]["actor"].endswith("BE police") or "BE police" in refusals[0]["actor"]
    detail = json.loads(refusals[0]["detail"])
    assert detail["error"] == "InvalidPackage" and detail["status"] == 400
    assert MARKER not in json.dumps([dict(e, at=str(e["at"])) for e in _entries(settings)])


def test_contribution_list_and_resolution_reads_are_audited(
    hub_env: Env, settings: Settings
) -> None:
    client, tokens, _ = hub_env
    with client:
        headers = auth(tokens["BE police/analyst"])
        assert client.get("/api/v1/contributions", headers=headers).status_code == 200
        assert client.get("/api/v1/resolution/judgements", headers=headers).status_code == 200
        assert client.get("/api/v1/resolution/links?record=r1", headers=headers).status_code == 404
    reads = [(e["action"], e["subject"]) for e in _entries(settings) if e["action"] == "access"]
    assert ("access", "contributions") in reads
    assert ("access", "resolution judgements") in reads
    assert ("access", "resolution links") in reads


def test_the_operator_reads_the_audit_log_with_filters(hub_env: Env, settings: Settings) -> None:
    client, tokens, _ = hub_env
    with client:
        client.get("/api/v1/hits", headers=auth(tokens["BE police/examiner"]))
        client.get("/api/v1/inbox", headers=auth(tokens["FR police/examiner"]))
        operator = auth(tokens["operator"])
        examiner = auth(tokens["BE police/examiner"])
        assert client.get("/api/v1/audit", headers=examiner).status_code == 403
        everything = client.get("/api/v1/audit", headers=operator).json()
        assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
        assert {"id", "at", "actor", "action", "subject", "detail"} <= set(everything[0])
        access = client.get("/api/v1/audit?action=access", headers=operator).json()
        assert access and {e["action"] for e in access} == {"access"}
        last = everything[-1]["actor"]
        by_actor = client.get("/api/v1/audit", params={"actor": last}, headers=operator)
        assert {e["actor"] for e in by_actor.json()} == {last}
        page = client.get("/api/v1/audit?limit=2", headers=operator).json()
        after = client.get(f"/api/v1/audit?after={page[-1]['id']}&limit=2", headers=operator)
        assert [e["id"] for e in page + after.json()] == [e["id"] for e in everything[:4]]
        assert client.get("/api/v1/audit?action=nonsense", headers=operator).status_code == 400
        assert client.get("/api/v1/audit?since=yesterday", headers=operator).status_code == 422


def test_the_failed_authentication_limit_carries_the_count_to_the_next_minute() -> None:
    written: list[tuple[str, int | None, int]] = []
    now = [0.0]
    limiter = FailedAuthentication(
        lambda path, cid, n: written.append((path, cid, n)), per_minute=2, clock=lambda: now[0]
    )
    for token in ("cc_1_a", "cc_2_b", "cc_3_c", None, "cc_x_y"):
        limiter.record("/api/v1/hits", token)
    assert written == [("/api/v1/hits", 1, 0), ("/api/v1/hits", 2, 0)]
    now[0] = 61.0
    limiter.record("/p" * 300, "cc_44_zz")
    assert written[-1] == ("/p" * 100, 44, 3)  # three failures were counted, not written
    assert credential_id("cc_" + "9" * 19 + "_s") is None and credential_id("cc_7_") == 7
