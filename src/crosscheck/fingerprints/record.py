"""One fingerprinted file: what `crosscheck fingerprint --format jsonl` prints per file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FrameRecord:
    frame: int
    ts: float
    quality: int
    pdq: str


@dataclass
class FileRecord:
    """Null where a field does not apply; ``error`` says why a file was only partly read."""

    path: str
    size: int | None = None
    mime: str | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    vpdq: list[FrameRecord] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    # beyond the contract: the hash of the image without its borders, and the
    # hashes of its rotated and mirrored versions (--dihedral)
    pdq_variants: dict[str, tuple[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pdq_variants"] = {
            name: {"pdq": value, "quality": quality}
            for name, (value, quality) in self.pdq_variants.items()
        }
        return data
