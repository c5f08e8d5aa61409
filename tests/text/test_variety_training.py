"""The training recipe's helpers (scripts/train_variety.py) and the eval's verdicts (no corpora)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from crosscheck.text.corpora import Example

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "eval"))

import eval_variety  # noqa: E402
import train_variety  # noqa: E402


def _example(text: str, label: str, genre: str, source: str, group: str) -> Example:
    return Example(text, label, "es", genre, source, group)


def test_genre_weights_follow_genre_weight_and_balance_varieties() -> None:
    examples = [
        *(_example(f"n{i}", "es-ES", "news", "dslcc-v1", "g") for i in range(3)),
        _example("n9", "es-AR", "news", "dslcc-v1", "g"),
        *(_example(f"s{i}", "es-MX", "speech", "covid19mx", "g") for i in range(4)),
        _example("s9", "es-ES", "speech", "ud-coser", "g"),
    ]
    weights = train_variety.genre_weights(examples)
    assert weights.mean() == pytest.approx(1.0)
    news_es, news_ar = weights[:3].sum(), weights[3]
    speech = weights[4:].sum()
    assert news_es == pytest.approx(news_ar)  # varieties weigh the same within a genre
    ratio = train_variety.GENRE_WEIGHT["news"] / train_variety.GENRE_WEIGHT["speech"]
    assert (news_es + news_ar) / speech == pytest.approx(ratio)


def test_a_learning_curve_samples_whole_films_and_single_sentences() -> None:
    films = [
        _example(f"f{i}", "es-ES", "dialogue", "activ-es", f"film{i % 40}") for i in range(400)
    ]
    news = [_example(f"sentence {i}", "es-AR", "news", "dslcc-v1", "dslcc-v1") for i in range(400)]
    half = train_variety.sampled(films + news, 0.5)
    kept_films = {e.group for e in half if e.source == "activ-es"}
    assert 10 <= len(kept_films) <= 30
    assert all(e in half for e in films if e.group in kept_films)  # a film is kept whole
    kept_news = sum(e.source == "dslcc-v1" for e in half)
    assert 140 <= kept_news <= 260  # the one-group corpus is sampled by sentence
    assert train_variety.sampled(films, 1.0) == films
    assert set(train_variety.sampled(films, 0.25)) <= set(half)  # nested shares


def test_coverage_bound_is_under_the_plain_coverage_when_films_differ() -> None:
    # 20 films: half decide everything (confidence 0.9), half almost nothing (0.55)
    examples, conf = [], []
    for film in range(20):
        for i in range(10):
            examples.append(_example(f"t{film}-{i}", "es-ES", "dialogue", "activ-es", f"f{film}"))
            conf.append(0.9 if film % 2 else (0.9 if i == 0 else 0.55))
    grid = [0.5, 0.6, 0.95]
    bound = train_variety.coverage_bounds(examples, conf, grid)
    plain = float(np.mean(np.asarray(conf) >= 0.6))
    assert bound[0] == pytest.approx(1.0) and bound[2] == pytest.approx(0.0)
    assert bound[1] < plain - 0.05  # resampling whole films widens the spread


def test_target_lines_say_meets_or_below_with_the_gap() -> None:
    assert eval_variety._gap(0.875, 0.88) == "0.875, -0.005"
    assert eval_variety._gap(0.02, 0.05, at_most=True) == "0.020, +0.030"
    line = eval_variety._verdict(False, "0.88", "accuracy 0.875, -0.005")
    assert line == "BELOW 0.88 (accuracy 0.875, -0.005)"
