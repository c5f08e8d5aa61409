"""Who is calling: the bearer token names a credential (agency, role)."""

from __future__ import annotations

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
        raise HTTPException(401, "a valid bearer token is needed")
    return found


Who = Annotated[Caller, Depends(current_caller)]
