"""The operator reads the audit log: a full hub flow writes metadata there, never content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Evaluation, Fingerprint, Handling
from crosscheck.service import casework, hub, messages, resolution, retention
from crosscheck.service.access import audit_read
from crosscheck.service.graph import link_graph
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hub_store import HubStore
from tests.helpers import contribution

SHARED_MD5 = "5" * 32
MARKERS = {
    "name": "Zorblatt Quimbleforth",
    "email": "zorblatt.quimble@mail.example",
    "username": "quimble_zorb_77",
    "file": "zorblatt-holiday.jpg",
    "case": "ZORB/CASE/0042",
    "subject": "Zorblatt lead subject",
    "body": "Zorblatt message body text",
    "attachment": "zorblatt-notes.txt",
    "attachment_text": "zorblatt attachment text",
    "note": "zorblatt judgement note",
    "handling": "zorblatt handling note",
    "message_handling": "zorblatt message handling",
}
H3 = Handling.model_validate({"code": "H3", "note": MARKERS["message_handling"]})
B2 = Evaluation.model_validate({"source": "B", "information": "2"})


def _signed(tmp_path: Path, agency: str, country: str, cid: str, key: Path, past: bool) -> Path:
    path = tmp_path / f"{cid}.zip"
    extra: dict[str, Any] = {
        "case_reference": MARKERS["case"],
        "handling": {"code": "H3", "note": MARKERS["handling"]},
    }
    if past:
        extra["review_date"] = datetime.now(UTC).date() - timedelta(days=1)
    entities = [
        {"id": f"{cid}-img", "schema": "Image", "properties": {"fileName": [MARKERS["file"]]}},
        {
            "id": f"{cid}-person",
            "schema": "Person",
            "properties": {"name": [MARKERS["name"]], "email": [MARKERS["email"]]},
        },
        {
            "id": f"{cid}-acc",
            "schema": "UserAccount",
            "properties": {"username": [MARKERS["username"]], "service": ["forum.example"]},
        },
    ]
    write_package(
        path,
        contribution(cid, provider={"name": agency, "country": country}, **extra),
        entities,
        [Fingerprint(entity_id=f"{cid}-img", kind="md5", value=SHARED_MD5)],
    )
    sign_package(path, load_key(key), agency)
    return path


def test_a_full_hub_flow_writes_no_content_to_the_audit_log(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    keys = {}
    for name, country in (("BE police", "BE"), ("AU police", "AU")):
        keys[name] = tmp_path / f"{country}.key"
        hub.add_agency(store, name, country, keys[name])
    hub.add_user(store, "be analyst", "analyst", "BE police", tmp_path / "t", settings=settings)
    be = _signed(tmp_path, "BE police", "BE", "be_9", keys["BE police"], past=True)
    au = _signed(tmp_path, "AU police", "AU", "au_9", keys["AU police"], past=False)
    hub.ingest(store, be, settings, require_signature=True)
    assert hub.ingest(store, au, settings, require_signature=True).hits >= 3
    hub.hits_for(store, "AU police")
    ref = hub.inbox_for(store, "BE police")[0].ref
    hub.decide(store, ref, "BE police", release=True)
    hub.hits_for(store, "AU police")
    casework.export_contribution(store, "au_9", tmp_path / "out.zip")
    attachment = tmp_path / MARKERS["attachment"]
    attachment.write_text(MARKERS["attachment_text"])
    sent = messages.send(
        store,
        settings,
        sender="AU police",
        recipients=["BE police"],
        subject=MARKERS["subject"],
        body=MARKERS["body"],
        handling=H3,
        evaluation=B2,
        attachments=[attachment],
    )
    messages.show(store, settings, sent, "BE police")
    link_graph(store, "AU police")
    audit_read(store, "AU police", "entities", {"schema": "Person"})
    run = resolution.resolve_store(store, resolution.ResolveOptions(), "AU police")
    ids = [row["id"] for row in run.rows]
    resolution.judge(
        store, ids[0], ids[1], "reject", "au analyst", MARKERS["note"], scope="AU police"
    )
    retention.justify(
        store, "au_9", datetime.now(UTC).date() + timedelta(days=30), "ongoing trial", "operator"
    )
    assert [e.contribution_id for e in retention.erase_due(store, "operator")] == ["be_9"]
    assert HubStore(store.engine).hits() == []

    entries = AuditLog(store.engine).entries()
    actions = {e["action"] for e in entries}
    assert {"collection", "combination", "disclosure", "access", "key", "erasure"} <= actions
    assert {"alteration"} <= actions
    written = orjson.dumps(
        [[e["actor"], e["action"], e["subject"], e["detail"]] for e in entries]
    ).decode()
    assert written.count("au_9") > 1  # ids are there: the check would see a value written
    found = {k: v for k, v in MARKERS.items() if v.casefold() in written.casefold()}
    assert found == {}
