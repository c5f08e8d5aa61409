"""Multi-index hashing as tables, for a join engine (DuckDB, Spark) to run in bulk.

Two sets of PDQ hashes are cross-matched by the pigeonhole argument of
``index/mih.py``: the 256 bits are split into ``m`` chunks and every pair
within ``t`` bits agrees on some chunk ``j`` up to ``r_j`` bits (with
``sum(r_j + 1) = t + 1``). So each left chunk XOR each mask of weight
``<= r_j`` is a probe key; an equi-join of the probes with the right side's
chunk values yields every candidate pair, and an exact popcount of the four
64-bit words keeps those within ``t``. Nothing is approximate: the join's
answer equals the brute-force oracle (``index/hamming.py``).

This module lays the plan out as columns — signed words, chunk values, and the
(chunk, mask) probe table — and leaves the join to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from crosscheck.exc import InvalidData
from crosscheck.index.hamming import Hashes
from crosscheck.index.mih import BITS, _Layout, _masks, _radii, _words

# Above this the probes of one hash outnumber what a scan of a chunk would read.
MAX_THRESHOLD = 64


@dataclass(frozen=True)
class ChunkPlan:
    """The chunk layout (sized for the right side) and the radius of each chunk."""

    layout: _Layout
    radii: tuple[int, ...]
    threshold: int

    @property
    def chunks(self) -> int:
        return len(self.layout.widths)

    def probes(self) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
        """The probe table: (chunk, XOR mask) for every mask of weight <= that chunk's radius."""
        chunk_ids: list[NDArray[np.int32]] = []
        masks: list[NDArray[np.int64]] = []
        for j, (width, radius) in enumerate(zip(self.layout.widths, self.radii, strict=True)):
            if radius < 0:
                continue
            found = _masks(width, radius).astype(np.int64)
            chunk_ids.append(np.full(len(found), j, dtype=np.int32))
            masks.append(found)
        return np.concatenate(chunk_ids), np.concatenate(masks)

    def chunk_values(self, hashes: Hashes) -> NDArray[np.int64]:
        """Every chunk value of every hash, shape (n, m)."""
        words = _words(hashes)
        columns = [self.layout.chunk(words, j).astype(np.int64) for j in range(self.chunks)]
        if not columns or len(hashes) == 0:
            return np.empty((len(hashes), self.chunks), dtype=np.int64)
        return np.stack(columns, axis=1)


def plan_for(right_rows: int, threshold: int) -> ChunkPlan:
    """Chunks about ``log2(right_rows)`` bits wide, so a chunk value picks out about one hash."""
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise InvalidData(f"the PDQ threshold must be 0..{MAX_THRESHOLD} bits, got {threshold}")
    layout = _Layout.for_rows(max(right_rows, 2))
    return ChunkPlan(layout, tuple(_radii(threshold, len(layout.widths))), threshold)


def signed_words(hashes: Hashes) -> NDArray[np.int64]:
    """The four 64-bit words of each hash as signed integers (what SQL engines hold), (n, 4).

    XOR and popcount of two's-complement words give the same bit count as unsigned ones.
    """
    return _words(hashes).view(np.int64)


__all__ = ["BITS", "MAX_THRESHOLD", "ChunkPlan", "plan_for", "signed_words"]
