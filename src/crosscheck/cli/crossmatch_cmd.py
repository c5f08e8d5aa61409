"""`crosscheck crossmatch`: every matching pair of two large hash sets, on DuckDB or Spark."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from crosscheck.cli import common
from crosscheck.cli.hub_cmd import ActingAgency
from crosscheck.service.crossmatch import crossmatch as run
from crosscheck.service.crossmatch_engines import PART_ROWS


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def crossmatch(
    left: Annotated[str, typer.Option("--left", help="A bank, `holding` or `holding:AGENCY`")],
    right: Annotated[str, typer.Option("--right", help="A bank, `holding` or `holding:AGENCY`")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The matches, as one Parquet file")],
    threshold: Annotated[
        int, typer.Option("--threshold", "-t", help="PDQ bits (0-64); digests match exactly")
    ] = 31,
    engine: Annotated[
        Engine, typer.Option("--engine", help="duckdb (one machine) or spark")
    ] = Engine.duckdb,
    master: Annotated[
        str | None,
        typer.Option("--master", help="Spark master URL (default: local[2])"),
    ] = None,
    workdir: Annotated[
        Path | None,
        typer.Option(
            "--workdir", help="Where the sides' Parquet tables are written (removed after)"
        ),
    ] = None,
    part_rows: Annotated[
        int, typer.Option("--part-rows", help="Left PDQ hashes joined at a time")
    ] = PART_ROWS,
    memory: Annotated[
        str | None,
        typer.Option(
            "--memory", help="DuckDB memory_limit (default 4GB) or Spark driver memory (6g)"
        ),
    ] = None,
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
    fmt: Annotated[
        common.TableOrJson, typer.Option("--format", "-f", help="table or json (the summary)")
    ] = common.TableOrJson.table,
) -> None:
    """Cross-match two hash sets in bulk: one row per matching pair (left_id, right_id, signal,
    distance) in a Parquet file.

    PDQ pairs within --threshold bits by multi-index hashing (an equi-join on chunk keys,
    then the exact distance: the brute-force answer); MD5, SHA-1 and SHA-256 on equality.
    On a store a hub serves, act for your agency with --token-file: `holding` is then what
    your agency may see, and another agency's holding is refused.
    """
    case_store = common.store()
    who = common.acting(case_store, "read", agency, token_file)
    with common.err.status(f"cross-matching {left} x {right} on {engine.value} ..."):
        done = run(
            case_store,
            left,
            right,
            threshold,
            out,
            engine=engine.value,
            viewer=who.agency,
            actor=who.actor,
            master=master,
            workdir=workdir,
            part_rows=part_rows,
            memory=memory,
        )
    if fmt is common.TableOrJson.json:
        summary = asdict(done)
        summary["out"] = str(done.out)
        common.write_json(summary)
        return
    signals = ", ".join(f"{n} {signal}" for signal, n in done.by_signal.items()) or "none"
    common.out.print(
        f"{done.matches} matching pairs ({signals}) between {left} ({done.left.hashes} hashes, "
        f"{done.left.pdq} PDQ) and {right} ({done.right.hashes} hashes, {done.right.pdq} PDQ) "
        f"at t={threshold} on {engine.value}: written {done.seconds['write']} s, "
        f"joined {done.seconds['join']} s -> {out}"
    )
