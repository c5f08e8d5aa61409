"""Log in, log out and the language switch."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crosscheck.service import workbench
from crosscheck.web.pages.common import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Posting,
    bench,
    check_csrf,
    render,
    set_cookie,
)

router = APIRouter()

# what the log-in page says after each outcome; the same for a wrong password and an unknown user
REFUSALS = {"failure": "wrong", "unknown": "wrong", "lock": "locked", "locked": "locked"}


def local(target: str) -> str:
    """Only a path on this site is followed after a switch or a log-in."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_page(request: Request, refusal: str | None = None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {"csrf": token, "refusal": refusal}, status=status)
    set_cookie(request, response, LOGIN_COOKIE, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_model=None)
async def login(
    request: Request,
    user: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
) -> Response:
    await check_csrf(request, request.cookies.get(LOGIN_COOKIE, ""))
    wb = bench(request)
    done = workbench.log_in(wb.store, user, password, wb.settings)
    if done.token is None:
        return _login_page(request, REFUSALS[done.outcome], status=401)
    response = RedirectResponse("/", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, done.token)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, current: Posting) -> RedirectResponse:
    workbench.log_out(bench(request).store, current)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> RedirectResponse:
    """The language switch: a preference cookie, then back to the page."""
    response = RedirectResponse(local(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(request, response, LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600)
    return response
