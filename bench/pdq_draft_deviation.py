"""How far PDQ hashes of draft-decoded JPEGs are from full-decode ones.

Over the JPEGs of ../shared/data/media/pdq, as they are and enlarged 2.5x
(Lanczos, JPEG quality 90), at several draft floors (the shorter side the
reduced decode keeps). crosscheck uses DRAFT_MIN_SIDE (512).

Run:  .venv/bin/python bench/pdq_draft_deviation.py
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from crosscheck.fingerprints import pdq as pdq_module

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "data" / "media" / "pdq" / "data"


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def main() -> None:
    files = sorted(MEDIA.rglob("*.jpg"))
    originals = [f.read_bytes() for f in files]
    enlarged = []
    for path in files:
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        if rgb.width < 500:
            continue
        big = rgb.resize((int(rgb.width * 2.5), int(rgb.height * 2.5)), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        big.save(out, "JPEG", quality=90)
        enlarged.append(out.getvalue())
    print(f"{len(originals)} shared JPEGs, {len(enlarged)} enlarged copies")
    for floor in (256, 512, 1024):
        pdq_module.DRAFT_MIN_SIDE = floor
        for label, data in (("as they are", originals), ("enlarged 2.5x", enlarged)):
            deviations = []
            for blob in data:
                full = pdq_module.pdq(pdq_module.load_rgb(blob, draft=False)[0])
                draft = pdq_module.pdq(pdq_module.load_rgb(blob, draft=True)[0])
                deviations.append(hamming(full.hex, draft.hex))
            print(
                f"floor {floor:4}: {label:14} mean {np.mean(deviations):.2f} bits, "
                f"max {max(deviations)} bits"
            )


if __name__ == "__main__":
    main()
