"""API credentials (tokens checked by a keyed hash, with a role) and the durable job queue.

A token is ``cc_<id>_<secret>``, the secret 256 random bits. The store keeps
only ``token_mac`` = HMAC-SHA-256(token key, secret), the key being the hub's
token key (``CROSSCHECK_TOKEN_KEY`` or a key file; never in the database), and
finds a credential by that MAC through its unique index. Every call reads the
row, so a revocation written by any process is seen by every other at once;
nothing is cached. argon2 is for passwords (slow on purpose), not for tokens:
a 256-bit random secret needs no key stretching.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, Row, Select, and_, func, or_, select

from crosscheck.exc import Conflict, InvalidData, NotFound
from crosscheck.store.engine import lock_for_writing
from crosscheck.store.tables import agency, agency_key, credential, job

ROLES = frozenset({"examiner", "analyst", "agency_admin", "hub_operator"})
TOKEN_KEY_BYTES = 32
MAX_NAME = 200  # the column's width
LOCK_KEY = 7412  # issuing and revoking credentials: one writer at a time (store/engine.py)
_MAX_ID_DIGITS = 18  # a credential id fits a 64-bit integer; a longer one names nothing
_hasher = PasswordHasher()  # for passwords (argon2id); tokens never go through it


def token_mac(key: bytes, secret: str) -> str:
    """HMAC-SHA-256 of a token's secret under the hub's token key, hex."""
    return hmac.new(key, secret.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Caller:
    credential_id: int
    name: str
    role: str
    agency: str | None  # None for the hub operator


@dataclass(frozen=True)
class Credential:
    """A credential as listed: never its token nor its MAC."""

    id: int
    name: str
    role: str
    agency: str | None
    created_at: datetime
    revoked_at: datetime | None
    usable: bool  # False for one issued before token MACs (revision 0009): re-issue it


class AccessStore:
    def __init__(self, engine: Engine, token_key: bytes | None = None) -> None:
        """``token_key``: the hub's token key; needed to issue and to check tokens."""
        if token_key is not None and len(token_key) != TOKEN_KEY_BYTES:
            raise InvalidData(f"the token key must be {TOKEN_KEY_BYTES} bytes")
        self.engine = engine
        self._token_key = token_key

    def _mac(self, secret: str) -> str:
        if self._token_key is None:
            raise RuntimeError("this AccessStore was made without the hub's token key")
        return token_mac(self._token_key, secret)

    def add_credential(
        self,
        name: str,
        role: str,
        agency_name: str | None,
        now: datetime,
        *,
        conn: Connection | None = None,
    ) -> str:
        """A new API token (shown once; in ``conn``'s transaction when given); its MAC is stored.

        An agency whose keys are all revoked gets no new credential until it has a new key.
        """
        if role not in ROLES:
            raise InvalidData(f"role must be one of {sorted(ROLES)}, got {role!r}")
        if (role == "hub_operator") != (agency_name is None):
            raise InvalidData("a hub operator belongs to no agency; every other role to one")
        if not name.strip() or len(name) > MAX_NAME:
            raise InvalidData(f"a user name has 1 to {MAX_NAME} characters")
        secret = secrets.token_urlsafe(32)
        mac = self._mac(secret)
        if conn is None:
            with self.engine.begin() as own:
                return self._insert(own, name, role, agency_name, now, mac, secret)
        return self._insert(conn, name, role, agency_name, now, mac, secret)

    def _insert(
        self,
        conn: Connection,
        name: str,
        role: str,
        agency_name: str | None,
        now: datetime,
        mac: str,
        secret: str,
    ) -> str:
        lock_for_writing(conn, LOCK_KEY)  # no credential slips in beside an agency's revocation
        agency_id = None
        if agency_name is not None:
            agency_id = _agency_id(conn, agency_name)
            keys = conn.execute(
                select(
                    func.count(),
                    func.count(agency_key.c.id).filter(agency_key.c.revoked_at.is_(None)),
                ).where(agency_key.c.agency_id == agency_id)
            ).one()
            if keys[0] > 0 and keys[1] == 0:
                raise Conflict(
                    f"agency {agency_name!r} is revoked; give it a new key (agency add) first"
                )
        key = conn.execute(
            credential.insert().values(
                agency_id=agency_id, name=name, role=role, created_at=now, token_mac=mac
            )
        ).inserted_primary_key
        assert key is not None
        return f"cc_{int(key[0])}_{secret}"

    def authenticate(self, token: str) -> Caller | None:
        """The caller a token names, or None; one indexed query, whatever the token.

        The credential is found by the MAC of the secret (the id in the token is
        checked after, so a missing id costs the same as a wrong secret), and
        only while it is not revoked.
        """
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "cc" or not _is_id(parts[1]):
            return None
        mac = self._mac(parts[2])
        query = (
            select(
                credential.c.id,
                credential.c.name,
                credential.c.role,
                credential.c.token_mac,
                agency.c.name.label("agency_name"),
            )
            .outerjoin(agency, agency.c.id == credential.c.agency_id)
            .where(credential.c.token_mac == mac, credential.c.revoked_at.is_(None))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or not hmac.compare_digest(str(row.token_mac), mac):
            return None
        if int(row.id) != int(parts[1]):
            return None
        return Caller(int(row.id), row.name, row.role, row.agency_name)

    def credentials(self, agency_name: str | None = None) -> list[Credential]:
        """Every credential (of one agency when named), oldest first."""
        query = _credential_query().order_by(credential.c.id)
        with self.engine.connect() as conn:
            if agency_name is not None:
                query = query.where(credential.c.agency_id == _agency_id(conn, agency_name))
            return [_credential(row) for row in conn.execute(query)]

    def revoke_credential(
        self,
        who: str,
        agency_name: str | None,
        now: datetime,
        *,
        conn: Connection | None = None,
    ) -> Credential:
        """Revoke the one active credential named ``who`` (a user name or a credential id).

        ``agency_name`` narrows the search to one agency. No match, or more than
        one, is an error that changes nothing.
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.revoke_credential(who, agency_name, now, conn=own)
        lock_for_writing(conn, LOCK_KEY)
        named = credential.c.name == who
        if _is_id(who):
            named = or_(named, credential.c.id == int(who))
        query = _credential_query().where(named).order_by(credential.c.id)
        if agency_name is not None:
            query = query.where(credential.c.agency_id == _agency_id(conn, agency_name))
        found = [_credential(row) for row in conn.execute(query)]
        active = [c for c in found if c.revoked_at is None]
        where = f" of agency {agency_name!r}" if agency_name is not None else ""
        if not active:
            if found:
                raise Conflict(f"user {who!r}{where} is already revoked")
            raise NotFound(f"no user {who!r}{where}")
        if len(active) > 1:
            listed = ", ".join(f"{c.id} ({c.name}, {c.agency or 'hub'})" for c in active)
            raise InvalidData(
                f"{who!r} names {len(active)} active credentials: {listed}; give the credential id"
            )
        conn.execute(
            credential.update()
            .where(credential.c.id == active[0].id, credential.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return replace(active[0], revoked_at=now)

    def revoke_agency_credentials(self, agency_name: str, now: datetime, conn: Connection) -> int:
        """Revoke every active credential of the agency, in ``conn``'s transaction; how many."""
        lock_for_writing(conn, LOCK_KEY)
        agency_id = _agency_id(conn, agency_name)
        result = conn.execute(
            credential.update()
            .where(credential.c.agency_id == agency_id, credential.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)

    # -- jobs ------------------------------------------------------------------------------

    def enqueue(
        self, kind: str, subject: str, now: datetime, *, conn: Connection | None = None
    ) -> None:
        """Queue a job (in ``conn``'s transaction when given)."""
        if conn is None:
            with self.engine.begin() as own:
                self.enqueue(kind, subject, now, conn=own)
            return
        conn.execute(
            job.insert().values(
                kind=kind,
                subject=subject,
                status="queued",
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )

    def claim(
        self, now: datetime, stale_after: timedelta = timedelta(minutes=10)
    ) -> tuple[int, str, str] | None:
        """Take the oldest queued job, or one left running by a worker that died."""
        with self.engine.begin() as conn:
            stale = and_(job.c.status == "running", job.c.updated_at < now - stale_after)
            query = select(job).where(or_(job.c.status == "queued", stale)).order_by(job.c.id)
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = conn.execute(query.limit(1)).first()
            if row is None:
                return None
            conn.execute(
                job.update()
                .where(job.c.id == row.id)
                .values(status="running", attempts=row.attempts + 1, updated_at=now)
            )
            return int(row.id), str(row.kind), str(row.subject)

    def finish(self, job_id: int, now: datetime, error: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                job.update()
                .where(job.c.id == job_id)
                .values(status="failed" if error else "done", error=error, updated_at=now)
            )

    def pending(self) -> int:
        query = select(func.count()).select_from(job).where(job.c.status.in_(["queued", "running"]))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= _MAX_ID_DIGITS


def _agency_id(conn: Connection, name: str) -> int:
    row = conn.execute(select(agency.c.id).where(agency.c.name == name)).first()
    if row is None:
        raise NotFound(f"no agency named {name!r}")
    return int(row.id)


def _credential_query() -> Select[Any]:
    return select(
        credential.c.id,
        credential.c.name,
        credential.c.role,
        credential.c.created_at,
        credential.c.revoked_at,
        credential.c.token_mac.is_not(None).label("usable"),
        agency.c.name.label("agency_name"),
    ).outerjoin(agency, agency.c.id == credential.c.agency_id)


def _credential(row: Row[Any]) -> Credential:
    return Credential(
        int(row.id),
        row.name,
        row.role,
        row.agency_name,
        row.created_at,
        row.revoked_at,
        bool(row.usable),
    )
