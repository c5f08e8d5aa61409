"""What every workbench page shares: templates per language, the session, CSRF, errors.

Pages are rendered on the server (Jinja2); every interface string goes through
gettext, with the catalogues in ``web/locale`` compiled in memory at start (a
.mo file is a build output, never committed). The viewer's language comes from
the ``cc_lang`` cookie (the language switch), else Accept-Language, else English.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi import Depends, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from crosscheck.exc import CrosscheckError
from crosscheck.model import labels
from crosscheck.service import workbench
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.session_store import Session

WEB = Path(__file__).resolve().parent.parent
TEMPLATES = WEB / "templates"
LOCALE = WEB / "locale"
LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
SESSION_COOKIE = "cc_session"
LOGIN_COOKIE = "cc_login"  # the log-in form's CSRF token, before there is a session
LANGUAGE_COOKIE = "cc_lang"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def translations(language: str) -> NullTranslations:
    """The catalogue of ``language`` compiled from its .po file, in memory."""
    po = LOCALE / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return GNUTranslations(compiled)


def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue = translations(language)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]

    def when(value: datetime | None) -> str:
        return format_datetime(value, "medium", locale=language) if value else "—"

    def day(value: date | None) -> str:
        return format_date(value, "medium", locale=language) if value else "—"

    def number(value: float | None) -> str:
        return format_decimal(value, locale=language) if value is not None else "—"

    schema, prop = labels.translated(catalogue.gettext)
    env.filters.update(datetime=when, date=day, number=number, schema=schema, prop=prop)
    names = {name: schema(name) for name in labels.SCHEMATA}  # for the graph's script
    props = {name: prop(name) for name in labels.PROPERTIES}
    env.globals.update(languages=LANGUAGES, lang=language, schema_names=names, prop_names=props)
    return env


@dataclass
class Workbench:
    """The store and settings the pages use, and one template environment per language."""

    store: CaseStore
    settings: Settings
    environments: dict[str, Environment]

    @classmethod
    def make(cls, store: CaseStore, settings: Settings) -> Workbench:
        return cls(store, settings, {code: _environment(code) for code in LANGUAGES})


def bench(request: Request) -> Workbench:
    found: Workbench = request.app.state.workbench
    return found


def language(request: Request) -> str:
    """The viewer's language: the switch's cookie, else the best of Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    offered: list[tuple[float, int, str]] = []
    for index, part in enumerate(request.headers.get("accept-language", "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            offered.append((-quality, index, primary))
    return min(offered)[2] if offered else DEFAULT_LANGUAGE


def secure(request: Request) -> bool:
    """Cookies are Secure when the workbench is served over TLS."""
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, **extra: Any) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=secure(request), path="/", **extra
    )


def render(
    request: Request,
    template: str,
    values: dict[str, Any] | None = None,
    *,
    session: Session | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    page = bench(request).environments[lang].get_template(template)
    body = page.render(request=request, session=session, path=request.url.path, **(values or {}))
    response = HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
    response.headers["Content-Language"] = lang
    return response


class LoginNeeded(Exception):
    """No live session: to the log-in page (htmx gets a redirect header)."""


def current_session(request: Request) -> Session:
    """The live session the cookie names; the idle time starts again."""
    token = request.cookies.get(SESSION_COOKIE, "")
    wb = bench(request)
    found = workbench.session(wb.store, token, wb.settings) if token else None
    if found is None:
        raise LoginNeeded
    return found


Viewer = Annotated[Session, Depends(current_session)]


async def check_csrf(request: Request, expected: str, form: FormData | None = None) -> None:
    """A POST carries the token in the ``X-CSRF-Token`` header (htmx) or the form field.

    ``form``: the form already read (with caps of its own, as a message's attachments).
    """
    field: object = ""
    if not request.headers.get(CSRF_HEADER, ""):
        if form is None:
            form = await request.form()
        field = form.get(CSRF_FIELD, "")
    csrf_matches(request, expected, field if isinstance(field, str) else "")


def csrf_matches(request: Request, expected: str, field: str) -> None:
    """Refuse (403) unless the ``X-CSRF-Token`` header, else the form's ``field``,
    is ``expected``."""
    sent = request.headers.get(CSRF_HEADER, "") or field
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or wrong")


async def session_csrf(request: Request, current: Viewer) -> Session:
    """The session of a POST whose CSRF token matches the session's."""
    await check_csrf(request, current.csrf_token)
    return current


Posting = Annotated[Session, Depends(session_csrf)]


def error_page(request: Request, exc: CrosscheckError, current: Session | None) -> HTMLResponse:
    """A refusal in the viewer's language; "not held" and "not allowed" reveal nothing more."""
    status = exc.status if exc.status in (400, 403, 404, 409) else 500
    return render(request, "error.html", {"status": status}, session=current, status=status)


def guarded(request: Request, current: Session, build: Callable[[], HTMLResponse]) -> HTMLResponse:
    try:
        return build()
    except CrosscheckError as exc:
        return error_page(request, exc, current)


SECRET_FIELDS = ("password", "token", "secret")  # a 422 of the API never echoes these inputs
JSON_FRAGMENTS = "/graph/"  # the graph explorer's reads answer JSON: ``{"error": …}``


def _secret(error: dict[str, Any]) -> bool:
    return any(
        isinstance(part, str) and any(word in part.lower() for word in SECRET_FIELDS)
        for part in error.get("loc", ())
    )


def invalid_request(request: Request, exc: Exception) -> Response:
    """A request whose parameters do not fit, never with what was sent.

    The JSON API (``/api/…``) keeps FastAPI's 422 body (a contract) less the input of a
    password or token field; the graph's JSON reads get ``{"error": …}`` naming the
    parameters; every page gets the workbench's error page (400) in the viewer's language.
    A plain ``def``: Starlette runs it in the thread pool (it may read the session).
    """
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    path = request.url.path
    if path.startswith("/api/"):
        kept = [
            {k: v for k, v in error.items() if k != "input" or not _secret(error)}
            for error in errors
        ]
        return JSONResponse({"detail": jsonable_encoder(kept)}, status_code=422)
    if path.startswith(JSON_FRAGMENTS):
        named = sorted({str(e["loc"][-1]) for e in errors if e.get("loc")})
        message = "not valid: " + ", ".join(named) if named else "the request is not valid"
        return JSONResponse({"error": message}, status_code=400, headers=SECURITY_HEADERS)
    try:
        current: Session | None = current_session(request)
    except LoginNeeded:
        current = None
    return render(request, "error.html", {"status": 400}, session=current, status=400)
