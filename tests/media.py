"""Benign test media, made here: gradients, shapes and noise; and the shared public test vectors."""

from __future__ import annotations

import io
import os
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageDraw

from crosscheck.service.sample import picture

ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = (
    Path(os.environ.get("CROSSCHECK_SHARED_DATA", ROOT.parent / "shared" / "data")) / "media"
)


def shared_media() -> Path:
    if not SHARED_MEDIA.is_dir():
        pytest.skip(f"shared test vectors not found at {SHARED_MEDIA}")
    return SHARED_MEDIA


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
    with av.open(str(path), mode="w", format="mp4") as container:
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
