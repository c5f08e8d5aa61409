"""Builders for test packages: real packages written by the real writer, then damaged on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crosscheck.exchange import write_package
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


def contribution(cid: str = "fr_ocrvp_2019_0007", **changes: Any) -> Contribution:
    base = Contribution(
        id=cid,
        provider=Agency(name="OCRVP (test)", country="FR"),
        created_at=datetime(2019, 2, 1, 12, 0, tzinfo=UTC),
        case_reference="FR/2019/7",
        purpose="test",
        handling=Handling(code=HandlingCode.H2),
        evaluation=Evaluation(source=SourceReliability.A, information=InformationAssessment.ONE),
    )
    return Contribution.model_validate({**base.model_dump(), **changes})


def entities() -> list[dict[str, Any]]:
    return [
        {
            "id": "p-1",
            "schema": "Person",
            "properties": {"name": ["Jordan Sample"], "email": ["J.Sample@Example.org"]},
        },
        {
            "id": "acc-1",
            "schema": "UserAccount",
            "properties": {"username": ["jsample"], "owner": ["p-1"]},
        },
        {"id": "img-1", "schema": "Image", "properties": {"fileName": ["a.jpg"]}},
        {"id": "vid-1", "schema": "Video", "properties": {"fileName": ["b.mp4"]}},
    ]


def fingerprints() -> list[Fingerprint]:
    return [
        Fingerprint(entity_id="img-1", kind=FingerprintKind.MD5, value="0" * 31 + "1"),
        Fingerprint(entity_id="img-1", kind=FingerprintKind.PDQ, value="ab" * 32, quality=91),
        Fingerprint(
            entity_id="vid-1",
            kind=FingerprintKind.VPDQ_FRAME,
            value="cd" * 32,
            quality=80,
            frame=0,
            ts=0.0,
        ),
        Fingerprint(
            entity_id="vid-1",
            kind=FingerprintKind.VPDQ_FRAME,
            value="ce" * 32,
            quality=77,
            frame=30,
            ts=1.0,
        ),
    ]


def make_package(path: Path, **changes: Any) -> Path:
    write_package(path, contribution(**changes), entities(), fingerprints())
    return path


def rewrite(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a package member by member through ``edit`` (return None to drop a member)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


SRC = Path(__file__).resolve().parents[1] / "src"


def fresh_python(code: str) -> Any:
    """Run ``code`` in a fresh interpreter (this tree's ``src`` first on the path) and
    return the JSON its last line of output prints: for what only a new process shows,
    such as which modules an import pulls in."""
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=os.environ | {"PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
