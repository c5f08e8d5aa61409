"""Hub benchmark: the cost of a cross-check against the holding, and ingest with many clients.

--mode latency (default; bench/bench_hub_latency.py): for each holding size, a holding
of N PDQ hashes + N SHA-256 + N/10 e-mail identifiers over 20 agencies is loaded through
the store's bulk path (CaseStore.import_contribution: COPY on PostgreSQL; load time
reported); the PDQ index is built beside the store and reopened (times reported); then
1,000-fingerprint contributions (500 images: PDQ + SHA-256, with near copies, an exact
copy and a shared e-mail) are submitted one at a time: p50/p99 of submit -> hits recorded
in process (ingest + cross-check), and of submit -> hit notice in the owner's inbox
through `crosscheck serve` (its worker is woken by the submission), and where a
cross-check's time goes (exact hashes, PDQ, the PDQ index alone, identifiers). The ratio between
holdings shows whether the cost follows the contribution or the holding.

--mode ingest: starts `crosscheck serve` on 127.0.0.1, then in one run:
  1. N agency clients at once submit signed contributions of F fingerprints each:
     contributions/s, p50/p99 submit latency;
  2. the same clients query their hits at once: p50/p99 latency;
  3. how long the queued cross-checks take to drain after the last submission;
  4. the time from submitting one contribution to its hit notice appearing in
     the owner's inbox (queue empty), against a holding of H fingerprints
     (loaded beforehand straight into the store, not through HTTP): --probes
     contributions one after the other, p50/p99.
While the clients submit, the CPU the hub process, PostgreSQL and the whole machine
use is read from /proc (cores busy on average): whether ingest is bound by the hub's
Python (one process, so one core at most under the GIL) or by the database.
Every figure is measured on this hub alone: no peer system runs the same API.

Run:  PYTHONPATH=src .venv/bin/python bench/bench_hub.py --db sqlite|postgres
      [--holdings 100000,1000000] [--probes 30] [--served 10]
      PYTHONPATH=src .venv/bin/python bench/bench_hub.py --mode ingest [--db sqlite|postgres]
      [--clients 20] [--contributions 100] [--fingerprints 1000] [--holdings 1000000]
PostgreSQL: a throwaway database on CROSSCHECK_TEST_PG_URL (default the local server).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from crosscheck.exchange import write_package
from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.model import Agency, Contribution, Evaluation, Fingerprint, Handling
from crosscheck.service import hub
from crosscheck.service.casework import import_package, open_store
from crosscheck.settings import Settings
from crosscheck.store import make_engine

PG = os.environ.get("CROSSCHECK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def contribution(cid: str, agency: str, country: str) -> Contribution:
    return Contribution.model_validate(
        {
            "id": cid,
            "provider": Agency(name=agency, country=country),
            "created_at": "2026-01-01T00:00:00Z",
            "case_reference": cid,
            "purpose": "benchmark",
            "handling": Handling.model_validate({"code": "H0"}),
            "evaluation": Evaluation.model_validate({"source": "B", "information": "2"}),
        }
    )


def package(path: Path, cid: str, agency: str, country: str, values: list[str]) -> Path:
    entities = [
        {"id": f"{cid}-{i}", "schema": "Image", "properties": {"fileName": [f"{i}.jpg"]}}
        for i in range(len(values))
    ]
    prints = [
        Fingerprint(entity_id=f"{cid}-{i}", kind="sha256", value=v) for i, v in enumerate(values)
    ]
    write_package(path, contribution(cid, agency, country), entities, prints)
    return path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def timed_hits(client: httpx.Client, base: str, token: str, times: int) -> list[float]:
    """Seconds each of ``times`` hit queries took, one after another."""
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        client.get(f"{base}/hits", headers=bearer(token)).raise_for_status()
        out.append(time.perf_counter() - t0)
    return out


def submit_until_notice(
    client: httpx.Client, base: str, body: bytes, token: str, owner_token: str, seen: int
) -> tuple[float, float]:
    """Submit a package; seconds until it was stored, and until the owner's inbox holds
    more than ``seen`` notices (polled every 20 ms)."""
    t0 = time.perf_counter()
    client.post(f"{base}/contributions", content=body, headers=bearer(token)).raise_for_status()
    stored = time.perf_counter() - t0
    while len(client.get(f"{base}/inbox", headers=bearer(owner_token)).json()) <= seen:
        time.sleep(0.02)
    return stored, time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """`crosscheck serve` on a free loopback port, once it answers; the process and API base."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crosscheck", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, base


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds so far (Linux /proc): the hub process, every PostgreSQL process,
    and the whole machine (all but idle and iowait)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(stat: Path) -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    postgres = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() in ("postgres", "postmaster"):
                    postgres += used(proc / "stat")
            except OSError:
                pass  # gone meanwhile
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(first) if i not in (3, 4)) / tick
    return {
        "hub": used(Path(f"/proc/{pid}/stat")),
        "postgres": postgres,
        "machine": busy,
    }


def new_database(db: str, work: Path) -> tuple[str, Engine | None]:
    """A throwaway database: its URL, and for PostgreSQL the admin engine that drops it."""
    if db != "postgres":
        return f"sqlite:///{work / 'hub.db'}", None
    name = f"cc_bench_{secrets.token_hex(4)}"
    admin = make_engine(PG).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG).set(database=name).render_as_string(hide_password=False), admin


def drop_database(admin: Engine | None, db_url: str) -> None:
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(
                text(f'DROP DATABASE IF EXISTS "{make_url(db_url).database}" WITH (FORCE)')
            )
        admin.dispose()


def ingest_mode(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="cc-bench-hub-"))
    db_url, admin = new_database(args.db, work)
    env = {"CROSSCHECK_HOME": str(work / "home"), "CROSSCHECK_DB_URL": db_url}
    settings = Settings.from_env(env)
    store = open_store(settings, create=True)
    tokens: dict[str, str] = {}
    agencies = [(f"Agency {i:02}", "BE") for i in range(args.clients)] + [("Holder", "FR")]
    for name, country in agencies:
        hub.add_agency(store, name, country, work / f"{name}.key")
        hub.add_user(
            store, f"{name} examiner", "examiner", name, work / f"{name}.token", settings=settings
        )
        hub.add_user(
            store, f"{name} admin", "agency_admin", name, work / f"{name}.admin", settings=settings
        )
        tokens[name] = (work / f"{name}.token").read_text().strip()
        tokens[name + "/admin"] = (work / f"{name}.admin").read_text().strip()
    hub.add_user(
        store, "operator", "hub_operator", None, work / "operator.token", settings=settings
    )
    tokens["operator"] = (work / "operator.token").read_text().strip()

    print(f"loading a holding of {args.holdings:,} fingerprints for 'Holder' ...", flush=True)
    start = time.perf_counter()
    holding_values = []
    for part in range(0, args.holdings, 50_000):
        values = [secrets.token_hex(32) for _ in range(min(50_000, args.holdings - part))]
        holding_values.extend(values[:1])
        path = package(work / f"hold-{part}.zip", f"hold_{part}", "Holder", "FR", values)
        import_package(store, path, settings)
        path.unlink()
    print(f"holding loaded in {time.perf_counter() - start:.0f} s", flush=True)
    store.engine.dispose()

    per_client = max(1, args.contributions // args.clients)
    bodies: dict[str, list[bytes]] = {}
    for index, (name, country) in enumerate(agencies[:-1]):
        bodies[name] = []
        for n in range(per_client):
            path = package(
                work / f"c{index}-{n}.zip",
                f"c{index}_{n}",
                name,
                country,
                [secrets.token_hex(32) for _ in range(args.fingerprints)],
            )
            sign_package(path, load_key(work / f"{name}.key"), name)
            bodies[name].append(path.read_bytes())

    server, base = serve(env)
    try:
        latencies: list[float] = []
        lock = threading.Lock()

        def submit_all(name: str) -> None:
            with httpx.Client(timeout=300) as client:
                for body in bodies[name]:
                    t0 = time.perf_counter()
                    r = client.post(
                        f"{base}/contributions",
                        content=body,
                        headers={"Authorization": f"Bearer {tokens[name]}"},
                    )
                    r.raise_for_status()
                    with lock:
                        latencies.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=submit_all, args=(n,)) for n, _ in agencies[:-1]]
        cpu = cpu_seconds(server.pid)
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        used = {k: v - cpu[k] for k, v in cpu_seconds(server.pid).items()}
        total = len(latencies)
        print(
            f"[{args.db}] ingest: {total} contributions x {args.fingerprints} fingerprints by {args.clients} clients "
            f"in {wall:.1f} s = {total / wall:.1f} contributions/s ({total * args.fingerprints / wall:,.0f} fingerprints/s); "
            f"submit p50 {pct(latencies, 0.5):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms",
            flush=True,
        )
        print(
            f"[{args.db}] CPU while submitting: hub process {used['hub'] / wall:.2f} cores, "
            f"PostgreSQL (every backend on the machine) {used['postgres'] / wall:.2f} cores, "
            f"the whole machine {used['machine'] / wall:.2f} of {os.cpu_count()} cores",
            flush=True,
        )

        t0 = time.perf_counter()
        while httpx.get(
            f"{base}/stats", headers={"Authorization": f"Bearer {tokens['operator']}"}, timeout=60
        ).json()["pending_jobs"]:
            time.sleep(0.2)
        print(
            f"[{args.db}] queued cross-checks drained {time.perf_counter() - t0:.1f} s after the last submission",
            flush=True,
        )

        query: list[float] = []

        def ask(name: str) -> None:
            with httpx.Client(timeout=60) as client:
                took = timed_hits(client, base, tokens[name], 10)
            with lock:
                query.extend(took)

        threads = [threading.Thread(target=ask, args=(n,)) for n, _ in agencies[:-1]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(
            f"[{args.db}] hit query: {len(query)} requests by {args.clients} clients: p50 {pct(query, 0.5):.0f} ms, p99 {pct(query, 0.99):.0f} ms",
            flush=True,
        )
        with httpx.Client(timeout=60) as client:  # one client: a request without queueing
            alone = timed_hits(client, base, tokens[agencies[0][0]], 50)
        print(
            f"[{args.db}] hit query, one client: {len(alone)} requests: p50 {pct(alone, 0.5):.0f} ms, p99 {pct(alone, 0.99):.0f} ms",
            flush=True,
        )

        # submit -> notice, against the holding, one probe at a time (queue empty)
        notice: list[float] = []
        with httpx.Client(timeout=300) as client:
            for n in range(args.probes):
                name = agencies[n % args.clients][0]
                probe = package(
                    work / f"probe{n}.zip",
                    f"probe_{n}",
                    name,
                    "BE",
                    holding_values[n % len(holding_values) : n % len(holding_values) + 1]
                    + [secrets.token_hex(32) for _ in range(args.fingerprints - 1)],
                )
                sign_package(probe, load_key(work / f"{name}.key"), name)
                _, took = submit_until_notice(
                    client, base, probe.read_bytes(), tokens[name], tokens["Holder/admin"], n
                )
                notice.append(took)
        print(
            f"[{args.db}] submit to hit notice against {args.holdings:,} held fingerprints, "
            f"{len(notice)} probes: p50 {pct(notice, 0.5):.0f} ms, p99 {pct(notice, 0.99):.0f} ms",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_database(admin, db_url)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["latency", "ingest"], default="latency")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--contributions", type=int, default=100, help="in all, spread over the clients"
    )
    parser.add_argument("--fingerprints", type=int, default=1000)
    parser.add_argument(
        "--holdings",
        default="1000000",
        help="ingest: one size; latency: sizes separated by commas (100000,1000000)",
    )
    parser.add_argument(
        "--probes", type=int, default=30, help="contributions timed one at a time to their notice"
    )
    parser.add_argument("--served", type=int, default=10, help="latency: of them through HTTP")
    args = parser.parse_args()
    if args.mode == "ingest":
        args.holdings = int(args.holdings)
        ingest_mode(args)
        return
    from bench_hub_latency import latency_mode

    latency_mode(args)


if __name__ == "__main__":
    main()
