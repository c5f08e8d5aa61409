"""Revoking an agency or a user stops its tokens at once, through the API, on both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crosscheck.exc import Conflict
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from tests.conftest import snapshot
from tests.web.conftest import auth
from tests.web.test_api import signed_package

Env = tuple[TestClient, dict[str, str], dict[str, Path]]


def _unchanged_but_failed_logins(store: CaseStore, before: dict[str, list[Any]]) -> None:
    """Nothing changed but, perhaps, audit entries of refused logins (never a disclosure)."""
    after = snapshot(store)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert set(before["audit"]) <= set(after["audit"])
    new = AuditLog(store.engine).entries()[len(before["audit"]) :]
    assert all(e["action"] not in ("disclosure", "key", "alteration") for e in new), new


def _run_jobs(settings: Settings) -> None:
    store = open_store(settings)
    hub.run_jobs(store)
    store.engine.dispose()


def test_agency_revoke_stops_every_token_of_the_agency(
    hub_env: Env, settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env
    with client:
        for agency in ("BE police", "AU police"):
            body = signed_package(
                tmp_path, agency, keys[agency], agency[:2].lower() + "_1", "c" * 64
            )
            sent = client.post(
                "/api/v1/contributions", content=body, headers=auth(tokens[f"{agency}/examiner"])
            )
            assert sent.status_code == 201, sent.text
        _run_jobs(settings)
        be_admin = auth(tokens["BE police/agency_admin"])
        ref = client.get("/api/v1/inbox", headers=be_admin).json()[0]["ref"]

        store = open_store(settings)
        hub.revoke_agency(store, "BE police")
        before = snapshot(store)
        refused = client.post(f"/api/v1/hits/{ref}/release", headers=be_admin)
        assert refused.status_code == 401
        _unchanged_but_failed_logins(store, before)  # nothing released
        for role in ("examiner", "analyst", "agency_admin"):
            who = auth(tokens[f"BE police/{role}"])
            assert client.get("/api/v1/contributions", headers=who).status_code == 401
        # the other agencies and the operator keep working
        au_hits = client.get("/api/v1/hits", headers=auth(tokens["AU police/analyst"]))
        assert au_hits.status_code == 200
        assert [(h["other_agency"], h["other_entity"]) for h in au_hits.json()] == [
            ("BE police", None)
        ]
        fr = client.get("/api/v1/contributions", headers=auth(tokens["FR police/analyst"]))
        assert fr.status_code == 200
        assert client.get("/api/v1/stats", headers=auth(tokens["operator"])).status_code == 200

        # a revoked agency gets no new user until it has a new key; then the old tokens stay dead
        with pytest.raises(Conflict, match="revoked"):
            hub.add_user(
                store,
                "late",
                "agency_admin",
                "BE police",
                tmp_path / "late.token",
                settings=settings,
            )
        assert not (tmp_path / "late.token").exists()
        hub.add_agency(store, "BE police", "BE", tmp_path / "be-new.key")
        hub.add_user(
            store,
            "new admin",
            "agency_admin",
            "BE police",
            tmp_path / "new.token",
            settings=settings,
        )
        new_admin = auth((tmp_path / "new.token").read_text().strip())
        assert client.post(f"/api/v1/hits/{ref}/release", headers=be_admin).status_code == 401
        assert client.get("/api/v1/inbox", headers=new_admin).status_code == 200
        store.engine.dispose()


def test_user_revoke_stops_that_user_only(hub_env: Env, settings: Settings, tmp_path: Path) -> None:
    client, tokens, keys = hub_env
    with client:
        for agency in ("BE police", "AU police"):
            body = signed_package(
                tmp_path, agency, keys[agency], agency[:2].lower() + "_1", "d" * 64
            )
            sent = client.post(
                "/api/v1/contributions", content=body, headers=auth(tokens[f"{agency}/examiner"])
            )
            assert sent.status_code == 201, sent.text
        _run_jobs(settings)
        be_admin = auth(tokens["BE police/agency_admin"])
        ref = client.get("/api/v1/inbox", headers=be_admin).json()[0]["ref"]
        store = open_store(settings)
        revoked = hub.revoke_user(store, "BE agency_admin", agency="BE police")
        assert (revoked.name, revoked.agency) == ("BE agency_admin", "BE police")
        before = snapshot(store)
        assert client.post(f"/api/v1/hits/{ref}/release", headers=be_admin).status_code == 401
        _unchanged_but_failed_logins(store, before)
        be_examiner = auth(tokens["BE police/examiner"])
        assert client.get("/api/v1/contributions", headers=be_examiner).status_code == 200
        au_admin = auth(tokens["AU police/agency_admin"])
        assert client.get("/api/v1/inbox", headers=au_admin).status_code == 200
        store.engine.dispose()
