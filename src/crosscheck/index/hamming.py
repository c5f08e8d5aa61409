"""256-bit hashes (PDQ) as arrays, and the brute-force search every index is tested against."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from crosscheck.exc import InvalidData

HASH_BYTES = 32
Hashes = NDArray[np.uint8]  # shape (n, 32)
_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


def from_hex(values: Iterable[str]) -> Hashes:
    """Hex strings (64 digits each) as an (n, 32) uint8 array."""
    rows = list(values)
    try:
        joined = bytes.fromhex("".join(rows))
    except ValueError as exc:
        raise InvalidData(f"not a hex PDQ hash list: {exc}") from exc
    if any(len(v) != 2 * HASH_BYTES for v in rows):
        raise InvalidData("every PDQ hash is 64 hex digits")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(rows), HASH_BYTES).copy()


def to_hex(hashes: Hashes) -> list[str]:
    return [row.tobytes().hex() for row in hashes]


def distances(query: Hashes, bank: Hashes) -> NDArray[np.uint16]:
    """All Hamming distances, (len(query), len(bank)): the oracle, O(n·m)."""
    xor = np.bitwise_xor(query[:, None, :], bank[None, :, :])
    result: NDArray[np.uint16] = _POPCOUNT[xor].sum(axis=2, dtype=np.uint16)
    return result


def brute_force(query: Hashes, bank: Hashes, threshold: int) -> list[tuple[int, int, int]]:
    """(query row, bank row, distance) for every pair within ``threshold`` bits, sorted."""
    if len(query) == 0 or len(bank) == 0:
        return []
    found = distances(query, bank)
    q, b = np.nonzero(found <= threshold)
    return sorted(zip(q.tolist(), b.tolist(), found[q, b].tolist(), strict=True))
