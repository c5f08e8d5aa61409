"""Write a contribution package: members first, streamed and hashed, then the manifest.

The archive is written to a temporary file beside the target and moved into
place at the end, so a crash never leaves half a package under the real name.
Entries carry a fixed timestamp: the same content gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from crosscheck import __version__
from crosscheck.exchange.manifest import ENTITIES, FINGERPRINTS, MANIFEST, Manifest, Member
from crosscheck.model import Contribution, Fingerprint

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_lines(archive: zipfile.ZipFile, name: str, records: Iterable[bytes]) -> Member:
    digest = hashlib.sha256()
    size = count = 0
    with archive.open(_entry(name), "w", force_zip64=True) as stream:
        for record in records:
            line = record + b"\n"
            stream.write(line)
            digest.update(line)
            size += len(line)
            count += 1
    return Member(sha256=digest.hexdigest(), size=size, records=count)


def fingerprint_json(fingerprint: Fingerprint) -> bytes:
    return orjson.dumps(fingerprint.model_dump(mode="json", exclude_none=True))


def write_package(
    path: Path,
    contribution: Contribution,
    entities: Iterable[Mapping[str, Any]],
    fingerprints: Iterable[Fingerprint],
) -> Manifest:
    """Write ``entities`` (FtM entity dicts) and ``fingerprints`` to a package at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            members = {
                ENTITIES: _write_lines(
                    archive, ENTITIES, (orjson.dumps(dict(e)) for e in entities)
                ),
                FINGERPRINTS: _write_lines(
                    archive, FINGERPRINTS, (fingerprint_json(f) for f in fingerprints)
                ),
            }
            shipped = contribution.model_copy(update={"received_at": None})
            manifest = Manifest(
                generator=f"crosscheck {__version__}", contribution=shipped, members=members
            )
            body = orjson.dumps(
                manifest.model_dump(mode="json", exclude_none=True),
                option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS,
            )
            archive.writestr(_entry(MANIFEST), body)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest
