"""PDQ hashes of images (``pdqhash``, the reference C++ through bindings).

Images are decoded with Pillow; JPEGs may be decoded at reduced scale (draft
mode), since PDQ works on a 64x64 reduction anyway (deviation measured in
``bench/pdq_draft_deviation.py`` and documented in docs/fingerprints.md).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pdqhash
from numpy.typing import NDArray
from PIL import Image, ImageFile

from crosscheck.fingerprints.metadata import image_metadata

# JPEG draft decoding stops at the first scale whose shorter side is at least this
DRAFT_MIN_SIDE = 512
# a row or column whose mean luma and spread are both this low is a border
BORDER_MEAN = 20.0
BORDER_STD = 8.0
MIN_TRIM_FRACTION = 0.02

Pixels = NDArray[np.uint8]


@dataclass(frozen=True)
class PdqHash:
    hex: str
    quality: int


class UnreadableImage(ValueError):
    """Pillow could not decode the image (truncated, corrupt, a decompression bomb)."""


@contextmanager
def bombs_are_errors() -> Iterator[None]:
    """Treat Pillow's decompression-bomb warning as the error it is here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


@contextmanager
def truncation_is_an_error() -> Iterator[None]:
    """A truncated file is an error row here, whatever another library told Pillow.

    WeasyPrint (the lead report's PDF) sets ``ImageFile.LOAD_TRUNCATED_IMAGES``
    for the whole process when it is imported; a fingerprint of half a picture
    must not pass for the picture's.
    """
    saved = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved


def load_rgb(
    source: Path | bytes, *, draft: bool = True, read_metadata: bool = False
) -> tuple[Pixels, dict[str, Any]]:
    """Decode an image to an RGB array, and (if asked) read its metadata while it is open."""
    try:
        with (
            bombs_are_errors(),
            truncation_is_an_error(),
            Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image,
        ):
            metadata = image_metadata(image) if read_metadata else {}  # before draft: true size
            if draft and image.format == "JPEG":
                image.draft("RGB", (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
            image.load()
            rgb = image if image.mode == "RGB" else image.convert("RGB")
            return np.asarray(rgb, dtype=np.uint8), metadata
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(f"{exc.__class__.__name__}: {exc}") from exc
    except Image.DecompressionBombWarning as exc:
        raise UnreadableImage(f"decompression bomb: {exc}") from exc


def bits_to_hex(bits: NDArray[np.int64]) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq(pixels: Pixels) -> PdqHash:
    """The PDQ hash and quality (0-100) of an RGB array."""
    bits, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return PdqHash(bits_to_hex(bits), int(quality))


def trim_borders(pixels: Pixels) -> Pixels | None:
    """The image without dark letterbox/pillarbox bars, or None when there are none."""
    luma = pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114
    rows = (luma.mean(axis=1) <= BORDER_MEAN) & (luma.std(axis=1) <= BORDER_STD)
    cols = (luma.mean(axis=0) <= BORDER_MEAN) & (luma.std(axis=0) <= BORDER_STD)
    top = _run(rows)
    bottom = _run(rows[::-1])
    left = _run(cols)
    right = _run(cols[::-1])
    height, width = luma.shape
    if top + bottom >= height // 2 or left + right >= width // 2:
        return None  # mostly dark: not a bordered picture
    if (
        max(top, bottom) < MIN_TRIM_FRACTION * height
        and max(left, right) < MIN_TRIM_FRACTION * width
    ):
        return None
    return pixels[top : height - bottom, left : width - right]


def _run(flags: NDArray[np.bool_]) -> int:
    """Length of the run of True at the start."""
    falses = np.flatnonzero(~flags)
    return int(falses[0]) if falses.size else int(flags.size)


DIHEDRAL = ("rot90", "rot180", "rot270", "flip-h", "flip-v", "transpose", "transverse")


def dihedral(pixels: Pixels) -> dict[str, PdqHash]:
    """PDQ of the 7 rotated and mirrored versions, each computed from the moved pixels."""
    moved = {
        "rot90": np.rot90(pixels, 1),
        "rot180": np.rot90(pixels, 2),
        "rot270": np.rot90(pixels, 3),
        "flip-h": pixels[:, ::-1],
        "flip-v": pixels[::-1, :],
        "transpose": np.transpose(pixels, (1, 0, 2)),
        "transverse": np.rot90(pixels, 2).transpose(1, 0, 2),
    }
    return {name: pdq(array) for name, array in moved.items()}
