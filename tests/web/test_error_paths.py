"""API errors say what is wrong in the caller's terms: never a path on the hub's disk."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.exchange import write_package
from crosscheck.settings import Settings
from tests.helpers import contribution, entities, fingerprints
from tests.web.conftest import auth


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_no_error_detail_names_a_hub_path(
    hub_env: tuple[TestClient, dict[str, str], dict[str, Path]],
    settings: Settings,
    tmp_path: Path,
) -> None:
    client, tokens, _ = hub_env
    examiner = auth(tokens["AU police/examiner"])
    unsigned = tmp_path / "unsigned.zip"
    write_package(
        unsigned,
        contribution("au_1", provider={"name": "AU police", "country": "AU"}),
        entities(),
        fingerprints(),
    )
    whole = unsigned.read_bytes()
    bodies = [
        b"",
        b"not a zip at all",
        whole[: len(whole) // 2],
        whole,
        _zip({"manifest.json": b"{not json"}),
        _zip({"../../etc/passwd": b"x"}),
        _zip({"manifest.json": b"{}", "entities.jsonl": b"[1,2]\n"}),
    ]
    details = []
    for body in bodies:
        answer = client.post("/api/v1/contributions", content=body, headers=examiner)
        assert 400 <= answer.status_code < 500, answer.text
        details.append(answer.json()["detail"])
    for method, url in (
        ("post", "/api/v1/hits/HIT-NOPE/release"),
        ("post", "/api/v1/hits/HIT-NOPE/decline"),
        ("get", "/api/v1/resolution/links?record=nope"),
    ):
        answer = client.request(method, url, headers=auth(tokens["AU police/agency_admin"]))
        if 400 <= answer.status_code < 500:
            details.append(answer.json()["detail"])
    assert len(details) >= len(bodies) + 2
    home = str(settings.home)
    for detail in details:
        text = str(detail)
        assert home not in text and str(tmp_path) not in text and "spool" not in text, text
