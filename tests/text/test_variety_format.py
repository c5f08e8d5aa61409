"""The variety models' own format (text/variety_format.py) against scikit-learn, the oracle.

scikit-learn is imported here only: the applier must answer as the pipeline it
was exported from — the same analyzer output, the same feature matrix, the same
probabilities — for the settings it claims to support, and refuse the rest.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.special import softmax
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from crosscheck.text.variety import (
    MODELS,
    VarietyModel,
    feature_row,
    load_model,
    model_path,
    read_model,
    save_model,
)
from crosscheck.text.variety_format import (
    Csr,
    LinearTextModel,
    Settings,
    UnsupportedModel,
    Vectoriser,
    export,
    read,
    save,
)
from tests.media import SHARED_MEDIA

LANG = SHARED_MEDIA.parent / "lang"
#: letters with and without accents, case, digits, punctuation, and whitespace of every kind
ALPHABET = st.sampled_from(
    list("aAbBeEnNoOsS") + list("áéíóúñÑçÇãõâêôÀÉÜüß") + list("0123456789")
    + list(".,;:!?¿¡'\"()-_…«»") + [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\xa0",
    "\u2003", "\u3000", "\x1c", "\u200b"] + ["İ", "ǅ", "ﬁ", "😀", "\u0301"]
)  # fmt: skip
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)
CONFIGS: list[dict[str, Any]] = [
    {"analyzer": "char_wb", "ngram_range": (2, 5)},
    {"analyzer": "char_wb", "ngram_range": (1, 3), "lowercase": False},
    {"analyzer": "char_wb", "ngram_range": (4, 6)},
    {"analyzer": "char", "ngram_range": (1, 4)},
    {"analyzer": "char", "ngram_range": (3, 3), "lowercase": False},
    {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
    {"analyzer": "word", "ngram_range": (1, 1)},
    {"analyzer": "word", "ngram_range": (2, 3), "lowercase": False},
    {"analyzer": "word", "ngram_range": (1, 3), "token_pattern": r"(?u)\b(\w)\w*\b"},
]
GENERATED = [
    "¿Vosotros habéis visto el ordenador nuevo? Lo dejo en el coche.",
    "Che, vos sabés dónde dejé el celular, mirá que es importante.",
    "Ahorita te marco al celular para ver qué onda con la fiesta.",
    "Estou a trabalhar no escritório e depois vou apanhar o comboio.",
    "Eu estou trabalhando no escritório e depois vou pegar o ônibus.",
    "Je vais magasiner au centre-ville avec mes chums ce soir.",
    "The colour of the neighbour's car is grey; the color of mine is gray.",
    "",
    "   \t\n  ",
    "a",
    "12 345 !!! ...",
    "ÉCRIT EN MAJUSCULES, Accentués À L'ÉCOLE",
    "İstanbul ǅemal ﬁnal 😀 straße",
]


def settings_of(config: dict[str, Any]) -> Settings:
    vectoriser = TfidfVectorizer(**config)
    return Settings(
        name="",
        analyzer=vectoriser.analyzer,
        ngram_range=vectoriser.ngram_range,
        lowercase=vectoriser.lowercase,
        token_pattern=vectoriser.token_pattern if vectoriser.analyzer == "word" else None,
        sublinear_tf=False,
        use_idf=False,
        norm=None,
        dtype="float64",
    )


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(range(len(CONFIGS))))
def test_analyzers_give_what_scikit_learn_gives(text: str, which: int) -> None:
    config = CONFIGS[which]
    expected = TfidfVectorizer(**config).build_analyzer()(text)
    ours = Vectoriser(settings_of(config), np.array(["x"]), None)
    assert ours.analyse(text) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=8), st.sampled_from(range(len(CONFIGS))))
def test_counts_give_what_scikit_learn_counts(texts: list[str], which: int) -> None:
    """Known n-grams only, counted per text, columns sorted; char_wb's word cache included."""
    config = CONFIGS[which]
    corpus = GENERATED + texts[: len(texts) // 2]  # some n-grams known, some not
    counter = CountVectorizer(**config).fit([*corpus, "x"])
    terms = np.array(sorted(counter.vocabulary_, key=counter.vocabulary_.__getitem__))
    ours = Vectoriser(settings_of(config), terms, None)
    expected = csr_matrix(counter.transform(texts))
    expected.sort_indices()
    for _ in range(2):  # the second time from the cache
        got = ours.counts(texts)
        assert np.array_equal(got.indptr, expected.indptr)
        assert np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)


def corpus_texts() -> tuple[list[str], list[str]]:
    """Texts and labels: the shared corpora's test split where it is here, else made up."""
    if LANG.is_dir():
        from crosscheck.text.corpora import load_splits

        test = load_splits(LANG).test
        picked = [e for e in test if e.language in ("es", "pt")][::37][:400]
        return [e.text for e in picked], [e.label for e in picked]
    rng = np.random.default_rng(7)
    words = " ".join(GENERATED).split()
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 15))) for _ in range(400)]
    return texts, [["a", "b", "c"][i % 3] for i in range(400)]


def assert_same(pipeline: Pipeline, model: LinearTextModel, texts: list[str]) -> None:
    """Equal feature matrices, and log-probabilities within 1e-5 of predict_proba's logs."""
    expected = csr_matrix(pipeline.steps[0][1].transform(texts))
    for _ in range(2):  # cold, then from the word cache
        features = model.transform(texts)
        assert features.shape == expected.shape
        for name in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(features, name), getattr(expected, name)), name
        assert features.data.dtype == expected.dtype
    log_p = model.log_proba(features)
    classifier = pipeline.steps[-1][1]
    # scikit-learn's own probabilities, from the same features taken in double precision
    reference = classifier.predict_proba(expected.astype(np.float64))
    if not isinstance(classifier, LogisticRegression) and len(model.classes) > 2:
        # another linear model: the format's probabilities are the softmax of its decision
        # function (SGDClassifier's own predict_proba normalises one-vs-rest sigmoids)
        reference = softmax(classifier.decision_function(expected.astype(np.float64)), axis=1)
        assert np.array_equal(reference.argmax(axis=1), log_p.argmax(axis=1))
        assert [str(c) for c in pipeline.predict(texts)] == model.predict(texts)
        assert np.abs(log_p - np.log(reference)).max() < 1e-5
        return
    kept = reference > 1e-12  # where a log of the reference is still exact
    assert np.abs(log_p[kept] - np.log(reference[kept])).max() < 1e-5
    assert (log_p[~kept] < np.log(1e-11)).all()
    # and the pipeline end to end (float32 features: its probabilities carry float32 rounding)
    proba = pipeline.predict_proba(texts)
    assert np.abs(np.exp(log_p) - proba).max() < 1e-5
    clipped = np.log(np.clip(proba, 1e-4, 1.0))  # float32: 1 - p is exact to 1e-7 at most
    assert np.abs(np.maximum(log_p, np.log(1e-4)) - clipped).max() < 1e-2
    assert [str(c) for c in pipeline.predict(texts)] == model.predict(texts)


def shipped_recipe() -> Pipeline:
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float32
    )
    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",
        sublinear_tf=True,
        dtype=np.float32,
    )
    union = FeatureUnion([("char", char), ("word", word)])
    return Pipeline([("features", union), ("model", LogisticRegression(C=4.0, max_iter=500))])


def plain_chars() -> Pipeline:
    features = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), use_idf=False, norm=None, lowercase=False
    )
    classifier = LogisticRegression(C=0.01, tol=1e-2, max_iter=1000)
    return Pipeline([("features", features), ("model", classifier)])


def words_and_another_linear_model() -> Pipeline:
    union = FeatureUnion([("w", TfidfVectorizer(ngram_range=(1, 3)))])
    return Pipeline(
        [("features", union), ("model", SGDClassifier(loss="log_loss", random_state=0))]
    )


PIPELINES: dict[str, Callable[[], Pipeline]] = {
    "shipped recipe, three classes": shipped_recipe,
    "char, no idf, no norm, float64": plain_chars,
    "words 1-3, plain tf, another linear model": words_and_another_linear_model,
}


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("recipe", list(PIPELINES))
def test_exported_pipelines_answer_as_scikit_learn(recipe: str, binary: bool) -> None:
    texts, labels = corpus_texts()
    if binary:
        labels = ["pt" if label.startswith("pt") else "es" for label in labels]
    train, held_out = texts[::2], texts[1::2] + GENERATED
    pipeline = PIPELINES[recipe]().fit(train, labels[::2])
    arrays = export(pipeline)
    model = LinearTextModel.from_arrays(arrays)
    assert model.binary == binary and model.classes == [str(c) for c in pipeline.classes_]
    assert_same(pipeline, model, held_out)


def as_scikit_learn(model: LinearTextModel) -> Pipeline:
    """A scikit-learn pipeline made from the arrays (the oracle for the shipped models)."""
    parts = []
    for vectoriser in model.vectorisers:
        given = vectoriser.settings
        made = TfidfVectorizer(
            analyzer=given.analyzer,
            ngram_range=given.ngram_range,
            lowercase=given.lowercase,
            token_pattern=given.token_pattern or r"(?u)\b\w\w+\b",
            sublinear_tf=given.sublinear_tf,
            use_idf=given.use_idf,
            norm=given.norm,
            dtype=np.dtype(given.dtype).type,
            vocabulary={t: i for i, t in enumerate(vectoriser.terms.tolist())},
        )
        made.idf_ = vectoriser.idf
        parts.append((given.name, made))
    classifier = LogisticRegression()
    classifier.coef_, classifier.intercept_ = model.coef, model.intercept
    classifier.classes_ = np.array(model.classes)
    return Pipeline([("features", FeatureUnion(parts)), ("model", classifier)])


SHIPPED = sorted(p.name.split("-")[1].split(".")[0] for p in MODELS.glob("variety-*.npz"))


def test_every_language_has_a_shipped_model() -> None:
    assert SHIPPED == ["en", "es", "fr", "pt"]
    assert not list(MODELS.glob("*.joblib")) and not list(MODELS.glob("*.pkl"))


@pytest.mark.parametrize("language", SHIPPED)
def test_shipped_models_answer_as_scikit_learn(language: str) -> None:
    model = load_model(language)
    assert model is not None
    texts, _ = corpus_texts()
    assert_same(as_scikit_learn(model.pipeline), model.pipeline, texts[:300] + GENERATED)
    assert len(model.pipeline.vectorisers) == 2 and model.pipeline.n_features > 20_000


@pytest.mark.parametrize("language", SHIPPED)
def test_shipped_files_hold_plain_arrays_and_json(language: str) -> None:
    path = model_path(language)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    assert {"fields.npy", "settings.npy", "coef.npy", "intercept.npy", "classes.npy"} <= names
    with np.load(path, allow_pickle=False) as arrays:  # would raise on any pickled object
        kinds = {key: arrays[key].dtype.kind for key in arrays.files}
        fields = json.loads(str(arrays["fields"][()]))
    assert kinds["terms_0"] == kinds["terms_1"] == "U" and "O" not in kinds.values()
    assert fields["language"] == language and 0.5 <= fields["threshold"] < 1.0


def test_a_model_saved_and_read_again_answers_the_same(tmp_path: Path) -> None:
    model = load_model("es")
    assert model is not None and load_model("es") is model  # loaded once, then cached
    path = tmp_path / "variety-es.npz"
    save_model(model, path)
    again = read_model(path)
    logits, features, markers = model.score(GENERATED)
    logits_again, features_again, markers_again = again.score(GENERATED)
    assert np.array_equal(logits, logits_again) and markers == markers_again
    assert np.array_equal(features.data, features_again.data)
    for name in ("classes", "threshold", "temperature", "pool_exponent", "info", "spellings"):
        assert getattr(again, name) == getattr(model, name), name
    for position in range(len(GENERATED)):
        for target in model.classes:
            row = feature_row(features, position)
            assert model.ngrams(row, target) == again.ngrams(row, target)


def test_evidence_names_the_terms_of_either_block() -> None:
    model = load_model("es")
    assert model is not None
    _, features, _ = model.score(["Vosotros habéis cogido el autobús demasiado tarde."])
    found = model.ngrams(feature_row(features, 0), "es-ES", top=40)
    kinds = {e.kind for e in found}
    assert kinds == {"word", "ngram"}
    for item in found:
        column = [c for c in features.indices if model.pipeline.feature(int(c))[1] == item.text]
        assert column, item
    assert any(e.kind == "word" and e.text == "vosotros" for e in found)


def test_a_scikit_learn_pipeline_given_to_the_model_is_converted() -> None:
    texts, labels = corpus_texts()
    pipeline = PIPELINES["shipped recipe, three classes"]().fit(texts[:150], labels[:150])
    classes = [str(c) for c in pipeline.classes_]
    model = VarietyModel("es", classes, pipeline, 0.7)
    assert isinstance(model.pipeline, LinearTextModel)
    with pytest.raises(ValueError, match="classes"):
        VarietyModel("es", classes[::-1], pipeline, 0.7)


def refused(vectoriser: Any = None, classifier: Any = None) -> Pipeline:
    texts = ["uno dos tres", "cuatro cinco seis", "siete ocho nueve", "diez once doce"]
    features = vectoriser or TfidfVectorizer()
    return Pipeline([("f", features), ("m", classifier or LogisticRegression())]).fit(
        texts, ["a", "b", "a", "b"]
    )


@pytest.mark.parametrize(
    "pipeline",
    [
        lambda: refused(TfidfVectorizer(strip_accents="unicode")),
        lambda: refused(TfidfVectorizer(strip_accents="ascii")),
        lambda: refused(TfidfVectorizer(stop_words=["uno"])),
        lambda: refused(TfidfVectorizer(binary=True)),
        lambda: refused(TfidfVectorizer(norm="l1")),
        lambda: refused(TfidfVectorizer(analyzer=str.split)),
        lambda: refused(TfidfVectorizer(tokenizer=str.split, token_pattern=None)),
        lambda: refused(TfidfVectorizer(preprocessor=str.upper)),
        lambda: refused(CountVectorizer()),
        lambda: refused(FeatureUnion([("a", TfidfVectorizer())], transformer_weights={"a": 2.0})),
        lambda: Pipeline([("f", TfidfVectorizer()), ("m", LogisticRegression())]),  # not fitted
        lambda: "not a pipeline",
    ],
)
def test_what_cannot_be_reproduced_is_refused(pipeline: Any) -> None:
    with pytest.raises((UnsupportedModel, AttributeError)):
        export(pipeline())


def test_a_classifier_without_coefficients_is_refused() -> None:
    from sklearn.naive_bayes import MultinomialNB

    with pytest.raises(UnsupportedModel, match="coef_"):
        export(refused(classifier=MultinomialNB()))


def test_arrays_that_do_not_fit_are_refused(tmp_path: Path) -> None:
    arrays = export(refused())
    with pytest.raises(UnsupportedModel):
        LinearTextModel.from_arrays({**arrays, "coef": arrays["coef"][:, :-1]})
    with pytest.raises(UnsupportedModel):
        LinearTextModel.from_arrays({**arrays, "classes": np.array(["a", "b", "c"])})
    with pytest.raises(UnsupportedModel, match="not a crosscheck-linear-text"):
        LinearTextModel.from_arrays({**arrays, "settings": np.array('{"format": "other"}')})
    with pytest.raises(ValueError, match="pickle"):
        save(tmp_path / "x.npz", {"x": np.array([object()], dtype=object)}, {})
    save(tmp_path / "ok.npz", arrays, {"a": [1, "b"]})
    back, fields = read(tmp_path / "ok.npz")
    assert fields == {"a": [1, "b"]} and set(back) == set(arrays)


def test_a_csr_row_reads_its_own_arrays() -> None:
    matrix = Csr(np.array([0, 2, 2, 3]), np.array([1, 4, 0]), np.array([0.5, 2.0, 1.0]), (3, 5))
    assert matrix.toarray().tolist() == [[0, 0.5, 0, 0, 2.0], [0] * 5, [1.0, 0, 0, 0, 0]]
    row = feature_row(matrix, 0)
    assert row.indices.tolist() == [1, 4] and row.data.tolist() == [0.5, 2.0]
