"""Log in, log out and the language switch.

A refused log-in gets one answer whatever the reason (no such user, a wrong
password, a locked user, too many failures from the address): the page tells an
outsider nothing about which users exist. The audit keeps the reason.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
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
    csrf_matches,
    render,
    set_cookie,
)

router = APIRouter()

THROTTLE_FAILURES = 20  # failed log-ins from one client address within THROTTLE_WINDOW_S ...
THROTTLE_WINDOW_S = 15 * 60  # ... and its next tries are refused without checking the password
THROTTLE_ADDRESSES = 10_000  # addresses remembered at most (the oldest are forgotten first)


class Throttle:
    """Failed log-ins per client address, in memory (one hub process; lost at restart)."""

    def __init__(
        self,
        failures: int = THROTTLE_FAILURES,
        window_s: float = THROTTLE_WINDOW_S,
        addresses: int = THROTTLE_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window_s = window_s
        self.addresses = addresses
        self.clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen.get(address, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def blocked(self, address: str) -> bool:
        """Whether ``address`` has used up its failures in the window."""
        with self._lock:
            return len(self._recent(address, self.clock())) >= self.failures

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(address, now)
            times.append(now)
            self._seen[address] = times
            self._seen.move_to_end(address)
            while len(self._seen) > self.addresses:
                self._seen.popitem(last=False)


def local(target: str) -> str:
    """Only a path on this site is followed after a switch or a log-in: one ``/`` first,
    no scheme, host, backslash or control character."""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and len(target) <= 2000
    ):
        return target
    return "/"


def _login_page(
    request: Request, refused: bool = False, status: int = 200, next: str = "/"
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    values = {"csrf": token, "refused": refused, "next": local(next)}
    response = render(request, "login.html", values, status=status)
    set_cookie(request, response, LOGIN_COOKIE, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    """The form; ``next``: the page to open after logging in (a path on this site)."""
    return _login_page(request, next=next)


@router.post("/login", response_model=None)
def login(
    request: Request,
    user: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """A plain ``def``: argon2 and the store run in the thread pool, never on the event loop."""
    csrf_matches(request, request.cookies.get(LOGIN_COOKIE, ""), csrf_token)
    wb = bench(request)
    throttle: Throttle = request.app.state.login_throttle
    address = request.client.host if request.client else ""
    if throttle.blocked(address):  # the same answer, without touching the password or a user
        return _login_page(request, refused=True, status=401, next=next)
    done = workbench.log_in(wb.store, user, password, wb.settings)
    if done.token is None:
        throttle.failed(address)
        return _login_page(request, refused=True, status=401, next=next)
    response = RedirectResponse(local(next), status_code=303)
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
