"""Web fixtures: a hub with three agencies, each with every role, and a hub operator."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.web.app import create_app

AGENCIES = {"BE police": "BE", "FR police": "FR", "AU police": "AU"}


@pytest.fixture
def hub_env(
    settings: Settings, tmp_path: Path
) -> tuple[TestClient, dict[str, str], dict[str, Path]]:
    store = open_store(settings, create=True)
    tokens, keys = {}, {}
    for name, country in AGENCIES.items():
        keys[name] = tmp_path / f"{country}.key"
        hub.add_agency(store, name, country, keys[name])
        for role in ("examiner", "analyst", "agency_admin"):
            out = tmp_path / f"{country}-{role}.token"
            hub.add_user(store, f"{country} {role}", role, name, out, settings=settings)
            tokens[f"{name}/{role}"] = out.read_text().strip()
    out = tmp_path / "operator.token"
    hub.add_user(store, "operator", "hub_operator", None, out, settings=settings)
    tokens["operator"] = out.read_text().strip()
    store.engine.dispose()
    client = TestClient(create_app(settings, worker=False))
    return client, tokens, keys


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
