"""A PDQ index kept in a folder: multi-index hashing segments and row labels, memory-mapped.

The index is a cache derived from a store; it knows nothing of the store but
what it is told: rows added for a contribution (``add``), a contribution
erased (``erase``, a tombstone: its rows are left out of every answer until
compaction drops them), and how far it has followed the store (``advance``:
the store's feed row it took in last, and that row's nonce).

Files in the folder:

- ``manifest.json``: rows, watermark and nonce, sources (one per contribution
  added: feed row, contribution, agency, erased), segments, epoch; written
  aside and renamed, so a reader sees the old manifest or the new one;
- ``words-E.bin``: the hashes, 32 bytes a row, in the order added (appended);
- ``labels-E.bin``: per row its source (int32), kind (uint8) and fingerprint id
  (20 bytes; the store names its owner);
- ``seg-E-FIRST-SIZE.rows.npy`` / ``.bounds.npy``: one MIH segment's tables
  (``index/mih.py``), written once, deleted when merged into a larger one;
- ``stamp``: the manifest's stamp, so a process sees at a glance whether it changed;
- ``lock``: ``flock``, one writer at a time across processes.

Files are never rewritten in place: appends go past what the manifest counts,
and compaction writes a new epoch ``E``. A process that mapped the old files
keeps reading them after they are deleted, so readers need no lock. Reopening
maps the files (``np.load(mmap_mode="r")``): nothing is rebuilt or read whole.
No pickle anywhere: NumPy arrays (``allow_pickle=False``), raw bytes and JSON.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from crosscheck.exc import InvalidData
from crosscheck.index.hamming import HASH_BYTES, Hashes
from crosscheck.index.mih import PENDING_ROWS, MihIndex, SegmentTables
from crosscheck.index.pdq_index import Matches

FORMAT = 1
KINDS = ("pdq", "vpdq-frame")
FID_BYTES = 20  # a fingerprint id: SHA-1, hex in the store
LABEL = np.dtype([("source", "<i4"), ("kind", "u1"), ("fid", "u1", (FID_BYTES,))])
COMPACT_SHARE = 0.25  # compact when erased rows pass this share of all rows ...
COMPACT_MIN = 4096  # ... and this many
MANIFEST = "manifest.json"
STAMP = "stamp"  # the manifest's stamp, read before the manifest itself


@dataclass
class Source:
    feed_id: int
    contribution_id: str
    agency_id: int
    erased: bool = False


class PdqFolder:
    """PDQ hashes and vPDQ frames of a holding, searchable by MIH, kept in ``folder``.

    ``folder`` None: the same index in memory only (nothing saved).
    """

    def __init__(self, folder: Path | None, *, pending_rows: int = PENDING_ROWS) -> None:
        self.folder = folder
        self.pending_rows = pending_rows
        self.guard = threading.RLock()  # threads of one process: one at a time
        self.epoch = 0
        self._stamp = ""
        self._empty()

    # -- state -------------------------------------------------------------------------------

    def _empty(self) -> None:
        self.watermark = 0
        self.nonce = ""
        self.sources: list[Source] = []
        self.index = MihIndex(pending_rows=self.pending_rows)
        self._labels = np.zeros(0, LABEL)
        self._saved_rows = 0
        self._saved_segments: set[tuple[int, int]] = set()
        self._erased_rows = 0
        self._refresh_sources()

    def _refresh_sources(self) -> None:
        self._live = np.array([not s.erased for s in self.sources], dtype=bool)
        self._agency = np.array([s.agency_id for s in self.sources], dtype=np.int64)
        self._by_contribution: dict[str, list[int]] = {}
        for number, source in enumerate(self.sources):
            if not source.erased:
                self._by_contribution.setdefault(source.contribution_id, []).append(number)

    def __len__(self) -> int:
        return len(self.index)

    @property
    def erased_rows(self) -> int:
        return self._erased_rows

    def reset(self) -> None:
        """Empty, under a new epoch (to be filled again from the store)."""
        self.epoch += 1
        self._empty()

    # -- changes -----------------------------------------------------------------------------

    def add(
        self,
        feed_id: int,
        contribution_id: str,
        agency_id: int,
        kinds: Sequence[str],
        fingerprint_ids: Sequence[str],
        hashes: Hashes,
    ) -> None:
        """One contribution's rows (``kinds[i]`` is "pdq" or "vpdq-frame")."""
        if not len(kinds) == len(fingerprint_ids) == len(hashes):
            raise InvalidData("kinds, fingerprint ids and hashes differ in length")
        number = len(self.sources)
        self.sources.append(Source(feed_id, contribution_id, agency_id))
        self._by_contribution.setdefault(contribution_id, []).append(number)
        self._live = np.append(self._live, True)
        self._agency = np.append(self._agency, agency_id)
        if len(hashes) == 0:
            return
        labels = np.zeros(len(hashes), LABEL)
        labels["source"] = number
        labels["kind"] = [KINDS.index(k) for k in kinds]
        labels["fid"] = np.frombuffer(
            bytes.fromhex("".join(fingerprint_ids)), dtype=np.uint8
        ).reshape(len(hashes), FID_BYTES)
        size = len(self.index)
        if size + len(labels) > len(self._labels) or not self._labels.flags.writeable:
            grown = np.zeros(max(2 * len(self._labels), size + len(labels)), LABEL)
            grown[:size] = self._labels[:size]
            self._labels = grown
        self._labels[size : size + len(labels)] = labels
        self.index.add(hashes)

    def erase(self, contribution_id: str) -> int:
        """Tombstone every source of the contribution; how many rows that hides."""
        numbers = self._by_contribution.pop(contribution_id, [])
        if not numbers:
            return 0
        for number in numbers:
            self.sources[number].erased = True
            self._live[number] = False
        counts = np.bincount(self._labels["source"][: len(self.index)], minlength=len(self.sources))
        hidden = int(counts[numbers].sum())
        self._erased_rows += hidden
        return hidden

    def advance(self, feed_id: int, nonce: str) -> None:
        """The store's feed row taken in last (the watermark) and its nonce."""
        self.watermark, self.nonce = feed_id, nonce

    # -- search ------------------------------------------------------------------------------

    def search(
        self, queries: Hashes, threshold: int, kind: str, exclude_agency: int | None = None
    ) -> tuple[Matches, dict[int, str]]:
        """Matches among live rows of ``kind``, not of ``exclude_agency``; row -> fingerprint id."""
        found = self.index.search(queries, threshold)
        if len(found) == 0:
            return found, {}
        labels = self._labels[found.row]
        source = labels["source"]
        keep = (labels["kind"] == KINDS.index(kind)) & self._live[source]
        if exclude_agency is not None:
            keep &= self._agency[source] != exclude_agency
        kept = Matches(found.query[keep], found.row[keep], found.distance[keep])
        fids = {
            int(row): bytes(fid).hex()
            for row, fid in zip(kept.row.tolist(), labels["fid"][keep], strict=True)
        }
        return kept, fids

    # -- the folder --------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """This thread alone in the index, and this process alone in the folder."""
        with self.guard:
            if self.folder is None:
                yield
                return
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the lock

    def _path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / name

    def _manifest(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == FORMAT else None

    def refresh(self) -> bool:
        """Take in what another process saved (under ``locked``); False when the folder holds
        no usable index (missing or inconsistent): the caller rebuilds it from the store."""
        if self.folder is None:
            return True
        try:  # the stamp alone first: the manifest grows with the contributions held
            if self._stamp and self._path(STAMP).read_text(encoding="ascii") == self._stamp:
                return True
        except OSError:
            pass
        data = self._manifest()
        if data is None:
            self.reset()
            return False
        if data["stamp"] == self._stamp:
            return True
        try:
            self._load(data)
        except (OSError, ValueError, KeyError, TypeError, InvalidData):
            self.epoch = max(self.epoch, int(data.get("epoch", 0))) + 1
            self._stamp = ""
            self._empty()
            return False
        return True

    def _load(self, data: dict[str, Any]) -> None:
        epoch, rows = int(data["epoch"]), int(data["rows"])
        words_file = self._path(f"words-{epoch}.bin")
        labels_file = self._path(f"labels-{epoch}.bin")
        if words_file.stat().st_size < rows * HASH_BYTES:
            raise InvalidData("the hashes file is shorter than the manifest says")
        if labels_file.stat().st_size < rows * LABEL.itemsize:
            raise InvalidData("the labels file is shorter than the manifest says")
        words: NDArray[Any]
        labels: NDArray[Any]
        if rows:
            words = np.memmap(words_file, np.uint8, "r", shape=(rows, HASH_BYTES))
            labels = np.memmap(labels_file, LABEL, "r", shape=(rows,))
        else:
            words, labels = np.zeros((0, HASH_BYTES), np.uint8), np.zeros(0, LABEL)
        tables = []
        for first, size in data["segments"]:
            stem = f"seg-{epoch}-{first}-{size}"
            tables.append(
                SegmentTables(
                    int(first),
                    int(size),
                    _mapped(self._path(stem + ".rows.npy")),
                    _mapped(self._path(stem + ".bounds.npy")),
                )
            )
        index = MihIndex.restore(np.asarray(words), tables, pending_rows=self.pending_rows)
        sources = [Source(int(f), str(c), int(a), bool(e)) for f, c, a, e in data["sources"]]
        if rows and int(labels["source"].max()) >= len(sources):
            raise InvalidData("a row names a source the manifest lacks")
        self.epoch, self._stamp = epoch, str(data["stamp"])
        self.watermark, self.nonce = int(data["watermark"]), str(data["nonce"])
        self.sources, self.index, self._labels = sources, index, np.asarray(labels)
        self._saved_rows = rows
        self._saved_segments = {(int(f), int(s)) for f, s in data["segments"]}
        self._erased_rows = int(data["erased_rows"])
        self._refresh_sources()

    def compact_due(self) -> bool:
        return self._erased_rows >= max(COMPACT_MIN, COMPACT_SHARE * len(self.index))

    def compact(self) -> None:
        """Drop erased rows and sources: new tables over the rows left, under a new epoch."""
        size = len(self.index)
        labels = self._labels[:size]
        keep = self._live[labels["source"]] if size else np.zeros(0, bool)
        kept_sources = [s for s in self.sources if not s.erased]
        renumber = np.cumsum(self._live) - 1
        new_labels = np.array(labels[keep])
        new_labels["source"] = renumber[new_labels["source"]]
        hashes = np.array(self.index.hashes()[keep])
        watermark, nonce, epoch = self.watermark, self.nonce, self.epoch + 1
        self._empty()
        self.epoch, self.watermark, self.nonce = epoch, watermark, nonce
        self.sources = kept_sources
        self._refresh_sources()
        self._labels = new_labels
        self.index.add(hashes)

    def save(self) -> None:
        """Write what changed (compacting first when erased rows pile up); a new manifest."""
        if self.compact_due():
            self.compact()
        if self.folder is None:
            return
        size = len(self.index)
        words_file = self._path(f"words-{self.epoch}.bin")
        labels_file = self._path(f"labels-{self.epoch}.bin")
        hashes = self.index.hashes()
        for path, part, width in (
            (words_file, hashes, HASH_BYTES),
            (labels_file, self._labels[:size], LABEL.itemsize),
        ):
            with path.open("r+b" if path.exists() else "wb") as out:
                out.seek(self._saved_rows * width)
                out.write(np.ascontiguousarray(part[self._saved_rows :]).tobytes())
                out.truncate()
                out.flush()
                os.fsync(out.fileno())
        segments = [(t.first, t.size) for t in self.index.tables()]
        for table in self.index.tables():
            if (table.first, table.size) in self._saved_segments:
                continue
            stem = f"seg-{self.epoch}-{table.first}-{table.size}"
            np.save(self._path(stem + ".rows.npy"), np.asarray(table.rows), allow_pickle=False)
            np.save(self._path(stem + ".bounds.npy"), np.asarray(table.bounds), allow_pickle=False)
        stamp = secrets.token_hex(8)
        data = {
            "format": FORMAT,
            "stamp": stamp,
            "epoch": self.epoch,
            "rows": size,
            "watermark": self.watermark,
            "nonce": self.nonce,
            "erased_rows": self._erased_rows,
            "segments": segments,
            "sources": [
                [s.feed_id, s.contribution_id, s.agency_id, s.erased] for s in self.sources
            ],
        }
        aside = self._path(f".{MANIFEST}.{stamp}")
        aside.write_text(json.dumps(data), encoding="utf-8")
        aside.replace(self._path(MANIFEST))
        aside = self._path(f".{STAMP}.{stamp}")
        aside.write_text(stamp, encoding="ascii")
        aside.replace(self._path(STAMP))
        self._stamp, self._saved_rows, self._saved_segments = stamp, size, set(segments)
        self._remove_stale(segments)

    def _remove_stale(self, segments: list[tuple[int, int]]) -> None:
        """Files of older epochs and merged segments (a process that mapped them keeps them)."""
        assert self.folder is not None
        wanted = {f"words-{self.epoch}.bin", f"labels-{self.epoch}.bin", MANIFEST, STAMP, "lock"}
        for first, size in segments:
            stem = f"seg-{self.epoch}-{first}-{size}"
            wanted.update((f"{stem}.rows.npy", f"{stem}.bounds.npy"))
        for path in self.folder.iterdir():  # under the lock: no other writer has files aside
            if path.name not in wanted:
                path.unlink(missing_ok=True)

    def nbytes(self) -> int:
        """Bytes of the index's arrays: hashes, MIH tables, labels."""
        return int(self.index.nbytes() + len(self.index) * LABEL.itemsize)


def _mapped(path: Path) -> NDArray[Any]:
    """A saved array, memory-mapped, as a plain ndarray view (no memmap wrapper per lookup)."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def live_rows(folder: PdqFolder) -> NDArray[np.bool_]:
    """Which rows answer queries (their contribution is not erased); for tests and checks."""
    size = len(folder.index)
    return np.asarray(folder._live[folder._labels["source"][:size]], dtype=bool)
