"""Permissions under the handling codes, and whether a hub serves the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, or_, select

from crosscheck.store.engine import transaction
from crosscheck.store.tables import agency_key, credential, handling_permission

KINDS = ("judicial", "dissemination", "restriction-ack")


@dataclass(frozen=True)
class Permission:
    subject: str  # a contribution id or a message reference
    to_agency: str | None  # None: any agency
    kind: str
    granted_by: str
    granted_at: datetime
    note: str | None


class HandlingStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        subject: str,
        kind: str,
        to_agency: str | None,
        granted_by: str,
        now: datetime,
        note: str | None = None,
        *,
        conn: Connection | None = None,
    ) -> Permission:
        """Record a permission, in ``conn``'s transaction when given (with its audit entry)."""
        if kind not in KINDS:
            raise ValueError(f"unknown permission kind {kind!r}")
        values = {"subject": subject, "to_agency": to_agency, "kind": kind,
                  "granted_by": granted_by, "granted_at": now, "note": note}  # fmt: skip
        with transaction(self.engine, conn) as active:
            active.execute(handling_permission.insert().values(**values))
        return Permission(subject, to_agency, kind, granted_by, now, note)

    def permissions(
        self, subjects: list[str] | None = None, kind: str | None = None
    ) -> list[Permission]:
        query = select(handling_permission).order_by(handling_permission.c.id)
        if subjects is not None:
            query = query.where(handling_permission.c.subject.in_(subjects))
        if kind is not None:
            query = query.where(handling_permission.c.kind == kind)
        with self.engine.connect() as conn:
            return [
                Permission(r.subject, r.to_agency, r.kind, r.granted_by, r.granted_at, r.note)
                for r in conn.execute(query)
            ]

    def granted(self, subject: str, kind: str, to_agency: str | None) -> bool:
        """A permission of this kind for ``to_agency`` (or for any agency) is on record."""
        query = select(func.count()).where(
            handling_permission.c.subject == subject,
            handling_permission.c.kind == kind,
            or_(
                handling_permission.c.to_agency.is_(None),
                handling_permission.c.to_agency == to_agency,
            ),
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one()) > 0

    def hub_served(self) -> bool:
        """The hub also serves this store: it holds an API credential or an agency key."""
        with self.engine.connect() as conn:
            for table in (credential, agency_key):
                if conn.execute(select(table.c.id).limit(1)).first() is not None:
                    return True
        return False
