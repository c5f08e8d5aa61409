"""A linear text classifier as plain arrays: saved without pickle, applied without scikit-learn.

At training time :func:`export` reads a fitted scikit-learn pipeline — a
``FeatureUnion`` of ``TfidfVectorizer``\\ s (or one of them) followed by a linear
classifier with ``coef_`` and ``intercept_`` — into arrays: each vectoriser's
terms in column order (unicode), its idf weights and settings, the classifier's
coefficients, intercepts and classes. :class:`LinearTextModel` applies them with
NumPy alone: the vectorisers' analyzers re-implemented exactly (scikit-learn's
``_char_wb_ngrams``, ``_char_ngrams``, ``_word_ngrams`` and its preprocessor:
``str.lower`` only), the tf-idf weighting and l2 norm per vectoriser in the same
floating-point steps, the blocks side by side, then the linear part:

    log P(class | text) = log_softmax(x · Wᵀ + b)        (one row of W per class)
    log P(class | text) = log_softmax([0, x · wᵀ + b])   (binary: one row, for the second class)

The second is what ``LogisticRegression.predict_proba`` computes for two classes
(1 - sigmoid(z), sigmoid(z)); the first its multinomial softmax. Anything else (another
analyzer, accent stripping, stop words, a custom tokenizer, binary counts,
weights on the union, a one-vs-rest logistic regression, ...) is refused by
:func:`export` with an :class:`UnsupportedModel` error, never approximated.

Saved with :func:`save` as one ``.npz`` (read back with ``allow_pickle=False``):
the arrays plus two JSON documents, the settings and the caller's own fields.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "crosscheck-linear-text/1"
ANALYZERS = ("char_wb", "char", "word")
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's VectorizerMixin._white_spaces
WORD_CACHE = 50_000  # words whose char_wb columns a vectoriser keeps (then starts again)


class UnsupportedModel(ValueError):
    """The fitted pipeline uses something this format cannot reproduce exactly."""


@dataclass(frozen=True)
class Csr:
    """Rows of non-zero features, as a CSR matrix holds them (no scipy needed)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.data.dtype)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        out[rows, self.indices] = self.data
        return out


# -- analyzers: scikit-learn's, step for step -------------------------------------------


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """``_char_wb_ngrams``: n-grams inside each whitespace-separated word padded with a space.

    scikit-learn first folds whitespace runs into one space; ``str.split()``
    splits on the same characters (``\\s`` is ``str.isspace``), so that step
    changes nothing here.
    """
    out: list[str] = []
    for word in text.split():
        out.extend(word_char_ngrams(word, low, high))
    return out


def word_char_ngrams(word: str, low: int, high: int) -> list[str]:
    """One word's n-grams for ``char_wb``: a padded word no longer than n gives itself,
    once, and ends the word (so a word shorter than ``low`` still gives one, shorter, n-gram)."""
    padded = f" {word} "
    size = len(padded)
    out: list[str] = []
    for n in range(low, high + 1):
        if size <= n:
            out.append(padded)
            break
        out.extend([padded[i : i + n] for i in range(size - n + 1)])
    return out


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """``_char_ngrams``: n-grams of the whole text once whitespace runs are one space."""
    text = _WHITE_SPACES.sub(" ", text)
    size = len(text)
    out: list[str] = []
    for n in range(low, min(high, size) + 1):
        out.extend([text[i : i + n] for i in range(size - n + 1)])
    return out


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """``_word_ngrams`` without stop words: token n-grams joined by one space."""
    if high == 1:
        return tokens
    out = list(tokens) if low == 1 else []
    count = len(tokens)
    for n in range(max(low, 2), min(high, count) + 1):
        out.extend([" ".join(tokens[i : i + n]) for i in range(count - n + 1)])
    return out


# -- the model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What a fitted ``TfidfVectorizer`` does to a text, beyond its vocabulary and idf."""

    name: str  # the FeatureUnion's name for it ("" when alone)
    analyzer: str
    ngram_range: tuple[int, int]
    lowercase: bool
    token_pattern: str | None  # word analyzer only
    sublinear_tf: bool
    use_idf: bool
    norm: str | None
    dtype: str  # of the feature values: float32 or float64

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "ngram_range": list(self.ngram_range)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        low, high = data["ngram_range"]
        return cls(**{**data, "ngram_range": (int(low), int(high))})


class Vectoriser:
    """One tf-idf vectoriser applied from its settings, terms and idf."""

    def __init__(self, settings: Settings, terms: np.ndarray, idf: np.ndarray | None) -> None:
        _check_settings(settings)
        self.settings = settings
        self.terms = terms
        self.idf = idf
        self.dtype = np.dtype(settings.dtype)
        self.vocabulary: dict[str, int] = dict(zip(terms.tolist(), range(len(terms)), strict=True))
        if len(self.vocabulary) != len(terms):
            raise UnsupportedModel(f"vectoriser {settings.name!r}: repeated terms")
        low, high = settings.ngram_range
        tokenize = re.compile(settings.token_pattern or "").findall
        ngrams: Callable[[str], list[str]]
        if settings.analyzer == "char_wb":
            ngrams = lambda text: char_wb_ngrams(text, low, high)  # noqa: E731
        elif settings.analyzer == "char":
            ngrams = lambda text: char_ngrams(text, low, high)  # noqa: E731
        else:
            ngrams = lambda text: word_ngrams(tokenize(text), low, high)  # noqa: E731
        self._ngrams = ngrams
        self._words: dict[str, tuple[int, ...]] = {}

    def analyse(self, text: str) -> list[str]:
        """What ``build_analyzer()`` gives for ``text`` (a str: nothing to decode)."""
        if not isinstance(text, str):
            raise TypeError(f"expected a str, got {type(text).__name__}")
        return self._ngrams(text.lower() if self.settings.lowercase else text)

    def columns(self, text: str) -> list[int]:
        """The columns of ``text``'s n-grams, in the analyzer's order; -1 for an unknown one.

        ``char_wb`` n-grams never cross a word, so each word's columns are kept
        (:data:`WORD_CACHE` words at most): most words of a text were seen before.
        """
        get = self.vocabulary.get
        if self.settings.analyzer != "char_wb":
            return list(map(get, self.analyse(text), repeat(-1)))
        if not isinstance(text, str):
            raise TypeError(f"expected a str, got {type(text).__name__}")
        low, high = self.settings.ngram_range
        cache: dict[str, tuple[int, ...]] = self._words
        found: list[int] = []
        for word in (text.lower() if self.settings.lowercase else text).split():
            known = cache.get(word)
            if known is None:
                known = tuple(map(get, word_char_ngrams(word, low, high), repeat(-1)))
                if len(cache) >= WORD_CACHE:
                    cache.clear()
                cache[word] = known
            found.extend(known)
        return found

    def counts(self, texts: Sequence[str]) -> Csr:
        """Term counts of known terms, rows with sorted column indices (``CountVectorizer``)."""
        columns: list[int] = []
        sizes = []
        for text in texts:
            found = self.columns(text)
            columns.extend(found)
            sizes.append(len(found))
        width = len(self.terms)
        column = np.array(columns, dtype=np.int64)
        row = np.repeat(np.arange(len(texts), dtype=np.int64), sizes)
        known = column >= 0
        keys, counts = np.unique(row[known] * width + column[known], return_counts=True)
        rows, indices = np.divmod(keys, width)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        return Csr(indptr, indices.astype(np.int32), counts.astype(self.dtype), (len(texts), width))

    def transform(self, texts: Sequence[str]) -> Csr:
        """``TfidfVectorizer.transform``: the same float operations in the same order."""
        matrix = self.counts(texts)
        data = matrix.data
        if self.settings.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[matrix.indices]
        if self.settings.norm == "l2":
            # sklearn's _inplace_csr_row_normalize_l2: squares in the data's type,
            # summed in double, each value divided by the double root
            rows = np.repeat(np.arange(len(texts)), np.diff(matrix.indptr))
            total = np.bincount(
                rows, weights=(data * data).astype(np.float64), minlength=len(texts)
            )
            root = np.sqrt(total)
            root[root == 0.0] = 1.0
            data[:] = data.astype(np.float64) / root[rows]
        return matrix


class LinearTextModel:
    """Tf-idf vectorisers side by side, then a linear classifier; see the module's docstring."""

    def __init__(
        self,
        vectorisers: list[Vectoriser],
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: list[str],
    ) -> None:
        self.vectorisers = vectorisers
        self.coef = coef
        self.intercept = intercept
        self.classes = classes
        self.offsets = np.cumsum([0] + [len(v.terms) for v in vectorisers])
        self.n_features = int(self.offsets[-1])
        self._starts = [int(start) for start in self.offsets[:-1]]
        rows = coef.shape[0]
        if coef.ndim != 2 or coef.shape[1] != self.n_features or intercept.shape != (rows,):
            raise UnsupportedModel(
                f"coefficients {coef.shape} and intercept {intercept.shape} do not fit "
                f"{self.n_features} features"
            )
        if not ((rows == 1 and len(classes) == 2) or rows == len(classes) >= 2):
            raise UnsupportedModel(f"{rows} coefficient rows for {len(classes)} classes")
        self.binary = rows == 1
        self._coef_t = np.ascontiguousarray(coef.T)
        dtypes = {v.dtype for v in vectorisers}
        self.dtype = np.result_type(*dtypes) if dtypes else np.dtype(np.float64)

    # -- arrays in and out ----------------------------------------------------------------

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> LinearTextModel:
        settings = json.loads(str(arrays["settings"][()]))
        if settings.get("format") != FORMAT:
            raise UnsupportedModel(f"not a {FORMAT} model: {settings.get('format')!r}")
        vectorisers = []
        for position, item in enumerate(settings["vectorisers"]):
            parsed = Settings.from_json(item)
            idf = arrays[f"idf_{position}"] if parsed.use_idf else None
            vectorisers.append(Vectoriser(parsed, arrays[f"terms_{position}"], idf))
        classes = [str(c) for c in arrays["classes"].tolist()]
        return cls(vectorisers, arrays["coef"], arrays["intercept"], classes)

    def to_arrays(self) -> dict[str, np.ndarray]:
        settings = {
            "format": FORMAT,
            "vectorisers": [v.settings.to_json() for v in self.vectorisers],
        }
        out = {
            "settings": np.array(json.dumps(settings)),
            "coef": self.coef,
            "intercept": self.intercept,
            "classes": np.array(self.classes, dtype=str),
        }
        for position, vectoriser in enumerate(self.vectorisers):
            out[f"terms_{position}"] = vectoriser.terms
            if vectoriser.idf is not None:
                out[f"idf_{position}"] = vectoriser.idf
        return out

    # -- applying -------------------------------------------------------------------------

    def transform(self, texts: Sequence[str]) -> Csr:
        """The feature matrix: each vectoriser's block, side by side (``FeatureUnion``)."""
        texts = list(texts)
        blocks = [v.transform(texts) for v in self.vectorisers]
        if len(blocks) == 1:
            block = blocks[0]
            return Csr(block.indptr, block.indices, block.data.astype(self.dtype), block.shape)
        sizes = np.add.reduce([np.diff(b.indptr) for b in blocks])
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        rows = np.concatenate([np.repeat(np.arange(len(texts)), np.diff(b.indptr)) for b in blocks])
        indices = np.concatenate(
            [
                b.indices.astype(np.int64) + offset
                for b, offset in zip(blocks, self.offsets, strict=False)
            ]
        )
        data = np.concatenate([b.data.astype(self.dtype) for b in blocks])
        # each block's rows are sorted by column and blocks come in column order:
        # a stable sort by row alone puts every row's columns in order
        order = np.argsort(rows, kind="stable")
        return Csr(
            indptr, indices[order].astype(np.int32), data[order], (len(texts), self.n_features)
        )

    def decision(self, features: Csr) -> np.ndarray:
        """x · Wᵀ + b per text, summed in double precision: shape (texts, rows of W)."""
        count = features.shape[0]
        rows = np.repeat(np.arange(count), np.diff(features.indptr))
        products = self._coef_t[features.indices].astype(np.float64)
        products *= features.data.astype(np.float64)[:, None]
        out = np.empty((count, self.coef.shape[0]), dtype=np.float64)
        for column in range(self.coef.shape[0]):
            out[:, column] = np.bincount(rows, weights=products[:, column], minlength=count)
        out += self.intercept.astype(np.float64)
        return out

    def log_proba(self, features: Csr) -> np.ndarray:
        """log P(class | text), classes in :attr:`classes` order (see the module's docstring)."""
        scores = self.decision(features)
        if self.binary:
            scores = np.concatenate([np.zeros_like(scores), scores], axis=1)
        top = scores.max(axis=1, keepdims=True)
        shifted = scores - top
        result: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return result

    def predict(self, texts: Sequence[str]) -> list[str]:
        best = self.log_proba(self.transform(texts)).argmax(axis=1)
        return [self.classes[i] for i in best]

    def feature(self, column: int) -> tuple[Settings, str]:
        """Which vectoriser a column belongs to, and its term."""
        block = bisect_right(self._starts, column) - 1
        vectoriser = self.vectorisers[block]
        return vectoriser.settings, str(vectoriser.terms[column - self._starts[block]])


# -- export (training time: reads a fitted scikit-learn pipeline) --------------------------


def export(pipeline: Any) -> dict[str, np.ndarray]:
    """The arrays of a fitted ``Pipeline([features, classifier])``; :class:`UnsupportedModel` if
    it does anything :class:`LinearTextModel` would not reproduce exactly."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 2:
        raise UnsupportedModel("expected a Pipeline of two steps: features, then a classifier")
    (_, features), (_, classifier) = steps
    if isinstance(features, FeatureUnion):
        if features.transformer_weights:
            raise UnsupportedModel("a FeatureUnion with transformer_weights")
        if not features.verbose_feature_names_out:
            raise UnsupportedModel("a FeatureUnion without verbose feature names")
        parts = list(features.transformer_list)
    else:
        parts = [("", features)]
    vectorisers = []
    for name, part in parts:
        if type(part) is not TfidfVectorizer:
            raise UnsupportedModel(
                f"{name or 'features'}: {type(part).__name__}, not TfidfVectorizer"
            )
        vectorisers.append(_export_vectoriser(name, part))
    coef = getattr(classifier, "coef_", None)
    intercept = getattr(classifier, "intercept_", None)
    classes = getattr(classifier, "classes_", None)
    if coef is None or intercept is None or classes is None:
        raise UnsupportedModel(f"{type(classifier).__name__} has no coef_, intercept_ and classes_")
    if hasattr(coef, "toarray"):
        raise UnsupportedModel("sparse coefficients")
    if getattr(classifier, "multi_class", "auto") not in ("auto", "multinomial", "deprecated"):
        raise UnsupportedModel(f"multi_class={classifier.multi_class!r}: not a softmax")
    if len(classes) > 2 and type(classifier).__name__ == "LogisticRegression":
        solver = getattr(classifier, "solver", "lbfgs")
        if solver == "liblinear":
            raise UnsupportedModel("liblinear's logistic regression is one-vs-rest")
    intercept = np.broadcast_to(np.asarray(intercept), (np.asarray(coef).shape[0],))
    model = LinearTextModel(
        vectorisers,
        np.ascontiguousarray(coef),
        np.ascontiguousarray(intercept),
        [str(c) for c in classes],
    )
    return model.to_arrays()


def _export_vectoriser(name: str, vectoriser: Any) -> Vectoriser:
    refused = {
        "input": ("content",),
        "strip_accents": (None,),
        "preprocessor": (None,),
        "tokenizer": (None,),
        "stop_words": (None,),
        "binary": (False,),
        "norm": ("l2", None),
        "analyzer": ANALYZERS,
    }
    for attribute, allowed in refused.items():
        value = getattr(vectoriser, attribute)
        if not any(value is a or (isinstance(a, str) and value == a) for a in allowed):
            raise UnsupportedModel(f"vectoriser {name!r}: {attribute}={value!r}")
    vocabulary: dict[str, int] = vectoriser.vocabulary_
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    if [vocabulary[t] for t in terms] != list(range(len(terms))):
        raise UnsupportedModel(f"vectoriser {name!r}: columns are not 0..n-1")
    dtype = np.dtype(vectoriser.dtype)
    if dtype not in (np.float32, np.float64):
        raise UnsupportedModel(f"vectoriser {name!r}: dtype {dtype}")
    idf = np.asarray(vectoriser.idf_) if vectoriser.use_idf else None
    settings = Settings(
        name=name,
        analyzer=vectoriser.analyzer,
        ngram_range=(int(vectoriser.ngram_range[0]), int(vectoriser.ngram_range[1])),
        lowercase=bool(vectoriser.lowercase),
        token_pattern=vectoriser.token_pattern if vectoriser.analyzer == "word" else None,
        sublinear_tf=bool(vectoriser.sublinear_tf),
        use_idf=bool(vectoriser.use_idf),
        norm=vectoriser.norm,
        dtype=dtype.name,
    )
    return Vectoriser(settings, np.array(terms, dtype=str), idf)


def _check_settings(settings: Settings) -> None:
    low, high = settings.ngram_range
    if settings.analyzer not in ANALYZERS:
        raise UnsupportedModel(f"analyzer {settings.analyzer!r}")
    if not 1 <= low <= high:
        raise UnsupportedModel(f"ngram_range {settings.ngram_range}")
    if settings.norm not in ("l2", None):
        raise UnsupportedModel(f"norm {settings.norm!r}")
    if settings.analyzer == "word":
        if settings.token_pattern is None:
            raise UnsupportedModel("a word analyzer without token_pattern")
        if re.compile(settings.token_pattern).groups > 1:
            raise UnsupportedModel("a token_pattern with more than one group")


# -- files --------------------------------------------------------------------------------


def save(path: Path, arrays: dict[str, np.ndarray], fields: dict[str, Any]) -> None:
    """One compressed ``.npz``: ``arrays`` and ``fields`` (JSON) under the key ``fields``."""
    if "fields" in arrays:
        raise ValueError("'fields' is reserved")
    for key, array in arrays.items():
        if array.dtype.kind == "O":
            raise ValueError(f"{key}: object arrays need pickle")
    with path.open("wb") as handle:
        payload: dict[str, Any] = {"fields": np.array(json.dumps(fields)), **arrays}
        np.savez_compressed(handle, allow_pickle=False, **payload)


def read(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """What :func:`save` wrote (never unpickles anything)."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    fields: dict[str, Any] = json.loads(str(arrays.pop("fields")[()]))
    return arrays, fields
