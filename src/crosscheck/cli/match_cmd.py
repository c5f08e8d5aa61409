"""`crosscheck match PATH_OR_PACKAGE --bank NAME [--threshold 31] [--format table|jsonl]`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.cli.fingerprint_cmd import _count_files
from crosscheck.cli.progress import FileProgress
from crosscheck.exchange.manifest import MANIFEST
from crosscheck.fingerprints.hasher import HashOptions
from crosscheck.fingerprints.record import FileRecord
from crosscheck.fingerprints.walker import SEPARATOR
from crosscheck.service.banks import matcher, matches_as_vics, records_from_package
from crosscheck.service.seizure import fingerprint_paths
from crosscheck.service.triage import DEFAULT_THRESHOLD, DEFAULT_VIDEO_PCT, MatchOptions, MatchRow


def _is_package(path: Path) -> bool:
    if not path.is_file() or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return MANIFEST in archive.namelist()


def match(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders, archives or a package")],
    bank: Annotated[str, typer.Option("--bank", "-b", help="Bank name")],
    threshold: Annotated[
        int, typer.Option(help="PDQ Hamming distance at most (0-256)", min=0, max=256)
    ] = DEFAULT_THRESHOLD,
    video_pct: Annotated[
        float,
        typer.Option(help="Video match: share of frames matched, both ways (%)", min=0, max=100),
    ] = DEFAULT_VIDEO_PCT,
    fmt: Annotated[
        common.TableOrJsonl, typer.Option("--format", "-f", help="table or jsonl")
    ] = common.TableOrJsonl.table,
    dihedral: common.Dihedral = False,
    video_interval: common.VideoInterval = 1.0,
    workers: common.Workers = None,
    vics_out: Annotated[
        Path | None, typer.Option("--vics-out", help="Also write the matches as VICS 2.0 JSON")
    ] = None,
) -> None:
    """Triage: match files (fingerprinted here) or a package's fingerprints against a bank."""
    settings = common.settings()
    case_store = common.store()
    options = MatchOptions(
        threshold=threshold, video_query_pct=video_pct, video_compared_pct=video_pct
    )
    with common.err.status(f"loading bank {bank} ..."):
        bank_matcher = matcher(case_store, bank, settings, options)
    rows: list[MatchRow] = []
    files = 0
    with FileProgress("matching", _count_files(paths)) as progress:
        packages = [p for p in paths if _is_package(p)]
        plain = [p for p in paths if p not in packages]

        def records() -> Iterator[FileRecord]:
            nonlocal files
            for path in packages:
                for record in records_from_package(path):
                    files += 1
                    yield record
            hashing = HashOptions(dihedral=dihedral, video_interval=video_interval)
            for record in fingerprint_paths(plain, hashing, workers=workers):
                files += 1
                progress.advance(record.size, counts_toward_total=SEPARATOR not in record.path)
                yield record

        for row in bank_matcher.match(records()):
            rows.append(row)
            if fmt is common.TableOrJsonl.jsonl:
                common.write_json_lines([row.to_json()])
    if vics_out is not None:
        with vics_out.open("wb") as stream:
            matches_as_vics(rows, stream)
    if fmt is common.TableOrJsonl.table:
        table = Table("item", "bank item", "signal", "distance", "frames q/c %", "category")
        for row in rows:
            frames = (
                f"{row.query_match_pct}/{row.compared_match_pct}"
                if row.query_match_pct is not None
                else ""
            )
            signal = f"{row.signal} ({row.variant})" if row.variant else row.signal
            table.add_row(
                row.item, row.bank_item, signal, str(row.distance), frames, row.category or ""
            )
        common.out.print(table)
    matched = len({row.item for row in rows})
    common.err.print(f"{files} files checked against bank {bank}: {matched} matched")
