"""Agencies' keys and hits between contributions of different agencies."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select
from sqlalchemy.orm import aliased

from crosscheck.exc import Conflict, NotFound
from crosscheck.store.engine import insert_ignoring_duplicates, reading, transaction
from crosscheck.store.tables import agency, agency_key, contribution, fingerprint, hit


@dataclass(frozen=True)
class AgencyKey:
    agency: str
    country: str
    key_id: str
    public_key: str
    revoked: bool


@dataclass(frozen=True)
class Hit:
    ref: str
    signal: str
    distance: int
    contribution_id: str
    entity_id: str
    agency: str
    other_contribution_id: str
    other_entity_id: str
    other_agency: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class NewHit:
    signal: str
    distance: int
    entity_id: str
    other_contribution_id: str
    other_entity_id: str


class HubStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- agencies and keys -------------------------------------------------------------------

    def add_agency(
        self,
        name: str,
        country: str,
        key_id: str,
        public_key: str,
        now: datetime,
        *,
        conn: Connection | None = None,
    ) -> None:
        """Store the agency and its new key (in ``conn``'s transaction when given)."""
        with transaction(self.engine, conn) as conn:
            row = conn.execute(select(agency).where(agency.c.name == name)).first()
            if row is None:
                key = conn.execute(
                    agency.insert().values(name=name, country=country, created_at=now)
                ).inserted_primary_key
                assert key is not None
                agency_id = int(key[0])
            elif row.country != country:
                raise Conflict(f"agency {name!r} is held with country {row.country.upper()}")
            else:
                agency_id = int(row.id)
                active = conn.execute(
                    select(agency_key.c.key_id).where(
                        agency_key.c.agency_id == agency_id, agency_key.c.revoked_at.is_(None)
                    )
                ).first()
                if active is not None:
                    raise Conflict(
                        f"agency {name!r} already has key {active.key_id}; revoke it first"
                    )
            conn.execute(
                agency_key.insert().values(
                    agency_id=agency_id, key_id=key_id, public_key=public_key, created_at=now
                )
            )

    def revoke(self, name: str, now: datetime, *, conn: Connection | None = None) -> int:
        """Revoke the agency's active keys (in ``conn``'s transaction when given); how many."""
        if conn is None:
            with self.engine.begin() as own:
                return self.revoke(name, now, conn=own)
        agency_id = self._agency_id(conn, name)
        result = conn.execute(
            agency_key.update()
            .where(agency_key.c.agency_id == agency_id, agency_key.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)

    def _agency_id(self, conn: Connection, name: str) -> int:
        row = conn.execute(select(agency.c.id).where(agency.c.name == name)).first()
        if row is None:
            raise NotFound(f"no agency named {name!r}")
        return int(row.id)

    def agency_keys(self, name: str | None = None) -> list[AgencyKey]:
        query = (
            select(agency.c.name, agency.c.country, agency_key)
            .join(agency_key, agency_key.c.agency_id == agency.c.id)
            .order_by(agency.c.name, agency_key.c.id)
        )
        if name is not None:
            query = query.where(agency.c.name == name)
        with self.engine.connect() as conn:
            return [
                AgencyKey(r.name, r.country, r.key_id, r.public_key, r.revoked_at is not None)
                for r in conn.execute(query)
            ]

    # -- hits --------------------------------------------------------------------------------

    def exact_candidates(self, contribution_id: str) -> Iterator[NewHit]:
        """Same MD5/SHA-1/SHA-256 in a contribution of another agency."""
        mine, theirs = aliased(fingerprint), aliased(fingerprint)
        mine_c, theirs_c = aliased(contribution), aliased(contribution)
        query = (
            select(
                mine.c.kind,
                mine.c.entity_id,
                theirs.c.contribution_id,
                theirs.c.entity_id.label("other"),
            )
            .join(theirs, and_(theirs.c.kind == mine.c.kind, theirs.c.value == mine.c.value))
            .join(mine_c, mine_c.c.id == mine.c.contribution_id)
            .join(theirs_c, theirs_c.c.id == theirs.c.contribution_id)
            .where(
                mine.c.contribution_id == contribution_id,
                mine.c.kind.in_(["md5", "sha1", "sha256"]),
                theirs_c.c.agency_id != mine_c.c.agency_id,
            )
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield NewHit(row.kind, 0, row.entity_id, row.contribution_id, row.other)

    def record_hits(
        self,
        contribution_id: str,
        hits: Iterable[NewHit],
        now: datetime,
        *,
        conn: Connection | None = None,
    ) -> int:
        """Record new hits (in ``conn``'s transaction when given); how many were new."""
        rows: list[dict[str, Any]] = [
            {
                "ref": "HIT-" + secrets.token_hex(6).upper(),
                "signal": h.signal,
                "distance": h.distance,
                "contribution_id": contribution_id,
                "entity_id": h.entity_id,
                "other_contribution_id": h.other_contribution_id,
                "other_entity_id": h.other_entity_id,
                "status": "pending",
                "created_at": now,
            }
            for h in hits
        ]
        if not rows:
            return 0
        with transaction(self.engine, conn) as conn:
            count = select(func.count()).select_from(hit)
            before = int(conn.execute(count).scalar_one())
            conn.execute(insert_ignoring_duplicates(self.engine, hit), rows)
            return int(conn.execute(count).scalar_one()) - before

    def hits(
        self,
        *,
        requester: str | None = None,
        owner: str | None = None,
        ref: str | None = None,
        conn: Connection | None = None,
    ) -> list[Hit]:
        """Hits, filtered in SQL: by the requesting agency, the owning agency, or a reference."""
        mine_c, theirs_c = aliased(contribution), aliased(contribution)
        mine_a, theirs_a = aliased(agency), aliased(agency)
        query = (
            select(hit, mine_a.c.name.label("agency"), theirs_a.c.name.label("other_agency"))
            .join(mine_c, mine_c.c.id == hit.c.contribution_id)
            .join(mine_a, mine_a.c.id == mine_c.c.agency_id)
            .join(theirs_c, theirs_c.c.id == hit.c.other_contribution_id)
            .join(theirs_a, theirs_a.c.id == theirs_c.c.agency_id)
            .order_by(hit.c.id)
        )
        if requester is not None:
            query = query.where(mine_a.c.name == requester, theirs_a.c.name != requester)
        if owner is not None:
            query = query.where(theirs_a.c.name == owner, mine_a.c.name != owner)
        if ref is not None:
            query = query.where(hit.c.ref == ref)
        with reading(self.engine, conn) as conn:
            return [
                Hit(
                    r.ref,
                    r.signal,
                    r.distance,
                    r.contribution_id,
                    r.entity_id,
                    r.agency,
                    r.other_contribution_id,
                    r.other_entity_id,
                    r.other_agency,
                    r.status,
                    r.created_at,
                )
                for r in conn.execute(query)
            ]

    def decide(
        self, ref: str, status: str, now: datetime, *, conn: Connection | None = None
    ) -> Hit:
        """Release or decline a hit (in ``conn``'s transaction when given)."""
        if status not in ("released", "declined"):
            raise ValueError(status)
        with transaction(self.engine, conn) as conn:
            result = conn.execute(
                hit.update().where(hit.c.ref == ref).values(status=status, decided_at=now)
            )
            if not result.rowcount:
                raise NotFound(f"no hit {ref!r}")
            return self.hits(ref=ref, conn=conn)[0]
