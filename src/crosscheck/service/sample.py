"""A small, benign sample contribution and a generated picture, for tests and benchmarks.

Every name, address and account in it is invented. The "media" are byte
strings generated here (no image content at all); only their digests travel.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from crosscheck.exchange import Manifest, write_package
from crosscheck.model import (
    Agency,
    Contribution,
    Evaluation,
    Fingerprint,
    FingerprintKind,
    Handling,
    HandlingCode,
    InformationAssessment,
    SourceReliability,
)


def _media_bytes(seed: str, size: int = 4096) -> bytes:
    """Deterministic filler bytes standing in for a file on a seized drive."""
    out = bytearray()
    block = seed.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out.extend(block)
    return bytes(out[:size])


def _digests(entity_id: str, data: bytes) -> list[Fingerprint]:
    return [
        Fingerprint(
            entity_id=entity_id, kind=FingerprintKind.MD5, value=hashlib.md5(data).hexdigest()
        ),
        Fingerprint(
            entity_id=entity_id, kind=FingerprintKind.SHA1, value=hashlib.sha1(data).hexdigest()
        ),
        Fingerprint(
            entity_id=entity_id, kind=FingerprintKind.SHA256, value=hashlib.sha256(data).hexdigest()
        ),
    ]


def sample_contribution() -> tuple[Contribution, list[dict[str, Any]], list[Fingerprint]]:
    """A Belgian seizure from 2015: one person, two forum accounts, a message, two files."""
    contribution = Contribution(
        id="be_fccu_2015_0042",
        provider=Agency(name="Federal Computer Crime Unit (sample)", country="BE"),
        created_at=datetime(2015, 6, 3, 9, 30, tzinfo=UTC),
        case_reference="BE/2015/0042",
        purpose="Seized drive, sample case for training",
        handling=Handling(code=HandlingCode.H1),
        evaluation=Evaluation(source=SourceReliability.B, information=InformationAssessment.TWO),
    )
    video_bytes = _media_bytes("sample-video-1", 8192)
    image_bytes = _media_bytes("sample-image-1")
    video_id = "video-" + hashlib.sha256(video_bytes).hexdigest()[:16]
    image_id = "image-" + hashlib.sha256(image_bytes).hexdigest()[:16]
    entities: list[dict[str, Any]] = [
        {
            "id": "person-sample-1",
            "schema": "Person",
            "properties": {
                "name": ["Alex Example"],
                "firstName": ["Alex"],
                "lastName": ["Example"],
                "country": ["es"],
                "email": ["alex.example@example.org"],
            },
        },
        {
            "id": "account-sample-1",
            "schema": "UserAccount",
            "properties": {
                "username": ["alex_example"],
                "service": ["forum-one.example"],
                "owner": ["person-sample-1"],
                "email": ["alex.example@example.org"],
            },
        },
        {
            "id": "account-sample-2",
            "schema": "UserAccount",
            "properties": {"username": ["al3x.example"], "service": ["board-two.example"]},
        },
        {
            "id": "message-sample-1",
            "schema": "Message",
            "properties": {
                "bodyText": ["¿Habéis visto el ordenador nuevo? Lo dejo en el coche."],
                "senderAccount": ["account-sample-1"],
                "date": ["2015-05-30"],
            },
        },
        {
            "id": video_id,
            "schema": "Video",
            "properties": {
                "fileName": ["holiday_2014.mp4"],
                "fileSize": [str(len(video_bytes))],
                "mimeType": ["video/mp4"],
            },
        },
        {
            "id": image_id,
            "schema": "Image",
            "properties": {
                "fileName": ["IMG_0001.JPG"],
                "fileSize": [str(len(image_bytes))],
                "mimeType": ["image/jpeg"],
            },
        },
    ]
    fingerprints = _digests(video_id, video_bytes) + _digests(image_id, image_bytes)
    return contribution, entities, fingerprints


def write_sample_package(path: Path) -> Manifest:
    contribution, entities, fingerprints = sample_contribution()
    return write_package(path, contribution, entities, fingerprints)


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
