"""Read and check a contribution package before anything is stored.

Every check runs on streams with hard caps, so a file of junk, a zip bomb or
a huge member is refused without being read into memory.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from followthemoney import model as ftm_model
from followthemoney.exc import InvalidData as FtMInvalidData
from pydantic import ValidationError

from crosscheck.exc import InvalidData, InvalidPackage
from crosscheck.exchange.manifest import (
    ENTITIES,
    FINGERPRINTS,
    FORMAT_NAME,
    MANIFEST,
    MEMBERS,
    SUPPORTED_VERSIONS,
    Manifest,
)
from crosscheck.exchange.zip_members import (
    CHUNK,
    DAMAGED,
    SIGNATURE,
    CheckedZip,
    MemberLimits,
)
from crosscheck.model import Fingerprint, parse_entity
from crosscheck.model.statements import StatementEntity

RESERVED = frozenset({SIGNATURE})  # the hub's signature travels beside the manifest


# a package at most this big (its entity and fingerprint members, uncompressed, and their
# records) is parsed once: the records its check read are kept for the import
KEEP_BYTES = 4 << 20
KEEP_RECORDS = 10_000


@dataclass(frozen=True)
class _Kept:
    first_seen: str | None
    entities: list[StatementEntity]
    fingerprints: list[Fingerprint]


@dataclass(frozen=True)
class PackageLimits:
    """Caps that keep a hostile package from exhausting the machine."""

    max_package_bytes: int = 8 << 30
    max_member_bytes: int = 64 << 30
    max_line_bytes: int = 16 << 20
    max_compression_ratio: int = 1000


NUL_PROBLEM = "a text holds the NUL character (U+0000), which no store keeps"


def _has_nul(value: Any) -> bool:
    """Whether a parsed JSON value holds U+0000 in any string (key or value).

    JSON can only carry it escaped, so readers look here only when a line holds
    the escape: a NUL would be stored on SQLite and refused by PostgreSQL.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{where}: {first['msg']}"


class PackageReader:
    """One package on disk. Use :meth:`check` first; then iterate its records."""

    def __init__(
        self, path: Path, limits: PackageLimits | None = None, *, label: str | None = None
    ) -> None:
        """``label`` names the package in errors (default: its path)."""
        self.path = Path(path)
        self.name = label or str(path)
        self.limits = limits or PackageLimits()
        self.manifest = self._open()
        self._kept: _Kept | None = None

    def _fail(self, problem: str, member: str | None = None) -> InvalidPackage:
        return InvalidPackage(self.name, problem, member)

    def _zip(self) -> CheckedZip:
        """The archive, every entry checked; members are read only through its caps."""
        limits = MemberLimits(self.limits.max_member_bytes, self.limits.max_compression_ratio)
        return CheckedZip(self.path, self.name, limits)

    def _open(self) -> Manifest:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError as exc:
            raise self._fail("no such file") from exc
        except OSError as exc:
            raise self._fail(f"cannot read ({exc.strerror})") from exc
        if not self.path.is_file():
            raise self._fail("not a regular file")
        if size > self.limits.max_package_bytes:
            raise self._fail(
                f"{size} bytes is over the {self.limits.max_package_bytes}-byte package limit"
            )
        with self._zip() as archive:
            infos = archive.infos
            if MANIFEST not in infos:
                raise self._fail(f"no {MANIFEST}; is this a crosscheck contribution package?")
            for name, info in infos.items():
                self._check_info(name, info)
            raw = archive.read(MANIFEST)
        manifest = self._parse_manifest(raw)
        expected = set(manifest.members)
        unknown = set(infos) - expected - {MANIFEST} - RESERVED
        if unknown:
            raise self._fail(f"members not in the manifest: {sorted(unknown)}")
        missing = expected - set(infos)
        if missing:
            raise self._fail(f"members in the manifest but not in the archive: {sorted(missing)}")
        return manifest

    def _check_info(self, name: str, info: zipfile.ZipInfo) -> None:
        # sizes, ratios, methods and flags are checked by CheckedZip for every entry
        if info.is_dir() or name not in (MANIFEST, *MEMBERS, *RESERVED):
            raise self._fail("unexpected member", name)

    def _parse_manifest(self, raw: bytes) -> Manifest:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise self._fail(f"not valid JSON ({exc})", MANIFEST) from exc
        if b"\\u0000" in raw and _has_nul(data):
            raise self._fail(NUL_PROBLEM, MANIFEST)
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise self._fail(f"format is not {FORMAT_NAME!r}", MANIFEST)
        version = data.get("format_version")
        if version not in SUPPORTED_VERSIONS:
            raise self._fail(
                f"unknown format version {version!r} (this crosscheck reads "
                f"{sorted(SUPPORTED_VERSIONS)})",
                MANIFEST,
            )
        try:
            manifest = Manifest.model_validate(data)
        except ValidationError as exc:
            raise self._fail(_validation_message(exc), MANIFEST) from exc
        for name in MEMBERS:
            if name not in manifest.members:
                raise self._fail(f"does not list {name}", MANIFEST)
        return manifest

    def verify_digests(self) -> None:
        """Stream every member and compare its size and SHA-256 with the manifest."""
        with self._zip() as archive:
            for name, member in self.manifest.members.items():
                digest = hashlib.sha256()
                size = 0
                try:
                    with archive.open(name) as stream:
                        while chunk := stream.read(CHUNK):
                            size += len(chunk)
                            if size > member.size or size > self.limits.max_member_bytes:
                                raise self._fail(
                                    f"longer than the {member.size} bytes the manifest states", name
                                )
                            digest.update(chunk)
                except DAMAGED as exc:
                    raise self._fail(f"is damaged ({exc})", name) from exc
                if size != member.size:
                    raise self._fail(f"is {size} bytes, the manifest states {member.size}", name)
                if digest.hexdigest() != member.sha256:
                    raise self._fail("SHA-256 does not match the manifest", name)

    def _lines(self, name: str) -> Iterator[tuple[int, Any]]:
        cap = self.limits.max_line_bytes
        with self._zip() as archive, archive.open(name) as stream:
            number = 0
            try:
                while line := stream.readline(cap + 1):
                    number += 1
                    if len(line) > cap and not line.endswith(b"\n"):
                        raise self._fail(f"line {number} is longer than {cap} bytes", name)
                    if not line.strip():
                        continue
                    try:
                        data = orjson.loads(line)
                    except orjson.JSONDecodeError as exc:
                        raise self._fail(f"line {number}: not valid JSON ({exc})", name) from exc
                    if b"\\u0000" in line and _has_nul(data):
                        raise self._fail(f"line {number}: {NUL_PROBLEM}", name)
                    yield number, data
            except DAMAGED as exc:
                raise self._fail(f"is damaged ({exc})", name) from exc

    def entities(self, first_seen: str | None = None) -> Iterator[StatementEntity]:
        """The package's entities as statements of its contribution, validated.

        After :meth:`check` with the same ``first_seen``, a small package's entities
        are the ones the check validated (not parsed again); do not change them.
        """
        kept = self._kept
        if kept is not None and kept.first_seen == first_seen:
            return iter(kept.entities)
        return self._entities(first_seen)

    def _entities(self, first_seen: str | None) -> Iterator[StatementEntity]:
        contribution_id = self.manifest.contribution.id
        for number, data in self._lines(ENTITIES):
            try:
                yield parse_entity(data, contribution_id=contribution_id, first_seen=first_seen)
            except InvalidData as exc:
                raise self._fail(f"line {number}: {exc.message}", ENTITIES) from exc

    def fingerprints(self) -> Iterator[Fingerprint]:
        """The package's fingerprints, validated (after :meth:`check`: a small one's kept ones)."""
        if self._kept is not None:
            return iter(self._kept.fingerprints)
        return self._fingerprints()

    def _fingerprints(self) -> Iterator[Fingerprint]:
        for number, data in self._lines(FINGERPRINTS):
            try:
                yield Fingerprint.model_validate(data)
            except ValidationError as exc:
                raise self._fail(
                    f"line {number}: {_validation_message(exc)}", FINGERPRINTS
                ) from exc

    def check(self, first_seen: str | None = None) -> None:
        """Every digest, every record and every count, before anything is stored.

        ``first_seen`` as :meth:`entities` will be asked for it: a small package
        (``KEEP_BYTES``, ``KEEP_RECORDS``) keeps the records checked here, so reading
        them afterwards parses nothing twice; a bigger one is streamed again.
        """
        self._kept = None
        self.verify_digests()
        members = [self.manifest.members[name] for name in (ENTITIES, FINGERPRINTS)]
        keep = (
            sum(m.size for m in members) <= KEEP_BYTES
            and sum(m.records for m in members) <= KEEP_RECORDS
        )
        entities: list[StatementEntity] = []
        entity_ids: dict[str, str] = {}  # id → schema of its fragments so far
        count = 0
        for entity in self._entities(first_seen):
            count += 1
            if entity.id is not None:
                entity_ids[entity.id] = self._merged_schema(
                    entity.id, entity_ids.get(entity.id), entity.schema.name, count
                )
            if keep:
                entities.append(entity)
        self._check_count(ENTITIES, count)
        fingerprints: list[Fingerprint] = []
        count = 0
        for fingerprint in self._fingerprints():
            count += 1
            if fingerprint.entity_id not in entity_ids:
                raise self._fail(
                    f"record {count}: entity {fingerprint.entity_id!r} is not in {ENTITIES}",
                    FINGERPRINTS,
                )
            if keep:
                fingerprints.append(fingerprint)
        self._check_count(FINGERPRINTS, count)
        if keep:
            self._kept = _Kept(first_seen, entities, fingerprints)

    def _merged_schema(self, entity_id: str, held: str | None, name: str, line: int) -> str:
        """Fragments of one entity must merge by FtM's rules (LegalEntity and Person: Person)."""
        if held is None or held == name:
            return name
        try:
            return ftm_model.common_schema(held, name).name
        except FtMInvalidData as exc:
            raise self._fail(
                f"record {line}: entity {entity_id!r} is given two schemata, {held} and {name}, "
                "which do not merge",
                ENTITIES,
            ) from exc

    def _check_count(self, name: str, count: int) -> None:
        stated = self.manifest.members[name].records
        if count != stated:
            raise self._fail(f"holds {count} records, the manifest states {stated}", name)
