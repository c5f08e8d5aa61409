"""The workbench's rules, in process: log-in, lock, CSRF, idle expiry, need to know, languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from jinja2 import Environment
from sqlalchemy import update

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.tables import web_session
from crosscheck.web.app import create_app
from crosscheck.web.pages.common import LOCALE, TEMPLATES
from tests.web.workbench_data import (
    AGENCIES,
    PASSWORD,
    ROLES,
    RTL_NAME,
    Hub,
    markers,
    populate,
    user,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def bench(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, Hub]]:
    held = populate(settings, tmp_path)
    with TestClient(create_app(settings, worker=False)) as client:
        yield client, held


def login_answer(client: TestClient, name: str, password: str = PASSWORD) -> httpx.Response:
    """The answer to the log-in form, filled in with the form's own CSRF token."""
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token is not None
    return client.post(
        "/login",
        data={"user": name, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    return login_answer(client, name, password).status_code


def csrf_of(client: TestClient) -> str:
    found = CSRF.search(client.get("/").text)
    assert found is not None
    return found.group(1)


def audit(settings: Settings, action: str = "authentication") -> list[dict[str, object]]:
    store = open_store(settings)
    try:
        return [
            {"actor": e.actor, **e.detail}
            for e in hub.audit_entries(store, action=action)
            if e.subject == "workbench"
        ]
    finally:
        store.engine.dispose()


def test_log_in_and_out_with_cookie_flags_and_audit(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert log_in(client, user("BE police", "analyst")) == 303
    cookie = next(c for c in client.cookies.jar if c.name == "cc_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    header = client.get("/login").headers  # the log-in form's own cookie has the same flags
    assert "samesite=strict" in header["set-cookie"].lower()
    assert "httponly" in header["set-cookie"].lower()
    home = client.get("/")
    assert home.status_code == 200
    assert "Hits on your agency" in home.text
    assert "FR police" in home.text  # FR's submission hit BE's file: the hit shows
    # the item as a person knows it (its file name), not only its held id
    assert "<bdi>x.jpg</bdi>" in home.text and "<bdi>be_contrib.be-image</bdi>" not in home.text
    assert client.post("/logout", data={"csrf_token": csrf_of(client)}).status_code == 200
    assert client.get("/", follow_redirects=False).status_code == 303
    events = [(e["event"], e["actor"]) for e in audit(held.settings)]
    assert ("login", "BE analyst@BE police") in events
    assert ("logout", "BE analyst@BE police") in events
    assert all(PASSWORD not in str(e) for e in audit(held.settings))


def test_wrong_password_refused_then_locked(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    name = user("FR police", "examiner")
    assert log_in(client, name, "wrong password!") == 401
    assert log_in(client, "nobody at all", "wrong password!") == 401
    for _ in range(held.settings.login_attempts - 1):
        assert log_in(client, name, "wrong password!") == 401
    refused = client.get("/")  # no session: back to the log-in page
    assert "Log in to the workbench" in refused.text
    assert log_in(client, name) == 401  # the right password, but locked
    assert client.get("/", follow_redirects=False).status_code == 303
    events = [e["event"] for e in audit(held.settings)]
    failures = held.settings.login_attempts - 1  # the last wrong one locks
    assert events == ["failure", "unknown"] + ["failure"] * (failures - 1) + ["lock", "locked"]
    unknown = [e for e in audit(held.settings) if e["credential"] is None]
    assert unknown and all("nobody" not in str(e) for e in unknown)  # the typed name never


def test_post_without_csrf_token_refused(bench: tuple[TestClient, Hub]) -> None:
    client, _ = bench
    form = client.get("/login")
    assert CSRF.search(form.text)
    no_token = {"user": user("BE police", "analyst"), "password": PASSWORD}
    assert client.post("/login", data=no_token, follow_redirects=False).status_code == 403
    assert log_in(client, user("BE police", "analyst")) == 303
    assert client.post("/logout", follow_redirects=False).status_code == 403
    wrong = {"csrf_token": "x" * 43}
    assert client.post("/logout", data=wrong, follow_redirects=False).status_code == 403
    assert client.get("/").status_code == 200  # still logged in
    header = {"X-CSRF-Token": csrf_of(client)}  # htmx sends it as a header
    assert client.post("/logout", headers=header, follow_redirects=False).status_code == 303


def test_idle_session_and_revoked_user_end(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    store = open_store(held.settings)
    with store.engine.begin() as conn:
        conn.execute(
            update(web_session).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert client.get("/", follow_redirects=False).status_code == 303
    assert log_in(client, user("BE police", "analyst")) == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    hub.revoke_user(store, user("BE police", "analyst"))
    store.engine.dispose()
    assert client.get("/", follow_redirects=False).status_code == 303
    assert log_in(client, user("BE police", "analyst")) == 401


def pages(held: Hub, agency: str) -> list[str]:
    """Every page and fragment, for this agency's contribution (its id, not a link to it)."""
    cid = held.contributions[agency]
    return [
        "/", "/contributions", "/contributions?q=", f"/contributions?q={cid}",
        "/contributions/rows", f"/contributions/rows?q={cid}", f"/contributions/{cid}",
        f"/contributions/{cid}/entities", f"/contributions/{cid}/entities?page=0",
        f"/contributions/{cid}/entities?page=1",
    ]  # fmt: skip


def test_need_to_know_on_every_page_with_guessed_ids(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    for agency in AGENCIES:
        other = next(a for a in AGENCIES if a != agency)
        for role in ROLES:
            client.cookies.clear()
            assert log_in(client, user(agency, role)) == 303
            for url in pages(held, other):
                answer = client.get(url, follow_redirects=False)
                asked = held.contributions[other]
                shown = answer.text.replace(asked, "")  # the id asked for may be echoed
                leaked = [m for m in markers(other) if m in shown]
                assert not leaked, (agency, role, url, leaked)
                assert answer.status_code in (200, 404), (url, answer.status_code)
                if url.startswith(f"/contributions/{asked}"):
                    assert answer.status_code == 404
            own = " ".join(client.get(u).text for u in pages(held, agency))
            assert all(m in own for m in markers(agency))  # the check can fail
    client.cookies.clear()
    assert log_in(client, "operator") == 303
    for agency in AGENCIES:
        for url in pages(held, agency):
            answer = client.get(url, follow_redirects=False)
            shown = answer.text.replace(held.contributions[agency], "")  # echoed in links
            assert not [m for a in AGENCIES for m in markers(a) if m in shown], url
            assert answer.status_code in (200, 403), (url, answer.status_code)
    assert "The hub in numbers" in client.get("/").text


def test_contribution_shows_values_with_their_origin(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    assert log_in(client, user("BE police", "examiner")) == 303
    cid = held.contributions["BE police"]
    page = client.get(f"/contributions/{cid}").text
    for expected in ("SecretnameBe Doe", "CASE-BE-77", "rot90", "91", "camera_make: Acme",
                     "CameraSoft 2.1", RTL_NAME, "not to be disseminated", "H2"):  # fmt: skip
        assert expected in page, expected
    assert page.count(f"{cid}</bdi> · <bdi>BE police</bdi>") >= 5  # each value's origin


def test_spanish_by_accept_language_and_by_switch(bench: tuple[TestClient, Hub]) -> None:
    client, held = bench
    spanish = client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert "Iniciar sesión en el banco de trabajo" in spanish.text
    assert spanish.headers["content-language"] == "es"
    assert "Log in to the workbench" in client.get("/login").text
    assert log_in(client, user("BE police", "analyst")) == 303
    switched = client.get("/lang/es?next=/contributions")
    assert switched.url.path == "/contributions"
    assert "Aportaciones" in switched.text and "Fecha de revisión" in switched.text
    store = open_store(held.settings)
    review = store.contribution(held.contributions["BE police"]).review_date
    store.engine.dispose()
    assert format_date(review, "medium", locale="es") in switched.text  # the viewer's locale
    assert format_date(review, "medium", locale="en") not in switched.text
    away = client.get("/lang/en?next=//evil.example/x", follow_redirects=False)
    assert away.headers["location"] == "/"


def messages_in_templates() -> set[str]:
    from babel.messages.extract import extract

    found = set()
    for template in TEMPLATES.glob("*.html"):
        with template.open("rb") as source:
            for _, message, _, _ in extract(
                "jinja2.ext:babel_extract", source, options={"extensions": "jinja2.ext.i18n"}
            ):
                found.add(message if isinstance(message, str) else message[0])
    return found


def test_catalogues_translate_every_string() -> None:
    wanted = messages_in_templates()
    assert len(wanted) > 50
    for language in ("en", "es"):
        with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po, locale=language)
        missing = [m for m in wanted if not (catalog.get(m) and catalog.get(m).string)]
        assert not missing, (language, missing)
        if language == "es":
            same = [m for m in wanted if catalog.get(m).string == m and len(m) > 8]
            assert not same, same  # copied, not translated


LETTERS = re.compile(r"[^\W\d_]{2,}")
ATTRIBUTE = re.compile(r'\b(?:title|placeholder|aria-label|alt|value)="([^"]*)"')
NOT_TEXT = {"crosscheck"}  # the product's name


def visible_text(env: Environment, source: str) -> str:
    """The template's own text, each expression or tag replaced by a mark."""
    parts = []
    for _, kind, value in env.lex(source):
        if kind == "data":
            parts.append(value)
        elif kind in ("variable_begin", "block_begin"):
            parts.append("\x00")
    return "".join(parts)


def test_every_template_string_goes_through_gettext() -> None:
    env = Environment(extensions=["jinja2.ext.i18n"])
    for template in TEMPLATES.glob("*.html"):
        text = visible_text(env, template.read_text(encoding="utf-8"))
        for literal in ATTRIBUTE.findall(text):
            assert not LETTERS.search(literal.replace("\x00", " ")), (template.name, literal)
        text = re.sub(r"<[^>]*>", " ", text)  # markup is not interface text
        text = re.sub(r"&\w+;", " ", text)
        words = [w for w in LETTERS.findall(text) if w not in NOT_TEXT]
        assert not words, (template.name, words)
