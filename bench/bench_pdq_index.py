"""PDQ index benchmark: single queries and batches against a large bank at threshold 31.

Compares, in one run, on the same seeded random bank with planted near copies:
  * crosscheck's MihIndex (multi-index hashing in NumPy, ``index/mih.py``),
  * crosscheck's PdqIndex (faiss IndexBinaryFlat, blocked batches),
  * faiss IndexBinaryFlat called one query at a time,
  * python-threatexchange's PDQIndex (faiss IndexBinaryMultiHash, the index
    Hasher-Matcher-Actioner uses), one query at a time and as a batch,
and checks that they all return the same matches on the queries they share.
Prints single-query p50/p99 (milliseconds), batch lookups per second, build
time and memory per hash (the index's own arrays; for threatexchange the growth
of the process's resident memory while it was built).

Run:  PYTHONPATH=src .venv/bin/python bench/bench_pdq_index.py [--bank 1000000]
      (--bank 10000000 for the issue's figure; it needs ~8 GB and some minutes)
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from crosscheck.index.mih import MihIndex
from crosscheck.index.pdq_index import PdqIndex

THRESHOLD = 31


def near_copies(rng: np.random.Generator, rows: np.ndarray, flips: int) -> np.ndarray:
    bits = np.unpackbits(rows, axis=1)
    for row in bits:
        row[rng.choice(256, size=flips, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def rss_bytes() -> int:
    resident_pages = Path("/proc/self/statm").read_text().split()[1]
    return int(resident_pages) * os.sysconf("SC_PAGE_SIZE")


def timed_singles(
    queries: np.ndarray, one: Callable[[np.ndarray], set[tuple[int, int]]]
) -> tuple[np.ndarray, list[set[tuple[int, int]]]]:
    times, found = [], []
    for q in queries:
        start = time.perf_counter()
        found.append(one(q))
        times.append(time.perf_counter() - start)
    return np.array(times) * 1000, found


def report(name: str, times_ms: np.ndarray) -> None:
    print(
        f"  {name:34s} p50 {np.percentile(times_ms, 50):8.3f} ms   "
        f"p99 {np.percentile(times_ms, 99):8.3f} ms   ({len(times_ms)} queries)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bank", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000, help="batch size")
    parser.add_argument("--singles", type=int, default=300, help="single queries timed")
    parser.add_argument("--flat-singles", type=int, default=100)
    parser.add_argument("--no-threatexchange", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    print(
        f"bank {args.bank:,} random hashes, threshold {THRESHOLD}, "
        f"faiss threads {faiss.omp_get_max_threads()}, cores {os.cpu_count()}"
    )
    bank = rng.integers(0, 256, size=(args.bank, 32), dtype=np.uint8)
    half = args.queries // 2
    picks = rng.integers(0, args.bank, size=half)
    queries = np.concatenate(
        [
            near_copies(rng, bank[picks], 20),
            rng.integers(0, 256, size=(args.queries - half, 32), dtype=np.uint8),
        ]
    )
    singles = queries[rng.permutation(len(queries))[: args.singles]]

    print("build")
    start = time.perf_counter()
    mih = MihIndex(bank)
    print(
        f"  MihIndex       {time.perf_counter() - start:6.1f} s   {mih.nbytes() / len(bank):6.1f} B/hash"
    )
    start = time.perf_counter()
    flat = PdqIndex(bank)
    print(f"  faiss flat     {time.perf_counter() - start:6.1f} s   {32.0:6.1f} B/hash")

    tx = None
    if not args.no_threatexchange:
        from threatexchange.signal_type.pdq.pdq_index import PDQIndex

        hexes = [row.tobytes().hex() for row in bank]
        before = rss_bytes()
        start = time.perf_counter()
        tx = PDQIndex(zip(hexes, range(len(hexes)), strict=True))
        grown = rss_bytes() - before
        print(
            f"  threatexchange {time.perf_counter() - start:6.1f} s   "
            f"{grown / len(bank):6.1f} B/hash (RSS growth, ids and hex strings included)"
        )
        del hexes

    print(f"single queries (one at a time, t = {THRESHOLD})")
    times, mih_found = timed_singles(
        singles, lambda q: {(0, r) for _, r, _ in mih.search(q[None], THRESHOLD).triples()}
    )
    report("MihIndex", times)
    mih_p50 = float(np.percentile(times, 50))

    one_flat = faiss.IndexBinaryFlat(256)
    one_flat.add(bank)

    def flat_one(q: np.ndarray) -> set[tuple[int, int]]:
        _, _, rows = one_flat.range_search(q[None], THRESHOLD + 1)
        return {(0, int(r)) for r in rows}

    times, flat_found = timed_singles(singles[: args.flat_singles], flat_one)
    report("faiss IndexBinaryFlat", times)
    flat_p50 = float(np.percentile(times, 50))
    assert flat_found == mih_found[: args.flat_singles], "flat and MIH disagree"

    tx_p50 = None
    if tx is not None:
        times, tx_found = timed_singles(
            singles, lambda q: {(0, int(m.metadata)) for m in tx.query(q.tobytes().hex())}
        )
        report("threatexchange PDQIndex", times)
        tx_p50 = float(np.percentile(times, 50))
        assert tx_found == mih_found, "threatexchange and MIH disagree"
    print(
        f"  MIH p50 is {flat_p50 / mih_p50:.1f}x faster than faiss flat one at a time"
        + (f", {tx_p50 / mih_p50:.1f}x faster than threatexchange" if tx_p50 else "")
    )

    print(f"batches ({len(queries):,} queries)")
    start = time.perf_counter()
    mih_batch = mih.search(queries, THRESHOLD)
    elapsed = time.perf_counter() - start
    print(f"  MihIndex                 {len(queries) / elapsed:10,.0f} lookups/s")
    start = time.perf_counter()
    flat_batch = flat.search(queries, THRESHOLD)
    elapsed = time.perf_counter() - start
    print(f"  PdqIndex (faiss flat)    {len(queries) / elapsed:10,.0f} lookups/s")
    assert mih_batch.triples() == flat_batch.triples(), "batch results disagree"
    if tx is not None:
        hex_queries = [q.tobytes().hex() for q in queries]
        start = time.perf_counter()
        tx.index.search_with_distance_in_result(hex_queries, THRESHOLD)
        elapsed = time.perf_counter() - start
        print(f"  threatexchange PDQIndex  {len(queries) / elapsed:10,.0f} lookups/s")
    print(f"matches in the batch: {len(mih_batch):,}; all indexes agree")


if __name__ == "__main__":
    main()
