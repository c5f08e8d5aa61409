"""Benign test media, made here: gradients, shapes and noise; and the shared public test vectors."""

from __future__ import annotations

import io
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = (
    Path(os.environ.get("CROSSCHECK_SHARED_DATA", ROOT.parent / "shared" / "data")) / "media"
)


def shared_media() -> Path:
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"shared test vectors not found at {SHARED_MEDIA}")
    return SHARED_MEDIA


def picture(width: int = 640, height: int = 480, seed: int = 0) -> Image.Image:
    """A gradient with a few coloured shapes: enough structure for a high-quality PDQ hash."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    base = np.stack(
        [
            np.broadcast_to(x, (height, width)),
            np.broadcast_to(y, (height, width)),
            (x[None, :] + y) / 2,
        ],
        axis=2,
    ).astype(np.uint8)
    image = Image.fromarray(base, "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 40))
        x1 = x0 + int(rng.integers(20, max(21, width // 3)))
        y1 = y0 + int(rng.integers(20, max(21, height // 3)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    return image


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def video_file(
    path: Path, seconds: float = 3.0, fps: int = 10, size: tuple[int, int] = (160, 120)
) -> Path:
    """An H.264 MP4 of a square moving over a gradient."""
    width, height = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        for index in range(int(seconds * fps)):
            image = picture(width, height, seed=1)
            ImageDraw.Draw(image).rectangle(
                (index * 3 % width, 30, index * 3 % width + 30, 60), fill=(255, 255, 0)
            )
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
