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
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, Row, Select, and_, func, or_, select, text

from crosscheck.exc import Conflict, InvalidData, NotFound
from crosscheck.store.engine import lock_for_writing
from crosscheck.store.job_bell import JOB_CHANNEL
from crosscheck.store.tables import agency, agency_key, credential, job

ROLES = frozenset({"examiner", "analyst", "agency_admin", "hub_operator"})
TOKEN_KEY_BYTES = 32
MAX_NAME = 200  # the column's width
LOCK_KEY = 7412  # issuing and revoking credentials: one writer at a time (store/engine.py)
MIN_PASSWORD, MAX_PASSWORD = 12, 1024  # characters; a passphrase is welcome
# jobs: a job that fails is tried again after a doubling back-off, at most this many times;
# one left running longer than STALE_AFTER (its worker died) is taken again
MAX_JOB_ATTEMPTS = 5
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
STALE_AFTER = timedelta(minutes=10)
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

    # -- passwords (the workbench's log-in) ------------------------------------------------

    def set_password(
        self, credential_id: int, password: str, *, conn: Connection | None = None
    ) -> None:
        """Store the argon2id hash of a new password; clears failed log-ins and any lock."""
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidData(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        if conn is None:
            with self.engine.begin() as own:
                self.set_password(credential_id, password, conn=own)
            return
        done = conn.execute(
            credential.update()
            .where(credential.c.id == credential_id, credential.c.revoked_at.is_(None))
            .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
        )
        if not done.rowcount:
            raise NotFound(f"no active credential {credential_id}")

    def log_in(
        self,
        who: str,
        password: str,
        now: datetime,
        *,
        attempts: int,
        lock_for: timedelta,
        conn: Connection,
    ) -> LogIn:
        """Check a password for the user ``who`` names: a user name, never a credential id
        (ids count up from 1: an outsider could try them all), nor a name several active
        users with a password share (it names nobody here).

        ``attempts`` failures in a row lock the credential for ``lock_for``; while
        it is locked even the right password is refused. An unknown user costs the
        same argon2 work as a known one.
        """
        named = credential.c.name == who
        rows = conn.execute(
            select(
                credential.c.id,
                credential.c.name,
                credential.c.role,
                credential.c.password_hash,
                credential.c.failed_logins,
                credential.c.locked_until,
                agency.c.name.label("agency_name"),
            )
            .outerjoin(agency, agency.c.id == credential.c.agency_id)
            .where(
                named, credential.c.revoked_at.is_(None), credential.c.password_hash.is_not(None)
            )
            .order_by(credential.c.id)
        ).all()
        if len(rows) != 1:
            _verify(_DUMMY_HASH, password)
            return LogIn(None, None, "unknown")
        row = rows[0]
        caller = Caller(int(row.id), row.name, row.role, row.agency_name)
        if row.locked_until is not None and row.locked_until > now:
            _verify(_DUMMY_HASH, password)
            return LogIn(caller, None, "locked")
        if _verify(str(row.password_hash), password):
            conn.execute(
                credential.update()
                .where(credential.c.id == row.id)
                .values(failed_logins=0, locked_until=None)
            )
            return LogIn(caller, caller, "ok")
        failures = int(row.failed_logins) + 1
        if failures >= attempts:
            conn.execute(
                credential.update()
                .where(credential.c.id == row.id)
                .values(failed_logins=0, locked_until=now + lock_for)
            )
            return LogIn(caller, None, "lock")
        conn.execute(
            credential.update().where(credential.c.id == row.id).values(failed_logins=failures)
        )
        return LogIn(caller, None, "failure")

    # -- jobs ------------------------------------------------------------------------------

    def enqueue(
        self, kind: str, subject: str, now: datetime, *, conn: Connection | None = None
    ) -> None:
        """Queue a job (in ``conn``'s transaction when given).

        On PostgreSQL the transaction also sends ``NOTIFY crosscheck_jobs``, delivered
        when it commits: a worker listening (``store/job_bell.py``) wakes at once.
        """
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
        if conn.dialect.name == "postgresql":  # the payload is the kind only, never the subject
            notify = text("SELECT pg_notify(:channel, :kind)")
            conn.execute(notify, {"channel": JOB_CHANNEL, "kind": kind})

    def claim(
        self, now: datetime, stale_after: timedelta = STALE_AFTER
    ) -> tuple[int, str, str] | None:
        """Take the oldest job due, or one left running by a worker that died.

        Any number of workers may call this at once: the row is taken by a
        compare-and-set on its status and attempt count, so exactly one of them
        gets it (on PostgreSQL, rows another worker has locked are also skipped).
        A stale job out of tries is marked failed instead of being taken again.
        """
        due = and_(
            job.c.status == "queued", or_(job.c.not_before.is_(None), job.c.not_before <= now)
        )
        stale = and_(job.c.status == "running", job.c.updated_at < now - stale_after)
        query = select(job).where(or_(due, stale)).order_by(job.c.id).limit(1)
        if self.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        while True:
            with self.engine.begin() as conn:
                row = conn.execute(query).first()
                if row is None:
                    return None
                out_of_tries = row.status == "running" and row.attempts >= MAX_JOB_ATTEMPTS
                values: dict[str, Any] = (
                    {"status": "failed", "updated_at": now, "error": "stale: its worker stopped"}
                    if out_of_tries
                    else {"status": "running", "attempts": row.attempts + 1, "updated_at": now}
                )
                taken = conn.execute(
                    job.update()
                    .where(
                        job.c.id == row.id,
                        job.c.status == row.status,
                        job.c.attempts == row.attempts,
                    )
                    .values(**values)
                ).rowcount
            if taken == 1 and not out_of_tries:
                return int(row.id), str(row.kind), str(row.subject)
            # another worker took it first, or it was out of tries: look again

    def finish(self, job_id: int, now: datetime, error: str | None = None) -> str:
        """Record how a job ended: done; or, on an error, queued again after a back-off
        until its last try, then failed. Returns the job's new status."""
        with self.engine.begin() as conn:
            attempts = conn.execute(select(job.c.attempts).where(job.c.id == job_id)).scalar_one()
            if error is None:
                values: dict[str, Any] = {"status": "done", "error": None, "not_before": None}
            elif attempts >= MAX_JOB_ATTEMPTS:
                values = {"status": "failed", "error": error}
            else:
                values = {"status": "queued", "error": error, "not_before": now + backoff(attempts)}
            conn.execute(job.update().where(job.c.id == job_id).values(updated_at=now, **values))
            return str(values["status"])

    def pending(self) -> int:
        query = select(func.count()).select_from(job).where(job.c.status.in_(["queued", "running"]))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def backoff(attempts: int) -> timedelta:
    """How long a job that failed its ``attempts``-th try waits: 30 s, 1 min, 2 min… 1 h."""
    wait: timedelta = BACKOFF_FIRST * 2 ** min(max(0, attempts - 1), 16)
    return min(wait, BACKOFF_MAX)


@dataclass(frozen=True)
class LogIn:
    """A log-in attempt: the credential named (if one), the caller logged in, what happened.

    ``outcome``: ok, failure, lock (this failure locked it), locked (it was locked), unknown.
    """

    named: Caller | None
    caller: Caller | None
    outcome: str


def _verify(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))  # spends the same work on an unknown user


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
