"""vPDQ: the PDQ hash of video frames sampled at an interval, decoded with PyAV.

With ``interval=0`` every frame is hashed, as the reference vPDQ does; the
default, one frame a second, keeps the frames' timestamps so matches can be
shown on a timeline.

Each hashed frame is first trimmed of dark letterbox/pillarbox bars the way
PDQ trims images (:func:`crosscheck.fingerprints.pdq.trim_borders`): a copy cut
for another screen hashes like its original. A frame without bars is hashed
as it is, so videos without bars keep the reference hashes.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from crosscheck.fingerprints.pdq import pdq, trim_borders


class UnreadableVideo(ValueError):
    """The container or its video stream could not be decoded."""


@dataclass(frozen=True)
class FrameHash:
    frame: int
    ts: float
    pdq: str
    quality: int


@dataclass
class VideoHashes:
    frames: list[FrameHash]
    metadata: dict[str, Any]
    problem: str | None = field(default=None)


def _seconds(value: Fraction | float | int | None) -> float | None:
    return None if value is None else float(value)


def video_hashes(source: Path | bytes, interval: float = 1.0, *, trim: bool = True) -> VideoHashes:
    """Hash frames every ``interval`` seconds (0: every frame); ``trim``: bars trimmed first.

    ``metadata["trimmed_frames"]`` counts the frames that had bars.
    """
    opened: Any = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    try:
        container = av.open(opened, mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UnreadableVideo(f"cannot open the container: {exc}") from exc
    with container:
        if not container.streams.video:
            raise UnreadableVideo("no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        metadata = _metadata(container, stream)
        fps = float(stream.average_rate) if stream.average_rate else 0.0
        frames: list[FrameHash] = []
        problem: str | None = None
        next_time = 0.0
        index = -1
        trimmed = 0
        try:
            for index, frame in enumerate(container.decode(stream)):
                ts = frame.time if frame.time is not None else (index / fps if fps else 0.0)
                if interval > 0 and ts + 1e-6 < next_time:
                    continue
                pixels = frame.to_ndarray(format="rgb24")
                inner = trim_borders(pixels) if trim else None
                if inner is not None:
                    pixels, trimmed = inner, trimmed + 1
                hashed = pdq(pixels)
                frames.append(FrameHash(index, round(ts, 3), hashed.hex, hashed.quality))
                if interval > 0:
                    next_time = (math.floor(ts / interval + 1e-6) + 1) * interval
        except (av.FFmpegError, ValueError) as exc:
            problem = f"decoding stopped after frame {index}: {exc}"
        metadata["decoded_frames"] = index + 1
        if trimmed:
            metadata["trimmed_frames"] = trimmed
    if not frames:
        raise UnreadableVideo(problem or "no decodable video frame")
    return VideoHashes(frames, metadata, problem)


def _metadata(container: Any, stream: Any) -> dict[str, Any]:
    duration = None
    if container.duration is not None:
        duration = container.duration / 1_000_000
    elif stream.duration is not None and stream.time_base is not None:
        duration = _seconds(stream.duration * stream.time_base)
    tags = {**dict(container.metadata), **dict(stream.metadata)}
    return {
        "container": container.format.name,
        "duration": None if duration is None else round(duration, 3),
        "codec": stream.codec_context.name,
        "width": stream.width or None,
        "height": stream.height or None,
        "fps": None if not stream.average_rate else round(float(stream.average_rate), 3),
        "frame_count": stream.frames or None,
        "creation_time": tags.get("creation_time"),
        "encoder": tags.get("encoder"),
    }
