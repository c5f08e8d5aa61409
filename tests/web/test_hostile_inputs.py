"""No input may hurt the hub: hostile uploads and bodies get a 4xx with a reason, in process.

Each hostile package is signed by the submitting agency where the defect
allows, so it reaches the check meant to catch it. The spool folder is empty
after every refusal; errors never show where the hub spools an upload.
"""

from __future__ import annotations

import asyncio
import os
import stat
import threading
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from starlette.requests import Request

from crosscheck.exchange import write_package
from crosscheck.exchange.manifest import ENTITIES, MANIFEST
from crosscheck.exchange.signing import SIGNATURE, load_key, sign_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub as hub_service
from crosscheck.settings import Settings
from crosscheck.web.app import create_app
from crosscheck.web.bodies import read_body
from tests.exchange.test_zip_members import bomb, patched
from tests.helpers import contribution
from tests.web.conftest import AGENCIES, auth

Hub = tuple[TestClient, dict[str, str], dict[str, Path]]
AGENCY = "BE police"
UPLOAD = "/api/v1/contributions"
JUDGE = "/api/v1/resolution/judgements"


def signed(tmp_path: Path, key: Path, cid: str, **changes: Any) -> Path:
    path = tmp_path / f"{cid}.zip"
    entity = f"{cid}-img"
    write_package(
        path,
        contribution(cid, provider={"name": AGENCY, "country": AGENCIES[AGENCY]}, **changes),
        [{"id": entity, "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
        [Fingerprint(entity_id=entity, kind="sha256", value="c" * 64)],
    )
    sign_package(path, load_key(key), AGENCY)
    return path


def rebuilt(
    src: Path, dst: Path, member: str, write: Callable[[zipfile.ZipFile], None], level: int = 6
) -> Path:
    with (
        zipfile.ZipFile(src) as zin,
        zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout,
    ):
        for info in zin.infolist():
            if info.filename != member:
                zout.writestr(info.filename, zin.read(info.filename))
        write(zout)
    return dst


def hostile(tmp_path: Path, key: Path) -> Iterator[tuple[str, bytes, str]]:
    """(what, body, a word the refusal must contain) for each finding of issue 11, 9/10/12."""
    good = signed(tmp_path, key, "be_good_1")
    with zipfile.ZipFile(good) as zin:
        manifest, signature = zin.read(MANIFEST), zin.read(SIGNATURE)

    def put(
        name: str, data: bytes | None, method: int = zipfile.ZIP_DEFLATED
    ) -> Callable[..., None]:
        def write(zout: zipfile.ZipFile) -> None:
            if data is not None:
                zout.writestr(name, data, method)

        return write

    out = tmp_path / "hostile"
    out.mkdir()
    for member in (SIGNATURE, MANIFEST):  # 128 MiB of zeros in < 1 MiB
        path = rebuilt(good, out / f"bomb-{member}", member, bomb(member, 128), level=1)
        yield f"bomb in {member}", path.read_bytes(), member
    for what, data in (
        ("not JSON", b"{not json"),
        ("a list", b"[1, 2, 3]"),
        ("NaN", b'{"format": NaN}'),
        ("missing", None),
    ):
        path = rebuilt(good, out / f"manifest-{what}.zip", MANIFEST, put(MANIFEST, data))
        yield f"manifest {what} beside a signature", path.read_bytes(), MANIFEST
    for member, data in ((SIGNATURE, signature), (MANIFEST, manifest)):
        path = rebuilt(good, out / f"bz-{member}", member, put(member, data, zipfile.ZIP_BZIP2))
        yield f"bzip2 {member}", path.read_bytes(), "compression method"
    for member in (SIGNATURE, MANIFEST, ENTITIES):
        for change, word in (({"method": 99}, "compression method"), ({"flag": 1}, "encrypted")):
            path = out / f"patched-{member}-{word}.zip"
            path.write_bytes(good.read_bytes())
            patched(path, member, **change)
            yield f"{word} {member}", path.read_bytes(), word
    twice = out / "twice.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(twice, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        with pytest.warns(UserWarning):
            zout.writestr(ENTITIES, b"")
    yield "duplicate member names", twice.read_bytes(), "more than once"
    far = signed(tmp_path, key, "be_far_1", review_date=date(9999, 12, 31))
    yield "review date 9999-12-31", far.read_bytes(), "retention justify"
    yield "random bytes", os.urandom(4096), "zip"
    yield "nothing", b"", "zip"


def spooled(settings: Settings) -> list[Path]:
    folder = settings.home / "spool"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_every_hostile_upload_is_a_4xx_with_a_reason(
    hub_env: Hub, settings: Settings, tmp_path: Path
) -> None:
    client, tokens, keys = hub_env
    headers = auth(tokens[f"{AGENCY}/examiner"])
    with client:
        tracemalloc.start()
        try:
            for what, body, word in hostile(tmp_path, keys[AGENCY]):
                response = client.post(UPLOAD, content=body, headers=headers)
                detail = response.json().get("detail")
                assert 400 <= response.status_code < 500, (what, response.text)
                assert isinstance(detail, str) and word in detail, (what, detail)
                assert str(settings.home) not in detail and "spool" not in detail, (what, detail)
                assert detail.startswith("the package"), (what, detail)
                assert spooled(settings) == [], what
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 96 << 20, f"peak {peak} bytes over the hostile uploads"
        assert client.get("/api/v1/contributions", headers=headers).json() == []


def test_a_package_over_the_size_limit_is_refused_unread_and_not_spooled(
    settings: Settings, hub_env: Hub, tmp_path: Path
) -> None:
    _, tokens, keys = hub_env
    small = Settings(**{**settings.__dict__, "max_package_bytes": 2048})
    body = signed(tmp_path, keys[AGENCY], "be_big_1").read_bytes() + b"\0" * 4096
    pulled = []

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1024):
            pulled.append(start)
            yield body[start : start + 1024]

    headers = {**auth(tokens[f"{AGENCY}/examiner"]), "Content-Length": str(len(body))}
    with TestClient(create_app(small, worker=False)) as client:
        response = client.post(UPLOAD, content=chunks(), headers=headers)
        assert response.status_code == 413 and "size limit" in response.json()["detail"]
        assert pulled == []  # refused on its Content-Length, before the body was read
        chunked = client.post(
            UPLOAD, content=iter([body]), headers=auth(tokens[f"{AGENCY}/examiner"])
        )
        assert chunked.status_code == 413
    assert spooled(settings) == []


def test_uploads_and_json_bodies_check_the_caller_before_reading(hub_env: Hub) -> None:
    client, tokens, _ = hub_env
    for route in (UPLOAD, JUDGE):
        for headers in ({}, auth("cc_1_wrong"), auth(tokens["operator"])):
            pulled: list[int] = []

            def body(pulled: list[int] = pulled) -> Iterator[bytes]:
                pulled.append(1)
                yield b'{"left": "x", "right": "y", "verdict": "confirm"}'

            with client:
                response = client.post(route, content=body(), headers=headers)
            assert response.status_code in (401, 403), (route, response.text)
            assert pulled == [], f"{route} read the body of a caller it refuses"


def test_a_json_body_over_the_cap_is_refused(hub_env: Hub, settings: Settings) -> None:
    client, tokens, _ = hub_env
    headers = auth(tokens[f"{AGENCY}/analyst"])
    note = "n" * (settings.max_body_bytes + 1)
    big = b'{"left": "x", "right": "y", "verdict": "confirm", "note": "' + note.encode() + b'"}'
    with client:
        response = client.post(JUDGE, content=big, headers=headers)
        assert response.status_code == 413 and "limit" in response.json()["detail"]
        small = client.post(JUDGE, content=b"[1", headers=headers)
        assert small.status_code == 422
        schema = client.get("/openapi.json").json()["paths"][JUDGE]["post"]
        assert "requestBody" in schema  # still documented for clients and schemathesis


def test_a_chunked_body_is_cut_off_at_the_cap() -> None:
    pulled = []

    async def receive() -> dict[str, Any]:
        pulled.append(1)
        return {"type": "http.request", "body": b"x" * 1000, "more_body": len(pulled) < 10_000}

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    with pytest.raises(HTTPException) as info:
        asyncio.run(read_body(Request(scope, receive), 4096))
    assert info.value.status_code == 413
    assert len(pulled) <= 6  # stopped at the cap, not after 10 MB


@pytest.mark.parametrize("digits", [20, 400, 5000])
def test_an_overlong_numeric_token_id_is_a_401(hub_env: Hub, digits: int) -> None:
    client, _, _ = hub_env
    with client:
        response = client.get("/api/v1/hits", headers=auth(f"cc_{'9' * digits}_secret"))
    assert response.status_code == 401, response.text


def test_twenty_concurrent_submissions_of_one_new_package(hub_env: Hub, tmp_path: Path) -> None:
    client, tokens, keys = hub_env
    body = signed(tmp_path, keys[AGENCY], "be_race_1").read_bytes()
    headers = auth(tokens[f"{AGENCY}/examiner"])
    answers: list[tuple[int, Any]] = []
    gate = threading.Barrier(20)

    def submit() -> None:
        gate.wait()
        response = client.post(UPLOAD, content=body, headers=headers)
        answers.append((response.status_code, response.json()))

    with client:
        threads = [threading.Thread(target=submit) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        held = client.get("/api/v1/contributions", headers=headers).json()
    assert len(answers) == 20
    assert all(status == 201 for status, _ in answers), answers
    assert sorted(answer["created"] for _, answer in answers) == [False] * 19 + [True]
    assert len(held) == 1


def test_spool_files_are_private_and_removed(
    hub_env: Hub, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, tokens, keys = hub_env
    modes: list[tuple[int, int]] = []

    def watching(store: Any, path: Path, *args: Any, **kwargs: Any) -> Any:
        modes.append((stat.S_IMODE(path.stat().st_mode), stat.S_IMODE(path.parent.stat().st_mode)))
        raise RuntimeError("the ingest failed")  # an internal error: still no file left

    body = signed(tmp_path, keys[AGENCY], "be_spool_1").read_bytes()
    headers = auth(tokens[f"{AGENCY}/examiner"])
    monkeypatch.setattr(hub_service, "ingest", watching)
    with TestClient(client.app, raise_server_exceptions=False) as failing:
        assert failing.post(UPLOAD, content=body, headers=headers).status_code == 500
    assert modes == [(0o600, 0o700)]
    assert spooled(settings) == []


def test_stale_spool_files_are_swept_at_start(settings: Settings) -> None:
    folder = settings.home / "spool"
    folder.mkdir(parents=True)
    (folder / "left-by-a-killed-upload.zip").write_bytes(b"PK")
    app = create_app(settings, worker=False)
    assert spooled(settings) != []  # nothing is swept before the app starts
    with TestClient(app):
        assert spooled(settings) == []
