"""Benign generated media for the demo's scenario: moving shapes over a gradient.

A :class:`Clip` is a palette, a few shapes and their motion; the first second
is a title card (white words on a plain background). Copies of one clip are
made as a seizure would hold them: re-encoded smaller at a low bit rate,
letterboxed with a small logo in a corner. A *near miss* keeps the palette and
the shapes but moves them otherwise. Nothing here shows a person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

Colour = tuple[int, int, int]
WIDTH, HEIGHT = 640, 360  # 16:9: a letterboxed copy adds bars above and below
FPS = 10


@dataclass(frozen=True)
class Shape:
    kind: str  # "ellipse" or "rectangle"
    colour: Colour
    size: tuple[int, int]
    start: tuple[float, float]  # position at t=0, share of the frame
    velocity: tuple[float, float]  # shares of the frame a second


@dataclass(frozen=True)
class Clip:
    title: str
    top: Colour
    bottom: Colour
    card: Colour
    shapes: tuple[Shape, ...]
    seconds: float = 8.0
    title_seconds: float = 1.0


def _colour(rng: random.Random, low: int = 0, high: int = 256) -> Colour:
    return (rng.randrange(low, high), rng.randrange(low, high), rng.randrange(low, high))


def _motion(rng: random.Random) -> tuple[tuple[float, float], tuple[float, float]]:
    start = (rng.uniform(0.0, 0.7), rng.uniform(0.0, 0.6))
    speed = (
        rng.choice((-1, 1)) * rng.uniform(0.08, 0.2),
        rng.choice((-1, 1)) * rng.uniform(0.08, 0.2),
    )
    return start, speed


def clip(rng: random.Random, title: str) -> Clip:
    """A clip of seven shapes, large and small, drifting over a two-colour gradient."""
    shapes = []
    for _ in range(7):
        start, speed = _motion(rng)
        size = (rng.randint(WIDTH // 5, WIDTH // 3), rng.randint(HEIGHT // 4, HEIGHT // 2))
        kind = rng.choice(("ellipse", "rectangle"))
        shapes.append(Shape(kind, _colour(rng), size, start, speed))
    # a dark top, a light bottom: enough contrast for PDQ's quality on every frame
    return Clip(
        title, _colour(rng, 50, 120), _colour(rng, 150), _colour(rng, 40, 120), tuple(shapes)
    )


def near_miss(original: Clip, rng: random.Random, title: str) -> Clip:
    """The same palette and shapes, moving otherwise: looks alike, is another video."""
    moved = []
    for shape in original.shapes:
        start, speed = _motion(rng)
        moved.append(replace(shape, start=start, velocity=speed))
    return replace(original, title=title, shapes=tuple(moved))


def _bounce(position: float, room: float) -> float:
    """A position that bounces between 0 and ``room`` (shares of the frame)."""
    if room <= 0:
        return 0.0
    cycle = position % (2 * room)
    return cycle if cycle <= room else 2 * room - cycle


def frame(item: Clip, t: float) -> Image.Image:
    """The picture at ``t`` seconds, at the clip's own size."""
    if t < item.title_seconds:
        return title_card(item)
    ramp = np.linspace(0.0, 1.0, HEIGHT, dtype=np.float32)[:, None, None]
    top = np.array(item.top, dtype=np.float32)
    bottom = np.array(item.bottom, dtype=np.float32)
    pixels = np.broadcast_to(top * (1 - ramp) + bottom * ramp, (HEIGHT, WIDTH, 3))
    image = Image.fromarray(pixels.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for shape in item.shapes:
        w, h = shape.size
        x = _bounce(shape.start[0] + shape.velocity[0] * t, 1 - w / WIDTH) * WIDTH
        y = _bounce(shape.start[1] + shape.velocity[1] * t, 1 - h / HEIGHT) * HEIGHT
        box = (int(x), int(y), int(x) + w, int(y) + h)
        if shape.kind == "ellipse":
            draw.ellipse(box, fill=shape.colour)
        else:
            draw.rectangle(box, fill=shape.colour)
    return image


def title_card(item: Clip) -> Image.Image:
    """The clip's title in large white letters on a band across a plain background."""
    image = Image.new("RGB", (WIDTH, HEIGHT), item.card)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT // 4, WIDTH, HEIGHT * 3 // 4), fill=item.top)
    draw.ellipse((-WIDTH // 6, -HEIGHT // 3, WIDTH // 4, HEIGHT // 3), fill=item.bottom)
    font = ImageFont.load_default(size=48)
    lines = item.title.split("\n")
    y = HEIGHT // 2 - 30 * len(lines)
    for line in lines:
        left, _, right, _ = draw.textbbox((0, 0), line, font=font)
        draw.text(((WIDTH - (right - left)) // 2, y), line, fill=(255, 255, 255), font=font)
        y += 60
    return image


def letterbox(image: Image.Image, bar: int) -> Image.Image:
    """Black bars of ``bar`` pixels above and below, as a copy cut for another screen has."""
    boxed = Image.new("RGB", (image.width, image.height + 2 * bar), (0, 0, 0))
    boxed.paste(image, (0, bar))
    return boxed


def with_logo(image: Image.Image, text: str) -> Image.Image:
    """A small logo in the lower right corner of the picture (not on the bars)."""
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    font = ImageFont.load_default(size=10)
    x0, y0 = image.width - 34, image.height - 18
    draw.rounded_rectangle((x0, y0, x0 + 30, y0 + 14), radius=3, fill=(240, 240, 240))
    draw.text((x0 + 4, y0 + 1), text[:4], fill=(30, 30, 120), font=font)
    return marked


@dataclass(frozen=True)
class Encoding:
    """How a copy is written: its size, its bars and logo, its codec settings."""

    scale: float = 1.0
    bar: int = 0
    logo: str | None = None
    crf: int = 23
    bit_rate: int | None = None


ORIGINAL = Encoding()
REENCODED = Encoding(scale=0.5, crf=32, bit_rate=200_000)
LETTERBOXED = Encoding(bar=30, logo="TV5")


def write_video(item: Clip, path: Path, encoding: Encoding = ORIGINAL) -> Path:
    """An H.264 MP4 of the clip as ``encoding`` says."""
    width = int(WIDTH * encoding.scale) // 2 * 2
    height = int(HEIGHT * encoding.scale) // 2 * 2 + 2 * encoding.bar
    options = {"crf": str(encoding.crf), "preset": "veryfast"}
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        if encoding.bit_rate is not None:
            stream.bit_rate = encoding.bit_rate
        for index in range(int(item.seconds * FPS)):
            image = frame(item, index / FPS)
            if encoding.logo:
                image = with_logo(image, encoding.logo)
            if encoding.scale != 1.0:
                image = image.resize((width, height - 2 * encoding.bar), Image.Resampling.BILINEAR)
            if encoding.bar:
                image = letterbox(image, encoding.bar)
            picture = av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")
            picture.pts = index
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def picture(rng: random.Random, width: int = 480, height: int = 360) -> Image.Image:
    """A still: a gradient with a few shapes (a distractor photo)."""
    item = clip(rng, "")
    still = frame(replace(item, title_seconds=0.0), rng.uniform(0, 5))
    return still.resize((width, height), Image.Resampling.BICUBIC)
