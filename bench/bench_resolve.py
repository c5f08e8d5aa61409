"""Deduplicate generated person/account records: wall time and peak memory, and their growth.

Run:  .venv/bin/python bench/bench_resolve.py [--sizes 100000,1000000] [--backend duckdb|spark]

For each size the records are generated into a CSV file (not timed), then
the job runs in a fresh process, so its peak RSS is the job's own: read the
table and make the features (on every core), Splink scoring with the shipped
parameters, deterministic links and clustering at the default threshold.
Targets (issue 6): 1M records in ≤ 2 minutes and ≤ 4 GB on this machine.
The peer is the same job at the smallest size: the report gives the growth
of time and memory against the growth of records.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_table(size: int, folder: Path) -> Path:
    """A generated seized table of about ``size`` records, as a CSV file (not timed)."""
    from crosscheck.resolve import synthetic

    people = int(size / 2.16)  # 2.16 accounts a person on average
    table = folder / f"records-{size}.csv"
    with table.open("w", encoding="utf-8", newline="") as stream:
        writer = None
        for r in synthetic.records(people, seed=7, name_pool=max(2000, people // 50)):
            r.pop("person")
            if writer is None:
                writer = csv.DictWriter(stream, fieldnames=list(r))
                writer.writeheader()
            writer.writerow(r)
    return table


def one(table: Path, backend: str) -> dict[str, float]:
    """The job, in its own process: read the table, features, Splink, links, clusters."""
    from crosscheck.resolve import params as params_io
    from crosscheck.resolve.cluster import cluster, deterministic_links, links_from_pairs
    from crosscheck.resolve.features import feature_frame
    from crosscheck.resolve.splink_run import duckdb_api, score

    factory = duckdb_api
    if backend == "spark":
        from crosscheck.resolve.spark import spark_api

        factory = spark_api
    gc.disable()  # millions of small objects: the collector would rescan them all, often
    started = time.perf_counter()
    with table.open(encoding="utf-8", newline="") as stream:
        rows = feature_frame(csv.DictReader(stream), workers=os.cpu_count() or 1)
    featured = time.perf_counter()
    pairs = score(rows, params_io.load(), threshold=0.5, api_factory=factory)
    scored = time.perf_counter()
    links = links_from_pairs(pairs) + deterministic_links(rows)
    clusters = cluster(rows["unique_id"].tolist(), links)
    done = time.perf_counter()
    return {
        "records": len(rows),
        "pairs": len(pairs),
        "clusters": len(clusters),
        "features_s": featured - started,
        "score_s": scored - featured,
        "cluster_s": done - scored,
        "total_s": done - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backend", default="duckdb", choices=["duckdb", "spark"])
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.backend)))
        return
    results = []
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-bench-"))
    for size in (int(s) for s in args.sizes.split(",")):
        table = write_table(size, folder)
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(table), "--backend", args.backend],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        table.unlink()
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{args.backend}: {result['records']:>9,} records  {result['pairs']:>9,} pairs ≥ 0.5  "
            f"{result['clusters']:>9,} clusters  features {result['features_s']:.1f} s  "
            f"Splink {result['score_s']:.1f} s  clustering {result['cluster_s']:.1f} s  "
            f"total {result['total_s']:.1f} s  peak RSS {result['peak_rss_mb']:,.0f} MB",
            flush=True,
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(
            f"growth {first['records']:,} → {last['records']:,} records "
            f"(×{last['records'] / first['records']:.1f}): time ×{last['total_s'] / first['total_s']:.1f}, "
            f"peak memory ×{last['peak_rss_mb'] / first['peak_rss_mb']:.1f}"
        )
    big = results[-1]
    print(
        f"targets at {big['records']:,}: ≤ 120 s → {big['total_s']:.1f} s; "
        f"≤ 4,096 MB → {big['peak_rss_mb']:,.0f} MB"
    )


if __name__ == "__main__":
    main()
