"""Multi-index hashing against the brute-force oracle: every threshold up to 31, and edges."""

from __future__ import annotations

import numpy as np
import pytest

from crosscheck.exc import InvalidData
from crosscheck.index import mih
from crosscheck.index.hamming import brute_force
from crosscheck.index.mih import MihIndex, _radii


def flipped(rng: np.random.Generator, base: np.ndarray, flips: int) -> np.ndarray:
    """A copy of each row of ``base`` with exactly ``flips`` random bits flipped."""
    bits = np.unpackbits(base, axis=1)
    for row in bits:
        row[rng.choice(256, size=flips, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def planted(seed: int, bank_size: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """A random bank and queries with a planted neighbour at every distance 0..40."""
    rng = np.random.default_rng(seed)
    bank = rng.integers(0, 256, size=(bank_size, 32), dtype=np.uint8)
    queries = np.concatenate(
        [flipped(rng, bank[2 * d : 2 * d + 2], d) for d in range(41)]
        + [rng.integers(0, 256, size=(10, 32), dtype=np.uint8)]
    )
    return bank, queries


@pytest.mark.parametrize("seed", [0, 1])
def test_every_threshold_up_to_31_equals_the_oracle(seed: int) -> None:
    bank, queries = planted(seed)
    index = MihIndex(bank, pending_rows=256)
    assert index.segments == 1  # the tables are used, not the pending scan
    for threshold in range(32):
        assert index._segments[0].plan(threshold) is not None  # probes, not a scan
        want = brute_force(queries, bank, threshold)
        assert index.search(queries, threshold).triples() == want, threshold
        # every planted neighbour at distance <= threshold is found
        assert {(2 * d, 2 * d) for d in range(threshold + 1)} <= {(q, r) for q, r, _ in want}


@pytest.mark.parametrize("threshold", [40, 64, 128, 256])
def test_large_thresholds_scan_and_still_equal_the_oracle(threshold: int) -> None:
    bank, queries = planted(5, 600)
    got = MihIndex(bank, pending_rows=100).search(queries, threshold).triples()
    assert got == brute_force(queries, bank, threshold)


def test_single_queries_equal_the_batch() -> None:
    bank, queries = planted(2)
    index = MihIndex(bank, pending_rows=256)
    batch = index.search(queries, 31).triples()
    one_by_one = sorted(
        (i, r, d)
        for i in range(len(queries))
        for _, r, d in index.search(queries[i : i + 1], 31).triples()
    )
    assert one_by_one == batch


def test_incremental_adds_make_segments_that_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mih, "CANDIDATE_BLOCK", 64)  # several candidate steps per search
    bank, queries = planted(3, 2500)
    index = MihIndex(pending_rows=128)
    seen = []
    for start in range(0, len(bank), 97):
        index.add(bank[start : start + 97])
        seen.append(index.segments)
        assert index.search(queries, 31).triples() == brute_force(queries, bank[: len(index)], 31)
    assert len(index) == len(bank)
    assert max(seen) <= 8  # merged as they grow, not one segment per add
    assert index.search(queries, 31).triples() == brute_force(queries, bank, 31)


def test_empty_one_hash_and_duplicates() -> None:
    query = np.zeros((3, 32), dtype=np.uint8)
    assert len(MihIndex().search(query, 31)) == 0
    assert len(MihIndex(np.zeros((0, 32), dtype=np.uint8)).search(query, 31)) == 0
    one = MihIndex(np.zeros((1, 32), dtype=np.uint8))
    assert one.search(query, 0).triples() == [(0, 0, 0), (1, 0, 0), (2, 0, 0)]
    assert len(one.search(np.zeros((0, 32), dtype=np.uint8), 31)) == 0
    rng = np.random.default_rng(9)
    bank = np.concatenate(
        [rng.integers(0, 256, size=(5000, 32), dtype=np.uint8), np.full((4, 32), 0xAB, np.uint8)]
    )
    index = MihIndex(bank, pending_rows=64)
    assert index.segments >= 1
    got = index.search(np.full((1, 32), 0xAB, np.uint8), 0).triples()
    assert got == [(0, 5000, 0), (0, 5001, 0), (0, 5002, 0), (0, 5003, 0)]


def test_bad_threshold_and_shape() -> None:
    with pytest.raises(InvalidData):
        MihIndex().search(np.zeros((1, 32), dtype=np.uint8), 257)
    with pytest.raises(InvalidData):
        MihIndex().search(np.zeros((1, 32), dtype=np.uint8), -1)
    with pytest.raises(InvalidData):
        MihIndex(np.zeros((1, 16), dtype=np.uint8))


@pytest.mark.parametrize("chunks", [8, 13, 16])
def test_radii_satisfy_the_pigeonhole(chunks: int) -> None:
    for threshold in range(64):
        radii = _radii(threshold, chunks)
        assert sum(r + 1 for r in radii) == threshold + 1
        assert max(radii) - min(radii) <= 1
