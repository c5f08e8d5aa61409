"""Every action is audited in its own transaction: no entry, no action (both engines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crosscheck.exc import InvalidData
from crosscheck.exchange import write_package
from crosscheck.model import Evaluation, Fingerprint, Handling
from crosscheck.service import casework, hub, messages, resolution, retention
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hub_store import HubStore
from tests.conftest import snapshot
from tests.helpers import contribution

H2 = Handling.model_validate({"code": "H2"})
B2 = Evaluation.model_validate({"source": "B", "information": "2"})
PAST = datetime.now(UTC).date() - timedelta(days=1)


def _put(
    store: CaseStore, settings: Settings, tmp_path: Path, cid: str, agency: str, country: str
) -> None:
    path = tmp_path / f"{cid}.zip"
    entity = f"{cid}-img"
    write_package(
        path,
        contribution(cid, provider={"name": agency, "country": country}, review_date=PAST),
        [{"id": entity, "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
        [Fingerprint(entity_id=entity, kind="md5", value="c" * 32)],
    )
    hub.ingest(store, path, settings, require_signature=False, background=True)


@pytest.fixture
def held(store: CaseStore, settings: Settings, tmp_path: Path) -> dict[str, str]:
    """Two agencies whose contributions hit each other, one hit recorded, one message sent."""
    for name, country in (("BE police", "BE"), ("AU police", "AU")):
        hub.add_agency(store, name, country, tmp_path / f"{country}.key")
    _put(store, settings, tmp_path, "be_1", "BE police", "BE")
    _put(store, settings, tmp_path, "au_1", "AU police", "AU")
    hub.cross_check(store, "be_1")
    ref = HubStore(store.engine).hits()[0].ref
    msg = messages.send(
        store, settings, sender="AU police", recipients=["BE police"], subject="s",
        body="benign", handling=H2, evaluation=B2,
    )  # fmt: skip
    return {"hit": ref, "message": msg}


Action = Callable[[CaseStore, Settings, Path, dict[str, str]], Any]
ACTIONS: dict[str, Action] = {
    "add_user": lambda s, c, t, _h: hub.add_user(
        s, "u", "examiner", "BE police", t / "u.tok", settings=c
    ),
    "add_agency": lambda s, _c, t, _h: hub.add_agency(s, "NL police", "NL", t / "NL.key"),
    "revoke_agency": lambda s, _c, _t, _h: hub.revoke_agency(s, "BE police"),
    "cross_check": lambda s, _c, _t, _h: hub.cross_check(s, "au_1"),
    "release": lambda s, _c, _t, h: hub.decide(s, h["hit"], "AU police", True),
    "decline": lambda s, _c, _t, h: hub.decide(s, h["hit"], "AU police", False),
    "justify": lambda s, _c, _t, _h: retention.justify(
        s, "be_1", datetime.now(UTC).date() + timedelta(days=9), "trial", "officer"
    ),
    "erase": lambda s, _c, _t, _h: retention.erase_due(s, "officer"),
    "export": lambda s, _c, t, _h: casework.export_contribution(s, "be_1", t / "out.zip"),
    "send": lambda s, c, _t, _h: messages.send(
        s,
        c,
        sender="BE police",
        recipients=["AU police"],
        subject="s",
        body="b",
        handling=H2,
        evaluation=B2,
    ),
    "acknowledge": lambda s, c, _t, h: messages.show(s, c, h["message"], "BE police"),
    "judge": lambda s, _c, _t, _h: resolution.judge(s, "a", "b", "confirm", "analyst"),
}
WRITTEN = {"add_user": "u.tok", "add_agency": "NL.key", "export": "out.zip"}


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_an_action_whose_audit_fails_is_not_done(
    name: str,
    store: CaseStore,
    settings: Settings,
    tmp_path: Path,
    held: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(store)

    def broken(*_: Any, **__: Any) -> str:
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(AuditLog, "append", broken)
    with pytest.raises(RuntimeError, match="audit log is down"):
        ACTIONS[name](store, settings, tmp_path, held)
    assert snapshot(store) == before
    if name in WRITTEN:
        assert not (tmp_path / WRITTEN[name]).exists()
    monkeypatch.undo()
    entries = len(AuditLog(store.engine).entries())
    ACTIONS[name](store, settings, tmp_path, held)  # works, and is audited, once the log is back
    assert len(AuditLog(store.engine).entries()) > entries
    assert AuditLog(store.engine).verify().ok


@pytest.mark.parametrize("name", ["justify", "erase", "judge"])
def test_an_actor_too_long_for_the_log_leaves_nothing_done(
    name: str, store: CaseStore, settings: Settings, tmp_path: Path, held: dict[str, str]
) -> None:
    before = snapshot(store)
    long = "x" * 300
    call: dict[str, Callable[[], Any]] = {
        "justify": lambda: retention.justify(
            store, "be_1", datetime.now(UTC).date() + timedelta(days=9), "trial", long
        ),
        "erase": lambda: retention.erase_due(store, long),
        "judge": lambda: resolution.judge(store, "a", "b", "confirm", long),
    }
    with pytest.raises(InvalidData):  # refused in the caller's words, before anything is done
        call[name]()
    assert snapshot(store) == before
