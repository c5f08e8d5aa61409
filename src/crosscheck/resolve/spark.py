"""Splink's Spark backend, for resolution beyond one machine (here: Spark in local mode).

The same model and the same parameter artifact as on DuckDB; only the engine
changes. ``spark_session`` is the one session builder of the package (resolution
and ``service/crossmatch_engines.py`` both start Spark through it); ``spark_api``
starts (or reuses) a session with Splink's similarity functions (the Scala UDF jar
Splink ships) and a checkpoint folder.
"""

from __future__ import annotations

import tempfile
from typing import Any

DRIVER_MEMORY = "4g"


def spark_session(
    app: str,
    master: str = "local[2]",
    shuffle_partitions: int = 8,
    *,
    driver_memory: str = DRIVER_MEMORY,
) -> Any:
    """A Spark session (local mode, or a cluster by its master URL), quiet and without its UI.

    Spark keeps one session a process and returns a running one as it is, so every
    session carries Splink's similarity jar, whoever starts it first: resolution
    needs it, and a cross-match started earlier in the same process must not leave
    resolution a session without it.
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:  # pragma: no cover - pyspark is in the [all] extra
        raise RuntimeError("Spark needs pyspark: pip install 'crosscheck[spark]'") from exc
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", driver_memory)
        .config("spark.jars", similarity_jar_location())
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_api(master: str = "local[2]", shuffle_partitions: int = 8) -> Any:
    try:
        from splink.backends.spark import SparkAPI
    except ImportError as exc:  # pragma: no cover - pyspark is in the [all] extra
        raise RuntimeError(
            "the Spark backend needs pyspark: pip install 'crosscheck[spark]'"
        ) from exc
    spark = spark_session("crosscheck-resolve", master, shuffle_partitions)
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="crosscheck-spark-"))
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=spark, num_partitions_on_repartition=shuffle_partitions
    )
