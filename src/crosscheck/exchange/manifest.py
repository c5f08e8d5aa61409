"""The manifest of a contribution package (``manifest.json``); see docs/package-format.md."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crosscheck.model import Contribution

FORMAT_NAME = "crosscheck-contribution"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})
MANIFEST = "manifest.json"
ENTITIES = "entities.ftm.jsonl"
FINGERPRINTS = "fingerprints.jsonl"
MEMBERS = (ENTITIES, FINGERPRINTS)


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    records: int = Field(ge=0)


class Manifest(BaseModel):
    """What a package holds: its contribution, and the digest of every member."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["crosscheck-contribution"] = "crosscheck-contribution"
    format_version: int = FORMAT_VERSION
    generator: str = Field(default="crosscheck", max_length=200)
    contribution: Contribution
    members: dict[str, Member]

    @property
    def members_digest(self) -> str:
        """One SHA-256 over the member digests: equal digests, equal content."""
        digest = hashlib.sha256()
        for name in sorted(self.members):
            digest.update(f"{name}\x1f{self.members[name].sha256}\n".encode())
        return digest.hexdigest()

    @property
    def entity_count(self) -> int:
        return self.members[ENTITIES].records

    @property
    def fingerprint_count(self) -> int:
        return self.members[FINGERPRINTS].records
