"""Who is calling: the bearer token names a credential (agency, role)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crosscheck.store.access_store import AccessStore, Caller

_bearer = HTTPBearer(auto_error=False)


def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller the bearer token names; 401 without a valid one."""
    access: AccessStore = request.app.state.access
    found = access.authenticate(credentials.credentials) if credentials else None
    if found is None:
        failures: FailedAuthentication | None = getattr(request.app.state, "failed_auth", None)
        if failures is not None:
            failures.record(request.url.path, credentials.credentials if credentials else None)
        raise HTTPException(401, "a valid bearer token is needed")
    return found


def credential_id(token: str | None) -> int | None:
    """The credential id a token names (``cc_<id>_<secret>``), if it can be read; never more."""
    if token is None:
        return None
    parts = token.split("_", 2)
    if len(parts) == 3 and parts[0] == "cc" and parts[1].isdigit() and len(parts[1]) <= 18:
        return int(parts[1])
    return None


class FailedAuthentication:
    """Failed authentications go to the audit log, at most ``per_minute`` entries a minute.

    Anyone can make a request fail, so each process writes at most ``per_minute``
    "authentication" entries a minute; the failures beyond it are counted and the
    count goes on the next entry written (``suppressed``). An entry holds the
    request path (cut to 200 characters) and the credential id when the token
    names one, never the token or any other part of it.
    """

    def __init__(
        self,
        write: Callable[[str, int | None, int], None],
        per_minute: int = 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._window = clock()
        self._written = 0
        self._suppressed = 0

    def record(self, path: str, token: str | None) -> None:
        with self._lock:
            now = self._clock()
            if now - self._window >= 60:
                self._window, self._written = now, 0
            if self._written >= self._per_minute:
                self._suppressed += 1
                return
            self._written += 1
            suppressed, self._suppressed = self._suppressed, 0
        try:
            self._write(path[:200], credential_id(token), suppressed)
        except Exception:  # a failing log must not turn a 401 into a 500
            with self._lock:
                self._suppressed += suppressed + 1


Who = Annotated[Caller, Depends(current_caller)]
