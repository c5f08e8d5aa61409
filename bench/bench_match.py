"""Matching benchmark: query hashes against a large PDQ bank at threshold 31.

Compares, in one run, on the same data:
  * crosscheck's PdqIndex (faiss IndexBinaryFlat, queries in batches),
  * faiss IndexBinaryFlat called one query at a time (the peer),
  * NumPy brute force (the oracle),
and checks that all three return the same matches on the queries they share.
Also reports the peak memory and the time to load a saved bank (.npy) into the index.

Run:  .venv/bin/python bench/bench_match.py [--bank 10000000] [--queries 10000]
The one-at-a-time loop and NumPy scan every hash for every query, so they are
timed on a sample of the queries (--peer-queries, --numpy-queries) and their
rate extrapolated; the ratio compares queries per second.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from crosscheck.index.hamming import brute_force
from crosscheck.index.pdq_index import PdqIndex

THRESHOLD = 31


def near_copies(rng: np.random.Generator, rows: np.ndarray, flips: int) -> np.ndarray:
    bits = np.unpackbits(rows, axis=1)
    for row in bits:
        row[rng.choice(256, size=flips, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bank", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--peer-queries", type=int, default=200)
    parser.add_argument("--numpy-queries", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    print(
        f"bank {args.bank:,} hashes, {args.queries:,} queries, threshold {THRESHOLD}, "
        f"faiss threads {faiss.omp_get_max_threads()}"
    )
    bank = rng.integers(0, 256, size=(args.bank, 32), dtype=np.uint8)
    half = args.queries // 2
    picks = rng.choice(args.bank, size=half, replace=False)
    queries = np.concatenate(
        [
            near_copies(rng, bank[picks], 12),
            rng.integers(0, 256, size=(args.queries - half, 32), dtype=np.uint8),
        ]
    )
    rng.shuffle(queries)

    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "bank.npy"
        np.save(saved, bank)
        start = time.perf_counter()
        index = PdqIndex(np.load(saved, mmap_mode="r"))
        load_s = time.perf_counter() - start
    print(f"index load from .npy: {load_s:.2f} s  (peak RSS so far {peak_mb():,.0f} MB)")

    start = time.perf_counter()
    ours = index.search(queries, THRESHOLD)
    ours_s = time.perf_counter() - start
    ours_qps = len(queries) / ours_s
    print(
        f"crosscheck PdqIndex, batched: {ours_s:.2f} s, {ours_qps:,.0f} queries/s, {len(ours):,} matches"
    )
    ours_peak = peak_mb()
    print(
        f"peak RSS after the crosscheck search: {ours_peak:,.0f} MB (bank array {bank.nbytes / 1e6:,.0f} MB)"
    )

    peer = faiss.IndexBinaryFlat(256)
    peer.add(bank)
    sample = queries[: args.peer_queries]
    peer_triples: list[tuple[int, int, int]] = []
    start = time.perf_counter()
    for i in range(len(sample)):
        _lims, dist, rows = peer.range_search(sample[i : i + 1], THRESHOLD + 1)
        peer_triples.extend((i, int(r), int(d)) for r, d in zip(rows, dist, strict=True))
    peer_s = time.perf_counter() - start
    peer_qps = len(sample) / peer_s
    print(
        f"faiss one query at a time: {peer_s:.2f} s for {len(sample)} queries, {peer_qps:,.1f} queries/s"
    )

    few = queries[: args.numpy_queries]
    start = time.perf_counter()
    oracle = []
    for begin in range(0, args.bank, 1_000_000):
        chunk = brute_force(few, bank[begin : begin + 1_000_000], THRESHOLD)
        oracle.extend((q, r + begin, d) for q, r, d in chunk)
    numpy_s = time.perf_counter() - start
    numpy_qps = len(few) / numpy_s
    print(f"NumPy brute force: {numpy_s:.2f} s for {len(few)} queries, {numpy_qps:,.2f} queries/s")

    ours_sample = [t for t in ours.triples() if t[0] < len(sample)]
    same_peer = sorted(peer_triples) == ours_sample
    same_numpy = sorted(oracle) == [t for t in ours_sample if t[0] < len(few)]
    print(f"identical results: vs faiss one-at-a-time {same_peer}, vs NumPy {same_numpy}")
    print(
        f"ratio: {ours_qps / peer_qps:.1f}x the one-at-a-time faiss loop, "
        f"{ours_qps / numpy_qps:,.0f}x NumPy brute force"
    )
    print(f"peak RSS at the end {peak_mb():,.0f} MB (adds the peer's copy and NumPy's temporaries)")
    if not (same_peer and same_numpy):
        raise SystemExit("results differ")


if __name__ == "__main__":
    main()
