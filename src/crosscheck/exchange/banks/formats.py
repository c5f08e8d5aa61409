"""Read a hash list in any supported format into bank entries."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO

import orjson

from crosscheck.exc import InvalidData
from crosscheck.exchange.banks.vics import read_vics
from crosscheck.exchange.jsonl import json_objects
from crosscheck.model.banks import BankEntry, BankFrame, clean_hash, truthy


class BankFormat(StrEnum):
    vics = "vics"
    csv = "csv"
    pdq_text = "pdq-text"
    jsonl = "jsonl"  # crosscheck fingerprint --format jsonl (carries vPDQ frames too)


CSV_COLUMNS = {
    "md5": ("md5",),
    "sha1": ("sha1", "sha-1"),
    "sha256": ("sha256", "sha-256"),
    "pdq": ("pdq", "pdq_hash", "pdqhash"),
    "ref": ("id", "mediaid", "media_id", "label", "ref", "name", "path"),
    "category": ("category",),
    "series": ("series",),
    "victim_identified": ("victimidentified", "victim_identified"),
}


def read_csv(path: Path) -> Iterator[BankEntry]:
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        header = {name.strip().lower(): name for name in reader.fieldnames or ()}
        columns = {
            field: next((header[a] for a in aliases if a in header), None)
            for field, aliases in CSV_COLUMNS.items()
        }
        if not any(columns[k] for k in ("md5", "sha1", "sha256", "pdq")):
            raise InvalidData(
                f"{path}: the CSV header names no hash column (md5, sha1, sha256, pdq)"
            )
        for number, row in enumerate(reader, start=2):

            def get(field: str, row: dict[str, str] = row) -> str | None:
                column = columns[field]
                return row.get(column) if column else None

            entry = BankEntry(
                ref=get("ref") or f"line {number}",
                md5=clean_hash("md5", get("md5")),
                sha1=clean_hash("sha1", get("sha1")),
                sha256=clean_hash("sha256", get("sha256")),
                pdq=clean_hash("pdq", get("pdq")),
                category=get("category") or None,
                series=get("series") or None,
                victim_identified=truthy(get("victim_identified")),
            )
            if entry.has_hash:
                yield entry


# the signal names ThreatExchange's `threatexchange hash` and `dataset -P` print before a hash,
# and which of our hash kinds each one is
PYTX_SIGNALS = {
    "pdq": "pdq",
    "video_md5": "md5",
    "photo_md5": "md5",
    "md5": "md5",
    "video_sha256": "sha256",
    "sha256": "sha256",
}
PYTX_ROTATIONS = {
    "ORIGINAL", "ROTATE90", "ROTATE180", "ROTATE270", "FLIPX", "FLIPY", "FLIPPLUS1", "FLIPMINUS1"
}  # fmt: skip


def _pdq_text_entry(text: str, number: int) -> BankEntry | str:
    """One line of a PDQ text list as an entry, or why it is not one.

    Forms: ``HEX [label]`` (ours, pytx's `match --hashes` input), ``pdq HEX [collab metadata]``
    (pytx `hash` and `dataset -P`), ``ROTATION pdq HEX`` (pytx `hash --photo-preprocess
    rotations`), ``video_md5 HEX`` (pytx `hash video`), ``HEX,QUALITY,FILE`` (the reference
    pdq-photo-hasher) and ``{"pdq": "HEX"}`` (HMA's hash API answer, one a line).
    """
    if text.startswith("{"):
        try:
            answer = orjson.loads(text)
        except orjson.JSONDecodeError:
            return "not valid JSON"
        if not isinstance(answer, dict):
            return 'a JSON line is an object like {"pdq": HEX}'
        entry = BankEntry(
            ref=f"line {number}",
            pdq=clean_hash("pdq", answer.get("pdq")),
            md5=clean_hash("md5", answer.get("md5")),
            sha256=clean_hash("sha256", answer.get("sha256")),
        )
        return entry if entry.has_hash else "no pdq, md5 or sha256 hash in the object"
    if "," in text and "\t" not in text and text.count(",") == 2:
        first, quality, name = (part.strip() for part in text.split(","))
        if quality.isdigit() and clean_hash("pdq", first):
            return BankEntry(ref=name or f"line {number}", pdq=clean_hash("pdq", first))
    tokens = text.replace(",", " ").replace("\t", " ").split(None)
    rotation = None
    if len(tokens) > 1 and tokens[0] in PYTX_ROTATIONS:
        rotation = tokens.pop(0)
    kind = "pdq"
    if len(tokens) > 1 and tokens[0].lower() in PYTX_SIGNALS:
        kind = PYTX_SIGNALS[tokens.pop(0).lower()]
    elif len(tokens) > 1 and clean_hash("pdq", tokens[0]) is None and "_" in tokens[0]:
        return f"{tokens[0][:40]!r} hashes are not kept (pdq, md5 and sha256 are)"
    value = clean_hash(kind, tokens[0])
    if value is None:
        return f"{tokens[0][:80]!r} is not a {'64-digit hex PDQ' if kind == 'pdq' else kind} hash"
    label = " ".join(tokens[1:]).strip() or f"line {number}"
    if rotation:
        label = f"{label} ({rotation})"
    if kind == "md5":
        return BankEntry(ref=label, md5=value)
    if kind == "sha256":
        return BankEntry(ref=label, sha256=value)
    return BankEntry(ref=label, pdq=value)


def read_pdq_text(path: Path) -> Iterator[BankEntry]:
    """ThreatExchange-style: one hash a line, with what pytx's CLI and HMA print around it."""
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            entry = _pdq_text_entry(text, number)
            if isinstance(entry, str):
                raise InvalidData(f"{path}: line {number}: {entry}")
            yield entry


def write_pdq_text(entries: Iterable[BankEntry], stream: IO[bytes]) -> int:
    """One lower-case hex PDQ hash a line, nothing else: what pytx's `match --hashes` reads.

    Entries without a PDQ hash are left out; returns how many lines were written.
    """
    count = 0
    for entry in entries:
        if entry.pdq:
            stream.write(entry.pdq.lower().encode("ascii") + b"\n")
            count += 1
    return count


def read_jsonl(path: Path) -> Iterator[BankEntry]:
    """The output of `crosscheck fingerprint --format jsonl`, videos with their frames."""
    for number, row in json_objects(path):
        try:
            frames = tuple(
                BankFrame(int(f["frame"]), float(f["ts"]), str(f["pdq"]), f.get("quality"))
                for f in row.get("vpdq") or ()
                if clean_hash("pdq", f.get("pdq"))
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidData(
                f"{path}: line {number}: a vpdq frame needs frame, ts and pdq"
            ) from exc
        entry = BankEntry(
            ref=str(row.get("path") or row.get("id") or f"line {number}"),
            md5=clean_hash("md5", row.get("md5")),
            sha1=clean_hash("sha1", row.get("sha1")),
            sha256=clean_hash("sha256", row.get("sha256")),
            pdq=clean_hash("pdq", row.get("pdq")),
            category=row.get("category"),
            frames=frames,
        )
        if entry.has_hash:
            yield entry


FORMATS = {
    BankFormat.vics: read_vics,
    BankFormat.csv: read_csv,
    BankFormat.pdq_text: read_pdq_text,
    BankFormat.jsonl: read_jsonl,
}


def read_bank(path: Path, fmt: BankFormat) -> Iterator[BankEntry]:
    if not path.is_file():
        raise InvalidData(f"{path}: no such file")
    try:
        yield from FORMATS[fmt](path)
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{path}: not UTF-8 text ({exc.reason})") from exc
