"""The same model and parameters on Splink's Spark backend (local mode) give the same pairs."""

from __future__ import annotations

import shutil

import pytest

from crosscheck.resolve import params as params_io
from crosscheck.resolve import synthetic
from crosscheck.resolve.features import feature_rows
from crosscheck.resolve.splink_run import score

pytest.importorskip("pyspark")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
@pytest.mark.filterwarnings("ignore::FutureWarning")  # pandas downcasting inside Splink's Spark API
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_scores_as_duckdb_does() -> None:
    from crosscheck.resolve.spark import spark_api

    rows = feature_rows(
        {k: v for k, v in r.items() if k != "person"} for r in synthetic.records(150, seed=3)
    )
    params = params_io.load()
    api = spark_api()
    try:
        on_spark = score(rows, params, threshold=0.5, api_factory=lambda: api)
    finally:
        api.spark.stop()
    on_duckdb = score(rows, params, threshold=0.5)
    assert on_duckdb
    weights = {(p.left, p.right): round(p.match_weight, 6) for p in on_spark}
    assert weights == {(p.left, p.right): round(p.match_weight, 6) for p in on_duckdb}
    first = on_spark[0]
    assert [e.level for e in first.evidence] == [
        e.level
        for e in next(
            p for p in on_duckdb if (p.left, p.right) == (first.left, first.right)
        ).evidence
    ]
