"""The hub on both engines: signatures, cross-checking, hit/no-hit, need to know, audit."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from crosscheck.exc import Forbidden, InvalidData, InvalidPackage
from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Fingerprint
from crosscheck.model.keys import qualify
from crosscheck.service import hub
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hub_store import HubStore
from tests.conftest import snapshot
from tests.helpers import contribution, rewrite

SHARED_MD5 = "5" * 32
SHARED_PDQ = "f0" * 32
NEAR_PDQ = "f0" * 31 + "f3"  # 2 bits away


def package(
    tmp_path: Path, name: str, agency: str, country: str, cid: str,
    entities: list[dict[str, Any]], prints: list[Fingerprint],
) -> Path:  # fmt: skip
    path = tmp_path / f"{name}.zip"
    item = contribution(cid, provider={"name": agency, "country": country})
    write_package(path, item, entities, prints)
    return path


@pytest.fixture
def agencies(store: CaseStore, tmp_path: Path) -> dict[str, Path]:
    keys = {}
    for name, country in (("BE police", "BE"), ("FR police", "FR"), ("AU police", "AU")):
        key = tmp_path / "keys" / f"{country}.key"
        hub.add_agency(store, name, country, key)
        keys[name] = key
    return keys


def belgian(tmp_path: Path) -> list[Any]:
    return [
        [
            {"id": "be-video", "schema": "Video", "properties": {"fileName": ["a.mp4"]}},
            {"id": "be-img", "schema": "Image", "properties": {"fileName": ["b.jpg"]}},
            {
                "id": "be-person",
                "schema": "Person",
                "properties": {"name": ["X"], "email": ["Shared@Mail.example"]},
            },
            {
                "id": "be-acc",
                "schema": "UserAccount",
                "properties": {"username": ["Nick_01"], "service": ["forum.example"]},
            },
        ],
        [
            Fingerprint(entity_id="be-video", kind="md5", value=SHARED_MD5),
            Fingerprint(entity_id="be-img", kind="pdq", value=SHARED_PDQ, quality=90),
        ],
    ]


def australian() -> list[Any]:
    return [
        [
            {"id": "au-video", "schema": "Video", "properties": {"fileName": ["c.mp4"]}},
            {"id": "au-img", "schema": "Image", "properties": {"fileName": ["d.jpg"]}},
            {
                "id": "au-person",
                "schema": "Person",
                "properties": {"email": ["shared@mail.example"]},
            },
            {
                "id": "au-acc",
                "schema": "UserAccount",
                "properties": {"username": ["nick_01"], "service": ["Forum.example"]},
            },
        ],
        [
            Fingerprint(entity_id="au-video", kind="md5", value=SHARED_MD5),
            Fingerprint(entity_id="au-img", kind="pdq", value=NEAR_PDQ, quality=90),
        ],
    ]


def signed(path: Path, key: Path, agency: str) -> Path:
    sign_package(path, load_key(key), agency)
    return path


def test_signed_ingest_and_cross_check_with_need_to_know(
    store: CaseStore, settings: Settings, agencies: dict[str, Path], tmp_path: Path
) -> None:
    be = signed(
        package(tmp_path, "be", "BE police", "BE", "be_2015_1", *belgian(tmp_path)),
        agencies["BE police"],
        "BE police",
    )
    first = hub.ingest(store, be, settings, require_signature=True)
    assert first.signed_by and first.hits == 0
    au = signed(
        package(tmp_path, "au", "AU police", "AU", "au_2024_9", *australian()),
        agencies["AU police"],
        "AU police",
    )
    second = hub.ingest(store, au, settings, require_signature=True)
    assert second.hits == 4  # md5, pdq, email, account

    mine = hub.hits_for(store, "AU police")
    au_id, be_id = second.imported.result.contribution_id, first.imported.result.contribution_id
    assert {(h.signal, h.own_entity, h.other_agency) for h in mine} == {
        ("md5", qualify(au_id, "au-video"), "BE police"),
        ("pdq", qualify(au_id, "au-img"), "BE police"),
        ("email", qualify(au_id, "au-person"), "BE police"),
        ("account", qualify(au_id, "au-acc"), "BE police"),
    }
    assert all(h.other_entity is None and h.status == "pending" for h in mine)  # hit/no-hit only
    inbox = hub.inbox_for(store, "BE police")
    assert {h.own_entity for h in inbox} == {
        qualify(be_id, e) for e in ("be-video", "be-img", "be-person", "be-acc")
    }
    assert hub.hits_for(store, "FR police") == [] and hub.inbox_for(store, "FR police") == []

    ref = next(h.ref for h in mine if h.signal == "md5")
    with pytest.raises(Forbidden):
        hub.decide(store, ref, "AU police", release=True)  # only the owner decides
    with pytest.raises(Forbidden):
        hub.decide(store, ref, "FR police", release=True)
    hub.decide(store, ref, "BE police", release=True)
    after = {h.ref: h for h in hub.hits_for(store, "AU police")}
    assert after[ref].status == "released"
    assert after[ref].other_entity == qualify(be_id, "be-video")
    assert all(h.other_entity is None for r, h in after.items() if r != ref)
    assert hub.verify_audit(store)[1]


def test_signatures_refused(
    store: CaseStore, settings: Settings, agencies: dict[str, Path], tmp_path: Path
) -> None:
    entities, prints = belgian(tmp_path)
    before = snapshot(store)
    # signed with another agency's key
    wrong = package(tmp_path, "wrong", "BE police", "BE", "be_1", entities, prints)
    with pytest.raises(InvalidData, match=r"the package.s provider is BE police, not FR police"):
        signed(wrong, agencies["FR police"], "FR police")
    # unsigned, where the hub requires signatures
    with pytest.raises(InvalidPackage, match="not signed"):
        hub.ingest(store, wrong, settings, require_signature=True)
    # an altered member: the signature no longer matches the (re-computed) manifest
    good = signed(
        package(tmp_path, "good", "BE police", "BE", "be_2", entities, prints),
        agencies["BE police"],
        "BE police",
    )
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "manifest.json":
                data = data.replace(b'"purpose": "test"', b'"purpose": "tset"')
            target.writestr(info.filename, data)
    with pytest.raises(InvalidPackage, match="another manifest"):
        hub.ingest(store, altered, settings, require_signature=True)
    # replay: a valid signature moved onto another package
    other = package(tmp_path, "other", "BE police", "BE", "be_3", entities, prints)
    with zipfile.ZipFile(good) as source:
        stolen = source.read("signature.json")
    with zipfile.ZipFile(other, "a") as target:
        target.writestr("signature.json", stolen)
    with pytest.raises(InvalidPackage, match="another manifest"):
        hub.ingest(store, other, settings, require_signature=True)
    # a revoked agency
    hub.revoke_agency(store, "BE police")
    with pytest.raises(InvalidPackage, match="revoked"):
        hub.ingest(store, good, settings, require_signature=True)
    assert {k: v for k, v in snapshot(store).items() if k != "audit" and k != "agency_key"} == {
        k: v for k, v in before.items() if k != "audit" and k != "agency_key"
    }


def test_same_signed_package_twice_is_idempotent(
    store: CaseStore, settings: Settings, agencies: dict[str, Path], tmp_path: Path
) -> None:
    be = signed(
        package(tmp_path, "be", "BE police", "BE", "be_2015_1", *belgian(tmp_path)),
        agencies["BE police"],
        "BE police",
    )
    hub.ingest(store, be, settings, require_signature=True)
    again = hub.ingest(store, be, settings, require_signature=True)
    assert not again.imported.result.created


def test_audit_chain_finds_changed_removed_and_reordered_entries(store: CaseStore) -> None:
    log = AuditLog(store.engine)
    for i in range(5):
        log.append("tester", "access", f"thing-{i}", {"n": i})
    assert log.verify().ok and log.verify().entries == 5
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit SET subject = 'tampered' WHERE id = 3"))
    assert "entry 3 was changed" in (log.verify().problem or "")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit SET subject = 'thing-2' WHERE id = 3"))
    assert log.verify().ok
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit WHERE id = 2"))
    assert "missing" in (log.verify().problem or "")


def test_audit_reorder_is_found(store: CaseStore) -> None:
    log = AuditLog(store.engine)
    for i in range(3):
        log.append("tester", "access", f"thing-{i}", {})
    with store.engine.begin() as conn:
        rows = conn.execute(
            text("SELECT id, subject, hash, prev_hash FROM audit ORDER BY id")
        ).all()
        conn.execute(
            text("UPDATE audit SET subject = :s, hash = :h, prev_hash = :p WHERE id = 1"),
            {"s": rows[1].subject, "h": rows[1].hash, "p": rows[1].prev_hash},
        )
        conn.execute(
            text("UPDATE audit SET subject = :s, hash = :h, prev_hash = :p WHERE id = 2"),
            {"s": rows[0].subject, "h": rows[0].hash, "p": rows[0].prev_hash},
        )
    assert not log.verify().ok


def test_a_rewritten_member_under_a_valid_signature_is_refused(
    store: CaseStore, settings: Settings, agencies: dict[str, Path], tmp_path: Path
) -> None:
    good = signed(
        package(tmp_path, "g", "BE police", "BE", "be_9", *belgian(tmp_path)),
        agencies["BE police"],
        "BE police",
    )
    bad = rewrite(
        good,
        tmp_path / "bad.zip",
        lambda n, d: d.replace(b"a.mp4", b"z.mp4") if n == "entities.ftm.jsonl" else d,
    )
    with pytest.raises(InvalidPackage, match="SHA-256 does not match"):
        hub.ingest(store, bad, settings, require_signature=True)


def _frames(entity: str, hashes: list[str]) -> list[Fingerprint]:
    return [
        Fingerprint(entity_id=entity, kind="vpdq-frame", value=h, quality=90, frame=i, ts=float(i))
        for i, h in enumerate(hashes)
    ]


def _flip(value: str, bits: int, seed: int) -> str:
    import random

    number = int(value, 16)
    for bit in random.Random(seed).sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


def test_videos_cross_check_by_their_frames(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    import random

    rng = random.Random(5)
    video = [f"{rng.getrandbits(256):064x}" for _ in range(10)]
    other = [f"{rng.getrandbits(256):064x}" for _ in range(10)]
    reencoded = [_flip(h, 8, i) for i, h in enumerate(video)]  # a re-encoded copy: few bits move
    partial = video[:3] + other[:7]  # shares 3 of 10 frames: under 80 %, not the same video
    for cid, agency, frames in (
        ("be_video", "BE police", _frames("v-be", video)),
        ("fr_video", "FR police", _frames("v-fr", other) + _frames("v-partial", partial)),
        ("au_video", "AU police", _frames("v-au", reencoded)),
    ):
        path = tmp_path / f"{cid}.zip"
        country = agency[:2]
        entities = sorted({f.entity_id for f in frames})
        write_package(
            path,
            contribution(cid, provider={"name": agency, "country": country}),
            [
                {"id": e, "schema": "Video", "properties": {"fileName": [f"{e}.mp4"]}}
                for e in entities
            ],
            frames,
        )
        hub.ingest(store, path, settings, require_signature=False)
    hits = [(h.signal, h.entity_id, h.other_entity_id) for h in HubStore(store.engine).hits()]
    assert ("vpdq", qualify("au_video", "v-au"), qualify("be_video", "v-be")) in hits
    fr = (qualify("fr_video", "v-partial"), qualify("fr_video", "v-fr"))
    assert not [h for h in hits if set(h) & set(fr)]


def test_collection_is_audited_in_the_import_transaction(
    store: CaseStore, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "atomic.zip"
    write_package(path, contribution("atomic_1"), [], [])
    before = snapshot(store)

    def broken(*_: Any, **__: Any) -> str:
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(AuditLog, "append", broken)
    with pytest.raises(RuntimeError):
        hub.ingest(store, path, settings, require_signature=False, background=True)
    assert snapshot(store) == before  # no contribution, no job without its audit entry
    monkeypatch.undo()
    hub.ingest(store, path, settings, require_signature=False, background=True)
    entries = [(e["action"], e["subject"]) for e in AuditLog(store.engine).entries()]
    assert ("collection", "atomic_1") in entries
