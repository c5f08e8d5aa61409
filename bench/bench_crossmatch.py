"""Bulk cross-match benchmark: LEFT x RIGHT random PDQ hashes (with planted near copies) at t=31.

Generates the hashes, writes both sides as the Parquet tables `crosscheck crossmatch` writes
(the same code, from the same (id, kind, hex) rows a store gives), then runs the join on each
engine asked for (DuckDB, local Spark); prints the time of each step, peak memory (resident set
of this process and all its descendants — Spark's JVM included — sampled from /proc every
0.2 s, and the same before the join, which is the generated arrays this process holds), the
matches found and the planted ones among them, and the brute-force figure for the same sizes,
extrapolated from a sample timed in the same run (every pair compared by faiss's
IndexBinaryFlat scan).

Run:  flock /tmp/bench.lock env PYTHONPATH=src .venv/bin/python bench/bench_crossmatch.py \
          --left 100000 --right 1000000 --engines duckdb spark
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from crosscheck.index.chunk_keys import plan_for
from crosscheck.index.pdq_index import PdqIndex
from crosscheck.service.crossmatch import write_tables
from crosscheck.service.crossmatch_engines import (
    DUCKDB_MEMORY,
    PART_ROWS,
    SPARK_MEMORY,
    run_duckdb,
    run_spark,
)

THRESHOLD = 31
PLANTED = 1000


class PeakRss:
    """The largest resident set of this process plus its descendants, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(0.2)


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rows(prefix: str, hashes: np.ndarray) -> Iterator[tuple[str, str, str]]:
    for i, row in enumerate(hashes):
        yield f"{prefix}-{i}", "pdq", row.tobytes().hex()


def _sides(left: int, right: int, seed: int) -> tuple[np.ndarray, np.ndarray, set[tuple[int, int]]]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, size=(left, 32), dtype=np.uint8)
    b = rng.integers(0, 256, size=(right, 32), dtype=np.uint8)
    planted = set()
    count = min(PLANTED, left, right)
    for i, j in zip(
        rng.integers(left, size=count), rng.choice(right, size=count, replace=False), strict=True
    ):
        bits = np.unpackbits(a[i])
        bits[rng.choice(256, size=int(rng.integers(0, THRESHOLD + 1)), replace=False)] ^= 1
        b[j] = np.packbits(bits)
        planted.add((int(i), int(j)))
    return a, b, planted


def _brute_force_seconds(a: np.ndarray, b: np.ndarray, pairs: float) -> float:
    """Every pair compared (faiss IndexBinaryFlat: a SIMD popcount scan), timed on a sample."""
    sample_a, sample_b = a[:2_000], b[:200_000]
    index = PdqIndex(sample_b)
    started = time.perf_counter()
    index.search(sample_a, THRESHOLD)
    per_pair = (time.perf_counter() - started) / (len(sample_a) * len(sample_b))
    return per_pair * pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--left", type=int, default=100_000)
    parser.add_argument("--right", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", nargs="+", default=["duckdb"], choices=["duckdb", "spark"])
    parser.add_argument("--part-rows", type=int, default=PART_ROWS)
    parser.add_argument("--duckdb-memory", default=DUCKDB_MEMORY)
    parser.add_argument("--spark-memory", default=SPARK_MEMORY)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    print(
        f"left {args.left:,} x right {args.right:,} PDQ hashes, t={THRESHOLD}, "
        f"cores {os.cpu_count()}, load {_load()}"
    )
    started = time.perf_counter()
    a, b, planted = _sides(args.left, args.right, args.seed)
    print(f"hashes generated: {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory(prefix="bench-crossmatch-", dir=args.workdir) as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        write_tables(_rows("L", a), _rows("R", b), folder, THRESHOLD)
        plan = plan_for(args.right, THRESHOLD)
        probes = len(plan.probes()[1])
        print(
            f"sides written (rows -> Parquet tables, both sides): "
            f"{time.perf_counter() - started:.1f} s "
            f"({plan.chunks} chunks of {min(plan.layout.widths)}-{max(plan.layout.widths)} bits, "
            f"{probes} probes per hash), load {_load()}"
        )
        runners: dict[str, Callable[[Path], int]] = {
            "duckdb": lambda out: run_duckdb(
                folder,
                THRESHOLD,
                out,
                same_side=False,
                part_rows=args.part_rows,
                memory_limit=args.duckdb_memory,
            ),
            "spark": lambda out: run_spark(
                folder,
                THRESHOLD,
                out,
                same_side=False,
                part_rows=args.part_rows,
                memory=args.spark_memory,
            ),
        }
        for name in args.engines:
            out = folder / f"{name}.parquet"
            before = _tree_rss(os.getpid())
            with PeakRss() as memory:
                started = time.perf_counter()
                found = runners[name](out)
                seconds = time.perf_counter() - started
            pairs = {
                (int(r["left_id"][2:]), int(r["right_id"][2:]))
                for r in pq.read_table(out, columns=["left_id", "right_id"]).to_pylist()
            }
            missing = planted - pairs
            print(
                f"{name:7s} join {seconds:8.1f} s  peak RSS (process tree) "
                f"{memory.peak / 2**30:5.2f} GiB (before the join {before / 2**30:4.2f} GiB)  "
                f"{found:,} pairs  planted found {len(planted) - len(missing)}/{len(planted)}  "
                f"load {_load()}",
                flush=True,
            )
    brute = _brute_force_seconds(a, b, float(args.left) * float(args.right))
    print(
        f"brute force (faiss flat scan, extrapolated from 2,000 x 200,000): {brute:,.0f} s for these sizes"
    )
    scale = 1e6 * 1e7 / (float(args.left) * float(args.right))
    print(f"sizes x{scale:,.0f} to reach 1M x 10M: brute force {brute * scale / 3600:,.1f} h")
    print(f"load {_load()}")


if __name__ == "__main__":
    main()
