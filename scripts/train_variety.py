"""Train the regional-variety models shipped in src/crosscheck/text/models/.

Run:  .venv/bin/python scripts/train_variety.py [--data ../shared/data/lang]
Trains on the training split only (see crosscheck.text.corpora.load_splits:
by film, by document, by corpus part); eval/eval_variety.py measures the test
split. Deterministic: the same data gives the same model.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from crosscheck.text.corpora import load_splits
from crosscheck.text.variety import MODELS, VarietyModel

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = {"es": 0.7, "pt": 0.7, "en": 0.7}


def pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=3,
                    max_features=120_000,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    min_df=2,
                    max_features=60_000,
                    sublinear_tf=True,
                    lowercase=True,
                    token_pattern=r"(?u)\b\w+\b",
                    dtype=np.float32,
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("model", LogisticRegression(C=4.0, max_iter=2000))])


def spellings(root: Path) -> dict[str, str]:
    out = {}
    for tag in ("en-GB", "en-US"):
        for line in (
            (root / "en-variants" / f"{tag}-only.txt").read_text(encoding="utf-8").splitlines()
        ):
            word = line.strip().lower()
            if word and "'" not in word:
                out[word] = tag
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "lang")
    args = parser.parse_args()
    split = load_splits(args.data)
    MODELS.mkdir(parents=True, exist_ok=True)
    for language in ("es", "pt", "en"):
        examples = [e for e in split.train if e.language == language]
        genres = Counter(e.genre for e in examples)
        labels = Counter(e.label for e in examples)
        # each genre and each label weighs the same in the loss, whatever its size
        weights = np.array(
            [
                len(examples)
                / (len(genres) * genres[e.genre])
                * len(examples)
                / (len(labels) * labels[e.label])
                for e in examples
            ],
            dtype=np.float64,
        )
        weights /= weights.mean()
        start = time.perf_counter()
        model = pipeline()
        model.fit(
            [e.text for e in examples], [e.label for e in examples], model__sample_weight=weights
        )
        seconds = time.perf_counter() - start
        classes = [str(c) for c in model.classes_]
        saved = VarietyModel(
            language=language,
            classes=classes,
            pipeline=model,
            threshold=THRESHOLDS[language],
            spellings=spellings(args.data) if language == "en" else {},
            info={
                "trained_on": dict(Counter((e.label, e.genre) for e in examples).most_common()),
                "fit_seconds": round(seconds, 1),
            },
        )
        path = MODELS / f"variety-{language}.joblib"
        joblib.dump(saved, path, compress=3)
        print(
            f"{language}: {len(examples)} examples {dict(labels)}, fit {seconds:.0f} s, {path.stat().st_size / 1e6:.1f} MB -> {path}"
        )


if __name__ == "__main__":
    main()
