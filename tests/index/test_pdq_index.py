"""The faiss index against the brute-force oracle, on seeded random hashes and the edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.exc import InvalidData
from crosscheck.index.hamming import brute_force, distances, from_hex, to_hex
from crosscheck.index.pdq_index import PdqIndex


def near_copies(rng: np.random.Generator, base: np.ndarray, flips: int) -> np.ndarray:
    """Copies of ``base`` with ``flips`` random bits flipped in each."""
    bits = np.unpackbits(base, axis=1)
    for row in bits:
        row[rng.choice(256, size=flips, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("threshold", [0, 10, 31, 70, 128])
def test_matches_brute_force(seed: int, threshold: int) -> None:
    rng = np.random.default_rng(seed)
    bank = rng.integers(0, 256, size=(2000, 32), dtype=np.uint8)
    queries = np.concatenate(
        [
            near_copies(rng, bank[:50], 5),
            near_copies(rng, bank[50:100], 30),
            rng.integers(0, 256, size=(50, 32), dtype=np.uint8),
        ]
    )
    got = PdqIndex(bank).search(queries, threshold).triples()
    assert got == brute_force(queries, bank, threshold)
    if threshold >= 31:
        assert len({q for q, _, _ in got}) >= 50  # the near copies are found


def test_threshold_zero_finds_only_identical_and_256_finds_all() -> None:
    rng = np.random.default_rng(7)
    bank = rng.integers(0, 256, size=(40, 32), dtype=np.uint8)
    index = PdqIndex(bank)
    exact = index.search(bank[:5], 0).triples()
    assert [(q, r) for q, r, _ in exact] == [(i, i) for i in range(5)]
    assert len(index.search(bank[:3], 256)) == 3 * 40


def test_identical_hashes_in_the_bank_all_match() -> None:
    same = np.full((4, 32), 0xAB, dtype=np.uint8)
    assert [r for _, r, _ in PdqIndex(same).search(same[:1], 0).triples()] == [0, 1, 2, 3]


def test_empty_bank_and_one_hash_bank() -> None:
    query = np.zeros((3, 32), dtype=np.uint8)
    assert len(PdqIndex().search(query, 31)) == 0
    one = PdqIndex(np.zeros((1, 32), dtype=np.uint8))
    assert one.search(query, 0).triples() == [(0, 0, 0), (1, 0, 0), (2, 0, 0)]
    assert len(one.search(np.zeros((0, 32), dtype=np.uint8), 31)) == 0


def test_bad_threshold_and_shape() -> None:
    with pytest.raises(InvalidData):
        PdqIndex().search(np.zeros((1, 32), dtype=np.uint8), 257)
    with pytest.raises(InvalidData):
        PdqIndex(np.zeros((1, 16), dtype=np.uint8))


def test_batches_larger_than_one_faiss_call() -> None:
    rng = np.random.default_rng(3)
    bank = rng.integers(0, 256, size=(300, 32), dtype=np.uint8)
    queries = np.concatenate([bank] * 15)  # 4500 queries: two batches
    got = PdqIndex(bank).search(queries, 0)
    assert len(got) == 4500
    assert np.array_equal(got.row, np.tile(np.arange(300), 15))


@settings(max_examples=50)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=20))
def test_hex_round_trip_and_zero_self_distance(rows: list[bytes]) -> None:
    hexes = [r.hex() for r in rows]
    array = from_hex(hexes)
    assert to_hex(array) == hexes
    assert np.all(np.diag(distances(array, array)) == 0)


def test_from_hex_refuses_bad_input() -> None:
    with pytest.raises(InvalidData):
        from_hex(["zz" * 32])
    with pytest.raises(InvalidData):
        from_hex(["ab" * 31])


def test_block_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crosscheck.index.pdq_index.BLOCK_ROWS", 64)
    rng = np.random.default_rng(11)
    bank = rng.integers(0, 256, size=(1000, 32), dtype=np.uint8)
    index = PdqIndex(bank[:500])
    index.add(bank[500:])  # a second add fills the last block, then opens new ones
    queries = np.concatenate([near_copies(rng, bank[::7], 8), bank[-3:]])
    assert len(index) == 1000
    assert index.search(queries, 31).triples() == brute_force(queries, bank, 31)
