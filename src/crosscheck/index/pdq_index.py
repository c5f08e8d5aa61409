"""Hamming range search over PDQ hashes with faiss (``IndexBinaryFlat``).

A flat scan is memory-bandwidth bound per query; the speed is won by
searching queries in batches, which faiss spreads over the cores (see
``bench/bench_match.py``). Rows are the positions of the hashes as added.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np
from numpy.typing import NDArray

from crosscheck.exc import InvalidData
from crosscheck.index.hamming import HASH_BYTES, Hashes

BITS = 8 * HASH_BYTES
QUERY_BATCH = 4096


@dataclass(frozen=True)
class Matches:
    """Parallel arrays: query row, index row, distance."""

    query: NDArray[np.int64]
    row: NDArray[np.int64]
    distance: NDArray[np.int32]

    def __len__(self) -> int:
        return int(self.query.size)

    def triples(self) -> list[tuple[int, int, int]]:
        return sorted(
            zip(self.query.tolist(), self.row.tolist(), self.distance.tolist(), strict=True)
        )


class PdqIndex:
    """All hashes within a threshold of each query, exactly (no approximation)."""

    def __init__(self, hashes: Hashes | None = None) -> None:
        self._index = faiss.IndexBinaryFlat(BITS)
        if hashes is not None:
            self.add(hashes)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, hashes: Hashes) -> None:
        if hashes.ndim != 2 or hashes.shape[1] != HASH_BYTES or hashes.dtype != np.uint8:
            raise InvalidData(f"hashes must be a (n, {HASH_BYTES}) uint8 array")
        if len(hashes):
            self._index.add(np.ascontiguousarray(hashes))

    def search(self, queries: Hashes, threshold: int) -> Matches:
        """Every (query, row) pair at Hamming distance <= ``threshold`` (0-256)."""
        if not 0 <= threshold <= BITS:
            raise InvalidData(f"threshold must be 0-{BITS}, got {threshold}")
        empty = Matches(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int32))
        if len(self) == 0 or len(queries) == 0:
            return empty
        parts: list[Matches] = []
        for start in range(0, len(queries), QUERY_BATCH):
            batch = np.ascontiguousarray(queries[start : start + QUERY_BATCH])
            # faiss returns distances strictly below the radius
            lims, dist, rows = self._index.range_search(batch, threshold + 1)
            counts = np.diff(lims.astype(np.int64))
            query_rows = np.repeat(np.arange(len(batch), dtype=np.int64), counts) + start
            parts.append(Matches(query_rows, rows.astype(np.int64), dist.astype(np.int32)))
        return Matches(
            np.concatenate([p.query for p in parts]),
            np.concatenate([p.row for p in parts]),
            np.concatenate([p.distance for p in parts]),
        )
