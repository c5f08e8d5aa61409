"""The hub's indexes kept in step with the store, on both engines.

PDQ and vPDQ hits equal brute force over what the store holds, after adds and
erasures, after the index folder is reopened by another process and after it
is deleted; an erased contribution leaves every index (PDQ, frames,
identifiers, exact hashes).
"""

from __future__ import annotations

import random
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crosscheck.exchange import write_package
from crosscheck.index.hamming import brute_force, from_hex
from crosscheck.index.pdq_folder import PdqFolder
from crosscheck.model import Fingerprint
from crosscheck.model.keys import qualify
from crosscheck.service import hub, pdq_holding
from crosscheck.service.casework import import_package, open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.hub_store import HubStore
from crosscheck.store.index_feed import IndexFeed
from crosscheck.store.tables import identifier_key, index_feed
from tests.helpers import contribution

AGENCIES = (("BE police", "BE"), ("FR police", "FR"), ("AU police", "AU"))


def flip(value: str, bits: int, rng: random.Random) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


def add(store: CaseStore, settings: Settings, tmp: Path, cid: str, agency: int,
        hashes: list[str], email: str, md5: str) -> None:  # fmt: skip
    name, country = AGENCIES[agency]
    entities = [
        {"id": f"img{i}", "schema": "Image", "properties": {"fileName": [f"{i}.jpg"]}}
        for i in range(len(hashes))
    ]
    entities.append({"id": "p", "schema": "Person", "properties": {"email": [email]}})
    entities.append({"id": "v", "schema": "Video", "properties": {"fileName": ["v.mp4"]}})
    prints = [
        Fingerprint(entity_id=f"img{i}", kind="pdq", value=h, quality=90)
        for i, h in enumerate(hashes)
    ]
    prints.append(Fingerprint(entity_id="img0", kind="md5", value=md5))
    prints.extend(  # a video: frames of the first hashes, seen by every agency
        Fingerprint(entity_id="v", kind="vpdq-frame", value=h, quality=90, frame=i, ts=float(i))
        for i, h in enumerate(VIDEO)
    )
    path = tmp / f"{cid}.zip"
    write_package(
        path, contribution(cid, provider={"name": name, "country": country}), entities, prints
    )
    import_package(store, path, settings)


_rng = random.Random(11)
VIDEO = [f"{_rng.getrandbits(256):064x}" for _ in range(6)]
BASE = [f"{_rng.getrandbits(256):064x}" for _ in range(40)]


def holdings() -> dict[str, tuple[int, list[str]]]:
    """Three contributions of three agencies: random hashes and near copies at 0..40 bits."""
    rng = random.Random(3)
    out = {"be_1": (0, BASE)}
    out["fr_1"] = (
        1,
        [flip(h, d, rng) for d, h in enumerate(BASE)]
        + [f"{rng.getrandbits(256):064x}" for _ in range(20)],
    )
    out["au_1"] = (2, [flip(h, 40 - d, rng) for d, h in enumerate(BASE)])
    return out


def expected(items: dict[str, tuple[int, list[str]]], cid: str) -> set[tuple[str, int, str, str]]:
    """Brute force: (entity, distance, other contribution, other entity), the closest per pair."""
    agency, mine = items[cid]
    best: dict[tuple[str, str, str], int] = {}
    for other, (other_agency, theirs) in items.items():
        if other_agency == agency:
            continue
        for q, r, d in brute_force(from_hex(mine), from_hex(theirs), 31):
            key = (qualify(cid, f"img{q}"), other, qualify(other, f"img{r}"))
            best[key] = min(d, best.get(key, d))
    return {(e, d, oc, oe) for (e, oc, oe), d in best.items()}


def pdq_found(store: CaseStore, cid: str) -> set[tuple[str, int, str, str]]:
    hits = hub._perceptual_hits(store, cid)
    return {(h.entity_id, h.distance, h.other_contribution_id, h.other_entity_id)
            for h in hits if h.signal == "pdq"}  # fmt: skip


def videos(store: CaseStore, cid: str) -> set[str]:
    return {h.other_contribution_id for h in hub._perceptual_hits(store, cid) if h.signal == "vpdq"}


@pytest.fixture
def hub_store(settings: Settings) -> Iterator[CaseStore]:
    pdq_holding._open.clear()  # as a new process would
    store = open_store(settings)
    for name, country in AGENCIES:
        hub.add_agency(store, name, country, settings.home / "keys" / f"{country}.key")
    yield store
    store.engine.dispose()


def test_hits_equal_brute_force_after_adds_erasure_reopening_and_rebuild(
    hub_store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    store, items = hub_store, holdings()
    for n, (cid, (agency, hashes)) in enumerate(items.items()):
        add(store, settings, tmp_path, cid, agency, hashes, "shared@mail.example", "a" * 32)
        if n == 0:  # the index exists and follows each contribution from then on
            assert pdq_found(store, cid) == set()
    for cid in items:
        want = expected(items, cid)
        assert want and pdq_found(store, cid) == want, cid
        assert videos(store, cid) == set(items) - {cid}
    folder = store.index_dir
    assert folder is not None and (folder / "manifest.json").is_file()

    # erasure: gone from the PDQ index, the frames, the identifier keys and the exact hashes
    store.erase("fr_1")
    del items["fr_1"]
    for cid in items:
        assert pdq_found(store, cid) == expected(items, cid)
        assert videos(store, cid) == set(items) - {cid}
    held = pdq_holding.holding(store)
    assert held.erased_rows == 60 + len(VIDEO)
    with store.engine.connect() as conn:
        left = select(func.count()).where(identifier_key.c.contribution_id == "fr_1")
        assert conn.execute(left).scalar_one() == 0
        ops = conn.execute(select(index_feed.c.op).order_by(index_feed.c.id)).scalars().all()
    assert ops == ["add", "add", "add", "erase"]
    assert {h.other_contribution_id for h in HubStore(store.engine).exact_candidates("be_1")} == {
        "au_1"
    }
    assert {h.other_contribution_id for h in hub._identifier_hits(store, "be_1")} == {"au_1"}

    # another process reopens the folder: nothing rebuilt, the same answers
    pdq_holding._open.clear()
    reopened = pdq_holding.holding(store)
    with reopened.locked():
        assert pdq_holding.catch_up(store, reopened) == 0
        assert reopened.watermark == 4 and len(reopened) == len(held)
    assert pdq_found(store, "au_1") == expected(items, "au_1")

    # the folder deleted: rebuilt from the store on the next cross-check
    shutil.rmtree(folder)
    add(store, settings, tmp_path, "be_2", 0, [flip(BASE[5], 3, random.Random(1))], "x@y.example",
        "b" * 32)  # fmt: skip
    items["be_2"] = (0, [flip(BASE[5], 3, random.Random(1))])
    for cid in items:
        assert pdq_found(store, cid) == expected(items, cid), cid
    assert (folder / "manifest.json").is_file()
    rebuilt = pdq_holding.holding(store)
    assert rebuilt.erased_rows == 0 and len(rebuilt) == sum(
        len(h) + len(VIDEO) for _, h in items.values()
    )


def test_cross_check_records_every_signal_and_erasure_removes_them(
    hub_store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    store = hub_store
    add(store, settings, tmp_path, "be_1", 0, BASE[:3], "Lobo.Madrid@gmail.com", "c" * 32)
    add(store, settings, tmp_path, "fr_1", 1, BASE[:3], "lobomadrid+x@gmail.com", "c" * 32)
    assert hub.cross_check(store, "fr_1") > 0
    signals = {h.signal for h in HubStore(store.engine).hits()}
    assert signals == {"md5", "pdq", "vpdq", "email"}
    store.erase("be_1")
    assert HubStore(store.engine).hits() == []
    assert hub.cross_check(store, "fr_1") == 0


def test_index_rows_carry_the_quality_floor(
    hub_store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    """Hashes under the floor are not indexed, as triage leaves them out."""
    store = hub_store
    low = tmp_path / "low.zip"
    name, country = AGENCIES[1]
    write_package(
        low,
        contribution("fr_low", provider={"name": name, "country": country}),
        [{"id": "i", "schema": "Image", "properties": {"fileName": ["i.jpg"]}}],
        [Fingerprint(entity_id="i", kind="pdq", value=BASE[0], quality=10)],
    )
    import_package(store, low, settings)
    add(store, settings, tmp_path, "be_1", 0, BASE[:1], "a@b.example", "d" * 32)
    assert pdq_found(store, "be_1") == set()
    assert len(pdq_holding.holding(store)) == 1 + len(VIDEO)  # only be_1's rows
    held = [bytes(row).hex() for row in pdq_holding.holding(store).index.hashes()]
    assert sorted(held) == sorted([BASE[0], *VIDEO])


def test_two_processes_share_the_folder_while_contributions_arrive(
    hub_store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    """Two workers (each its own copy and file descriptor: flock tells them apart as it
    tells processes apart) catch up while contributions arrive and one is erased."""
    store, rng = hub_store, random.Random(8)
    assert store.index_dir is not None
    workers = [PdqFolder(store.index_dir, pending_rows=64) for _ in range(2)]
    items: dict[str, tuple[int, list[str]]] = {}
    stop = threading.Event()
    errors: list[BaseException] = []

    def follow(folder: PdqFolder) -> None:
        try:
            while not stop.is_set():
                with folder.locked():
                    pdq_holding.catch_up(store, folder)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=follow, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    try:
        for n in range(8):
            cid = f"c_{n}"
            items[cid] = (n % 3, [flip(h, rng.randrange(40), rng) for h in BASE[:20]])
            add(store, settings, tmp_path, cid, n % 3, items[cid][1], f"{n}@x.example", "e" * 32)
            if n == 5:
                store.erase("c_2")
                del items["c_2"]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    last = IndexFeed(store.engine).since(0)[-1].id
    for folder in workers:
        with folder.locked():
            pdq_holding.catch_up(store, folder)
        assert folder.watermark == last
        for cid, (agency, hashes) in items.items():
            found, fids = folder.search(from_hex(hashes), 31, "pdq", agency + 1)
            owners = IndexFeed(store.engine).owners(fids.values())
            got = {(q, owners[fids[r]][0], d) for q, r, d in found.triples()}
            want = set()
            for other, (other_agency, theirs) in items.items():
                if other_agency != agency:  # (the store numbers agencies from 1)
                    for q, _, d in brute_force(from_hex(hashes), from_hex(theirs), 31):
                        want.add((q, other, d))
            assert got == want, cid
