"""Language identification with lingua, on a restricted set of languages.

Restricting the set makes lingua faster, lighter and more accurate on short
texts. Texts too short to decide are "unknown" rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

DEFAULT_LANGUAGES = ("es", "pt", "en", "fr", "de", "it", "nl")
MIN_LETTERS = 10
MIN_CONFIDENCE = 0.5
UNKNOWN = "unknown"
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1, or "unknown"
    confidence: float


def _language(code: str) -> Language:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except AttributeError as exc:
        raise ValueError(f"unknown language code {code!r}") from exc


@cache
def _detector(languages: tuple[str, ...]) -> object:
    return LanguageDetectorBuilder.from_languages(*(_language(c) for c in languages)).build()


def identify(
    texts: Sequence[str], languages: Sequence[str] = DEFAULT_LANGUAGES
) -> list[LanguageGuess]:
    """The most likely language of each text among ``languages``, or unknown."""
    detector = _detector(tuple(sorted({c.lower() for c in languages})))
    out: list[LanguageGuess] = []
    for text in texts:
        if len(_LETTERS.findall(text)) < MIN_LETTERS:
            out.append(LanguageGuess(UNKNOWN, 0.0))
            continue
        values = detector.compute_language_confidence_values(text)  # type: ignore[attr-defined]
        if not values or values[0].value < MIN_CONFIDENCE:
            out.append(LanguageGuess(UNKNOWN, float(values[0].value) if values else 0.0))
            continue
        top = values[0]
        out.append(LanguageGuess(top.language.iso_code_639_1.name.lower(), float(top.value)))
    return out
