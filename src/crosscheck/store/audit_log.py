"""The append-only audit log: every entry hash-chained to the one before.

``hash = SHA-256(prev_hash | at | actor | action | subject | detail)``; the first
entry chains to 64 zeros. Verification walks the chain in id order and finds
any changed, removed or reordered entry. An entry hashes exactly what is
stored: a subject longer than its column is cut before hashing, an actor
longer than its column is refused (so the action, in the same transaction,
is not done either).

One appender at a time keeps the chain a chain, across threads and server
processes: on PostgreSQL the appending transaction holds an advisory lock, on
SQLite the database's write lock (``BEGIN IMMEDIATE`` unless it already
wrote); see ``store/engine.py``'s ``lock_for_writing``. An action and its
entry share one transaction (``append(..., conn=...)``): neither lands alone.

**Metadata, never content.** The hub operator reads this log. Actors are
agency and user names; subjects are ids (contribution, hit, message, job) or
fixed words ("hits", "inbox", "resolution"); details hold ids, counts, codes
(handling, evaluation, error class, HTTP status), agency names, key and
credential ids, paths written to and dates. No entity value, name, e-mail,
message text or free text from a package ever goes into an entry: a refusal
records the error's class, not its message (which may quote a value). The one
free text is the reason a retention past the review date is justified, which
its author writes for this record.

Actions (``ACTIONS``):

- ``collection``: a contribution stored (ingest).
- ``access``: a read of scoped data (hits, inbox, contributions, messages,
  entities, graph, resolution links and judgements) or a declined hit.
- ``disclosure``: data passed on (a released hit, an export, a message sent).
- ``combination``: data matched (a cross-check, a resolution run).
- ``alteration``: a change to held data (a review date, a judgement).
- ``erasure``: a contribution erased.
- ``key``: agencies' keys and users' credentials issued or revoked.
- ``refusal``: a package the hub refused (who submitted it, the error class).
- ``authentication``: a request with a missing or bad token (the credential
  id when one could be read, never the secret); rate-limited by the web layer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, select

from crosscheck.exc import InvalidData
from crosscheck.store.engine import lock_for_writing
from crosscheck.store.tables import audit

GENESIS = "0" * 64
LOCK_KEY = 7411  # PostgreSQL advisory lock held by the appending transaction
MAX_ACTOR = 200  # the column widths: a longer actor is refused, a longer subject cut
MAX_SUBJECT = 1024
ACTIONS = frozenset(
    {
        "collection",
        "access",
        "disclosure",
        "combination",
        "alteration",
        "erasure",
        "key",
        "refusal",
        "authentication",
    }
)


def entry_hash(prev: str, at: datetime, actor: str, action: str, subject: str, detail: str) -> str:
    stamp = at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    body = "\x1f".join([prev, stamp, actor, action, subject, detail])
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One entry as the operator reads it (no hashes): ``detail`` decoded."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


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
        if not actor or len(actor) > MAX_ACTOR:
            raise InvalidData(f"a name on the audit log has 1 to {MAX_ACTOR} characters")
        subject = subject[:MAX_SUBJECT]  # cut before hashing: the entry hashes what it stores
        if conn is None:
            with self.engine.begin() as own:
                return self.append(actor, action, subject, detail, conn=own)
        lock_for_writing(conn, LOCK_KEY)  # one appender at a time keeps the chain a chain
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
                subject=subject,
                detail=body,
                prev_hash=prev,
                hash=digest,
            )
        )
        return digest

    def read(
        self,
        *,
        since: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        after: int | None = None,
        limit: int | None = None,
        subjects: Collection[str] | None = None,
    ) -> list[AuditEntry]:
        """Entries in id order, filtered in SQL: from ``since``, by exact actor or action,
        with ids above ``after`` (paging), at most ``limit``, about one of ``subjects``."""
        if action is not None and action not in ACTIONS:
            raise InvalidData(f"an audit action is one of {', '.join(sorted(ACTIONS))}")
        query = select(
            audit.c.id, audit.c.at, audit.c.actor, audit.c.action, audit.c.subject, audit.c.detail
        ).order_by(audit.c.id)
        if since is not None:
            query = query.where(audit.c.at >= since)
        if actor is not None:
            query = query.where(audit.c.actor == actor)
        if action is not None:
            query = query.where(audit.c.action == action)
        if after is not None:
            query = query.where(audit.c.id > after)
        if subjects is not None:
            query = query.where(audit.c.subject.in_(sorted(set(subjects))))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [
                AuditEntry(r.id, r.at, r.actor, r.action, r.subject, orjson.loads(r.detail))
                for r in conn.execute(query)
            ]

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
