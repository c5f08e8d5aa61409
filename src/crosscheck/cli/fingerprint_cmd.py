"""`crosscheck fingerprint PATH... [--out PACKAGE.zip] [--format jsonl] [--workers N]`."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.cli.progress import FileProgress
from crosscheck.exc import InvalidData
from crosscheck.fingerprints.hasher import HashOptions
from crosscheck.fingerprints.record import FileRecord
from crosscheck.fingerprints.walker import SEPARATOR
from crosscheck.model import HandlingCode
from crosscheck.service.seizure import fingerprint_paths, write_seizure_package


def _count_files(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(len(files) for _, _, files in os.walk(path))
        else:
            total += 1
    return total


def fingerprint(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders or archives to fingerprint")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write a contribution package (.zip)")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="jsonl: one JSON object per file on stdout")
    ] = None,
    workers: common.Workers = None,
    dihedral: common.Dihedral = False,
    video_interval: common.VideoInterval = 1.0,
    full_decode: Annotated[
        bool, typer.Option("--full-decode", help="Decode JPEGs at full size (slower)")
    ] = False,
    agency: Annotated[str | None, typer.Option(help="Providing agency (with --out)")] = None,
    country: Annotated[str | None, typer.Option(help="Agency's country, ISO code")] = None,
    case: Annotated[str | None, typer.Option(help="Case reference (with --out)")] = None,
    handling: Annotated[
        str | None, typer.Option(help="Handling code H0/H1/H2/H3 (with --out)")
    ] = None,
    handling_note: Annotated[str | None, typer.Option(help="Restrictions, for H3")] = None,
    evaluation: Annotated[
        str | None, typer.Option(help="Source and information grade, e.g. B2 (with --out)")
    ] = None,
    purpose: Annotated[str, typer.Option(help="Purpose of the contribution")] = (
        "Fingerprints of seized material"
    ),
    contribution_id: Annotated[str | None, typer.Option(help="Contribution id")] = None,
) -> None:
    """Fingerprint seized material: digests, PDQ, vPDQ, metadata. Media never leave here."""
    if fmt not in (None, "jsonl"):
        raise InvalidData(f"--format takes jsonl, got {fmt!r}")
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise InvalidData(f"no such file or folder: {', '.join(missing)}")
    if handling is not None and handling.upper() not in HandlingCode.__members__:
        raise InvalidData(f"--handling takes H0, H1, H2 or H3, got {handling!r}")
    item = (
        common.contribution_from_options(
            agency,
            country,
            case,
            handling and handling.upper(),
            handling_note,
            evaluation,
            purpose,
            contribution_id,
        )
        if out is not None
        else None
    )
    options = HashOptions(dihedral=dihedral, draft=not full_decode, video_interval=video_interval)
    kinds: Counter[str] = Counter()
    errors: list[FileRecord] = []
    with FileProgress("fingerprinting", _count_files(paths)) as progress:

        def seen(record: FileRecord) -> None:
            progress.advance(record.size, counts_toward_total=SEPARATOR not in record.path)
            kinds[(record.mime or "other").split("/")[0]] += 1
            if record.error:
                errors.append(record)
            if fmt == "jsonl":
                common.write_json_lines([record.to_json()])

        records = fingerprint_paths(paths, options, workers=workers)
        if item is not None and out is not None:
            manifest, _ = write_seizure_package(records, out, item, seen)
        else:
            manifest = None
            for record in records:
                seen(record)
    summary = common.err if fmt == "jsonl" else common.out
    summary.print(
        f"{progress.files} files, {progress.bytes / 1e6:,.1f} MB: "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + f"; {len(errors)} with errors"
    )
    if errors and fmt != "jsonl":
        table = Table("file", "error", title="Files not fully read")
        for record in errors[:50]:
            table.add_row(record.path, record.error or "")
        summary.print(table)
        if len(errors) > 50:
            summary.print(f"... and {len(errors) - 50} more (use --format jsonl for all)")
    if manifest is not None:
        summary.print(
            f"wrote {out}: contribution {manifest.contribution.id}, {manifest.entity_count} "
            f"entities, {manifest.fingerprint_count} fingerprints (no media)"
        )
