"""Readers for the variety-labelled corpora in ../shared/data/lang.

Every example carries a group (the film, the document, the corpus file) so
that train and test are split by group, never by sentence.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ES_LABELS = {
    "es-ES": "es-ES",
    "es-AR": "es-AR",
    "es-MX": "es-MX",
    "ES-ES": "es-ES",
    "ES-AR": "es-AR",
}
PT_LABELS = {"pt-PT": "pt-PT", "pt-BR": "pt-BR", "PT-PT": "pt-PT", "PT-BR": "pt-BR"}
EN_LABELS = {"EN-GB": "en-GB", "EN-US": "en-US"}
FR_LABELS = {"fr-FR": "fr-FR", "fr-CA": "fr-CA"}
GENRES = ("news", "social", "speech", "dialogue")
#: training examples kept per source at most (the README: ~5,000 a source beat "all")
SOURCE_CAP = 5000
COUNTRY = {"Spain": "es-ES", "Argentina": "es-AR", "Mexico": "es-MX"}
DIALOGUE_TOKENS = 27


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # a BCP 47 variety tag
    language: str  # es, pt, en, fr
    genre: str  # news, social, speech, dialogue
    source: str
    group: str  # split unit: a film, a document, or a corpus part


def _bucket(name: str, buckets: int) -> int:
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % buckets


def in_test(group: str, share: int = 5) -> bool:
    """One group in ``share`` goes to the test split, by a stable hash of its name."""
    return _bucket(group, share) == 0


def in_dev(group: str) -> bool:
    """One group in ten (never a test group) is the development split: calibration, threshold."""
    return _bucket(group, 10) == 1


def normalise(text: str) -> str:
    """The key sources are deduplicated on: NFC, lower case, non-word characters dropped."""
    return " ".join(re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text).lower()).split())


def _table(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        yield from csv.DictReader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)


def _detokenise(text: str) -> str:
    return re.sub(r"\s+([.,;:!?)»])", r"\1", text).replace("( ", "(").replace("« ", "«")


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


def dslcc3_news(path: Path) -> Iterator[Example]:
    """DSLCC v3 news (es-AR/ES/MX, pt-BR/PT, fr-CA/FR); a sentence's group is one of 20 buckets."""
    labels = {**ES_LABELS, **PT_LABELS, **FR_LABELS}
    for row in _table(path):
        tag = labels.get(row.get("label") or "")
        if tag and row.get("text"):
            group = f"dslcc3-news-{_bucket(row['text'], 20)}"
            yield Example(row["text"], tag, tag[:2], "news", "dslcc3-news", group)


def dslcc3_tweets(path: Path) -> Iterator[Example]:
    """Portuguese tweets; the group is the user, so one author is never on both sides."""
    for row in _table(path):
        if row.get("label") in ("pt-BR", "pt-PT") and row.get("text"):
            yield Example(row["text"], row["label"], "pt", "social", "dslcc3-tweets", row["user"])


def _doc(source: str, sent_id: str) -> str:
    return f"{source}-{sent_id.rsplit('_SENT', 1)[0]}"


def porttinari(path: Path) -> Iterator[Example]:
    for row in _table(path):
        if row.get("text"):
            yield Example(
                row["text"],
                "pt-BR",
                "pt",
                "news",
                "ud-porttinari",
                _doc("porttinari", row["sent_id"]),
            )


def cintil(folder: Path) -> Iterator[Example]:
    """UD CINTIL dev read as is (no derivative file), skipping the listed sentence ids."""
    skip = set((folder / "exclude_sent_ids.txt").read_text(encoding="utf-8").split())
    sent_id = ""
    with (folder / "pt_cintil-ud-dev.conllu").open(encoding="utf-8") as stream:
        for line in stream:
            if line.startswith("# sent_id = "):
                sent_id = line.split("=", 1)[1].strip()
            elif line.startswith("# text = ") and sent_id not in skip:
                text = _detokenise(line.split("=", 1)[1].strip())
                group = f"cintil-{int(sent_id) // 50 if sent_id.isdigit() else sent_id}"
                yield Example(text, "pt-PT", "pt", "news", "ud-cintil", group)


def coser(path: Path) -> Iterator[Example]:
    """Rural speech from Spain; Canary Islands interviews left out (American-like usage)."""
    for row in _table(path):
        sent_id = row.get("sent_id") or ""
        if row.get("text") and not sent_id.startswith("cana"):
            group = f"coser-{sent_id.split('-')[0]}-{_bucket(sent_id, 4)}"
            yield Example(row["text"], "es-ES", "es", "speech", "ud-coser", group)


def covid19mx(path: Path) -> Iterator[Example]:
    for row in _table(path):
        if row.get("text"):
            yield Example(
                row["text"], "es-MX", "es", "speech", "covid19mx", f"covid19mx-{row['doc']}"
            )


def mac_morpho(path: Path) -> Iterator[Example]:
    for row in _table(path):
        if row.get("text"):
            yield Example(
                row["text"], "pt-BR", "pt", "news", "mac-morpho", f"macmorpho-{row['doc']}"
            )


#: the sources, in priority order for deduplication (a sentence is kept in the first)
SOURCES = (
    "dslcc-v1",
    "dsl-tl-train",
    "dslcc3-news",
    "dslcc3-tweets",
    "activ-es",
    "ud-bosque",
    "ud-porttinari",
    "ud-cintil",
    "ud-coser",
    "covid19mx",
    "mac-morpho",
)
NEW_SOURCES = SOURCES[2:4] + SOURCES[6:]  # added for issue 16
SOURCE_LANGUAGES = {
    "dslcc-v1": ("es", "pt"),
    "dsl-tl-train": ("es", "pt", "en"),
    "dslcc3-news": ("es", "pt", "fr"),
    "dslcc3-tweets": ("pt",),
    "activ-es": ("es",),
    "ud-bosque": ("pt",),
    "ud-porttinari": ("pt",),
    "ud-cintil": ("pt",),
    "ud-coser": ("es",),
    "covid19mx": ("es",),
    "mac-morpho": ("pt",),
}


@dataclass(frozen=True)
class Split:
    train: list[Example]
    test: list[Example]
    dev: list[Example] = field(default_factory=list)


def _read(root: Path, source: str) -> Iterator[Example]:
    if source == "dslcc-v1":
        yield from dslcc(root / "dslcc" / "dslcc-v1.0-labelled.txt", "v1")
    elif source == "dsl-tl-train":
        for lang in ("ES", "PT", "EN"):
            yield from dsl_tl(root / "dsl-tl" / f"{lang}_train.tsv", "train")
    elif source == "dslcc3-news":
        yield from dslcc3_news(root / "dslcc3-news" / "data.tsv")
    elif source == "dslcc3-tweets":
        yield from dslcc3_tweets(root / "dslcc3-tweets" / "data.tsv")
    elif source == "activ-es":
        yield from activ_es(root / "activ-es")
    elif source == "ud-bosque":
        yield from bosque(root / "ud-bosque" / "bosque_sentences.tsv")
    elif source == "ud-porttinari":
        yield from porttinari(root / "ud-porttinari" / "data.tsv")
    elif source == "ud-cintil":
        yield from cintil(root / "ud-cintil")
    elif source == "ud-coser":
        yield from coser(root / "ud-coser" / "data.tsv")
    elif source == "covid19mx":
        yield from covid19mx(root / "covid19mx" / "data.tsv")
    elif source == "mac-morpho":
        yield from mac_morpho(root / "nltk-mac_morpho" / "data.tsv")
    else:
        raise ValueError(f"unknown source {source!r}")


#: sources with a fixed test part (their train part is a different corpus)
FIXED_TEST = ("dslcc-v2", "dsl-tl-dev")
#: sources whose groups are split: 1 in 5 test, 1 in 10 development, the rest train
GROUPED = ("dslcc3-news", "dslcc3-tweets", "activ-es", "ud-bosque")


def load_splits(root: Path, sources: Sequence[str] = SOURCES) -> Split:
    """Train, development and test examples (see :func:`_load`); read once per process."""
    split = _load(root.resolve(), tuple(sources))
    return Split(list(split.train), list(split.test), list(split.dev))


@cache
def _load(root: Path, sources: tuple[str, ...]) -> Split:
    """Train, development and test examples for every language, split by group.

    DSLCC v1 and DSL-TL train are training data, DSLCC v2 and DSL-TL dev are
    test data. DSLCC v3 news (by sentence bucket), tweets (by user), ACTIV-ES
    (by film) and Bosque (by document) are split one group in five to test and
    one in ten to development (calibration and the abstention threshold); the
    other new sources (treebanks, speech, 1990s newswire) are training data
    only. Deduplication on the normalised text: nothing in test is in
    development or training, nothing in development is in training, and a
    sentence in several training sources is kept in the first of ``SOURCES``.
    """
    test: list[Example] = [
        *dslcc(root / "dslcc" / "dslcc-v2.0-labelled.txt", "v2"),
        *(
            e
            for lang in ("ES", "PT", "EN")
            for e in dsl_tl(root / "dsl-tl" / f"{lang}_dev.tsv", "dev")
        ),
    ]
    train: list[Example] = []
    dev: list[Example] = []
    for source in GROUPED:  # read whatever ``sources`` says: test and dev never change
        for example in _read(root, source):
            if in_test(example.group):
                test.append(example)
            elif in_dev(example.group):
                dev.append(example)
            elif source in sources:
                train.append(example)
    for source in sources:
        if source not in GROUPED:
            train.extend(_read(root, source))
    seen = {normalise(e.text) for e in test}
    kept_dev = []
    for example in dev:
        key = normalise(example.text)
        if key not in seen:
            kept_dev.append(example)
    seen |= {normalise(e.text) for e in kept_dev}
    rank = {s: i for i, s in enumerate(SOURCES)}
    kept: list[Example] = []
    for example in sorted(train, key=lambda e: rank.get(e.source, len(rank))):
        key = normalise(example.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(example)
    return Split(kept, test, kept_dev)


def capped(
    examples: Sequence[Example], cap: int = SOURCE_CAP, exempt: Sequence[str] = ()
) -> list[Example]:
    """At most ``cap`` examples per source and variety (but ``exempt`` sources), a stable sample."""
    by_key: dict[tuple[str, str], list[Example]] = {}
    for example in examples:
        by_key.setdefault((example.source, example.label), []).append(example)
    out: list[Example] = []
    for items in by_key.values():
        if len(items) > cap and items[0].source not in exempt:
            items = sorted(items, key=lambda e: hashlib.sha1(e.text.encode()).digest())[:cap]
        out.extend(items)
    return out


def balance_weights(examples: Sequence[Example]) -> list[float]:
    """Sample weights: each genre weighs the same, and within a genre each variety does."""
    cells: dict[tuple[str, str], int] = {}
    for example in examples:
        cells[(example.genre, example.label)] = cells.get((example.genre, example.label), 0) + 1
    genres = {g for g, _ in cells}
    labels_in = {g: sum(1 for h, _ in cells if h == g) for g in genres}
    raw = [1.0 / (len(genres) * labels_in[e.genre] * cells[(e.genre, e.label)]) for e in examples]
    mean = sum(raw) / len(raw)
    return [w / mean for w in raw]
