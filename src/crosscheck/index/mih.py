"""Exact Hamming range search by multi-index hashing (MIH), in NumPy.

The 256 bits are split into ``m`` chunks of ``w`` bits, ``w`` about
``log2(n) + 2`` (16-24), so a chunk value picks out at most about one hash. If a hash is
within distance ``t`` of the query, the chunk distances sum to at most ``t``,
so with radii ``r_j`` where ``sum(r_j + 1) >= t + 1`` (pigeonhole) at least
one chunk ``j`` is within ``r_j`` bits of the query's chunk. Each chunk has a
table (counting-sorted row ids and the start of each value's run); a query
enumerates the values within ``r_j`` of its chunks, reads their rows as
candidates, and keeps those whose exact popcount distance is within ``t``.
No approximation: results equal the brute-force oracle (``index/hamming.py``).

Hashes are appended in segments (log-structured): new rows wait in a small
pending run scanned by brute force (faiss's flat scan), become a segment when it fills, and
segments of similar size are merged, so adding costs O(log n) rebuild work
per row and nothing is rebuilt from scratch. Rows are positions in the order
added, as in ``PdqIndex``. When the enumeration would cost more than a scan
(large thresholds), a segment is scanned instead; the answer is the same.

A segment's tables can be taken out (``tables``) and given back with the
hashes (``restore``, arrays memory-mapped or not), so an index kept on disk
(``index/pdq_folder.py``) reopens without being rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb
from typing import Any

import numpy as np
from numpy.typing import NDArray

from crosscheck.exc import InvalidData
from crosscheck.index.hamming import HASH_BYTES, Hashes
from crosscheck.index.pdq_index import Matches, PdqIndex

BITS = 8 * HASH_BYTES
WORDS = HASH_BYTES // 8
MIN_CHUNK_BITS = 16
MAX_CHUNK_BITS = 24
# chunks a little wider than log2(n): fewer candidates to verify for a few more probes;
# 500 queries at t=31 against 1M hashes: 1.12 s at +0, 0.36 s at +2 (139 bytes a hash
# instead of 117), 0.26 s at +3 (281 bytes a hash); single queries 0.5 -> 0.4 ms
WIDTH_MARGIN = 2
PENDING_ROWS = 4096  # rows scanned by brute force before they become a segment
CANDIDATE_BLOCK = 1 << 20  # candidates verified per step

Words = NDArray[np.uint64]  # shape (n, 4)


def _words(hashes: Hashes) -> Words:
    if hashes.ndim != 2 or hashes.shape[1] != HASH_BYTES or hashes.dtype != np.uint8:
        raise InvalidData(f"hashes must be a (n, {HASH_BYTES}) uint8 array")
    return np.ascontiguousarray(hashes).view(np.uint64).reshape(len(hashes), WORDS)


def _popcount(x: Words) -> NDArray[np.int32]:
    counts: NDArray[np.int32] = np.bitwise_count(x).sum(axis=1, dtype=np.int32)
    return counts


@lru_cache(maxsize=256)
def _masks(width: int, radius: int) -> NDArray[np.uint32]:
    """Every ``width``-bit value of weight <= ``radius`` (XOR masks), weight 0 first."""
    out = [0]
    for k in range(1, radius + 1):
        out.extend(sum(1 << b for b in bits) for bits in combinations(range(width), k))
    return np.array(out, dtype=np.uint32)


def _radii(threshold: int, chunks: int) -> list[int]:
    """Per-chunk radii with sum(r + 1) = threshold + 1; -1 means the chunk is not looked up."""
    q, s = divmod(threshold + 1, chunks)
    return [q - 1 + (1 if j < s else 0) for j in range(chunks)]


@dataclass(frozen=True)
class _Layout:
    starts: tuple[int, ...]  # first bit of each chunk
    widths: tuple[int, ...]

    @classmethod
    def for_rows(cls, rows: int) -> _Layout:
        width = int(
            np.clip(int(np.log2(max(rows, 2))) + WIDTH_MARGIN, MIN_CHUNK_BITS, MAX_CHUNK_BITS)
        )
        chunks = -(-BITS // width)
        base, extra = divmod(BITS, chunks)
        widths = tuple(base + 1 if j < extra else base for j in range(chunks))
        starts = tuple(int(x) for x in np.cumsum((0, *widths[:-1])))
        return cls(starts, widths)

    @property
    def slot(self) -> int:
        return (1 << max(self.widths)) + 1

    def chunk(self, words: Words, j: int) -> NDArray[np.uint32]:
        word, off = divmod(self.starts[j], 64)
        width = self.widths[j]
        value = words[:, word] >> np.uint64(off)
        if off + width > 64:
            value |= words[:, word + 1] << np.uint64(64 - off)
        return (value & np.uint64((1 << width) - 1)).astype(np.uint32)

    def chunks(self, words: Words) -> NDArray[np.uint32]:
        """Every chunk of every row, (n, m): bits times a place-value matrix (exact in float)."""
        bits = np.unpackbits(words.view(np.uint8), axis=1, bitorder="little")
        values = bits.astype(np.float64) @ self._place_values()
        return values.astype(np.uint32)

    @lru_cache(maxsize=64)  # noqa: B019 - layouts are few and live as long as their segments
    def _place_values(self) -> NDArray[np.float64]:
        matrix = np.zeros((BITS, len(self.widths)), dtype=np.float64)
        for j, (start, width) in enumerate(zip(self.starts, self.widths, strict=True)):
            matrix[start : start + width, j] = 2.0 ** np.arange(width)
        return matrix


@dataclass(frozen=True)
class SegmentTables:
    """A segment's chunk tables, to save and restore (``rows``, ``bounds``: 1-d integer arrays)."""

    first: int
    size: int
    rows: NDArray[Any]
    bounds: NDArray[Any]


class _Segment:
    """Immutable tables over a contiguous run of rows ``[first, first + len)``."""

    def __init__(self, first: int, words: Words) -> None:
        self._start(first, len(words))
        slot = self.layout.slot
        chunks = len(self.layout.widths)
        index_type = np.int32 if chunks * self.size < 2**31 else np.int64
        self.rows = np.empty(chunks * self.size, dtype=index_type)
        self.bounds = np.empty(chunks * slot, dtype=index_type)
        for j in range(chunks):
            keys = self.layout.chunk(words, j)
            order = np.argsort(keys, kind="stable")
            self.rows[j * self.size : (j + 1) * self.size] = order
            counts = np.bincount(keys, minlength=slot - 1)
            # bounds[v]..bounds[v + 1]: where value v's rows lie in the concatenated tables
            self.bounds[j * slot] = j * self.size
            self.bounds[j * slot + 1 : (j + 1) * slot] = np.cumsum(counts) + j * self.size

    def _start(self, first: int, size: int) -> None:
        self.first = first
        self.size = size
        self.layout = _Layout.for_rows(self.size)
        self._plans: dict[int, tuple[NDArray[np.int64], NDArray[np.uint32]] | None] = {}

    @classmethod
    def restored(cls, tables: SegmentTables) -> _Segment:
        """A segment from tables saved earlier (arrays may be memory-mapped)."""
        segment = cls.__new__(cls)
        segment._start(tables.first, tables.size)
        chunks, slot = len(segment.layout.widths), segment.layout.slot
        if tables.rows.shape != (chunks * tables.size,) or tables.bounds.shape != (chunks * slot,):
            raise InvalidData(f"segment tables at row {tables.first} do not fit its layout")
        segment.rows, segment.bounds = tables.rows, tables.bounds
        return segment

    def tables(self) -> SegmentTables:
        return SegmentTables(self.first, self.size, self.rows, self.bounds)

    def nbytes(self) -> int:
        return int(self.rows.nbytes + self.bounds.nbytes)

    def plan(self, threshold: int) -> tuple[NDArray[np.int64], NDArray[np.uint32]] | None:
        """(chunk of each probe, XOR mask of each probe), or None when a scan is cheaper."""
        if threshold not in self._plans:
            self._plans[threshold] = self._plan(threshold)
        return self._plans[threshold]

    def _plan(self, threshold: int) -> tuple[NDArray[np.int64], NDArray[np.uint32]] | None:
        widths = self.layout.widths
        radii = _radii(threshold, len(widths))
        probes = sum(
            sum(comb(w, i) for i in range(r + 1)) for w, r in zip(widths, radii, strict=True)
        )
        expected = probes * (self.size / (1 << min(widths)))
        if probes + expected > self.size / 4:
            return None
        tables = [
            np.full(len(_masks(w, r)), j, np.int64)
            for j, (w, r) in enumerate(zip(widths, radii, strict=True))
            if r >= 0
        ]
        masks = [_masks(w, r) for w, r in zip(widths, radii, strict=True) if r >= 0]
        if not tables:  # unreachable: sum(r + 1) = threshold + 1 >= 1
            return None
        return np.concatenate(tables), np.concatenate(masks)

    def candidates(
        self, query_chunks: NDArray[np.uint32], plan: tuple[NDArray[np.int64], NDArray[np.uint32]]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(query position, segment-local row) for every candidate of each query."""
        tables, masks = plan
        keys = (query_chunks[:, tables] ^ masks).astype(np.int64) + tables * self.layout.slot
        low = self.bounds[keys].astype(np.int64).ravel()
        high = self.bounds[keys + 1].astype(np.int64).ravel()
        lengths = high - low
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        ends = np.cumsum(lengths)
        offsets = np.repeat(low - (ends - lengths), lengths)
        positions = offsets + np.arange(total, dtype=np.int64)
        query = np.repeat(
            np.arange(len(query_chunks), dtype=np.int64),
            lengths.reshape(len(query_chunks), -1).sum(axis=1),
        )
        return query, self.rows[positions].astype(np.int64)


class MihIndex:
    """All hashes within a threshold of each query, exactly; fast for single queries."""

    def __init__(self, hashes: Hashes | None = None, *, pending_rows: int = PENDING_ROWS) -> None:
        self._words: Words = np.empty((0, WORDS), dtype=np.uint64)
        self._size = 0
        self._segments: list[_Segment] = []
        self._pending_rows = pending_rows
        if hashes is not None:
            self.add(hashes)

    def __len__(self) -> int:
        return self._size

    @classmethod
    def restore(
        cls, hashes: Hashes, tables: list[SegmentTables], *, pending_rows: int = PENDING_ROWS
    ) -> MihIndex:
        """An index over ``hashes`` with the segment tables it had (``tables()``), not rebuilt.

        The segments must cover rows ``0..k`` in order; rows after them are pending.
        Arrays may be memory-mapped: a large index reopens without reading it whole.
        """
        index = cls(pending_rows=pending_rows)
        index._words = _words(hashes)
        index._size = len(index._words)
        first = 0
        for item in tables:
            if item.first != first or item.first + item.size > index._size:
                raise InvalidData(f"segment tables at row {item.first} do not follow row {first}")
            index._segments.append(_Segment.restored(item))
            first += item.size
        return index

    def tables(self) -> list[SegmentTables]:
        """Each segment's tables, in row order (what ``restore`` takes back)."""
        return [segment.tables() for segment in self._segments]

    def hashes(self) -> Hashes:
        """The hashes, (n, 32) uint8, in the order added (a view, not a copy)."""
        return self._words[: self._size].view(np.uint8).reshape(self._size, HASH_BYTES)

    @property
    def segments(self) -> int:
        return len(self._segments)

    def nbytes(self) -> int:
        """Bytes held: the hashes and every segment's tables."""
        return int(self._size * HASH_BYTES + sum(s.nbytes() for s in self._segments))

    def add(self, hashes: Hashes) -> None:
        new = _words(hashes)
        if len(new) == 0:
            return
        if self._size + len(new) > len(self._words):
            grown = np.empty((max(2 * len(self._words), self._size + len(new)), WORDS), np.uint64)
            grown[: self._size] = self._words[: self._size]
            self._words = grown
        self._words[self._size : self._size + len(new)] = new
        self._size += len(new)
        self._settle()

    def _indexed(self) -> int:
        return self._segments[-1].first + self._segments[-1].size if self._segments else 0

    def _settle(self) -> None:
        """Pending rows into a segment when they fill; merge neighbours of similar size."""
        first = self._indexed()
        if self._size - first < self._pending_rows:
            return
        self._segments.append(_Segment(first, self._words[first : self._size]))
        while len(self._segments) >= 2 and self._segments[-2].size <= 2 * self._segments[-1].size:
            b = self._segments.pop()
            a = self._segments.pop()
            self._segments.append(_Segment(a.first, self._words[a.first : b.first + b.size]))

    def search(self, queries: Hashes, threshold: int) -> Matches:
        """Every (query, row) pair at Hamming distance <= ``threshold`` (0-256)."""
        if not 0 <= threshold <= BITS:
            raise InvalidData(f"threshold must be 0-{BITS}, got {threshold}")
        query_words = _words(queries)
        parts: list[Matches] = []
        if self._size and len(query_words):
            for segment in self._segments:
                parts.extend(self._search_segment(segment, query_words, threshold))
            pending = self._indexed()
            if pending < self._size:
                parts.extend(self._scan(query_words, pending, self._size, threshold))
        if not parts:
            return Matches(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int32))
        query = np.concatenate([p.query for p in parts])
        row = np.concatenate([p.row for p in parts])
        distance = np.concatenate([p.distance for p in parts])
        order = np.lexsort((row, query))
        return Matches(query[order], row[order], distance[order])

    def _search_segment(self, segment: _Segment, queries: Words, threshold: int) -> list[Matches]:
        plan = segment.plan(threshold)
        if plan is None:
            return self._scan(queries, segment.first, segment.first + segment.size, threshold)
        query_chunks = segment.layout.chunks(queries)
        probes = len(plan[0])
        expected = probes * (1 + segment.size / (1 << min(segment.layout.widths)))
        step = max(1, int(CANDIDATE_BLOCK // expected))
        out: list[Matches] = []
        for start in range(0, len(queries), step):
            query, local = segment.candidates(query_chunks[start : start + step], plan)
            if len(local) == 0:
                continue
            query += start
            row = local + segment.first
            distance = _popcount(self._words[row] ^ queries[query])
            keep = distance <= threshold
            query, row, distance = query[keep], row[keep], distance[keep]
            # a hash close in several chunks is a candidate several times
            unique = np.unique(query * self._size + row, return_index=True)[1]
            out.append(Matches(query[unique], row[unique], distance[unique]))
        return out

    def _scan(self, queries: Words, first: int, last: int, threshold: int) -> list[Matches]:
        """Brute force over rows ``[first, last)``: faiss's flat scan (``PdqIndex``), which
        beats NumPy's broadcast popcounts ~20x on the pending run of a batch."""
        rows = self._words[first:last].view(np.uint8).reshape(last - first, HASH_BYTES)
        asked = queries.view(np.uint8).reshape(len(queries), HASH_BYTES)
        found = PdqIndex(rows).search(asked, threshold)
        return [Matches(found.query, found.row + first, found.distance)]
