"""The one set of matching rules, for triage against banks and for the hub's cross-check.

PDQ near-duplicates: two hashes match within ``THRESHOLD`` bits; a hash below
the quality floor is not used (a hash without a quality, as some banks give
them, is used). An item matches another at the smallest distance between any
of their hashes (a file's PDQ and its trimmed and dihedral variants).

Videos (vPDQ): frames match as PDQ hashes do; two videos match when at least
``VIDEO_PCT`` of the query's usable frames match a frame of the other video
and at least ``VIDEO_PCT`` of the other video's usable frames are matched
(the shares rounded to one decimal, as they are shown).

Exact digests (MD5, SHA-1, SHA-256) are equal or not; one file found by
several of them is one match named by its strongest (``EXACT_STRENGTH``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from crosscheck.index.pdq_index import Matches

THRESHOLD = 31
VIDEO_PCT = 80.0
MIN_QUALITY = 50
EXACT_STRENGTH = {"sha256": 3, "sha1": 2, "md5": 1}

Q = TypeVar("Q", bound=Hashable)
R = TypeVar("R", bound=Hashable)


def usable(quality: int | None, floor: int = MIN_QUALITY) -> bool:
    """Whether a PDQ hash (or frame) of this quality takes part in matching."""
    return quality is None or quality >= floor


def closest_pairs(
    matches: Matches, query_owner: Sequence[Q], row_owner: Mapping[int, R]
) -> dict[tuple[Q, R], tuple[int, int]]:
    """(query's item, row's item) -> (smallest distance, the query that had it).

    ``query_owner[i]`` is the item of query ``i``; ``row_owner`` the item of each
    matched row (a row it lacks, such as one erased meanwhile, is left out).
    Ties keep the first query, so the answer does not depend on the index's order.
    """
    best: dict[tuple[Q, R], tuple[int, int]] = {}
    for query, row, distance in matches.triples():
        owner = row_owner.get(row)
        if owner is None:
            continue
        key = (query_owner[query], owner)
        held = best.get(key)
        if held is None or distance < held[0]:
            best[key] = (distance, query)
    return best


@dataclass(frozen=True)
class VideoMatch(Generic[Q, R]):
    query: Q
    row: R
    distance: int  # the closest pair of frames
    query_pct: float  # share of the query video's frames that matched
    compared_pct: float  # share of the other video's frames that were matched


def share(matched: int, total: int) -> float:
    return round(100.0 * matched / total, 1) if total else 0.0


def video_matches(
    matches: Matches,
    query_owner: Sequence[Q],
    row_owner: Mapping[int, R],
    query_frames: Mapping[Q, int],
    row_frames: Mapping[R, int],
    *,
    query_pct: float = VIDEO_PCT,
    compared_pct: float = VIDEO_PCT,
) -> list[VideoMatch[Q, R]]:
    """Videos whose frames match in both directions (the video-level rule).

    ``matches`` are frame matches; ``query_owner``/``row_owner`` name each frame's
    video; ``query_frames``/``row_frames`` count each video's usable frames.
    """
    mine: dict[tuple[Q, R], set[int]] = defaultdict(set)
    theirs: dict[tuple[Q, R], set[int]] = defaultdict(set)
    closest: dict[tuple[Q, R], int] = {}
    for query, row, distance in matches.triples():
        owner = row_owner.get(row)
        if owner is None:
            continue
        key = (query_owner[query], owner)
        mine[key].add(query)
        theirs[key].add(row)
        closest[key] = min(distance, closest.get(key, distance))
    found = []
    for key in mine:  # in the order of the first matching frame
        q_pct = share(len(mine[key]), query_frames.get(key[0], 0))
        c_pct = share(len(theirs[key]), row_frames.get(key[1], 0))
        if q_pct >= query_pct and c_pct >= compared_pct:
            found.append(VideoMatch(key[0], key[1], closest[key], q_pct, c_pct))
    return found
