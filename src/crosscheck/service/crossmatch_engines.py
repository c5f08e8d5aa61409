"""The bulk cross-match as one SQL statement, run on DuckDB (one machine) or Spark (a cluster).

Both engines read the same Parquet tables, written by ``service/crossmatch.py``:

- ``{side}_exact``: ``id, kind, value`` — MD5/SHA-1/SHA-256, joined on equality;
- ``{side}_pdq``: ``row, id, w0..w3`` — each PDQ hash as four signed 64-bit words;
- ``{side}_chunks``: ``row, j, c, w0..w3`` — its multi-index chunk values
  (``index/chunk_keys.py``), each with the hash's words, so a candidate's distance is computed
  where the join finds it and only the few within the threshold meet the ids;
- ``probes``: ``j, m`` — the XOR masks probed on each chunk.

PDQ pairs are an equi-join of the left probe keys (``c XOR m``) with the right
chunk values, then the exact distance (popcount of the XOR of the words),
kept within the threshold and the smallest per pair; so the answer equals
brute force. The output has
one row per matching pair and signal: ``left_id, right_id, signal, distance``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MATCHES = pa.schema(
    [
        ("left_id", pa.string()),
        ("right_id", pa.string()),
        ("signal", pa.string()),
        ("distance", pa.int32()),
    ]
)
TABLES = ("left_exact", "left_pdq", "left_chunks", "right_exact", "right_pdq", "right_chunks")


def match_sql(threshold: int, xor: Callable[[str, str], str], same_side: bool) -> str:
    """The statement, with the engine's XOR spelled by ``xor``.

    ``same_side``: a set matched with itself gives each unordered pair once, never an item
    with itself.
    """
    distance = " + ".join(
        f"CAST(bit_count({xor(f'l.w{i}', f'r.w{i}')}) AS INTEGER)" for i in range(4)
    )
    pdq_pair = "l.id < r.id" if same_side else "TRUE"
    exact_pair = "l.id < r.id" if same_side else "TRUE"
    # our own table names, the engine's XOR and an integer: nothing a caller gives
    return f"""
WITH keys AS (
    SELECT c.row AS lrow, c.j AS j, {xor("c.c", "p.m")} AS k, c.w0, c.w1, c.w2, c.w3
    FROM left_chunks c JOIN probes p ON c.j = p.j
),
near AS (
    SELECT l.lrow AS lrow, r.row AS rrow, {distance} AS distance
    FROM keys l JOIN right_chunks r ON l.j = r.j AND l.k = r.c
    WHERE {distance} <= {int(threshold)}
)
SELECT l.id AS left_id, r.id AS right_id, 'pdq' AS signal, MIN(near.distance) AS distance
FROM near
JOIN left_pdq l ON l.row = near.lrow
JOIN right_pdq r ON r.row = near.rrow
WHERE {pdq_pair}
GROUP BY l.id, r.id
UNION ALL
SELECT DISTINCT l.id AS left_id, r.id AS right_id, l.kind AS signal, 0 AS distance
FROM left_exact l JOIN right_exact r ON l.kind = r.kind AND l.value = r.value
WHERE {exact_pair}
"""  # noqa: S608


def run_duckdb(tables: Path, threshold: int, out: Path, *, same_side: bool) -> int:
    """Run on an embedded DuckDB (spilling to ``tables``); the matches as one Parquet file."""
    import duckdb

    con = duckdb.connect(config={"temp_directory": str(tables / "spill")})
    try:
        for name in (*TABLES, "probes"):
            con.read_parquet(str(tables / f"{name}.parquet")).create_view(name)
        con.sql(match_sql(threshold, lambda a, b: f"xor({a}, {b})", same_side)).write_parquet(
            str(out)
        )
        return _rows(out)
    finally:
        con.close()


def run_spark(
    tables: Path, threshold: int, out: Path, *, same_side: bool, master: str = "local[2]"
) -> int:
    """Run on Spark (local mode, or a cluster by its master URL); the matches as one Parquet file.

    The tables are read by path, so on a cluster they must sit on storage every executor reads.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is in the [all] extra
        raise RuntimeError(
            "the Spark engine needs pyspark: pip install 'crosscheck[spark]'"
        ) from exc
    spark = (
        SparkSession.builder.master(master)
        .appName("crosscheck-crossmatch")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for name in (*TABLES, "probes"):
        spark.read.parquet(str(tables / f"{name}.parquet")).createOrReplaceTempView(name)
    found = spark.sql(match_sql(threshold, lambda a, b: f"({a} ^ {b})", same_side))
    written = Path(tempfile.mkdtemp(prefix="spark-out-", dir=tables))
    found.coalesce(1).write.mode("overwrite").parquet(str(written / "matches"))
    parts = sorted((written / "matches").glob("part-*.parquet"))
    if parts:
        shutil.move(str(parts[0]), out)
    else:  # an empty answer: Spark may write no part file at all
        pq.write_table(MATCHES.empty_table(), out)
    shutil.rmtree(written, ignore_errors=True)
    return _rows(out)


def _rows(parquet: Path) -> int:
    return int(pq.ParquetFile(parquet).metadata.num_rows)
