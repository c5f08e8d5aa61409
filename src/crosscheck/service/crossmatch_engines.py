"""The bulk cross-match as SQL statements, run on DuckDB (one machine) or Spark (a cluster).

Both engines read the same Parquet tables, written by ``service/crossmatch.py``:

- ``{side}_exact``: ``id, kind, value`` — MD5/SHA-1/SHA-256, joined on equality;
- ``{side}_pdq``: ``row, id`` — which item each PDQ hash belongs to;
- ``{side}_chunks``: ``row, w0..w3, c0..c{m-1}`` — each PDQ hash as four signed 64-bit words
  and its multi-index chunk values (``index/chunk_keys.py``), one row per hash;
- ``probes``: ``j, m`` — the XOR masks probed on each chunk.

PDQ pairs are found chunk by chunk: the left rows' probe keys (``c_j XOR m``) are
equi-joined with the right side's chunk values, and the exact distance (popcount
of the XOR of the four words) of each candidate is computed where the join finds it;
only pairs within the threshold are kept (``near``). One chunk at a time, so the
engine holds one hash table over the right side's chunk at once. The left side is
processed in parts (by a hash of the item id, so an item's variants share a part
and each pair of items is found in exactly one part); each part's pairs are given
their ids, the smallest distance per pair is kept, and they are appended to the
output. The answer equals brute force. The output has one row per matching pair and
signal: ``left_id, right_id, signal, distance``.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from crosscheck.exc import InvalidData

MATCHES = pa.schema(
    [
        ("left_id", pa.string()),
        ("right_id", pa.string()),
        ("signal", pa.string()),
        ("distance", pa.int32()),
    ]
)
TABLES = ("left_exact", "left_pdq", "left_chunks", "right_exact", "right_pdq", "right_chunks")
# left PDQ hashes per part: the candidates of one part and chunk stream through the join;
# what a part holds at once is its verified pairs
PART_ROWS = 1_000_000
DUCKDB_MEMORY = "4GB"
SPARK_MEMORY = "6g"
NEAR = "lrow BIGINT, rrow BIGINT, distance INT"


@dataclass(frozen=True)
class Dialect:
    """How an engine spells XOR and a non-negative hash bucket of a text column."""

    xor: Callable[[str, str], str]
    bucket: Callable[[str, int], str]


DUCKDB = Dialect(lambda a, b: f"xor({a}, {b})", lambda col, n: f"(hash({col}) % {int(n)})")
SPARK = Dialect(lambda a, b: f"({a} ^ {b})", lambda col, n: f"pmod(hash({col}), {int(n)})")


def near_sql(dialect: Dialect, threshold: int, j: int, part: int, parts: int) -> str:
    """PDQ pairs (``lrow, rrow, distance``) of one left part found on chunk ``j``."""
    distance = " + ".join(
        f"CAST(bit_count({dialect.xor(f'l.w{i}', f'r.w{i}')}) AS INTEGER)" for i in range(4)
    )
    left = "left_chunks"
    if parts > 1:  # an item's rows share a part: the part of its id
        left = f"""(
        SELECT c.* FROM left_chunks c JOIN left_pdq i ON i.row = c.row
        WHERE {dialect.bucket("i.id", parts)} = {int(part)}
    )"""  # noqa: S608 - our table names and integers
    # our own table names, the engine's XOR and integers: nothing a caller gives
    return f"""
SELECT /*+ BROADCAST(r) */ l.row AS lrow, r.row AS rrow, {distance} AS distance
FROM (
    SELECT c.row, {dialect.xor(f"c.c{int(j)}", "p.m")} AS k, c.w0, c.w1, c.w2, c.w3
    FROM {left} c
    CROSS JOIN (SELECT m FROM probes WHERE j = {int(j)}) p
) l
JOIN right_chunks r ON r.c{int(j)} = l.k
WHERE {distance} <= {int(threshold)}
"""  # noqa: S608


def pairs_sql(same_side: bool) -> str:
    """A part's PDQ pairs by item id, the smallest distance of each (from ``near``)."""
    pair = "l.id < r.id" if same_side else "TRUE"
    return f"""
SELECT l.id AS left_id, r.id AS right_id, 'pdq' AS signal,
    CAST(MIN(n.distance) AS INTEGER) AS distance
FROM near n
JOIN left_pdq l ON l.row = n.lrow
JOIN right_pdq r ON r.row = n.rrow
WHERE {pair}
GROUP BY l.id, r.id
"""  # noqa: S608


def exact_sql(same_side: bool) -> str:
    """Digest pairs on equality."""
    pair = "l.id < r.id" if same_side else "TRUE"
    return f"""
SELECT DISTINCT l.id AS left_id, r.id AS right_id, l.kind AS signal, CAST(0 AS INTEGER) AS distance
FROM left_exact l JOIN right_exact r ON l.kind = r.kind AND l.value = r.value
WHERE {pair}
"""  # noqa: S608


def part_count(left_rows: int, part_rows: int) -> int:
    """How many parts the left side is joined in."""
    if part_rows < 1:
        raise InvalidData(f"a part holds at least one left hash, got {part_rows}")
    return max(1, math.ceil(left_rows / part_rows))


def _chunks_probed(tables: Path) -> list[int]:
    probed = pq.read_table(tables / "probes.parquet", columns=["j"]).column("j")
    return sorted({int(j) for j in probed.to_pylist()})


def _left_rows(tables: Path) -> int:
    return int(pq.ParquetFile(tables / "left_pdq.parquet").metadata.num_rows)


class _Output:
    """The matches, appended batch by batch to one Parquet file."""

    def __init__(self, out: Path) -> None:
        self.rows = 0
        self._writer = pq.ParquetWriter(out, MATCHES)

    def write(self, batches: Iterable[pa.RecordBatch]) -> None:
        for batch in batches:
            if batch.num_rows:
                table = pa.Table.from_batches([batch]).cast(MATCHES)
                self._writer.write_table(table)
                self.rows += batch.num_rows

    def close(self) -> None:
        self._writer.close()


def run_duckdb(
    tables: Path,
    threshold: int,
    out: Path,
    *,
    same_side: bool,
    part_rows: int = PART_ROWS,
    memory_limit: str = DUCKDB_MEMORY,
) -> int:
    """Run on an embedded DuckDB, held to ``memory_limit`` (spilling to ``tables``).

    The tables are loaded once into a DuckDB file in ``tables``; the matches stream
    into ``out``, one Parquet file.
    """
    import duckdb

    database = tables / "crossmatch.duckdb"
    database.unlink(missing_ok=True)  # from an earlier run on the same tables
    con = duckdb.connect(
        str(database),
        config={
            "temp_directory": str(tables / "spill"),
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
        },
    )
    output = _Output(out)
    try:
        for name in (*TABLES, "probes"):
            con.read_parquet(str(tables / f"{name}.parquet")).to_table(name)
        con.execute(f"CREATE TABLE near ({NEAR})")
        parts = part_count(_left_rows(tables), part_rows)
        chunks = _chunks_probed(tables)
        for part in range(parts):
            con.execute("DELETE FROM near")
            for j in chunks:
                con.execute("INSERT INTO near " + near_sql(DUCKDB, threshold, j, part, parts))
            output.write(con.sql(pairs_sql(same_side)).to_arrow_reader())
        output.write(con.sql(exact_sql(same_side)).to_arrow_reader())
        return output.rows
    finally:
        output.close()
        con.close()
        database.unlink(missing_ok=True)


def run_spark(
    tables: Path,
    threshold: int,
    out: Path,
    *,
    same_side: bool,
    master: str = "local[2]",
    part_rows: int = PART_ROWS,
    memory: str = SPARK_MEMORY,
) -> int:
    """Run on Spark (local mode, or a cluster by its master URL); the matches as one Parquet file.

    The right side's chunk table is broadcast (each executor holds it, about 80 bytes a hash
    for one chunk at a time); the left side streams through in partitions. The tables are
    read by path, so on a cluster they must sit on storage every executor reads.
    """
    from pyspark import StorageLevel

    from crosscheck.resolve.spark import spark_session

    spark = spark_session("crosscheck-crossmatch", master, 4, driver_memory=memory)
    for name in (*TABLES, "probes"):
        spark.read.parquet(str(tables / f"{name}.parquet")).createOrReplaceTempView(name)
    parallel = int(spark.sparkContext.defaultParallelism)
    # the chunk tables are read once for every chunk's join: kept (memory, else local disk);
    # the left in a few partitions a core, so it is spread over every core however it was written
    left = spark.table("left_chunks").repartition(max(2, 2 * parallel))
    right = spark.table("right_chunks")
    for name, frame in (("left_chunks", left), ("right_chunks", right)):
        frame.persist(StorageLevel.MEMORY_AND_DISK).createOrReplaceTempView(name)
    output = _Output(out)
    near_folder = Path(tempfile.mkdtemp(prefix="spark-near-", dir=tables))
    try:
        parts = part_count(_left_rows(tables), part_rows)
        chunks = _chunks_probed(tables)
        for part in range(parts):
            folder = near_folder / f"part-{part}"
            for j in chunks:
                found = spark.sql(near_sql(SPARK, threshold, j, part, parts))
                found.write.mode("append").parquet(str(folder))
            if folder.exists():
                spark.read.schema(NEAR).parquet(str(folder)).createOrReplaceTempView("near")
                output.write(_spark_batches(spark.sql(pairs_sql(same_side))))
        output.write(_spark_batches(spark.sql(exact_sql(same_side))))
        return output.rows
    finally:
        output.close()
        left.unpersist()
        right.unpersist()
        shutil.rmtree(near_folder, ignore_errors=True)


def _spark_batches(frame: Any) -> list[pa.RecordBatch]:
    table: pa.Table = frame.toArrow()
    batches: list[pa.RecordBatch] = table.to_batches()
    return batches
