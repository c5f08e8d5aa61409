"""Video benchmark: seconds of video fingerprinted per second of wall time, one frame a second.

Runs crosscheck's vPDQ (PyAV decode, PDQ of one frame a second) over the
sample videos in ../shared/data/media/tmk/sample-videos, and for comparison
the same with every frame hashed (the reference vPDQ's setting).

Run:  .venv/bin/python bench/bench_video.py [--folder DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from crosscheck.fingerprints.hasher import HashOptions
from crosscheck.service.seizure import fingerprint_paths

DEFAULT = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "media" / "tmk" / "sample-videos"
)


def run(folders: list[Path], interval: float, workers: int) -> tuple[float, float, int]:
    start = time.perf_counter()
    records = list(
        fingerprint_paths(folders, HashOptions(video_interval=interval), workers=workers)
    )
    wall = time.perf_counter() - start
    seconds = sum(float(r.metadata.get("duration") or 0) for r in records if r.vpdq)
    frames = sum(len(r.vpdq or ()) for r in records)
    return seconds, wall, frames


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folder", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="walk the folder this many times")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    folders = [args.folder] * args.repeat
    for interval, label in ((1.0, "one frame a second"), (0.0, "every frame")):
        seconds, wall, frames = run(folders, interval, args.workers)
        print(
            f"{label}: {seconds:,.0f} s of video in {wall:.1f} s wall ({args.workers} workers), "
            f"{seconds / wall:,.1f} video-seconds per second, {frames} frames hashed"
        )


if __name__ == "__main__":
    main()
