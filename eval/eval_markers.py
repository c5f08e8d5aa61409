"""How often each regional marker points the right way, on the training and development splits.

Run:  PYTHONPATH=src .venv/bin/python eval/eval_markers.py [--data ../shared/data/lang] [--split train,dev]
For every marker of ``text/markers.py``: the texts of its language it fires on, and
the share of those whose gold variety is the one it points to (two-way: Spain vs
Latin America for Spanish, so an ``es-419`` marker is right on es-AR and es-MX).
A marker right less often than ``--floor`` (default 0.75) is flagged: it is
evidence an analyst would be misled by. The test split is never read here, so the
lexicon can be corrected on what this prints without touching the held-out figures.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from crosscheck.text.corpora import Example, load_splits
from crosscheck.text.markers import MARKERS, Marker
from crosscheck.text.variety import side

ROOT = Path(__file__).resolve().parents[1]


def right_way(marker: Marker, label: str) -> bool:
    """Whether a text of gold ``label`` is one the marker's variety covers."""
    if marker.points_to == "es-419":
        return side("es", label) == "es-419"
    if marker.language == "es":
        return side("es", label) == side("es", marker.points_to) and (
            marker.points_to == "es-ES" or label == marker.points_to
        )
    return label == marker.points_to


def precision(examples: list[Example]) -> list[tuple[Marker, int, int, Counter[str]]]:
    """(marker, texts it fires on, of which right, example matches) for every marker."""
    out = []
    for marker in MARKERS:
        fired = right = 0
        words: Counter[str] = Counter()
        for example in examples:
            if example.language != marker.language:
                continue
            found = marker.pattern.search(example.text)
            if found is None:
                continue
            fired += 1
            if right_way(marker, example.label):
                right += 1
            else:
                words[found.group(0).lower()] += 1
        out.append((marker, fired, right, words))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "lang")
    parser.add_argument("--split", default="train,dev", help="train, dev or both (never test)")
    parser.add_argument("--floor", type=float, default=0.75)
    args = parser.parse_args()
    split = load_splits(args.data)
    parts = {"train": split.train, "dev": split.dev}
    examples = [e for name in args.split.split(",") for e in parts[name]]
    flagged = 0
    for marker, fired, right, wrong_words in precision(examples):
        share = right / fired if fired else float("nan")
        flag = "LOW " if fired and share < args.floor else "    "
        flagged += flag == "LOW "
        wrong = ", ".join(f"{w} {n}" for w, n in wrong_words.most_common(4))
        print(
            f"{flag}{marker.language} {marker.points_to:6} {fired:6} fired  {share:6.3f} right  "
            f"{marker.note[:44]:44}  wrong on: {wrong}"
        )
    print(f"{flagged} markers right less often than {args.floor} on {args.split}")


if __name__ == "__main__":
    main()
