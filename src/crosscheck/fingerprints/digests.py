"""MD5, SHA-1 and SHA-256 of a file in one pass over its bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass(frozen=True)
class Digests:
    size: int
    md5: str
    sha1: str
    sha256: str


def digest_bytes(data: bytes) -> Digests:
    return Digests(
        len(data),
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


def digest_stream(stream: BinaryIO) -> tuple[Digests, bytes]:
    """The digests of everything ``stream`` yields, and its first bytes (for sniffing)."""
    md5, sha1, sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(CHUNK):
        if not head:
            head = chunk[:4096]
        size += len(chunk)
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
    return Digests(size, md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest()), head
