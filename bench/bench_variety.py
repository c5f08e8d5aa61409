"""Variety speed (issue 16): cold model load, and the full analysis of ten-word texts on one core.

(a) Load: each shipped variety model (`text/models/variety-{language}.npz`, plain
    arrays applied by `text/variety_format.py`: no scikit-learn, no pickle) in a
    fresh process: importing `crosscheck.text.variety`, then `load_model(language)`
    (read the arrays, build the vocabularies' dicts); the child checks that
    scikit-learn, joblib and scipy were never imported. lingua's detector on the
    default language set (its language models load on first use); and the whole
    cold start of the analysis (import `crosscheck.text.analyse`, one text of each
    language analysed).
    Target: a model loads in ≤ 2 s.
(b) Throughput: `crosscheck.text.analyse.analyse` (language + variety + evidence +
    identifiers), in batches of 512 as `crosscheck text analyse` runs it, on
    sentences of the held-out test split (`text/corpora.py` `load_splits`) cut to
    their first ten words, after a warm-up that loads every model. The process
    is pinned to one core and every thread pool runs one thread. Also lingua
    alone and the variety model alone on the same texts, to show where time goes.
    Target: ≥ 1,000 texts/s.

Every measurement runs in its own fresh subprocess.

Run:  .venv/bin/python bench/bench_variety.py [--data ../shared/data/lang] [--texts 5000]
      [--runs 3] [--profile]      (--profile: cProfile of one throughput run, top 25)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOAD_TARGET_S = 2.0
RATE_TARGET = 1000.0
ONE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMEXPR_NUM_THREADS",
        "RAYON_NUM_THREADS",
    )
}

LOAD_ONE = """
import json, sys, time
clocks = (time.perf_counter, time.process_time)
start = [c() for c in clocks]
from crosscheck.text import variety
imported = [c() for c in clocks]
assert variety.load_model(sys.argv[1]) is not None
loaded = [c() for c in clocks]
heavy = [m for m in ("sklearn", "joblib", "scipy") if m in sys.modules]
assert not heavy, heavy
print(json.dumps({f"{name}_{clock}": b[i] - a[i]
                  for name, a, b in (("import", start, imported), ("read", imported, loaded),
                                     ("total", start, loaded))
                  for i, clock in enumerate(("wall", "cpu"))}))
"""

LOAD_LINGUA = """
import json, time
start = time.perf_counter(), time.process_time()
from crosscheck.text.language import DEFAULT_LANGUAGES, identify
identify(["Este texto sirve para cargar los modelos de lingua una vez."], DEFAULT_LANGUAGES)
print(json.dumps({"total_wall": time.perf_counter() - start[0],
                  "total_cpu": time.process_time() - start[1]}))
"""

COLD_ANALYSIS = """
import json, time
start = time.perf_counter(), time.process_time()
from crosscheck.text.analyse import analyse
analyse([("es", "Vosotros habéis cogido el autobús demasiado tarde esta mañana."),
         ("pt", "Estou a trabalhar no escritório e depois vou apanhar o comboio."),
         ("en", "The colour of the neighbour's car is grey and I like it a lot."),
         ("fr", "Je vais magasiner au centre-ville avec mes chums ce soir.")])
print(json.dumps({"total_wall": time.perf_counter() - start[0],
                  "total_cpu": time.process_time() - start[1]}))
"""


def child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter with one thread per pool; its JSON answer."""
    env = {**os.environ, **ONE_THREAD}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def ten_word_texts(data: Path, count: int) -> list[str]:
    """Held-out test sentences of at least ten words, cut to ten, in a stable order."""
    from crosscheck.text.corpora import load_splits

    texts = [
        " ".join(words[:10])
        for words in (e.text.split() for e in load_splits(data).test)
        if len(words) >= 10
    ]
    if len(texts) < count:
        raise SystemExit(f"only {len(texts)} test sentences of ten words or more")
    step = len(texts) / count  # spread over every source and language
    return [texts[int(i * step)] for i in range(count)]


def throughput(data: Path, count: int, profile: bool) -> dict[str, Any]:
    """In this (child) process: one core, warm-up, then texts/s of each stage."""
    import time

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from crosscheck.text.analyse import analyse
    from crosscheck.text.language import DEFAULT_LANGUAGES, identify
    from crosscheck.text.variety import classify

    texts = ten_word_texts(data, count)
    analyse([(str(i), t) for i, t in enumerate(texts[:512])])  # loads every model once
    batches = [
        [(str(i), t) for i, t in enumerate(texts[start : start + 512], start)]
        for start in range(0, len(texts), 512)
    ]
    cpu, start = time.process_time(), time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    languages = []
    for batch in batches:
        languages.extend(a.language for a in analyse(batch))
    if profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    full_s, full_cpu = time.perf_counter() - start, time.process_time() - cpu
    cpu = time.process_time()
    identify(texts, DEFAULT_LANGUAGES)
    lingua_cpu = time.process_time() - cpu
    cpu = time.process_time()
    for language in sorted(set(languages) - {"unknown"}):
        classify([t for t, g in zip(texts, languages, strict=True) if g == language], language)
    variety_cpu = time.process_time() - cpu
    mix = {g: languages.count(g) for g in sorted(set(languages))}
    return {
        "texts": len(texts),
        "full": len(texts) / full_s,
        "full_cpu": len(texts) / full_cpu,
        "lingua": len(texts) / lingua_cpu,
        "variety": len(texts) / variety_cpu,
        "languages": mix,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "lang")
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per measurement")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child-throughput", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_throughput:
        print(json.dumps(throughput(args.data, args.texts, args.profile)))
        return
    models = sorted(p.name.split("-")[1].split(".")[0] for p in _models().glob("variety-*.npz"))
    print(
        f"(a) cold load, fresh process each, {args.runs} runs, median; CPU time "
        f"(wall time in brackets: it includes waiting for a core on a shared machine);"
        f" target ≤ {LOAD_TARGET_S} s"
    )
    for language in models:
        runs = [child(LOAD_ONE, language) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        total = med["total_cpu"]
        print(
            f"  variety-{language}: {total:.2f} s ({med['total_wall']:.2f} s)"
            f" = import {med['import_cpu']:.2f} + read {med['read_cpu']:.2f}"
            f"   {total / LOAD_TARGET_S:.2f} of the target ({'met' if total <= LOAD_TARGET_S else 'missed'})"
        )
    for code, label in (
        (LOAD_LINGUA, "lingua detector, default languages, first text"),
        (COLD_ANALYSIS, "cold start of the analysis (import; es, pt, en, fr analysed once)"),
    ):
        runs = [child(code) for _ in range(args.runs)]
        cpu, wall = (statistics.median(r[k] for r in runs) for k in ("total_cpu", "total_wall"))
        print(f"  {label}: {cpu:.2f} s ({wall:.2f} s)")
    print(f"(b) throughput, one core, {args.texts} ten-word texts, {args.runs} runs")
    command = [sys.executable, __file__, "--child-throughput", "--data", str(args.data)]
    command += ["--texts", str(args.texts)] + (["--profile"] if args.profile else [])
    results = []
    for run in range(args.runs):
        done = subprocess.run(
            command if run == 0 else [c for c in command if c != "--profile"],
            env={**os.environ, **ONE_THREAD},
            capture_output=True,
            text=True,
            check=True,
        )
        if run == 0 and args.profile:
            print(done.stderr, file=sys.stderr)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"  languages found: {results[0]['languages']}")
    for key, label in (
        ("full", "full analysis (wall)"),
        ("full_cpu", "full analysis (CPU time: what one core does on a shared machine)"),
        ("lingua", "lingua alone (CPU time)"),
        ("variety", "variety model alone, evidence included (CPU time)"),
    ):
        rates = [r[key] for r in results]
        line = f"  {label}: median {statistics.median(rates):,.0f} texts/s (runs: "
        line += ", ".join(f"{r:,.0f}" for r in rates) + ")"
        if key in ("full", "full_cpu"):
            ratio = statistics.median(rates) / RATE_TARGET
            line += f"   {ratio:.2f}x the target ({'met' if ratio >= 1 else 'missed'})"
        print(line)


def _models() -> Path:
    from crosscheck.text.variety import MODELS

    return MODELS


if __name__ == "__main__":
    main()
