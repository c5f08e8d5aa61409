"""Bulk cross-matching of two hash sets: banks or holdings, on DuckDB or Spark.

``crossmatch(store, "holding:BE", "known-2024", …)`` writes each side's hashes
as Parquet tables (exact digests; PDQ words and multi-index chunks), runs the
join on the engine (``service/crossmatch_engines.py``) and leaves one row per
matching pair: ``left_id, right_id, signal, distance``. A side is a bank's
name, ``holding`` (everything the viewer may see) or ``holding:AGENCY``.

Need to know: with a viewer (an agency acting by its token), a holding side is
only that agency's own contributions; naming another agency's holding is
refused. The run is audited as a combination (sides, threshold, engine, count).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from crosscheck.exc import Forbidden, InvalidData
from crosscheck.index.chunk_keys import ChunkPlan, plan_for, signed_words
from crosscheck.index.hamming import from_hex
from crosscheck.service.access import check_agency, visible_contributions
from crosscheck.service.crossmatch_engines import (
    DUCKDB_MEMORY,
    PART_ROWS,
    SPARK_MEMORY,
    part_count,
    run_duckdb,
    run_spark,
)
from crosscheck.store import BankStore, CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hash_rows import Row, bank_rows, holding_rows

ENGINES = ("duckdb", "spark")
HOLDING = "holding"
BATCH = 100_000

EXACT = pa.schema([("id", pa.string()), ("kind", pa.string()), ("value", pa.string())])
PDQ = pa.schema(
    [("row", pa.int64()), ("id", pa.string())] + [(f"w{i}", pa.int64()) for i in range(4)]
)
PROBES = pa.schema([("j", pa.int32()), ("m", pa.int32())])


@dataclass(frozen=True)
class Side:
    name: str
    hashes: int  # exact digests and PDQ hashes read
    pdq: int


@dataclass(frozen=True)
class Crossmatched:
    left: Side
    right: Side
    engine: str
    threshold: int
    out: Path
    matches: int
    by_signal: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # write the sides, join


def side_rows(store: CaseStore, name: str, viewer: str | None) -> Iterator[Row]:
    """The rows of a named side, as ``viewer`` may see them (None: the local user, all)."""
    if name == HOLDING or name.startswith(HOLDING + ":"):
        agency = name.partition(":")[2] or None
        if agency is not None:
            check_agency(store, agency)
            if viewer is not None and agency != viewer:
                raise Forbidden(f"you may cross-match your own holding ({viewer}), not {agency}'s")
        visible = visible_contributions(store, viewer if agency is None else agency)
        return holding_rows(store.engine, visible)
    return bank_rows(store.engine, BankStore(store.engine).bank(name).id)


def _write_side(rows: Iterator[Row], folder: Path, side: str) -> tuple[int, int]:
    """``{side}_exact`` and ``{side}_pdq`` Parquet tables: (hashes written, PDQ hashes)."""
    total = pdq_rows = 0
    with (
        pq.ParquetWriter(folder / f"{side}_exact.parquet", EXACT) as exact,
        pq.ParquetWriter(folder / f"{side}_pdq.parquet", PDQ) as pdq,
    ):
        while batch := list(islice(rows, BATCH)):
            total += len(batch)
            digests = [r for r in batch if r[1] != "pdq"]
            exact.write_table(
                pa.table(
                    {k: [r[i] for r in digests] for i, k in enumerate(("id", "kind", "value"))},
                    schema=EXACT,
                )
            )
            perceptual = [r for r in batch if r[1] == "pdq"]
            if perceptual:
                words = signed_words(from_hex(r[2] for r in perceptual))
                columns: dict[str, Any] = {
                    "row": np.arange(pdq_rows, pdq_rows + len(perceptual), dtype=np.int64),
                    "id": [r[0] for r in perceptual],
                }
                columns.update({f"w{i}": words[:, i] for i in range(4)})
                pdq.write_table(pa.table(columns, schema=PDQ))
                pdq_rows += len(perceptual)
    return total, pdq_rows


def chunks_schema(plan: ChunkPlan) -> pa.Schema:
    """``row, w0..w3, c0..c{m-1}``: a PDQ hash's words and its chunk values, one row a hash."""
    return pa.schema(
        [("row", pa.int64())]
        + [(f"w{i}", pa.int64()) for i in range(4)]
        + [(f"c{j}", pa.int32()) for j in range(plan.chunks)]
    )


def _write_chunks(folder: Path, side: str, plan: ChunkPlan) -> None:
    """``{side}_chunks`` from the side's PDQ words, in batches."""
    source = pq.ParquetFile(folder / f"{side}_pdq.parquet")
    schema = chunks_schema(plan)
    with pq.ParquetWriter(folder / f"{side}_chunks.parquet", schema) as writer:
        for batch in source.iter_batches(batch_size=BATCH, columns=["row", "w0", "w1", "w2", "w3"]):
            words = np.stack([batch.column(f"w{i}").to_numpy() for i in range(4)], axis=1)
            hashes = np.ascontiguousarray(words.astype(np.int64)).view(np.uint8).reshape(-1, 32)
            values = plan.chunk_values(hashes).astype(np.int32)
            columns: dict[str, Any] = {"row": batch.column("row").to_numpy()}
            columns.update({f"w{i}": words[:, i] for i in range(4)})
            columns.update({f"c{j}": values[:, j] for j in range(plan.chunks)})
            writer.write_table(pa.table(columns, schema=schema))


def write_tables(
    left: Iterator[Row], right: Iterator[Row], folder: Path, threshold: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Every table the engines read, in ``folder``: ((hashes, PDQ) of the left, of the right)."""
    counts = _write_side(left, folder, "left"), _write_side(right, folder, "right")
    plan = plan_for(counts[1][1], threshold)
    for side in ("left", "right"):
        _write_chunks(folder, side, plan)
    chunk_ids, masks = plan.probes()
    pq.write_table(
        pa.table({"j": chunk_ids, "m": masks.astype(np.int32)}, schema=PROBES),
        folder / "probes.parquet",
    )
    return counts


# what both engines read as a memory size: DuckDB's memory_limit (4GB, 512MiB), Spark's (6g)
MEMORY = re.compile(r"[1-9][0-9]{0,6}(?:[KMGT]i?B|[kmgtKMGT])", re.IGNORECASE)


def crossmatch(
    store: CaseStore,
    left: str,
    right: str,
    threshold: int,
    out: Path,
    *,
    engine: str = "duckdb",
    viewer: str | None = None,
    actor: str | None = None,
    master: str | None = None,
    workdir: Path | None = None,
    part_rows: int = PART_ROWS,
    memory: str | None = None,
) -> Crossmatched:
    """Every pair of ``left`` x ``right`` within ``threshold`` bits (PDQ) or equal (digests).

    ``part_rows``: left PDQ hashes joined at a time; ``memory``: the engine's memory
    (DuckDB's ``memory_limit``, e.g. ``4GB``; Spark's driver memory, e.g. ``6g``).
    """
    if engine not in ENGINES:
        raise InvalidData(f"the engine is one of {', '.join(ENGINES)}, got {engine!r}")
    plan_for(0, threshold)  # the threshold is checked before anything is read
    part_count(1, part_rows)
    if memory is not None and not MEMORY.fullmatch(memory):
        raise InvalidData(f"the memory is a size such as 4GB or 6g, got {memory!r}")
    left_rows, right_rows = side_rows(store, left, viewer), side_rows(store, right, viewer)
    folder = Path(tempfile.mkdtemp(prefix="crosscheck-crossmatch-", dir=workdir))
    try:
        started = time.perf_counter()
        counts = write_tables(left_rows, right_rows, folder, threshold)
        left_side, right_side = Side(left, *counts[0]), Side(right, *counts[1])
        written = time.perf_counter()
        out.parent.mkdir(parents=True, exist_ok=True)
        same = left == right
        if engine == "duckdb":
            count = run_duckdb(
                folder,
                threshold,
                out,
                same_side=same,
                part_rows=part_rows,
                memory_limit=memory or DUCKDB_MEMORY,
            )
        else:
            count = run_spark(
                folder,
                threshold,
                out,
                same_side=same,
                master=master or "local[2]",
                part_rows=part_rows,
                memory=memory or SPARK_MEMORY,
            )
        joined = time.perf_counter()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    signals = Counter(pq.read_table(out, columns=["signal"]).column("signal").to_pylist())
    AuditLog(store.engine).append(
        actor or viewer or "local",
        "combination",
        "crossmatch",
        {"left": left, "right": right, "threshold": threshold, "engine": engine, "matches": count},
    )
    return Crossmatched(
        left_side,
        right_side,
        engine,
        threshold,
        out,
        count,
        dict(sorted(signals.items())),
        {"write": round(written - started, 3), "join": round(joined - written, 3)},
    )
