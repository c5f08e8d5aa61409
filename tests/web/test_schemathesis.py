"""Schemathesis against the hub's OpenAPI spec: no input makes the server fail (no 5xx)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.web.app import create_app


def _hub() -> tuple[Any, dict[str, str]]:
    home = Path(tempfile.mkdtemp(prefix="cc-schemathesis-"))
    config = Settings.from_env({"CROSSCHECK_HOME": str(home)})
    store = open_store(config, create=True)
    hub.add_agency(store, "BE police", "BE", home / "be.key")
    hub.add_user(store, "admin", "agency_admin", "BE police", home / "admin.token", settings=config)
    hub.add_user(store, "operator", "hub_operator", None, home / "operator.token", settings=config)
    tokens = {who: (home / f"{who}.token").read_text().strip() for who in ("admin", "operator")}
    store.engine.dispose()
    return create_app(config, worker=False), tokens


APP, TOKENS = _hub()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any) -> None:
    for who in ("admin", "operator", "nobody"):  # each role, and no valid token
        headers = {"Authorization": f"Bearer {TOKENS.get(who, 'cc_9_nothing')}"}
        response = case.call(headers=headers)
        assert response.status_code < 500, (who, case.method, case.path, response.text)


def test_the_spec_lists_every_route() -> None:
    paths = set(APP.openapi()["paths"])
    assert {"/api/v1/contributions", "/api/v1/hits", "/api/v1/inbox", "/api/v1/stats"} <= paths


def test_the_run_covers_request_bodies_and_uploads() -> None:
    """Schemathesis generates bodies only where the spec documents them: uploads and JSON."""
    spec = APP.openapi()["paths"]
    upload = spec["/api/v1/contributions"]["post"]["requestBody"]["content"]
    assert upload["application/octet-stream"]["schema"]["format"] == "binary"
    judgement = spec["/api/v1/resolution/judgements"]["post"]["requestBody"]["content"]
    assert "verdict" in judgement["application/json"]["schema"]["properties"]
