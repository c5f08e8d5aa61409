"""Train the resolution parameters shipped in src/crosscheck/resolve/models/.

Run:  .venv/bin/python scripts/train_resolve.py [--people 20000] [--seed 1]
Unsupervised (no labels are read): generated accounts of invented people,
seed 1. eval/eval_resolve.py measures on seed 2 and on FEBRL, never seed 1.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from crosscheck.resolve import synthetic
from crosscheck.resolve.features import feature_rows
from crosscheck.resolve.params import DEFAULT
from crosscheck.resolve.splink_run import train

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "src/crosscheck/resolve/models" / DEFAULT
    )
    args = parser.parse_args()
    started = time.perf_counter()
    records = [
        {k: v for k, v in r.items() if k != "person"}  # the truth stays out of training
        for r in synthetic.records(args.people, seed=args.seed)
    ]
    params = train(
        feature_rows(records),
        description=f"generated accounts, {args.people} people, seed {args.seed}, unsupervised",
    )
    params.save(args.out)
    print(f"wrote {args.out} from {len(records)} records in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
