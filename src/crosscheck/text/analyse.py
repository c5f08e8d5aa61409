"""One text, or one author's texts, analysed: identifiers, language, variety and its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crosscheck.text.identifiers import Identifier, extract
from crosscheck.text.language import DEFAULT_LANGUAGES, UNKNOWN, identify
from crosscheck.text.variety import Evidence, classify, feature_row, leanings, load_model, pool


@dataclass
class Analysis:
    id: str
    language: str
    language_confidence: float
    variety: str | None
    variety_confidence: float
    abstained: bool
    evidence: list[Evidence] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    texts: int = 1
    #: pooled decisions: how many texts the variety rests on, the texts that weighed
    #: most for it and those that point the other way (id, leaning in log-odds, text)
    texts_used: int | None = None
    weighed_most: list[dict[str, Any]] = field(default_factory=list)
    points_other_way: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "language": self.language,
            "language_confidence": round(self.language_confidence, 4),
            "variety": self.variety,
            "variety_confidence": round(self.variety_confidence, 4),
            "abstained": self.abstained,
            "evidence": [e.to_json() for e in self.evidence],
            "identifiers": [i.to_json() for i in self.identifiers],
            **({"texts": self.texts} if self.texts != 1 or self.texts_used is not None else {}),
            **(
                {
                    "texts_used": self.texts_used,
                    "weighed_most": self.weighed_most,
                    "points_other_way": self.points_other_way,
                }
                if self.texts_used is not None
                else {}
            ),
        }


def analyse(
    items: Sequence[tuple[str, str]],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    region: str | None = None,
    threshold: float | None = None,
) -> list[Analysis]:
    """Analyse (id, text) pairs; texts of one language are classified together."""
    guesses = identify([text for _, text in items], languages)
    results = [
        Analysis(
            id=item_id,
            language=guess.language,
            language_confidence=guess.confidence,
            variety=None,
            variety_confidence=0.0,
            abstained=True,
            identifiers=extract(text, region),
        )
        for (item_id, text), guess in zip(items, guesses, strict=True)
    ]
    for language in {g.language for g in guesses} - {UNKNOWN}:
        rows = [i for i, g in enumerate(guesses) if g.language == language]
        verdicts = classify([items[i][1] for i in rows], language, threshold=threshold)
        for row, verdict in zip(rows, verdicts, strict=True):
            result = results[row]
            result.variety, result.variety_confidence = verdict.variety, verdict.confidence
            result.abstained, result.evidence = verdict.abstained, verdict.evidence
            if load_model(language) is None:
                result.abstained = True  # no variety model for this language
    return results


def analyse_author(
    author: str,
    texts: Sequence[str],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    region: str | None = None,
    threshold: float | None = None,
    ids: Sequence[str] | None = None,
) -> Analysis:
    """One decision for all texts of one author: the evidence of every text adds up.

    The language is identified on all the texts together (short texts alone
    are often misread); texts confidently in another language are left out.
    The result says how many texts the variety rests on (``texts_used``), the
    texts that weighed most for it and those that point the other way, each
    with its id (``ids``, else its position) and leaning in calibrated log-odds.
    """
    names = [str(i) for i in range(len(texts))] if ids is None else [str(i) for i in ids]
    singles = analyse(
        [(str(i), t) for i, t in enumerate(texts)], languages=languages, region=region
    )
    [whole] = identify([" ".join(texts)], languages)
    pooled = Analysis(author, whole.language, whole.confidence, None, 0.0, True, texts=len(texts))
    pooled.texts_used = 0  # a pooled row always says how many texts its decision rests on
    pooled.identifiers = [i for a in singles for i in a.identifiers]
    if whole.language == UNKNOWN:
        return pooled
    kept = [
        position
        for position, single in enumerate(singles)
        if single.language in (whole.language, UNKNOWN) or single.language_confidence < 0.9
    ]
    same = [texts[position] for position in kept]
    language = whole.language
    model = load_model(language)
    if model is None:
        return pooled
    logits, features, markers = model.score(same)
    variety, confidence, _ = pool(model, np.asarray(logits), threshold)
    pooled.variety, pooled.variety_confidence, pooled.abstained = (
        variety,
        confidence,
        variety is None,
    )
    pooled.evidence = [e for found in markers for e in found]
    pooled.texts_used = len(same)
    if variety is not None:
        leaning = leanings(model, np.asarray(logits), variety)
        order = sorted(range(len(same)), key=lambda i: -leaning[i])

        def cite(i: int) -> dict[str, Any]:
            text = same[i]
            return {
                "id": names[kept[i]],
                "leaning": round(leaning[i], 3),
                "text": text if len(text) <= 120 else text[:119] + "…",
            }

        pooled.weighed_most = [cite(i) for i in order[:3] if leaning[i] > 0]
        pooled.points_other_way = [cite(i) for i in reversed(order) if leaning[i] < 0][:5]
        targets = [variety] if variety in model.classes else ["es-AR", "es-MX"]
        for position in range(len(same)):
            for target in targets:
                pooled.evidence.extend(model.ngrams(feature_row(features, position), target, top=2))
        pooled.evidence.sort(key=lambda e: -e.weight)
        pooled.evidence = pooled.evidence[:15]
    return pooled
