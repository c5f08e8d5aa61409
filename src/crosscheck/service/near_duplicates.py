"""Near-duplicates of a pasted PDQ hash among the perceptual fingerprints a viewer may see.

The PDQ and vPDQ-frame fingerprints of the given contributions go into an exact
multi-index-hashing index (``index/mih.py``: the same answers as brute force),
kept in a small cache keyed by the store and the contributions (each with the
time it was received: a contribution's fingerprints do not change once held,
and an erased one leaves the key).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from crosscheck.index.hamming import from_hex
from crosscheck.index.matching import THRESHOLD as PDQ_THRESHOLD
from crosscheck.index.mih import MihIndex
from crosscheck.model import Fingerprint
from crosscheck.store import CaseStore

PERCEPTUAL = ("pdq", "vpdq-frame")
CACHED_SCOPES = 8


@dataclass(frozen=True)
class Near:
    fingerprint: Fingerprint
    distance: int


@dataclass(frozen=True)
class _Held:
    prints: list[Fingerprint]
    index: MihIndex


_cache: OrderedDict[tuple[object, ...], _Held] = OrderedDict()
_lock = threading.Lock()


def _held(store: CaseStore, scope: Sequence[str]) -> _Held:
    held = store.contributions(scope)
    key = (str(store.engine.url), *sorted((c.id, str(c.received_at)) for c in held))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    prints = list(store.fingerprints(contribution_ids=[c.id for c in held], kinds=PERCEPTUAL))
    made = _Held(prints, MihIndex(from_hex(f.value for f in prints)))
    with _lock:
        _cache[key] = made
        while len(_cache) > CACHED_SCOPES:
            _cache.popitem(last=False)
    return made


def near_duplicates(
    store: CaseStore, scope: Sequence[str], pdq_hex: str, threshold: int = PDQ_THRESHOLD
) -> list[Near]:
    """Every perceptual fingerprint of ``scope`` within ``threshold`` bits, nearest first."""
    if not scope:
        return []
    held = _held(store, scope)
    if not held.prints:
        return []
    found = held.index.search(from_hex([pdq_hex.lower()]), threshold)
    pairs = sorted(zip(found.distance.tolist(), found.row.tolist(), strict=True))
    return [Near(held.prints[row], int(distance)) for distance, row in pairs]


__all__ = ["PDQ_THRESHOLD", "Near", "near_duplicates"]
