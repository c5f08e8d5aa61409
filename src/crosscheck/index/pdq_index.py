"""Hamming range search over PDQ hashes with faiss (``IndexBinaryFlat``).

A flat scan is memory-bandwidth bound when queries come one at a time. Here
the hashes are kept in blocks of ``BLOCK_ROWS`` (1 MiB each, cache-sized),
and a batch of queries is searched block by block, so each block is read from
memory once per batch and the comparisons run from cache, on every core
(faiss threads over the queries). Measured in ``bench/bench_match.py``.
Rows are the positions of the hashes in the order they were added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np
from numpy.typing import NDArray

from crosscheck.exc import InvalidData
from crosscheck.index.hamming import HASH_BYTES, Hashes

BITS = 8 * HASH_BYTES
QUERY_BATCH = 4096
BLOCK_ROWS = 32768


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
        self._blocks: list[tuple[int, Any]] = []  # (first row, faiss index)
        self._size = 0
        if hashes is not None:
            self.add(hashes)

    def __len__(self) -> int:
        return self._size

    def add(self, hashes: Hashes) -> None:
        if hashes.ndim != 2 or hashes.shape[1] != HASH_BYTES or hashes.dtype != np.uint8:
            raise InvalidData(f"hashes must be a (n, {HASH_BYTES}) uint8 array")
        start = 0
        while start < len(hashes):
            if not self._blocks or self._blocks[-1][1].ntotal >= BLOCK_ROWS:
                self._blocks.append((self._size, faiss.IndexBinaryFlat(BITS)))
            block = self._blocks[-1][1]
            take = min(BLOCK_ROWS - int(block.ntotal), len(hashes) - start)
            block.add(np.ascontiguousarray(hashes[start : start + take]))
            start += take
            self._size += take

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
            for first, block in self._blocks:
                # faiss returns distances strictly below the radius
                lims, dist, rows = block.range_search(batch, threshold + 1)
                if len(rows) == 0:
                    continue
                counts = np.diff(lims.astype(np.int64))
                query_rows = np.repeat(np.arange(len(batch), dtype=np.int64), counts) + start
                parts.append(
                    Matches(query_rows, rows.astype(np.int64) + first, dist.astype(np.int32))
                )
        if not parts:
            return empty
        return Matches(
            np.concatenate([p.query for p in parts]),
            np.concatenate([p.row for p in parts]),
            np.concatenate([p.distance for p in parts]),
        )
