"""Fingerprint a seizure on every core, in input order, and turn it into a contribution.

Media are read here and nowhere else: what leaves this module is digests,
perceptual hashes and metadata.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from crosscheck.exc import InvalidData
from crosscheck.exchange import Manifest, write_package
from crosscheck.fingerprints.hasher import HashOptions, fingerprint
from crosscheck.fingerprints.record import FileRecord
from crosscheck.fingerprints.walker import Task, WalkLimits, walk
from crosscheck.model import Contribution, Fingerprint, FingerprintKind

Progress = Callable[[FileRecord], None]


def _work(task: Task, options: HashOptions) -> FileRecord:
    assert task.source is not None
    return fingerprint(task.display, task.source, options)


def _done(task: Task) -> FileRecord:
    return FileRecord(path=task.display, error=task.error or "not read")


def fingerprint_paths(
    paths: Iterable[Path],
    options: HashOptions | None = None,
    *,
    workers: int | None = None,
    limits: WalkLimits | None = None,
) -> Iterator[FileRecord]:
    """One record per file and archive member, in walk order; ``workers=1`` stays in process."""
    options = options or HashOptions()
    tasks = walk(paths, limits)
    count = workers or os.cpu_count() or 1
    if count <= 1:
        for task in tasks:
            yield _work(task, options) if task.source is not None else _done(task)
        return
    window: deque[Future[FileRecord] | FileRecord] = deque()
    in_flight = count * 4  # bounds memory: archive members travel as bytes
    with ProcessPoolExecutor(max_workers=count) as pool:
        for task in tasks:
            if task.source is None:
                window.append(_done(task))
            else:
                window.append(pool.submit(_work, task, options))
            while len(window) > in_flight or (window and isinstance(window[0], FileRecord)):
                yield _resolve(window.popleft())
        while window:
            yield _resolve(window.popleft())


def _resolve(item: Future[FileRecord] | FileRecord) -> FileRecord:
    return item if isinstance(item, FileRecord) else item.result()


# -- from records to a contribution package ----------------------------------------------------


def entity_id(record: FileRecord) -> str | None:
    return f"sha256-{record.sha256}" if record.sha256 else None


def _schema(record: FileRecord) -> str:
    if record.vpdq is not None or (record.mime or "").startswith("video/"):
        return "Video"
    if record.pdq is not None or (record.mime or "").startswith("image/"):
        return "Image"
    return "Document"


NOTE_KEYS = (
    "camera_make", "camera_model", "camera_serial", "lens_model", "gps_latitude",
    "gps_longitude", "gps_altitude", "width", "height", "duration", "codec", "fps",
)  # fmt: skip


def record_entity(record: FileRecord) -> dict[str, Any] | None:
    """The FtM entity of one file: one per distinct content (its SHA-256), paths as file names."""
    key = entity_id(record)
    if key is None:
        return None
    meta = record.metadata
    props: dict[str, list[str]] = {
        "fileName": [record.path],
        "fileSize": [str(record.size)],
        "contentHash": [record.sha1 or ""],
    }
    if record.mime:
        props["mimeType"] = [record.mime]
    software = meta.get("software") or meta.get("encoder")
    if software:
        props["generator"] = [str(software)]
    created = meta.get("datetime_original") or meta.get("creation_time")
    if created:
        props["createdAt"] = [str(created)[:19]]
    notes = [f"{k}: {meta[k]}" for k in NOTE_KEYS if meta.get(k) is not None]
    if notes:
        props["notes"] = ["; ".join(notes)]
    return {"id": key, "schema": _schema(record), "properties": props}


def record_fingerprints(record: FileRecord) -> Iterator[Fingerprint]:
    key = entity_id(record)
    if key is None:
        return
    for kind, value in (("md5", record.md5), ("sha1", record.sha1), ("sha256", record.sha256)):
        if value:
            yield Fingerprint(entity_id=key, kind=FingerprintKind(kind), value=value)
    if record.pdq:
        yield Fingerprint(
            entity_id=key, kind=FingerprintKind.PDQ, value=record.pdq, quality=record.pdq_quality
        )
    for name, (value, quality) in record.pdq_variants.items():
        yield Fingerprint(
            entity_id=key, kind=FingerprintKind.PDQ, value=value, quality=quality, variant=name
        )
    for frame in record.vpdq or ():
        yield Fingerprint(
            entity_id=key,
            kind=FingerprintKind.VPDQ_FRAME,
            value=frame.pdq,
            quality=frame.quality,
            frame=frame.frame,
            ts=frame.ts,
        )


@dataclass(frozen=True)
class SeizureSummary:
    files: int
    errors: int
    bytes: int


def write_seizure_package(
    records: Iterable[FileRecord], out: Path, contribution: Contribution, on_record: Progress
) -> tuple[Manifest, SeizureSummary]:
    """Stream records into a package; fingerprints wait in an anonymous temp file meanwhile."""
    files = errors = size = 0
    seen: set[bytes] = set()
    with tempfile.TemporaryFile() as spool:

        def entities() -> Iterator[dict[str, Any]]:
            nonlocal files, errors, size
            for record in records:
                on_record(record)
                files += 1
                errors += record.error is not None
                size += record.size or 0
                entity = record_entity(record)
                if entity is None:
                    continue
                yield entity
                digest = bytes.fromhex(record.sha256 or "")
                if digest in seen:
                    continue  # same content, other path: the entity repeats, its hashes need not
                seen.add(digest)
                for item in record_fingerprints(record):
                    spool.write(
                        orjson.dumps(item.model_dump(mode="json", exclude_none=True)) + b"\n"
                    )
            if files == 0:  # an empty package would read as "nothing seized matched"
                raise InvalidData("no file found to fingerprint: no package written")

        def fingerprints() -> Iterator[Fingerprint]:
            spool.seek(0)
            for line in spool:
                yield Fingerprint.model_validate(orjson.loads(line))

        manifest = write_package(out, contribution, entities(), fingerprints())
    return manifest, SeizureSummary(files, errors, size)


__all__ = [
    "fingerprint_paths",
    "record_entity",
    "record_fingerprints",
    "write_seizure_package",
]
