"""The append-only audit log: every entry hash-chained to the one before.

``hash = SHA-256(prev_hash | at | actor | action | subject | detail)``; the first
entry chains to 64 zeros. Verification walks the chain in id order and finds
any changed, removed or reordered entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select, text

from crosscheck.store.engine import is_postgres
from crosscheck.store.tables import audit

GENESIS = "0" * 64
ACTIONS = frozenset(
    {"collection", "access", "disclosure", "combination", "alteration", "erasure", "key"}
)


def entry_hash(prev: str, at: datetime, actor: str, action: str, subject: str, detail: str) -> str:
    stamp = at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    body = "\x1f".join([prev, stamp, actor, action, subject, detail])
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Verdict:
    entries: int
    ok: bool
    problem: str | None = None


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        *,
        conn: Connection | None = None,
    ) -> str:
        """Write one entry (in ``conn``'s transaction when given); returns its hash."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        if conn is None:
            with self.engine.begin() as own:
                return self.append(actor, action, subject, detail, conn=own)
        if is_postgres(self.engine):  # one writer at a time keeps the chain a chain
            conn.execute(text("SELECT pg_advisory_xact_lock(7411)"))
        last = conn.execute(select(audit.c.hash).order_by(audit.c.id.desc()).limit(1)).scalar()
        prev = last or GENESIS
        at = datetime.now(UTC)
        body = orjson.dumps(dict(detail or {}), option=orjson.OPT_SORT_KEYS).decode()
        digest = entry_hash(prev, at, actor, action, subject, body)
        conn.execute(
            audit.insert().values(
                at=at,
                actor=actor,
                action=action,
                subject=subject[:1024],
                detail=body,
                prev_hash=prev,
                hash=digest,
            )
        )
        return digest

    def entries(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(select(audit).order_by(audit.c.id))]

    def verify(self) -> Verdict:
        prev = GENESIS
        expected_id = None
        count = 0
        with self.engine.connect() as conn:
            for row in conn.execute(select(audit).order_by(audit.c.id)):
                count += 1
                if expected_id is not None and row.id != expected_id:
                    return Verdict(
                        count, False, f"entry {expected_id} is missing (next is {row.id})"
                    )
                if row.prev_hash != prev:
                    return Verdict(
                        count, False, f"entry {row.id} does not follow the entry before it"
                    )
                digest = entry_hash(
                    row.prev_hash, row.at, row.actor, row.action, row.subject, row.detail
                )
                if digest != row.hash:
                    return Verdict(count, False, f"entry {row.id} was changed")
                prev, expected_id = row.hash, row.id + 1
        return Verdict(count, True)
