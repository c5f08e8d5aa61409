"""Regional variety of a text: a linear model on character and word n-grams, plus markers.

One model per language, trained by ``scripts/train_variety.py`` from
``../shared/data/lang`` and shipped in ``text/models/variety-{language}.npz``
(nothing is downloaded; the format and its applier: ``text/variety_format.py``,
no scikit-learn and no pickle at run time).
Markers add their weight to the log-odds of the variety they point to; the
decision abstains when the top probability is under the model's threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from crosscheck.text import variety_format
from crosscheck.text.markers import find_markers
from crosscheck.text.variety_format import LinearTextModel

MODELS = Path(__file__).parent / "models"
LATAM = ("es-AR", "es-MX")
#: marker evidence listed per text at most (the strongest; each marker word once)
MAX_MARKERS = 10


@dataclass(frozen=True)
class Evidence:
    kind: str  # marker, ngram, word
    text: str
    points_to: str
    weight: float

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "points_to": self.points_to,
            "weight": round(self.weight, 3),
        }


@dataclass
class VarietyResult:
    variety: str | None
    confidence: float
    abstained: bool
    probabilities: dict[str, float]
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class VarietyModel:
    """What the training script saves: the linear n-gram model and what the decision needs."""

    language: str
    classes: list[str]
    #: tf-idf char and word n-grams -> linear classifier, applied without scikit-learn;
    #: a fitted scikit-learn Pipeline given here (training) is converted on construction
    pipeline: LinearTextModel
    threshold: float
    spellings: dict[str, str] = field(default_factory=dict)  # en: word -> en-GB / en-US
    #: log-probabilities are divided by it before the softmax (temperature scaling,
    #: fitted on the development split so that the confidence is calibrated)
    temperature: float = 1.0
    #: pooled log-probabilities of k texts are divided by k ** pool_exponent: an
    #: author's texts are not independent evidence (0 = independent; fitted on dev authors)
    pool_exponent: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)
    _weights: list[np.ndarray] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.pipeline, LinearTextModel):
            self.pipeline = LinearTextModel.from_arrays(variety_format.export(self.pipeline))
        if self.pipeline.classes != list(self.classes):
            raise ValueError(f"classes {self.classes} but the model has {self.pipeline.classes}")

    def logits(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[Evidence]]]:
        """Log-probabilities of the n-gram model plus marker weights, and the marker evidence."""
        logit, _, evidence = self.score(texts)
        return logit, evidence

    def score(self, texts: Sequence[str]) -> tuple[np.ndarray, Any, list[list[Evidence]]]:
        """As :meth:`logits`, and the n-gram features (kept for the explanation)."""
        features = self.pipeline.transform(texts)
        logit = np.maximum(self.pipeline.log_proba(features), np.log(1e-9))  # P clipped at 1e-9
        evidence: list[list[Evidence]] = []
        for row, text in enumerate(texts):
            found = self._markers(text)
            for item in found:
                for target in self._targets(item.points_to):
                    logit[row, self.classes.index(target)] += item.weight
            evidence.append(sorted(found, key=lambda e: -e.weight)[:MAX_MARKERS])
        return logit, features, evidence

    def _targets(self, points_to: str) -> list[str]:
        if points_to == "es-419":
            return [c for c in LATAM if c in self.classes]
        return [points_to] if points_to in self.classes else []

    def _markers(self, text: str) -> list[Evidence]:
        """Each marker once per word it matched: a word repeated is not more evidence."""
        seen: set[tuple[str, str]] = set()
        found = []
        for hit in find_markers(text, self.language):
            key = (hit.marker.note, hit.text.lower())
            if key not in seen:
                seen.add(key)
                found.append(Evidence("marker", hit.text, hit.marker.points_to, hit.marker.weight))
        if self.spellings:
            for word in {w.strip(".,;:!?\"'()").lower() for w in text.split()}:
                if word in self.spellings:
                    found.append(Evidence("spelling", word, self.spellings[word], 1.5))
        return found

    def _class_weights(self, index: int) -> np.ndarray:
        """How much each feature pushes towards class ``index`` against the others (cached)."""
        if self._weights is None:
            coef = self.pipeline.coef
            if coef.shape[0] == 1:  # binary: one row, for the second class
                self._weights = [-coef[0], coef[0]]
            else:
                self._weights = [
                    coef[i] - np.delete(coef, i, axis=0).mean(axis=0) for i in range(coef.shape[0])
                ]
        weights: np.ndarray = self._weights[index]
        return weights

    def ngrams(self, features: Any, target: str, top: int = 5) -> list[Evidence]:
        """The n-grams of one text that weighed most towards ``target``.

        ``features``: one text's row, as :func:`feature_row` gives it (or a 1-row CSR matrix).
        """
        weights = self._class_weights(self.classes.index(target))
        scores = features.data * weights[features.indices]
        out = []
        for position in np.argsort(-scores)[:top]:
            if scores[position] <= 0:
                break
            settings, term = self.pipeline.feature(int(features.indices[position]))
            kind = "word" if settings.analyzer == "word" else "ngram"
            out.append(Evidence(kind, term, target, float(scores[position])))
        return out


@dataclass(frozen=True)
class Row:
    """One text's non-zero features: column indices and values (a view, nothing copied)."""

    indices: np.ndarray
    data: np.ndarray


def feature_row(features: Any, position: int) -> Row:
    """Row ``position`` of a CSR matrix (:class:`~crosscheck.text.variety_format.Csr`
    or scipy's), read from its arrays."""
    start, end = features.indptr[position], features.indptr[position + 1]
    return Row(features.indices[start:end], features.data[start:end])


def _softmax(row: np.ndarray) -> np.ndarray:
    shifted = np.exp(row - row.max())
    result: np.ndarray = shifted / shifted.sum()
    return result


def decide(
    model: VarietyModel, logit_row: np.ndarray, threshold: float | None = None
) -> tuple[str | None, float, dict[str, float]]:
    """The variety tag (or None to abstain), its confidence and every class's probability."""
    probabilities = _softmax(np.asarray(logit_row) / getattr(model, "temperature", 1.0))
    by_class = {c: float(p) for c, p in zip(model.classes, probabilities, strict=True)}
    limit = model.threshold if threshold is None else threshold
    best = max(by_class, key=by_class.__getitem__)
    if by_class[best] >= limit:
        return best, by_class[best], by_class
    latam = sum(by_class.get(c, 0.0) for c in LATAM)
    if model.language == "es" and latam >= limit:
        return "es-419", latam, by_class
    return None, by_class[best], by_class


def side(language: str, tag: str) -> str:
    """The side of the two-way question an analyst asks: Spain vs Latin America for Spanish."""
    if language == "es":
        return "es-ES" if tag == "es-ES" else "es-419"
    return tag


def two_way(model: VarietyModel, logit_row: np.ndarray) -> tuple[str, float]:
    """The likelier side (:func:`side`) and its calibrated probability, never abstaining."""
    probabilities = _softmax(np.asarray(logit_row) / getattr(model, "temperature", 1.0))
    by_side: dict[str, float] = {}
    for tag, p in zip(model.classes, probabilities, strict=True):
        key = side(model.language, tag)
        by_side[key] = by_side.get(key, 0.0) + float(p)
    best = max(by_side, key=by_side.__getitem__)
    return best, by_side[best]


def reliability(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> tuple[float, list[tuple[float, float, float, int]]]:
    """Expected calibration error and the reliability diagram as rows.

    Rows: (bin low edge, mean confidence, accuracy, count) for each non-empty bin
    of equal width; the error is the count-weighted mean gap between the two.
    """
    conf = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    rows, error = [], 0.0
    for b in range(bins):
        members = index == b
        count = int(members.sum())
        if count:
            mean_conf, accuracy = float(conf[members].mean()), float(right[members].mean())
            rows.append((float(edges[b]), mean_conf, accuracy, count))
            error += count * abs(mean_conf - accuracy)
    return error / max(len(conf), 1), rows


def coverage_curve(
    confidence: Sequence[float], correct: Sequence[bool], thresholds: Sequence[float]
) -> list[tuple[float, float, float]]:
    """(threshold, coverage, accuracy of what is decided) for each threshold."""
    conf = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(correct, dtype=bool)
    out = []
    for limit in thresholds:
        kept = conf >= limit
        covered = float(kept.mean()) if len(conf) else 0.0
        out.append((float(limit), covered, float(right[kept].mean()) if kept.any() else 1.0))
    return out


#: the fields of a VarietyModel saved (as JSON) beside the linear model's arrays
FIELDS = ("language", "classes", "threshold", "spellings", "temperature", "pool_exponent", "info")


def model_path(language: str) -> Path:
    return MODELS / f"variety-{language}.npz"


def save_model(model: VarietyModel, path: Path) -> None:
    """One ``.npz``: the linear model's arrays and the other fields as JSON (no pickle)."""
    fields = {name: getattr(model, name) for name in FIELDS}
    variety_format.save(path, model.pipeline.to_arrays(), fields)


def read_model(path: Path) -> VarietyModel:
    arrays, fields = variety_format.read(path)
    missing = [name for name in FIELDS if name not in fields]
    if missing:
        raise ValueError(f"{path}: no {', '.join(missing)}")
    return VarietyModel(pipeline=LinearTextModel.from_arrays(arrays), **fields)


@cache
def load_model(language: str) -> VarietyModel | None:
    path = model_path(language)
    if not path.exists():
        return None
    return read_model(path)


def classify(
    texts: Sequence[str], language: str, *, explain: bool = True, threshold: float | None = None
) -> list[VarietyResult]:
    model = load_model(language)
    if model is None:
        return [VarietyResult(None, 0.0, True, {}) for _ in texts]
    logits, features, markers = model.score(texts)
    results = []
    for position, (row, found) in enumerate(zip(logits, markers, strict=True)):
        variety, confidence, probabilities = decide(model, row, threshold)
        evidence = list(found)
        if explain and variety is not None:
            targets = [variety] if variety in model.classes else list(LATAM)
            for target in targets:
                evidence.extend(model.ngrams(feature_row(features, position), target))
        results.append(VarietyResult(variety, confidence, variety is None, probabilities, evidence))
    return results


def pool(
    model: VarietyModel, logit_rows: np.ndarray, threshold: float | None = None
) -> tuple[str | None, float, dict[str, float]]:
    """One decision for several texts by one author: their evidence adds up (log-odds summed).

    The sum is discounted by ``k ** pool_exponent`` for k texts, so that the
    pooled confidence stays calibrated although one author's texts are correlated.
    """
    rows = np.asarray(logit_rows)
    return decide(model, pooled_logits(model, rows), threshold)


def pooled_logits(model: VarietyModel, logit_rows: np.ndarray) -> np.ndarray:
    """The summed log-probabilities of one author's texts, discounted (see :func:`pool`)."""
    rows = np.asarray(logit_rows, dtype=np.float64)
    count = max(len(rows), 1)
    total: np.ndarray = rows.sum(axis=0) / count ** getattr(model, "pool_exponent", 0.0)
    return total


def leanings(model: VarietyModel, logit_rows: np.ndarray, variety: str) -> list[float]:
    """How far each text pushes towards ``variety`` against the rest, in calibrated log-odds.

    Positive: the text supports the decision; negative: it points the other way.
    ``es-419`` counts the Latin American classes together.
    """
    rows = np.asarray(logit_rows, dtype=np.float64) / getattr(model, "temperature", 1.0)
    members = [variety] if variety in model.classes else [c for c in LATAM if c in model.classes]
    inside = [model.classes.index(c) for c in members]
    outside = [i for i in range(len(model.classes)) if i not in inside]
    out = []
    for row in rows:
        probabilities = _softmax(row)
        p_in = float(np.clip(probabilities[inside].sum(), 1e-9, 1 - 1e-9))
        p_out = float(np.clip(probabilities[outside].sum(), 1e-9, 1.0)) if outside else 1e-9
        out.append(float(np.log(p_in) - np.log(p_out)))
    return out
