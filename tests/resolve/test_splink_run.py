"""The model on Splink/DuckDB: training without labels, scoring, explanations, parameter files."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest

from crosscheck.exc import InvalidData
from crosscheck.resolve import params as params_io
from crosscheck.resolve import synthetic
from crosscheck.resolve.features import feature_rows
from crosscheck.resolve.splink_run import score, train


@pytest.fixture(scope="module")
def test_rows() -> list[dict[str, object]]:
    return feature_rows(
        {k: v for k, v in r.items() if k != "person"} for r in synthetic.records(400, seed=3)
    )


def test_scores_explain_themselves(test_rows: list[dict[str, object]]) -> None:
    params = params_io.load()
    pairs = score(test_rows, params, threshold=0.5)
    assert pairs
    for pair in pairs[:200]:
        total = pair.prior_match_weight + sum(e.match_weight for e in pair.evidence)
        assert math.isclose(total, pair.match_weight, abs_tol=1e-6)  # the waterfall adds up
        assert math.isclose(
            pair.match_probability, 1 - 1 / (1 + 2**pair.match_weight), rel_tol=1e-6
        )
        assert pair.left < pair.right


def test_shipped_parameters_separate_people(test_rows: list[dict[str, object]]) -> None:
    truth = {r["id"]: r["person"] for r in synthetic.records(400, seed=3)}
    pairs = [p for p in score(test_rows, params_io.load(), threshold=0.99)]
    right = sum(1 for p in pairs if truth[p.left] == truth[p.right])
    assert pairs and right / len(pairs) >= 0.9


def test_name_only_usernames_add_no_evidence() -> None:
    records = [
        {"id": "a", "name": "Oliver Smith", "username": "oliversmith", "service": "x"},
        {"id": "b", "name": "Oliver Smith", "username": "oliversmith", "service": "y"},
        {"id": "c", "name": "Oliver Smith", "username": "ravenstorm7", "service": "x"},
        {"id": "d", "name": "Oliver Smith", "username": "ravenstorm7", "service": "y"},
    ]
    pairs = {
        (p.left, p.right): p for p in score(feature_rows(records), params_io.load(), threshold=0)
    }
    by_name = {e.comparison: e for e in pairs[("a", "b")].evidence}
    assert "username" not in by_name  # agreement made of the name is no evidence of its own
    assert pairs[("c", "d")].match_weight > pairs[("a", "b")].match_weight + 5


def test_training_without_labels_and_the_parameter_file(tmp_path: Path) -> None:
    rows = feature_rows(
        {k: v for k, v in r.items() if k != "person"} for r in synthetic.records(1500, seed=9)
    )
    trained = train(rows, description="test", u_pairs=2e5)
    assert 0 < trained.probability_two_random_records_match < 0.01
    email = trained.comparisons["email"]["same mailbox"]
    assert email.m is not None and email.u is not None and email.m / email.u > 100
    path = tmp_path / "p.json"
    trained.save(path)
    again = params_io.load(path)
    assert again.comparisons == trained.comparisons
    data = orjson.loads(path.read_bytes())
    data["model_version"] = 99
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(InvalidData, match="retrain"):
        params_io.load(path)
    path.write_text("[]")
    with pytest.raises(InvalidData, match="not a crosscheck"):
        params_io.load(path)
