"""Where a text's variety evidence lies: the marker words and strongest n-grams as spans.

The analysis (``text/analyse.py``) names its evidence by text: a marker of our
lexicon as written, a word n-gram or a character n-gram as the model saw it
(lower-case). ``segments`` finds each in the text, case-insensitively (words
only as whole words), merges what overlaps and cuts the text into plain and
marked pieces; a page escapes each piece, so no text is ever trusted as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crosscheck.text.variety import Evidence

MAX_NGRAMS = 5  # the strongest n-grams marked, besides every marker
MIN_NGRAM = 2  # shorter character n-grams mark too much to say anything


@dataclass(frozen=True)
class Segment:
    text: str
    evidence: tuple[Evidence, ...] = ()  # empty: plain text

    @property
    def marked(self) -> bool:
        return bool(self.evidence)


def _pattern(item: Evidence) -> re.Pattern[str] | None:
    needle = item.text.strip()
    if item.kind != "marker":
        needle = needle.strip(" _")  # the model pads character n-grams with spaces
    if len(needle) < MIN_NGRAM:
        return None
    body = r"\s+".join(re.escape(part) for part in needle.split())
    if item.kind in ("marker", "word"):
        edge_left = r"(?<!\w)" if needle[0].isalnum() else ""
        edge_right = r"(?!\w)" if needle[-1].isalnum() else ""
        body = f"{edge_left}{body}{edge_right}"
    return re.compile(body, re.IGNORECASE)


def chosen(evidence: Iterable[Evidence], ngrams: int = MAX_NGRAMS) -> list[Evidence]:
    """Every marker, and the ``ngrams`` strongest other n-grams."""
    items = list(evidence)
    markers = [e for e in items if e.kind == "marker"]
    others = sorted((e for e in items if e.kind != "marker"), key=lambda e: -e.weight)
    return markers + others[:ngrams]


def spans(text: str, evidence: Sequence[Evidence]) -> list[tuple[int, int, tuple[Evidence, ...]]]:
    """(start, end, evidence) of every place the evidence lies, overlaps merged, in order."""
    found: list[tuple[int, int, Evidence]] = []
    for item in evidence:
        pattern = _pattern(item)
        if pattern is not None:
            found.extend(
                (m.start(), m.end(), item) for m in pattern.finditer(text) if m.end() > m.start()
            )
    found.sort(key=lambda f: (f[0], -f[1]))
    merged: list[tuple[int, int, list[Evidence]]] = []
    for start, end, item in found:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] + [item])
        else:
            merged.append((start, end, [item]))
    return [(s, e, tuple(dict.fromkeys(items))) for s, e, items in merged]


def segments(text: str, evidence: Sequence[Evidence], ngrams: int = MAX_NGRAMS) -> list[Segment]:
    """The text cut into plain and marked pieces; joined, they give the text back."""
    out: list[Segment] = []
    position = 0
    for start, end, items in spans(text, chosen(evidence, ngrams)):
        if start > position:
            out.append(Segment(text[position:start]))
        out.append(Segment(text[start:end], items))
        position = end
    if position < len(text):
        out.append(Segment(text[position:]))
    return out


__all__ = ["Segment", "chosen", "segments", "spans"]
