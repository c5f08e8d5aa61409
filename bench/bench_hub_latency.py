"""bench_hub.py --mode latency: submit -> hit notice against holdings of growing size.

See bench/bench_hub.py for what is measured and how to run it.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
from bench_hub import (
    bearer,
    contribution,
    drop_database,
    new_database,
    pct,
    serve,
    submit_until_notice,
)
from sqlalchemy import Connection, text

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.index.hamming import from_hex
from crosscheck.model import Contribution, Fingerprint
from crosscheck.model.statements import parse_entity
from crosscheck.service import hub, pdq_holding
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, ImportResult
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.bulk_rows import FingerprintRow
from crosscheck.store.hub_store import HubStore
from crosscheck.store.index_feed import IndexFeed

HOLDERS = 20
PROBE_IMAGES = 500  # x (PDQ + SHA-256) = 1,000 fingerprints
NEAR = 5  # near copies of held PDQ hashes per probe


def hexes(rng: np.random.Generator, n: int) -> list[str]:
    return [row.tobytes().hex() for row in rng.integers(0, 256, size=(n, 32), dtype=np.uint8)]


def flip(value: str, bits: int, rng: np.random.Generator) -> str:
    number = int(value, 16)
    for bit in rng.choice(256, size=bits, replace=False):
        number ^= 1 << int(bit)
    return f"{number:064x}"


def bulk_load(store: CaseStore, size: int, rng: np.random.Generator) -> dict[int, dict[str, str]]:
    """N PDQ + N SHA-256 + N/10 e-mails over 20 agencies, one contribution each.

    Through the store's bulk path: ``CaseStore.import_contribution`` with the hashes
    as plain ``FingerprintRow`` tuples (no pydantic model per hash); the store writes
    a new contribution's statements and fingerprints with COPY on PostgreSQL and one
    ``executemany`` of tuples on SQLite, with its identifier keys and feed row, and the
    collection is audited in the same transaction, as the hub's ingest does.
    Returns a sample of each agency's values for the probes to hit.
    """
    sample: dict[int, dict[str, str]] = {}
    per = size // HOLDERS
    now = datetime.now(UTC)
    audit = AuditLog(store.engine)

    def audited(conn: Connection, item: Contribution, result: ImportResult) -> None:
        detail = {"statements": result.statements, "fingerprints": result.fingerprints}
        audit.append(item.provider.name, "collection", item.id, detail, conn=conn)

    for a in range(HOLDERS):
        cid = f"hold_{a:02}"
        pdq, sha = hexes(rng, per), hexes(rng, per)
        emails = [f"user{a}.{i}@mail.example" for i in range(max(1, per // 10))]
        sample[a] = {"pdq": pdq[0], "sha256": sha[1], "email": emails[0]}
        entities = (
            parse_entity(
                {"id": f"p{i}", "schema": "Person", "properties": {"email": [e]}},
                contribution_id=cid,
            )
            for i, e in enumerate(emails)
        )
        prints = itertools.chain(
            (FingerprintRow(f"img{i}", "pdq", v, 90) for i, v in enumerate(pdq)),
            (FingerprintRow(f"img{i}", "sha256", v) for i, v in enumerate(sha)),
        )
        item = contribution(cid, f"Agency {a:02}", "BE").received(now)
        store.import_contribution(
            item,
            format_version=1,
            members_digest=hashlib.sha256(cid.encode()).hexdigest(),
            entities=entities,
            fingerprints=prints,
            on_stored=audited,
        )
    return sample


def probe_package(
    work: Path, cid: str, owner: dict[str, str], key: Path, rng: np.random.Generator
) -> Path:
    pdq, sha = hexes(rng, PROBE_IMAGES), hexes(rng, PROBE_IMAGES)
    for i in range(NEAR):
        pdq[i] = flip(owner["pdq"], 4 + i, rng)
    sha[NEAR] = owner["sha256"]
    entities = [
        {"id": f"img{i}", "schema": "Image", "properties": {"fileName": [f"{i}.jpg"]}}
        for i in range(PROBE_IMAGES)
    ]
    entities.append({"id": "p", "schema": "Person", "properties": {"email": [owner["email"]]}})
    prints = [
        Fingerprint(entity_id=f"img{i}", kind="pdq", value=v, quality=90) for i, v in enumerate(pdq)
    ]
    prints += [Fingerprint(entity_id=f"img{i}", kind="sha256", value=v) for i, v in enumerate(sha)]
    path = work / f"{cid}.zip"
    write_package(path, contribution(cid, "Prober", "NL"), entities, prints)
    sign_package(path, load_key(key), "Prober")
    return path


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_bytes(store: CaseStore, work: Path) -> int:
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())"))
            return int(size.scalar_one())
    return sum(p.stat().st_size for p in work.glob("hub.db*"))


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def one_holding(args: argparse.Namespace, size: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="cc-bench-latency-"))
    db_url, admin = new_database(args.db, work)
    env = {"CROSSCHECK_HOME": str(work / "home"), "CROSSCHECK_DB_URL": db_url}
    settings = Settings.from_env(env)
    store = open_store(settings, create=True)
    tag = f"[{args.db} {size:,}]"
    out: dict[str, float] = {}
    server = None
    try:
        for a in range(HOLDERS):
            hub.add_agency(store, f"Agency {a:02}", "BE", work / f"a{a}.key")
            hub.add_user(
                store, f"admin {a}", "agency_admin", f"Agency {a:02}", work / f"a{a}.tok",
                settings=settings,
            )  # fmt: skip
        hub.add_agency(store, "Prober", "NL", work / "prober.key")
        hub.add_user(
            store, "examiner", "examiner", "Prober", work / "prober.tok", settings=settings
        )
        rng = np.random.default_rng(size)
        t0 = time.perf_counter()
        sample = bulk_load(store, size, rng)
        out["load_s"] = time.perf_counter() - t0
        rows = 2 * size + HOLDERS * max(1, size // HOLDERS // 10)
        out["load_rows_s"] = rows / out["load_s"]
        print(
            f"{tag} holding loaded through the store's bulk path: {size:,} PDQ + {size:,} "
            f"SHA-256 + {rows - 2 * size:,} e-mails over {HOLDERS} agencies in "
            f"{out['load_s']:.1f} s ({out['load_rows_s']:,.0f} hashes and identifiers/s); "
            f"database {database_bytes(store, work) / 2**30:.2f} GiB",
            flush=True,
        )
        folder = pdq_holding.holding(store)
        t0 = time.perf_counter()
        with folder.locked():
            pdq_holding.catch_up(store, folder)
        out["build_s"] = time.perf_counter() - t0
        assert store.index_dir is not None
        print(
            f"{tag} PDQ index built from the store in {out['build_s']:.1f} s: {len(folder):,} "
            f"rows, {folder.nbytes() / len(folder):.0f} bytes a hash in memory "
            f"({folder.nbytes() / 2**20:.0f} MiB), {du(store.index_dir) / 2**20:.0f} MiB on "
            f"disk; bench process peak RSS so far {peak_rss_mib():,.0f} MiB",
            flush=True,
        )
        pdq_holding._open.clear()  # as a restarted hub: open what is on disk
        t0 = time.perf_counter()
        reopened = pdq_holding.holding(store)
        with reopened.locked():
            reopened.refresh()
            assert pdq_holding.catch_up(store, reopened) == 0
        out["reopen_s"] = time.perf_counter() - t0
        print(f"{tag} PDQ index reopened in {out['reopen_s'] * 1000:.0f} ms", flush=True)
        del folder  # the copy that built it: a restarted hub holds only the reopened one

        total: list[float] = []
        checks: list[float] = []
        parts: dict[str, list[float]] = {"exact": [], "pdq": [], "pdq search": [], "ids": []}
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_majflt
        for k in range(args.probes):
            owner = k % HOLDERS
            path = probe_package(work, f"probe_{k}", sample[owner], work / "prober.key", rng)
            t0 = time.perf_counter()
            done = hub.ingest(store, path, settings, require_signature=True)
            total.append(time.perf_counter() - t0)
            assert done.hits >= NEAR + 2, done.hits  # near copies, the exact copy, the e-mail
            t0 = time.perf_counter()
            cid = done.imported.result.contribution_id
            hub.cross_check(store, cid)
            checks.append(time.perf_counter() - t0)
            # where a cross-check's time goes: its reads once more, nothing recorded
            t0 = time.perf_counter()
            list(HubStore(store.engine).exact_candidates(cid))
            parts["exact"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            hub._perceptual_hits(store, cid)
            parts["pdq"].append(time.perf_counter() - t0)
            mine = [r.value for r in IndexFeed(store.engine).rows([cid]) if r.kind == "pdq"]
            t0 = time.perf_counter()
            reopened.search(from_hex(mine), 31, "pdq", None)
            parts["pdq search"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            list(hub._identifier_hits(store, cid))
            parts["ids"].append(time.perf_counter() - t0)
        out["ingest_p50"], out["ingest_p99"] = pct(total, 0.5), pct(total, 0.99)
        out["check_p50"], out["check_p99"] = pct(checks, 0.5), pct(checks, 0.99)
        print(
            f"{tag} submit -> hits recorded, in process ({args.probes} contributions of "
            f"1,000 fingerprints): p50 {out['ingest_p50']:.0f} ms, p99 {out['ingest_p99']:.0f} ms;"
            f" the cross-check alone: p50 {out['check_p50']:.0f} ms, p99 {out['check_p99']:.0f} ms",
            flush=True,
        )
        print(
            f"{tag} the cross-check's parts, p50: "
            + ", ".join(f"{name} {pct(times, 0.5):.0f} ms" for name, times in parts.items())
            + " (pdq: rows, catch-up, search, owners; pdq search: the index alone); "
            f"major page faults during the probes "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_majflt - faults:,}",
            flush=True,
        )
        store.engine.dispose()

        if args.served:
            server, base = serve(env)
            token = (work / "prober.tok").read_text().strip()
            served: list[float] = []
            posted: list[float] = []  # the submission alone (stored, cross-check queued)
            with httpx.Client(timeout=300) as client:
                for k in range(args.served):
                    owner = k % HOLDERS
                    owner_token = (work / f"a{owner}.tok").read_text().strip()
                    seen = len(client.get(f"{base}/inbox", headers=bearer(owner_token)).json())
                    path = probe_package(
                        work, f"served_{k}", sample[owner], work / "prober.key", rng
                    )
                    stored, took = submit_until_notice(
                        client, base, path.read_bytes(), token, owner_token, seen
                    )
                    posted.append(stored)
                    served.append(took)
            out["served_first"] = served[0] * 1000
            rest = served[1:] or served
            out["served_p50"], out["served_p99"] = pct(rest, 0.5), pct(rest, 0.99)
            print(
                f"{tag} submit -> hit notice in the owner's inbox through the API: first "
                f"(a new server opening the index) {out['served_first']:.0f} ms; then "
                f"p50 {out['served_p50']:.0f} ms, p99 {out['served_p99']:.0f} ms "
                f"({len(rest)} contributions; the submission itself: first "
                f"{posted[0] * 1000:.0f} ms, then p50 {pct(posted[1:] or posted, 0.5):.0f} ms)",
                flush=True,
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        store.engine.dispose()
        drop_database(admin, db_url)
        shutil.rmtree(work, ignore_errors=True)  # a 10M SQLite holding is ~10 GB
    return out


def latency_mode(args: argparse.Namespace) -> None:
    sizes = [int(x) for x in str(args.holdings).split(",")]
    found = {size: one_holding(args, size) for size in sizes}
    if len(sizes) > 1:
        small, large = found[sizes[0]], found[sizes[-1]]
        names = ("check_p50", "check_p99", "ingest_p50", "ingest_p99", "served_p50", "served_p99")
        for name in names:
            if name in small and name in large:
                print(
                    f"[{args.db}] {name} at {sizes[-1]:,} / at {sizes[0]:,}: "
                    f"{large[name] / small[name]:.2f}x (holding {sizes[-1] / sizes[0]:.0f}x)",
                    flush=True,
                )
