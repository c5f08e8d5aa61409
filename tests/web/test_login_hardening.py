"""What a hostile tester found at the workbench's door, in process (SQLite and PostgreSQL).

One answer for every refused log-in (no user-existence oracle), log-in by name only,
a throttle per client address, the log-in off the event loop, validation errors as
pages (never echoing the input), the deep link carried through the log-in, and the
public OpenAPI description.
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from crosscheck.service import hub, workbench
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.web.app import create_app
from crosscheck.web.pages import auth
from tests.web.test_pages import CSRF, audit, log_in, login_answer
from tests.web.workbench_data import PASSWORD, Hub, populate, user

ANALYST = user("BE police", "analyst")
GENERIC = "Wrong user name or password, or too many failed attempts."


@pytest.fixture
def bench(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, Hub]]:
    held = populate(settings, tmp_path)
    with TestClient(create_app(settings, worker=False)) as client:
        yield client, held


class Probe(BaseModel):
    """A body with a password and a token field, as an API route might one day take."""

    password: str = Field(max_length=4)
    api_token: str = Field(max_length=4)
    note: str = Field(max_length=4)


def refusal(client: TestClient, name: str, password: str) -> tuple[int, str]:
    """The status and the page of a refused log-in, less its fresh CSRF token."""
    answer = login_answer(client, name, password)
    return answer.status_code, CSRF.sub("", answer.text)


def credential_id(settings: Settings, name: str) -> int:
    store = open_store(settings)
    try:
        return next(c.id for c in hub.users(store) if c.name == name)
    finally:
        store.engine.dispose()


def test_unknown_wrong_and_locked_get_the_same_answer(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    name = user("FR police", "analyst")
    unknown = refusal(client, "nobody at all", "wrong password!")
    wrong = refusal(client, name, "wrong password!")
    for _ in range(held.settings.login_attempts - 1):  # the last of these locks
        assert refusal(client, name, "wrong password!") == wrong
    locked = refusal(client, name, PASSWORD)  # the right password, while locked
    assert unknown == wrong == locked
    assert unknown[0] == 401 and GENERIC in unknown[1]
    assert "locked" not in unknown[1]
    events = [e["event"] for e in audit(held.settings)]  # the audit still tells them apart
    tries = held.settings.login_attempts
    assert events == ["unknown"] + ["failure"] * (tries - 1) + ["lock", "locked"]


def test_a_credential_id_does_not_log_in(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    number = credential_id(held.settings, ANALYST)
    assert log_in(client, str(number)) == 401  # the right password, but an id
    for _ in range(held.settings.login_attempts):  # counting ids up cannot lock anyone
        assert log_in(client, str(number), "wrong password!") == 401
    assert [e["event"] for e in audit(held.settings)] == ["unknown"] * (
        held.settings.login_attempts + 1
    )
    assert log_in(client, ANALYST) == 303


def test_failures_from_one_address_are_throttled(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    client.app.state.login_throttle = auth.Throttle(failures=3)  # type: ignore[attr-defined]
    answers = {refusal(client, f"guess {n}", "wrong password!") for n in range(3)}
    before = len(audit(held.settings))
    throttled = refusal(client, ANALYST, PASSWORD)  # right, but the address is throttled
    assert {throttled} == answers
    assert len(audit(held.settings)) == before  # no password checked, no user touched
    for _ in range(held.settings.login_attempts):  # throttled tries lock nobody
        assert refusal(client, ANALYST, "wrong password!") == throttled
    assert len(audit(held.settings)) == before
    client.app.state.login_throttle = auth.Throttle(failures=3)  # type: ignore[attr-defined]
    assert log_in(client, ANALYST) == 303


def test_throttle_window_and_memory_bound() -> None:
    now = [0.0]
    throttle = auth.Throttle(failures=2, window_s=60, addresses=2, clock=lambda: now[0])
    throttle.failed("10.0.0.1")
    assert not throttle.blocked("10.0.0.1")
    throttle.failed("10.0.0.1")
    assert throttle.blocked("10.0.0.1") and not throttle.blocked("10.0.0.2")
    now[0] = 61.0  # the window has passed
    assert not throttle.blocked("10.0.0.1")
    for address in ("10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.3"):
        throttle.failed(address)
    assert len(throttle._seen) == 2  # the oldest address is forgotten first
    assert not throttle.blocked("10.0.0.1")


def test_log_in_runs_off_the_event_loop(
    bench: tuple[TestClient, Hub], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = bench
    assert not inspect.iscoroutinefunction(auth.login)  # FastAPI runs a plain def in a thread
    started, health_done = threading.Event(), threading.Event()
    seen: list[bool] = []
    real = workbench.log_in

    def slow(*args: object, **kwargs: object) -> workbench.LoggedIn:
        started.set()
        seen.append(health_done.wait(timeout=30))  # only answered if the loop is free
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(workbench, "log_in", slow)
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    form = {"user": ANALYST, "password": PASSWORD, "csrf_token": token.group(1)}
    statuses: list[int] = []
    posting = threading.Thread(
        target=lambda: statuses.append(
            client.post("/login", data=form, follow_redirects=False).status_code
        )
    )
    posting.start()
    assert started.wait(timeout=30)
    assert client.get("/api/v1/health").status_code == 200  # while the log-in is under way
    health_done.set()
    posting.join(timeout=60)
    assert seen == [True] and statuses == [303]


def test_validation_errors_are_pages_without_the_input(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    secret = "S3cretPassw0rd" * 200  # over 2048 characters
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    form = {"user": ANALYST, "password": secret, "csrf_token": token.group(1)}
    long = client.post("/login", data=form, follow_redirects=False)
    assert long.status_code == 400 and "text/html" in long.headers["content-type"]
    assert "S3cretPassw0rd" not in long.text and "The request could not be completed" in long.text
    assert log_in(client, ANALYST) == 303
    contribution = held.contributions["BE police"]
    probe = "Zq9probe"
    for path in (
        f"/contributions/{contribution}/entities?page=abc{probe}",
        f"/messages/MSG-1/attachments/abc{probe}",
        f"/search?q={probe * 120}",
    ):
        page = client.get(path)
        assert page.status_code == 400, path
        assert "text/html" in page.headers["content-type"], path
        main = page.text[page.text.index("<main") :]  # the header's language links carry the path
        assert probe not in main and "Log out" in page.text, path
    spanish = client.get(f"/search?q={probe * 120}", headers={"Accept-Language": "es"})
    assert spanish.status_code == 400 and "No se pudo completar" in spanish.text
    fragment = client.get(f"/graph/view?since=x{probe}")
    assert fragment.status_code == 400
    assert fragment.json() == {"error": "not valid: since"}


def test_api_422_keeps_its_shape_but_never_echoes_a_secret(
    settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings, worker=False)

    @app.post("/api/v1/probe")
    def probe(body: Probe) -> dict[str, str]:
        return {}

    with TestClient(app) as client:
        sent = {"password": "hunter2-long", "api_token": "cc_1_longsecret", "note": "plainly"}
        answer = client.post("/api/v1/probe", json=sent)
    assert answer.status_code == 422
    errors = answer.json()["detail"]
    assert {tuple(e["loc"]) for e in errors} == {
        ("body", "password"),
        ("body", "api_token"),
        ("body", "note"),
    }
    assert "hunter2" not in answer.text and "longsecret" not in answer.text
    assert any(e.get("input") == "plainly" for e in errors)  # other inputs: FastAPI's contract


def test_deep_link_survives_the_log_in(bench: tuple[TestClient, Hub]) -> None:
    client, _ = bench
    link = "/messages/MSG-0001?x=1"
    sent = client.get(link, follow_redirects=False)
    assert sent.status_code == 303
    target = urlsplit(sent.headers["location"])
    assert target.path == "/login" and parse_qs(target.query) == {"next": [link]}
    form = client.get(sent.headers["location"]).text
    assert re.search(r'name="next" value="/messages/MSG-0001\?x=1"', form)
    token = CSRF.search(form)
    assert token is not None
    data = {"user": ANALYST, "password": PASSWORD, "csrf_token": token.group(1), "next": link}
    answer = client.post("/login", data=data, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == link


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "evil.example",
        "/%0d%0aSet-Cookie:x",
        "/\r\nLocation: https://evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_is_never_an_open_redirect(bench: tuple[TestClient, Hub], target: str) -> None:
    client, _ = bench
    form = client.get("/login", params={"next": target}).text
    assert "evil" not in form and "javascript" not in form
    token = CSRF.search(form)
    assert token is not None
    data = {"user": ANALYST, "password": PASSWORD, "csrf_token": token.group(1), "next": target}
    answer = client.post("/login", data=data, follow_redirects=False)
    assert answer.status_code == 303
    expected = target if target == "/%0d%0aSet-Cookie:x" else "/"  # escaped: a path here
    assert answer.headers["location"] == expected


def test_openapi_is_public_and_lists_only_the_api(settings: Settings) -> None:
    with TestClient(create_app(settings, worker=False)) as client:
        spec = client.get("/openapi.json")
        docs = client.get("/docs")
        refused = client.get("/api/v1/contributions")
    assert spec.status_code == 200 and docs.status_code == 200  # as docs/security.md says
    assert refused.status_code == 401
    paths = spec.json()["paths"]
    assert paths and all(p.startswith("/api/v1/") for p in paths)
