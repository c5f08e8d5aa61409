"""Fingerprint one file or archive member: digests, then PDQ or vPDQ, then metadata.

Never raises for a bad file: what could not be read becomes the record's
``error``, and everything that could be read (digests at least) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crosscheck.fingerprints.digests import digest_bytes, digest_stream
from crosscheck.fingerprints.pdq import UnreadableImage, dihedral, load_rgb, pdq, trim_borders
from crosscheck.fingerprints.record import FileRecord, FrameRecord
from crosscheck.fingerprints.sniff import Category, sniff
from crosscheck.fingerprints.vpdq import UnreadableVideo, video_hashes


@dataclass(frozen=True)
class HashOptions:
    dihedral: bool = False
    trim: bool = True
    draft: bool = True
    video_interval: float = 1.0


def fingerprint(display: str, source: Path | bytes, options: HashOptions) -> FileRecord:
    """Fingerprint a file on disk (``Path``) or in memory (an archive member's bytes)."""
    record = FileRecord(path=display)
    try:
        if isinstance(source, bytes):
            digests, head = digest_bytes(source), source[:4096]
        else:
            with source.open("rb") as stream:
                digests, head = digest_stream(stream)
    except OSError as exc:
        record.error = f"cannot read: {exc.strerror or exc}"
        return record
    record.size, record.md5 = digests.size, digests.md5
    record.sha1, record.sha256 = digests.sha1, digests.sha256
    if digests.size == 0:
        record.error = "empty file"
        return record
    sniffed = sniff(head)
    record.mime = sniffed.mime
    if sniffed.category is Category.IMAGE:
        _image(record, source, options)
    elif sniffed.category is Category.VIDEO:
        _video(record, source, options)
    return record


def _image(record: FileRecord, source: Path | bytes, options: HashOptions) -> None:
    try:
        pixels, metadata = load_rgb(source, draft=options.draft, read_metadata=True)
    except UnreadableImage as exc:
        record.error = f"image not decodable: {exc}"
        return
    hashed = pdq(pixels)
    record.pdq, record.pdq_quality = hashed.hex, hashed.quality
    record.metadata = metadata
    if options.trim:
        trimmed = trim_borders(pixels)
        if trimmed is not None:
            inner = pdq(trimmed)
            record.pdq_variants["trimmed"] = (inner.hex, inner.quality)
            record.metadata["trimmed_size"] = [int(trimmed.shape[1]), int(trimmed.shape[0])]
    if options.dihedral:
        for name, value in dihedral(pixels).items():
            record.pdq_variants[name] = (value.hex, value.quality)


def _video(record: FileRecord, source: Path | bytes, options: HashOptions) -> None:
    try:
        hashes = video_hashes(source, options.video_interval, trim=options.trim)
    except UnreadableVideo as exc:
        record.error = f"video not decodable: {exc}"
        return
    record.vpdq = [FrameRecord(f.frame, f.ts, f.quality, f.pdq) for f in hashes.frames]
    record.metadata = hashes.metadata
    record.error = hashes.problem
