"""API credentials (tokens stored argon2-hashed, with a role) and the durable job queue."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, and_, func, or_, select

from crosscheck.exc import InvalidData, NotFound
from crosscheck.store.tables import agency, credential, job

ROLES = frozenset({"examiner", "analyst", "agency_admin", "hub_operator"})
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Caller:
    credential_id: int
    name: str
    role: str
    agency: str | None  # None for the hub operator


class AccessStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._verified: dict[str, Caller] = {}  # sha256(token) -> caller, this process only

    def add_credential(self, name: str, role: str, agency_name: str | None, now: datetime) -> str:
        """A new API token (shown once); only its argon2 hash is stored."""
        if role not in ROLES:
            raise InvalidData(f"role must be one of {sorted(ROLES)}, got {role!r}")
        if (role == "hub_operator") != (agency_name is None):
            raise InvalidData("a hub operator belongs to no agency; every other role to one")
        secret = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            agency_id = None
            if agency_name is not None:
                row = conn.execute(select(agency.c.id).where(agency.c.name == agency_name)).first()
                if row is None:
                    raise NotFound(f"no agency named {agency_name!r}")
                agency_id = int(row.id)
            key = conn.execute(
                credential.insert().values(
                    agency_id=agency_id,
                    name=name,
                    role=role,
                    created_at=now,
                    token_hash=_hasher.hash(secret),
                )
            ).inserted_primary_key
            assert key is not None
        return f"cc_{int(key[0])}_{secret}"

    def authenticate(self, token: str) -> Caller | None:
        fingerprint = hashlib.sha256(token.encode()).hexdigest()
        if fingerprint in self._verified:
            return self._verified[fingerprint]
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "cc" or not parts[1].isdigit():
            return None
        query = (
            select(credential, agency.c.name.label("agency_name"))
            .outerjoin(agency, agency.c.id == credential.c.agency_id)
            .where(credential.c.id == int(parts[1]), credential.c.revoked_at.is_(None))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        try:
            _hasher.verify(row.token_hash, parts[2])
        except (VerifyMismatchError, VerificationError):
            return None
        caller = Caller(int(row.id), row.name, row.role, row.agency_name)
        self._verified[fingerprint] = caller
        return caller

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
