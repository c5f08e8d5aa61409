"""Hit notices an owner can act on (issue 12), on both engines.

One notice per (requesting item, owning agency), carrying every matched item
strongest first; decided as a whole or item by item; identifier hits once per
value; items shown by their captions, the other side's only once released.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from crosscheck.exc import Forbidden
from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.helpers import contribution

BASE_PDQ = "9c3a" * 16
EXACT = "e" * 64


def _flip_first(value: str, bits: int) -> str:
    """``value`` with its lowest ``bits`` bits flipped: exactly ``bits`` away."""
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


def _ingest(
    store: CaseStore, settings: Settings, tmp_path: Path, agency: str, country: str, cid: str,
    entities: list[dict[str, Any]], prints: list[Fingerprint],
) -> str:  # fmt: skip
    path = tmp_path / f"{cid}.zip"
    item = contribution(cid, provider={"name": agency, "country": country})
    write_package(path, item, entities, prints)
    done = hub.ingest(store, path, settings, require_signature=False)
    return done.imported.result.contribution_id


@pytest.fixture
def near_duplicates(store: CaseStore, settings: Settings, tmp_path: Path) -> str:
    """BE holds an exact copy and 25 near duplicates of one AU file; AU submits after."""
    entities = [
        {"id": f"be-{i}", "schema": "Image",
         "properties": {"fileName": [f"seized/be-secret-{i}.jpg"]}}
        for i in range(26)
    ]  # fmt: skip
    prints = [Fingerprint(entity_id="be-0", kind="sha256", value=EXACT)]
    prints += [
        Fingerprint(entity_id=f"be-{i}", kind="pdq", value=_flip_first(BASE_PDQ, i), quality=90)
        for i in range(26)
    ]
    _ingest(store, settings, tmp_path, "BE police", "BE", "be_c", entities, prints)
    mine = [{"id": "au-1", "schema": "Image", "properties": {"fileName": ["phone/DCIM/au.jpg"]}}]
    au_prints = [
        Fingerprint(entity_id="au-1", kind="sha256", value=EXACT),
        Fingerprint(entity_id="au-1", kind="pdq", value=BASE_PDQ, quality=90),
    ]
    return _ingest(store, settings, tmp_path, "AU police", "AU", "au_c", mine, au_prints)


def test_near_duplicates_are_one_notice_strongest_first(
    store: CaseStore, near_duplicates: str
) -> None:
    assert len(hub.hits_for(store, "AU police")) == 27  # the per-signal detail stays
    [notice] = hub.notices_for(store, "AU police")
    assert notice.other_agency == "BE police" and notice.status == "pending"
    assert notice.own_caption == "phone/DCIM/au.jpg" and notice.own_schema == "Image"
    assert notice.hits == 27 and len(notice.items) == 26
    assert (notice.signal, notice.distance) == ("sha256", 0)
    first = notice.items[0]
    assert set(first.signals) == {"sha256", "pdq"} and len(first.refs) == 2
    assert [i.distance for i in notice.items[1:]] == list(range(1, 26))
    # the requester sees no unreleased item: no caption, no id
    shown = json.dumps([asdict(n) for n in hub.notices_for(store, "AU police")])
    assert "be-secret" not in shown and "be_c." not in shown
    [owned] = hub.notice_inbox_for(store, "BE police")
    assert owned.ref == notice.ref and owned.other_agency == "AU police"
    assert owned.own_caption is None  # the requesting item is not the owner's
    assert [i.caption for i in owned.items][:2] == [
        "seized/be-secret-0.jpg",
        "seized/be-secret-1.jpg",
    ]
    assert all(i.schema == "Image" for i in owned.items)


def test_declining_the_notice_declines_every_pending_hit(
    store: CaseStore, near_duplicates: str
) -> None:
    [notice] = hub.notice_inbox_for(store, "BE police")
    decided = hub.decide_notice(store, notice.ref, "BE police", release=False)
    assert decided.status == "declined" and len(decided.items) == 26
    assert {h.status for h in hub.hits_for(store, "AU police")} == {"declined"}
    with pytest.raises(Forbidden):
        hub.decide_notice(store, notice.ref, "AU police", release=True)  # not the owner


def test_releasing_one_item_leaves_the_others_pending(
    store: CaseStore, near_duplicates: str
) -> None:
    [notice] = hub.notice_inbox_for(store, "BE police")
    third = notice.items[2]
    hub.decide(store, third.ref, "BE police", release=True)
    [seen] = hub.notices_for(store, "AU police")
    assert seen.status == "partly released"
    released = [i for i in seen.items if i.status == "released"]
    assert [i.caption for i in released] == ["seized/be-secret-2.jpg"]
    assert all(i.caption is None and i.entity is None for i in seen.items if i is not released[0])
    assert sum(i.status == "pending" for i in seen.items) == 25
    # the per-hit view shows the released item by its caption too
    by_ref = {h.ref: h for h in hub.hits_for(store, "AU police")}
    assert by_ref[third.ref].other_caption == "seized/be-secret-2.jpg"
    assert by_ref[notice.items[3].ref].other_caption is None


def test_a_shared_phone_is_one_hit_whoever_holds_it(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    def people(tag: str, name: str) -> list[dict[str, Any]]:
        return [
            {"id": f"{tag}-p", "schema": "Person",
             "properties": {"name": [name], "phone": ["+34 612 345 678"]}},
            {"id": f"{tag}-a", "schema": "UserAccount",
             "properties": {"username": [f"user_{tag}"], "phone": ["+34612345678"]}},
        ]  # fmt: skip

    _ingest(store, settings, tmp_path, "BE police", "BE", "be_p", people("be", "Ana Be"), [])
    _ingest(store, settings, tmp_path, "AU police", "AU", "au_p", people("au", "Bo Au"), [])
    [one] = hub.hits_for(store, "AU police")
    assert one.signal == "phone" and one.own_caption in ("Bo Au", "user_au")
    [notice] = hub.notices_for(store, "AU police")
    assert len(notice.items) == 1 and notice.items[0].signals == ["phone"]
    [owned] = hub.notice_inbox_for(store, "BE police")
    assert owned.items[0].caption in ("Ana Be", "user_be")


def test_hit_views_carry_captions(store: CaseStore, near_duplicates: str) -> None:
    views = hub.hits_for(store, "AU police")
    assert {(v.own_caption, v.own_schema) for v in views} == {("phone/DCIM/au.jpg", "Image")}
    inbox = hub.inbox_for(store, "BE police")
    assert {v.own_caption for v in inbox} == {f"seized/be-secret-{i}.jpg" for i in range(26)}
