"""Readers for the variety-labelled corpora in ../shared/data/lang.

Every example carries a group (the film, the document, the corpus file) so
that train and test are split by group, never by sentence.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ES_LABELS = {"es-ES": "es-ES", "es-AR": "es-AR", "ES-ES": "es-ES", "ES-AR": "es-AR"}
PT_LABELS = {"pt-PT": "pt-PT", "pt-BR": "pt-BR", "PT-PT": "pt-PT", "PT-BR": "pt-BR"}
EN_LABELS = {"EN-GB": "en-GB", "EN-US": "en-US"}
COUNTRY = {"Spain": "es-ES", "Argentina": "es-AR", "Mexico": "es-MX"}
DIALOGUE_TOKENS = 27


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # a BCP 47 variety tag
    language: str  # es, pt, en
    genre: str  # news, dialogue
    source: str
    group: str  # split unit: a film, a document, or a corpus part


def in_test(group: str, share: int = 5) -> bool:
    """One group in ``share`` goes to the test split, by a stable hash of its name."""
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % share == 0


def dslcc(path: Path, part: str) -> Iterator[Example]:
    labels = {**ES_LABELS, **PT_LABELS}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            text, _, label = line.rstrip("\n").rpartition("\t")
            if label in labels:
                tag = labels[label]
                yield Example(text, tag, tag[:2], "news", f"dslcc-{part}", f"dslcc-{part}")


def dsl_tl(path: Path, part: str) -> Iterator[Example]:
    labels = {**ES_LABELS, **PT_LABELS, **EN_LABELS}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.reader(stream, delimiter="\t"):
            if len(row) >= 3 and row[2] in labels:
                tag = labels[row[2]]
                yield Example(row[1], tag, tag[:2], "news", f"dsl-tl-{part}", f"dsl-tl-{part}")


def activ_es(folder: Path, tokens: int = DIALOGUE_TOKENS) -> Iterator[Example]:
    """Film dialogue cut into segments of about ``tokens`` tokens; the group is the film."""
    for path in sorted(folder.glob("es_*.run")):
        country = path.name.split("_")[1]
        if country not in COUNTRY:
            continue
        words = path.read_text(encoding="utf-8", errors="replace").split()
        for start in range(0, len(words) - tokens // 2, tokens):
            text = " ".join(words[start : start + tokens])
            text = re.sub(r"\s+([.,;:!?…])", r"\1", text).replace("¿ ", "¿").replace("¡ ", "¡")
            yield Example(text, COUNTRY[country], "es", "dialogue", "activ-es", path.stem)


def bosque(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):
            label = row.get("label")
            if label in ("pt-BR", "pt-PT") and row.get("text"):
                yield Example(row["text"], label, "pt", "news", "ud-bosque", f"bosque-{row['doc']}")


@dataclass(frozen=True)
class Split:
    train: list[Example]
    test: list[Example]


def load_splits(root: Path) -> Split:
    """Train and test examples for every language, split by group.

    DSLCC v1 and DSL-TL train are training data, DSLCC v2 and DSL-TL dev are
    test data (sentences also in a test set are dropped from training);
    ACTIV-ES films and Bosque documents are split one in five to test.
    """
    train: list[Example] = [
        *dslcc(root / "dslcc" / "dslcc-v1.0-labelled.txt", "v1"),
        *(
            e
            for lang in ("ES", "PT", "EN")
            for e in dsl_tl(root / "dsl-tl" / f"{lang}_train.tsv", "train")
        ),
    ]
    test: list[Example] = [
        *dslcc(root / "dslcc" / "dslcc-v2.0-labelled.txt", "v2"),
        *(
            e
            for lang in ("ES", "PT", "EN")
            for e in dsl_tl(root / "dsl-tl" / f"{lang}_dev.tsv", "dev")
        ),
    ]
    for example in (
        *activ_es(root / "activ-es"),
        *bosque(root / "ud-bosque" / "bosque_sentences.tsv"),
    ):
        (test if in_test(example.group) else train).append(example)
    held_out = {e.text for e in test}
    return Split([e for e in train if e.text not in held_out], test)
