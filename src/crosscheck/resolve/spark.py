"""Splink's Spark backend, for resolution beyond one machine (here: Spark in local mode).

The same model and the same parameter artifact as on DuckDB; only the engine
changes. ``spark_api`` starts (or reuses) a session with Splink's similarity
functions (the Scala UDF jar Splink ships) and a checkpoint folder.
"""

from __future__ import annotations

import tempfile
from typing import Any


def spark_api(master: str = "local[2]", shuffle_partitions: int = 8) -> Any:
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError as exc:  # pragma: no cover - pyspark is in the [all] extra
        raise RuntimeError(
            "the Spark backend needs pyspark: pip install 'crosscheck[spark]'"
        ) from exc
    spark = (
        SparkSession.builder.master(master)
        .appName("crosscheck-resolve")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="crosscheck-spark-"))
    spark.sparkContext.setLogLevel("ERROR")
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=spark, num_partitions_on_repartition=shuffle_partitions
    )
