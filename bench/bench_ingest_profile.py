"""Where the time of one hub submission goes: signed 1,000-fingerprint packages ingested in process.

Each package goes through ``hub.ingest`` exactly as `crosscheck serve` calls it
(signature, digests, records checked, stored, audited, cross-check queued):
first N/2 unprofiled (wall and CPU per ingest), then N/2 under cProfile
(cumulative time of the steps: signature check, package check, statements,
bulk writes, audit, queue). The queued cross-checks are then run and timed.

Run:  PYTHONPATH=src .venv/bin/python bench/bench_ingest_profile.py --db sqlite|postgres
      [--packages 40] [--fingerprints 1000] [--top 40] [--dump FILE]
PostgreSQL: a throwaway database on CROSSCHECK_TEST_PG_URL (default the local server).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import tempfile
import time
from pathlib import Path

from bench_hub import drop_database, new_database, package

from crosscheck.exchange.signing import load_key, sign_package
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--packages", type=int, default=40)
    parser.add_argument("--fingerprints", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40, help="profile lines shown")
    parser.add_argument("--dump", type=Path, help="also write the profile here (pstats)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cc-bench-ingest-"))
    url, admin = new_database(args.db, work)
    settings = Settings.from_env({"CROSSCHECK_HOME": str(work / "home"), "CROSSCHECK_DB_URL": url})
    store = open_store(settings, create=True)
    try:
        hub.add_agency(store, "Agency", "BE", work / "agency.key")
        paths = []
        for n in range(args.packages + 2):
            values = [secrets.token_hex(32) for _ in range(args.fingerprints)]
            path = package(work / f"p{n}.zip", f"p_{n}", "Agency", "BE", values)
            sign_package(path, load_key(work / "agency.key"), "Agency")
            paths.append(path)

        def ingest(path: Path) -> None:
            hub.ingest(
                store, path, settings, require_signature=True, signer="Agency", background=True
            )

        for path in paths[:2]:  # warm: imports, connections, the staging tables
            ingest(path)
        plain, profiled = paths[2 : 2 + args.packages // 2], paths[2 + args.packages // 2 :]
        wall, cpu = time.perf_counter(), time.process_time()
        for path in plain:
            ingest(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"[{args.db}] {len(plain)} ingests of {args.fingerprints} fingerprints: "
            f"{wall / len(plain) * 1000:.0f} ms wall, {cpu / len(plain) * 1000:.0f} ms CPU "
            "(this process) each",
            flush=True,
        )
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for path in profiled:
            ingest(path)
        profile.disable()
        took = (time.perf_counter() - start) / max(len(profiled), 1) * 1000
        print(f"[{args.db}] {len(profiled)} more under cProfile: {took:.0f} ms each", flush=True)
        if args.dump:
            profile.dump_stats(args.dump)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        start = time.perf_counter()
        ran = hub.run_jobs(store)
        each = (time.perf_counter() - start) / max(ran, 1) * 1000
        print(f"[{args.db}] {ran} queued cross-checks: {each:.0f} ms each", flush=True)
    finally:
        store.engine.dispose()
        drop_database(admin, url)


if __name__ == "__main__":
    main()
