"""Triage: match fingerprinted files against a bank of known material.

Exact digests (MD5, SHA-1, SHA-256) are looked up in the store; PDQ hashes
(with their trimmed and dihedral variants) and vPDQ video frames are searched
in faiss indexes built from the bank, cached on disk so that a large bank is
ready in seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from crosscheck.fingerprints.record import FileRecord
from crosscheck.index.hamming import HASH_BYTES, from_hex
from crosscheck.index.matching import MIN_QUALITY, THRESHOLD, VIDEO_PCT, closest_pairs, usable
from crosscheck.index.matching import video_matches as video_rule
from crosscheck.index.pdq_index import PdqIndex
from crosscheck.model.banks import BankEntry
from crosscheck.store import BankInfo, BankStore
from crosscheck.store.files import private_dir

DEFAULT_THRESHOLD = THRESHOLD  # the rules and their constants: index/matching.py
DEFAULT_VIDEO_PCT = VIDEO_PCT
CHUNK = 2000


@dataclass(frozen=True)
class MatchRow:
    item: str
    bank: str
    bank_item: str
    signal: str
    distance: int
    query_match_pct: float | None
    compared_match_pct: float | None
    category: str | None
    variant: str | None = None
    series: str | None = None
    victim_identified: bool | None = None
    md5: str | None = None
    sha1: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MatchOptions:
    threshold: int = DEFAULT_THRESHOLD
    video_query_pct: float = DEFAULT_VIDEO_PCT
    video_compared_pct: float = DEFAULT_VIDEO_PCT
    min_quality: int = MIN_QUALITY


def load_pdq_hashes(
    banks: BankStore, info: BankInfo, cache_dir: Path | None
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """The bank's PDQ hashes and their entry ids, from the cache when it is current."""
    if cache_dir is not None:
        stamp = info.updated_at.strftime("%Y%m%dT%H%M%S%f")
        stem = cache_dir / f"bank-{info.id}-v{info.version}-{stamp}-{info.pdq_hashes}"
        hashes_file, ids_file = stem.with_suffix(".pdq.npy"), stem.with_suffix(".ids.npy")
        if hashes_file.exists() and ids_file.exists():
            return np.load(hashes_file, mmap_mode="r"), np.load(ids_file, mmap_mode="r")
    ids: list[int] = []
    hexes: list[str] = []
    for entry_id, value in banks.pdq_rows(info.id):
        ids.append(entry_id)
        hexes.append(value)
    hashes = from_hex(hexes) if hexes else np.zeros((0, HASH_BYTES), dtype=np.uint8)
    id_array = np.asarray(ids, dtype=np.int64)
    if cache_dir is not None:
        private_dir(cache_dir)
        for old in cache_dir.glob(f"bank-{info.id}-v*.npy"):
            old.unlink(missing_ok=True)
        np.save(hashes_file, hashes)
        np.save(ids_file, id_array)
    return hashes, id_array


class BankMatcher:
    """One bank, loaded once, matched against any number of files."""

    def __init__(
        self,
        banks: BankStore,
        info: BankInfo,
        options: MatchOptions | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.banks = banks
        self.info = info
        self.options = options or MatchOptions()
        hashes, self.pdq_ids = load_pdq_hashes(banks, info, cache_dir)
        self.pdq_index = PdqIndex(np.asarray(hashes))
        frame_ids: list[int] = []
        frame_hexes: list[str] = []
        self.frames_per_entry: dict[int, int] = defaultdict(int)
        for entry_id, frame in banks.frames(info.id):
            if not usable(frame.quality, self.options.min_quality):
                continue
            frame_ids.append(entry_id)
            frame_hexes.append(frame.pdq)
            self.frames_per_entry[entry_id] += 1
        self.frame_ids = np.asarray(frame_ids, dtype=np.int64)
        self.frame_rows = np.arange(len(frame_ids), dtype=np.int64)
        self.frame_index = PdqIndex(from_hex(frame_hexes) if frame_hexes else None)
        self._entries: dict[int, BankEntry] = {}

    def match(self, records: Iterable[FileRecord]) -> Iterator[MatchRow]:
        iterator = iter(records)
        while chunk := list(islice(iterator, CHUNK)):
            yield from self._match_chunk(chunk)

    def _entry(self, entry_ids: Iterable[int]) -> None:
        missing = [i for i in set(entry_ids) if i not in self._entries]
        self._entries.update(self.banks.entries(self.info.id, missing))

    def _row(
        self, record: FileRecord, entry_id: int, signal: str, distance: int, **extra: Any
    ) -> MatchRow:
        entry = self._entries[entry_id]
        return MatchRow(
            item=record.path,
            bank=self.info.name,
            bank_item=entry.ref,
            signal=signal,
            distance=distance,
            query_match_pct=extra.get("query_pct"),
            compared_match_pct=extra.get("compared_pct"),
            category=entry.category,
            variant=extra.get("variant"),
            series=entry.series,
            victim_identified=entry.victim_identified,
            md5=record.md5,
            sha1=record.sha1,
        )

    def _match_chunk(self, chunk: list[FileRecord]) -> Iterator[MatchRow]:
        found: list[
            tuple[int, int, str, int, dict[str, Any]]
        ] = []  # record, entry, signal, distance
        for kind in ("md5", "sha1", "sha256"):
            values = {getattr(r, kind) for r in chunk if getattr(r, kind)}
            hits = self.banks.exact(self.info.id, kind, values)
            for position, record in enumerate(chunk):
                for entry_id in hits.get(getattr(record, kind) or "", ()):
                    found.append((position, entry_id, kind, 0, {}))
        found.extend(self._pdq(chunk))
        for position, record in enumerate(chunk):
            found.extend(self._video(position, record))
        self._entry(entry_id for _, entry_id, _, _, _ in found)
        for position, entry_id, signal, distance, extra in found:
            yield self._row(chunk[position], entry_id, signal, distance, **extra)

    def _pdq(self, chunk: list[FileRecord]) -> Iterator[tuple[int, int, str, int, dict[str, Any]]]:
        owners: list[tuple[int, str | None]] = []
        hexes: list[str] = []
        floor = self.options.min_quality
        for position, record in enumerate(chunk):
            if record.pdq and usable(record.pdq_quality, floor):
                owners.append((position, None))
                hexes.append(record.pdq)
            for name, (value, quality) in record.pdq_variants.items():
                if usable(quality, floor):
                    owners.append((position, name))
                    hexes.append(value)
        if not hexes or len(self.pdq_index) == 0:
            return
        result = self.pdq_index.search(from_hex(hexes), self.options.threshold)
        rows = {row: int(self.pdq_ids[row]) for row in set(result.row.tolist())}
        best = closest_pairs(result, [position for position, _ in owners], rows)
        for (position, entry_id), (distance, query) in sorted(best.items()):
            yield position, entry_id, "pdq", distance, {"variant": owners[query][1]}

    def _video(
        self, position: int, record: FileRecord
    ) -> Iterator[tuple[int, int, str, int, dict[str, Any]]]:
        frames = [f for f in record.vpdq or () if usable(f.quality, self.options.min_quality)]
        if not frames or len(self.frame_index) == 0:
            return
        result = self.frame_index.search(from_hex(f.pdq for f in frames), self.options.threshold)
        rows = {row: int(self.frame_ids[row]) for row in set(result.row.tolist())}
        found = video_rule(
            result,
            [position] * len(frames),
            rows,
            {position: len(frames)},
            self.frames_per_entry,
            query_pct=self.options.video_query_pct,
            compared_pct=self.options.video_compared_pct,
        )
        for match in sorted(found, key=lambda m: m.row):
            extra = {"query_pct": match.query_pct, "compared_pct": match.compared_pct}
            yield position, match.row, "vpdq", match.distance, extra
