"""Read a hash list in any supported format into bank entries."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

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


def read_pdq_text(path: Path) -> Iterator[BankEntry]:
    """ThreatExchange-style: one hex PDQ hash a line, optionally followed by a label."""
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            first, _, rest = text.replace(",", " ").replace("\t", " ").partition(" ")
            value = clean_hash("pdq", first)
            if value is None:
                raise InvalidData(
                    f"{path}: line {number}: {first[:80]!r} is not a 64-digit hex PDQ hash"
                )
            yield BankEntry(ref=rest.strip() or f"line {number}", pdq=value)


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
