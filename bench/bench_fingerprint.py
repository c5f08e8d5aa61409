"""Fingerprinting benchmark: files/s over a generated folder of JPEGs, 640x480 to 4000x3000.

Compares, in one run, on the same files:
  * crosscheck's fingerprinting (process pool on every core, JPEG draft decoding,
    MD5/SHA-1/SHA-256, PDQ, border trimming, EXIF), through `fingerprint_paths`;
  * the peer: a plain single-process loop of Pillow full decode + pdqhash.
and reports how far the draft-decoded PDQ hashes are from the full-decode ones.

Run:  .venv/bin/python bench/bench_fingerprint.py [--count 10000] [--folder DIR]
The folder is generated once (benign gradients and shapes) and reused.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image

from crosscheck.fingerprints.hasher import HashOptions
from crosscheck.fingerprints.pdq import bits_to_hex
from crosscheck.service.sample import picture
from crosscheck.service.seizure import fingerprint_paths

SIZES = [(640, 480), (1024, 768), (1600, 1200), (2048, 1536), (3264, 2448), (4000, 3000)]


def _make(args: tuple[Path, int]) -> None:
    path, seed = args
    width, height = SIZES[seed % len(SIZES)]
    picture(width, height, seed=seed).save(path, "JPEG", quality=88)


def generate(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    todo = [
        (folder / f"img{i:06}.jpg", i)
        for i in range(count)
        if not (folder / f"img{i:06}.jpg").exists()
    ]
    if todo:
        print(f"generating {len(todo)} JPEGs in {folder} ...")
        with ProcessPoolExecutor() as pool:
            list(pool.map(_make, todo, chunksize=16))


def peer(files: list[Path]) -> dict[str, str]:
    out = {}
    for path in files:
        with Image.open(path) as image:
            bits, _quality = pdqhash.compute(np.asarray(image.convert("RGB")))
        out[str(path)] = bits_to_hex(bits)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    folder = args.folder or Path.home() / ".cache" / "crosscheck-bench" / f"jpegs-{args.count}"
    generate(folder, args.count)
    files = sorted(folder.glob("*.jpg"))[: args.count]
    total_mb = sum(f.stat().st_size for f in files) / 1e6
    for path in files:  # warm the page cache for both contenders alike
        path.read_bytes()
    print(
        f"{len(files)} JPEGs, {total_mb:,.0f} MB, sizes {SIZES[0]} to {SIZES[-1]}, cores {os.cpu_count()}"
    )

    start = time.perf_counter()
    baseline = peer(files)
    peer_s = time.perf_counter() - start
    print(
        f"peer, one process, Pillow full decode + pdqhash: {peer_s:.1f} s, {len(files) / peer_s:,.1f} files/s"
    )

    start = time.perf_counter()
    records = list(fingerprint_paths([folder], HashOptions(), workers=args.workers))
    ours_s = time.perf_counter() - start
    print(
        f"crosscheck fingerprint ({args.workers} workers; digests, PDQ, trim, EXIF): {ours_s:.1f} s, "
        f"{len(records) / ours_s:,.1f} files/s, {total_mb / ours_s:,.1f} MB/s"
    )
    distances = [
        bin(int(r.pdq, 16) ^ int(baseline[r.path], 16)).count("1")
        for r in records
        if r.pdq and r.path in baseline
    ]
    print(
        f"PDQ draft vs full decode over {len(distances)} files: mean {np.mean(distances):.2f} bits, "
        f"max {max(distances)} bits; errors {sum(r.error is not None for r in records)}"
    )
    print(f"ratio: {peer_s / ours_s:.1f}x the single-process full-decode loop")


if __name__ == "__main__":
    main()
