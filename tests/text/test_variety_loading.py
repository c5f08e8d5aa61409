"""The shipped variety models load fast and lazily (issue 16's load target), without timing them.

A vocabulary saved as a dict of n-grams takes joblib's pure-Python unpickler
over a second; saved as an array of terms it loads at once. These tests check
the form of what is saved and that nothing changes in what a model answers.
"""

from __future__ import annotations

import pickle
from typing import Any

import joblib
import numpy as np
import pytest

from crosscheck.text import variety
from crosscheck.text.variety import MODELS, VarietyModel, feature_row, load_model
from tests.helpers import fresh_python

TEXTS = [
    "¿Vosotros habéis visto el ordenador nuevo? Lo dejo en el coche.",
    "Che, vos sabés dónde dejé el celular, mirá que es importante.",
    "Ahorita te marco al celular para ver qué onda con la fiesta.",
    "El presidente habló hoy en el congreso sobre la economía del país.",
]
SHIPPED = sorted(p.name.split("-")[1].split(".")[0] for p in MODELS.glob("variety-*.joblib"))


def test_every_language_has_a_shipped_model() -> None:
    assert SHIPPED == ["en", "es", "fr", "pt"]


@pytest.mark.parametrize("language", SHIPPED)
def test_shipped_models_hold_their_vocabularies_as_term_arrays(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    states: list[dict[str, Any]] = []
    original = VarietyModel.__setstate__

    def spy(self: VarietyModel, state: dict[str, Any]) -> None:
        states.append({k: state[k] for k in ("_terms",) if k in state})
        original(self, state)

    monkeypatch.setattr(VarietyModel, "__setstate__", spy)
    model = joblib.load(MODELS / f"variety-{language}.joblib")
    [state] = states
    terms = state["_terms"]
    assert terms and all(isinstance(t, np.ndarray) and t.dtype.kind == "U" for t in terms)
    for vectoriser, column in zip(variety._vectorisers(model.pipeline), terms, strict=True):
        assert len(vectoriser.vocabulary_) == len(column) > 1000
        names = vectoriser.get_feature_names_out()
        for i in (0, len(names) // 2, len(names) - 1):
            assert vectoriser.vocabulary_[names[i]] == i


def test_saving_keeps_every_answer_and_leaves_the_model_alone() -> None:
    model = load_model("es")
    assert model is not None and load_model("es") is model  # loaded once, then cached
    before = [dict(v.vocabulary_) for v in variety._vectorisers(model.pipeline)]
    copy = pickle.loads(pickle.dumps(model))
    assert [v.vocabulary_ for v in variety._vectorisers(model.pipeline)] == before
    assert [v.vocabulary_ for v in variety._vectorisers(copy.pipeline)] == before
    logits, features, markers = model.score(TEXTS)
    again, features_again, markers_again = copy.score(TEXTS)
    assert np.array_equal(logits, again) and markers == markers_again
    assert (features != features_again).nnz == 0
    for position in range(len(TEXTS)):
        for target in model.classes:
            by_matrix = model.ngrams(features[position], target)
            assert by_matrix == copy.ngrams(feature_row(features_again, position), target)
            assert by_matrix == model.ngrams(feature_row(features, position), target)
    assert (copy.threshold, copy.temperature, copy.pool_exponent, copy.info) == (
        model.threshold, model.temperature, model.pool_exponent, model.info,
    )  # fmt: skip


def test_models_load_only_when_a_text_needs_one() -> None:
    probe = (
        "import json, sys\n"
        "from crosscheck.text.analyse import analyse\n"
        "first = 'sklearn' in sys.modules\n"
        "analyse([('x', '12345 !!!')])\n"  # too short for a language: no variety model
        "second = 'sklearn' in sys.modules\n"
        "analyse([('y', 'Vosotros habéis cogido el autobús demasiado tarde esta mañana.')])\n"
        "print(json.dumps([first, second, 'sklearn' in sys.modules]))"
    )
    assert fresh_python(probe) == [False, False, True]
