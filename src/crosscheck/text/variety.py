"""Regional variety of a text: a linear model on character and word n-grams, plus markers.

One model per language, trained by ``scripts/train_variety.py`` from
``../shared/data/lang`` and shipped in ``text/models/`` (nothing is downloaded).
Markers add their weight to the log-odds of the variety they point to; the
decision abstains when the top probability is under the model's threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from crosscheck.text.markers import find_markers

MODELS = Path(__file__).parent / "models"
LATAM = ("es-AR", "es-MX")


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
    """What the training script saves: the fitted pipeline and what the decision needs."""

    language: str
    classes: list[str]
    pipeline: Any  # sklearn Pipeline: FeatureUnion(char, word) -> LogisticRegression
    threshold: float
    spellings: dict[str, str] = field(default_factory=dict)  # en: word -> en-GB / en-US
    info: dict[str, Any] = field(default_factory=dict)
    _names: Any = None
    _weights: Any = None

    def logits(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[Evidence]]]:
        """Log-probabilities of the n-gram model plus marker weights, and the marker evidence."""
        logit, _, evidence = self.score(texts)
        return logit, evidence

    def score(self, texts: Sequence[str]) -> tuple[np.ndarray, Any, list[list[Evidence]]]:
        """As :meth:`logits`, and the n-gram features (kept for the explanation)."""
        union, classifier = self.pipeline.steps[0][1], self.pipeline.steps[-1][1]
        features = union.transform(list(texts)).tocsr()
        logit = np.log(np.clip(classifier.predict_proba(features), 1e-9, 1.0))
        evidence: list[list[Evidence]] = []
        for row, text in enumerate(texts):
            found = self._markers(text)
            for item in found:
                for target in self._targets(item.points_to):
                    logit[row, self.classes.index(target)] += item.weight
            evidence.append(found)
        return logit, features, evidence

    def _targets(self, points_to: str) -> list[str]:
        if points_to == "es-419":
            return [c for c in LATAM if c in self.classes]
        return [points_to] if points_to in self.classes else []

    def _markers(self, text: str) -> list[Evidence]:
        found = [
            Evidence("marker", hit.text, hit.marker.points_to, hit.marker.weight)
            for hit in find_markers(text, self.language)
        ]
        if self.spellings:
            for word in {w.strip(".,;:!?\"'()").lower() for w in text.split()}:
                if word in self.spellings:
                    found.append(Evidence("spelling", word, self.spellings[word], 1.5))
        return found

    def _class_weights(self, index: int) -> np.ndarray:
        """How much each feature pushes towards class ``index`` against the others (cached)."""
        if self._weights is None:
            coef = self.pipeline.steps[-1][1].coef_
            if coef.shape[0] == 1:  # binary: one row, for the second class
                self._weights = [-coef[0], coef[0]]
            else:
                self._weights = [
                    coef[i] - np.delete(coef, i, axis=0).mean(axis=0) for i in range(coef.shape[0])
                ]
            self._names = self.pipeline.steps[0][1].get_feature_names_out()
        weights: np.ndarray = self._weights[index]
        return weights

    def ngrams(self, features: Any, target: str, top: int = 5) -> list[Evidence]:
        """The n-grams of one text (a row of features) that weighed most towards ``target``."""
        weights = self._class_weights(self.classes.index(target))
        scores = features.data * weights[features.indices]
        out = []
        for position in np.argsort(-scores)[:top]:
            if scores[position] <= 0:
                break
            full = str(self._names[features.indices[position]])
            kind = "word" if full.startswith("word") else "ngram"
            out.append(Evidence(kind, full.split("__", 1)[-1], target, float(scores[position])))
        return out


def _softmax(row: np.ndarray) -> np.ndarray:
    shifted = np.exp(row - row.max())
    result: np.ndarray = shifted / shifted.sum()
    return result


def decide(
    model: VarietyModel, logit_row: np.ndarray, threshold: float | None = None
) -> tuple[str | None, float, dict[str, float]]:
    """The variety tag (or None to abstain), its confidence and every class's probability."""
    probabilities = _softmax(logit_row)
    by_class = {c: float(p) for c, p in zip(model.classes, probabilities, strict=True)}
    limit = model.threshold if threshold is None else threshold
    best = max(by_class, key=by_class.__getitem__)
    if by_class[best] >= limit:
        return best, by_class[best], by_class
    latam = sum(by_class.get(c, 0.0) for c in LATAM)
    if model.language == "es" and latam >= limit:
        return "es-419", latam, by_class
    return None, by_class[best], by_class


@cache
def load_model(language: str) -> VarietyModel | None:
    path = MODELS / f"variety-{language}.joblib"
    if not path.exists():
        return None
    model: VarietyModel = joblib.load(path)
    return model


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
                evidence.extend(model.ngrams(features[position], target))
        results.append(VarietyResult(variety, confidence, variety is None, probabilities, evidence))
    return results


def pool(
    model: VarietyModel, logit_rows: np.ndarray, threshold: float | None = None
) -> tuple[str | None, float, dict[str, float]]:
    """One decision for several texts by one author: their evidence adds up (log-odds summed)."""
    total = np.asarray(logit_rows).sum(axis=0)
    return decide(model, total, threshold)
