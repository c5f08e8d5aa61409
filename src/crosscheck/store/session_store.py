"""Workbench sessions, held by the server: the browser's cookie holds a random token only.

The row's id is the SHA-256 of that token, so the table never holds a usable
cookie. Each request reads the row joined to its credential: a revoked user's
sessions stop at once, like its API token; an idle session (past
``expires_at``) is refused and removed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select

from crosscheck.store.access_store import Caller
from crosscheck.store.tables import agency, credential, web_session


def session_id(token: str) -> str:
    """The row id of a session token: SHA-256, hex (a 256-bit random token needs no stretching)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Session:
    id: str
    caller: Caller
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class SessionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, credential_id: int, now: datetime, idle: timedelta, conn: Connection) -> str:
        """A new session for the credential (in ``conn``'s transaction); the cookie's token."""
        token = secrets.token_urlsafe(32)
        conn.execute(
            web_session.insert().values(
                id=session_id(token),
                credential_id=credential_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen=now,
                expires_at=now + idle,
            )
        )
        return token

    def find(self, token: str, now: datetime, idle: timedelta) -> Session | None:
        """The live session a cookie token names, its idle time renewed; None when there is none.

        None too when the credential is revoked, or the session was idle too long
        (the row goes then).
        """
        if not token or len(token) > 200:
            return None
        key = session_id(token)
        query = (
            select(
                web_session.c.id,
                web_session.c.csrf_token,
                web_session.c.created_at,
                web_session.c.expires_at,
                credential.c.id.label("credential_id"),
                credential.c.name,
                credential.c.role,
                credential.c.revoked_at,
                agency.c.name.label("agency_name"),
            )
            .join(credential, credential.c.id == web_session.c.credential_id)
            .outerjoin(agency, agency.c.id == credential.c.agency_id)
            .where(web_session.c.id == key)
        )
        with self.engine.begin() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            if row.revoked_at is not None or row.expires_at <= now:
                conn.execute(delete(web_session).where(web_session.c.id == key))
                return None
            expires = now + idle
            conn.execute(
                web_session.update()
                .where(web_session.c.id == key)
                .values(last_seen=now, expires_at=expires)
            )
        caller = Caller(int(row.credential_id), row.name, row.role, row.agency_name)
        return Session(key, caller, str(row.csrf_token), row.created_at, expires)

    def close(self, key: str, conn: Connection) -> bool:
        """End a session (by its row id), in ``conn``'s transaction; whether there was one."""
        return bool(conn.execute(delete(web_session).where(web_session.c.id == key)).rowcount)

    def close_all(self, credential_id: int, conn: Connection) -> int:
        """End every session of a credential (a new password, a revocation); how many."""
        result = conn.execute(
            delete(web_session).where(web_session.c.credential_id == credential_id)
        )
        return int(result.rowcount or 0)
