"""The trained model as Splink settings that a plain Splink loads and scores the same."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from splink import DuckDBAPI, Linker

from crosscheck.resolve import params as params_io
from crosscheck.resolve import synthetic
from crosscheck.resolve.features import feature_rows
from crosscheck.resolve.splink_run import is_small, score, splink_input, splink_settings


def test_exported_settings_score_the_same_in_plain_splink(tmp_path: Path) -> None:
    rows = feature_rows(
        {k: v for k, v in r.items() if k != "person"} for r in synthetic.records(150, seed=5)
    )
    params = params_io.load()
    ours = {(p.left, p.right): p.match_probability for p in score(rows, params, threshold=0.2)}
    assert ours
    path = tmp_path / "settings.json"
    assert is_small(rows)  # crosscheck scores a table this small without term frequencies
    path.write_text(json.dumps(splink_settings(params, term_frequencies=False)), encoding="utf-8")
    settings = json.loads(path.read_text(encoding="utf-8"))  # what a plain Splink user has
    carried = 0
    for comparison in settings["comparisons"]:
        trained = params.comparisons[comparison["output_column_name"]]
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level") or trained[level["label_for_charts"]].m is None:
                continue  # a level training never reached stays unset, as in crosscheck
            assert level["m_probability"] == pytest.approx(trained[level["label_for_charts"]].m)
            assert level["u_probability"] == pytest.approx(trained[level["label_for_charts"]].u)
            carried += 1
    assert carried >= 20
    db = DuckDBAPI()
    linker = Linker(db.register(splink_input(rows)), settings)
    frame = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    theirs = {
        (min(str(a), str(b)), max(str(a), str(b))): float(p)
        for a, b, p in zip(
            frame["unique_id_l"], frame["unique_id_r"], frame["match_probability"], strict=True
        )
    }
    assert theirs.keys() == ours.keys()
    for pair, probability in ours.items():
        assert math.isclose(theirs[pair], probability, rel_tol=1e-9, abs_tol=1e-12), pair


def test_cli_writes_the_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crosscheck.cli.app import main

    out = tmp_path / "s.json"
    assert main(["resolve", "--export-splink-settings", str(out)]) == 0
    settings = json.loads(out.read_text(encoding="utf-8"))
    assert settings["blocking_rules_to_generate_predictions"] and settings["comparisons"]
    assert settings["probability_two_random_records_match"] == pytest.approx(
        params_io.load().probability_two_random_records_match
    )
