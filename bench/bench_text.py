"""Text benchmark: texts per second for 10-word texts, one core, and peak memory with the models loaded.

Measures `crosscheck.text.analyse.analyse` (lingua language identification on
the restricted set, the variety model with markers and evidence, identifier
extraction) against the peer: lingua alone on the same texts (what language
identification costs by itself).

Run:  .venv/bin/python bench/bench_text.py [--texts 5000]
Pins the process to one core (os.sched_setaffinity) so the figure is per core.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from pathlib import Path

from crosscheck.text.analyse import analyse
from crosscheck.text.corpora import load_splits
from crosscheck.text.language import DEFAULT_LANGUAGES, identify

LANG = Path(__file__).resolve().parents[2] / "shared" / "data" / "lang"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts", type=int, default=5000)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    os.environ["OMP_NUM_THREADS"] = "1"
    rng = random.Random(7)
    words = [w for e in load_splits(LANG).test for w in e.text.split()]
    texts = [" ".join(rng.sample(words, 10)) for _ in range(args.texts)]
    start = time.perf_counter()
    analyse([("warm", texts[0])])  # loads lingua's models and ours once
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    identify(texts, DEFAULT_LANGUAGES)
    peer_s = time.perf_counter() - start
    start = time.perf_counter()
    for begin in range(0, len(texts), 512):
        analyse([(str(i), t) for i, t in enumerate(texts[begin : begin + 512])])
    ours_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(texts)} texts of 10 words, one core; models loaded in {load_s:.1f} s")
    print(f"lingua alone (7 languages): {len(texts) / peer_s:,.0f} texts/s")
    print(
        f"crosscheck analyse (language + variety + evidence + identifiers): {len(texts) / ours_s:,.0f} texts/s"
    )
    print(
        f"ratio: full analysis runs at {peer_s / ours_s:.2f}x the speed of language identification alone"
    )
    print(f"peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
