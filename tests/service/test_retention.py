"""Retention on both engines: due for review, justified keeping, erasure everywhere, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crosscheck.exc import InvalidData
from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub, retention
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.handling_store import HandlingStore
from crosscheck.store.hub_store import HubStore
from tests.helpers import contribution


def put(
    store: CaseStore, settings: Settings, tmp_path: Path, cid: str, agency: str, review: date
) -> None:
    path = tmp_path / f"{cid}.zip"
    entity = f"{cid}-img"
    write_package(
        path,
        contribution(cid, provider={"name": agency, "country": "BE"}, review_date=review),
        [{"id": entity, "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
        [Fingerprint(entity_id=entity, kind="md5", value="c" * 32)],
    )
    hub.ingest(store, path, settings, require_signature=False)


def test_due_justified_and_erased_everywhere(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    today = datetime.now(UTC).date()
    put(store, settings, tmp_path, "old_one", "A police", today - timedelta(days=1))
    put(store, settings, tmp_path, "kept_one", "A police", today - timedelta(days=2))
    put(store, settings, tmp_path, "new_one", "B police", today + timedelta(days=300))
    assert len(HubStore(store.engine).hits()) == 2  # B's contribution hit both of A's
    assert [c.id for c in retention.due(store)] == ["kept_one", "old_one"]

    with pytest.raises(InvalidData):
        retention.justify(store, "kept_one", today + timedelta(days=30), "  ", "operator")
    retention.justify(store, "kept_one", today + timedelta(days=30), "ongoing trial", "operator")
    assert [c.id for c in retention.due(store)] == ["old_one"]

    permissions = HandlingStore(store.engine)
    permissions.add("old_one", "judicial", "B police", "A admin", datetime.now(UTC))
    permissions.add("kept_one", "judicial", "B police", "A admin", datetime.now(UTC))
    erased = retention.erase_due(store, "operator")
    assert [(e.contribution_id, e.removed) for e in erased] == [
        (
            "old_one",
            {"hits": 1, "resolution": 0, "permissions": 1, "fingerprints": 1, "statements": 2},
        )
    ]
    assert [p.subject for p in permissions.permissions()] == ["kept_one"]
    assert {c.id for c in store.contributions()} == {"kept_one", "new_one"}
    assert list(store.statements(contribution_id="old_one")) == []
    assert [h.contribution_id for h in HubStore(store.engine).hits()] == ["new_one"]
    actions = [(e["action"], e["subject"]) for e in AuditLog(store.engine).entries()]
    assert ("erasure", "old_one") in actions and ("alteration", "kept_one") in actions
    assert AuditLog(store.engine).verify().ok
