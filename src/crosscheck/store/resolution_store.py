"""Entity resolution in the store: resolved records, scored links, judgements.

Implements the ``JudgementStore`` port of ``crosscheck.resolve``. Records and
links are kept per scope: ``""`` for everything held, an agency's name for
what that agency may see, so one agency's resolution never carries another's
evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, delete, or_, select

from crosscheck.resolve.cluster import Link
from crosscheck.resolve.judgements import Judgement, Verdict
from crosscheck.store.engine import transaction
from crosscheck.store.tables import resolution_judgement, resolution_link, resolution_record


@dataclass(frozen=True)
class ResolvedRecord:
    record_id: str
    digest: str
    cluster_id: str


class ResolutionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # judgements (the JudgementStore port)
    def add_judgements(
        self, judgements: Iterable[Judgement], scope: str = "", *, conn: Connection | None = None
    ) -> None:
        """Store judgements (in ``conn``'s transaction when given)."""
        rows = [
            {
                "scope": scope,
                "left_id": j.left,
                "right_id": j.right,
                "verdict": j.verdict,
                "judged_by": j.by,
                "judged_at": datetime.fromisoformat(j.at),
                "note": j.note or None,
                "cluster_id": j.cluster or None,
            }
            for j in judgements
        ]
        if rows:
            with transaction(self.engine, conn) as conn:
                conn.execute(resolution_judgement.insert(), rows)

    def judgements(self, scope: str | None = None) -> list[Judgement]:
        """Judgements made in ``scope`` (an agency's); ``None`` or ``""``: all of them.

        A hub-wide run respects every judgement; an agency's run only its own.
        """
        t = resolution_judgement
        query = select(t).order_by(t.c.id)
        if scope:
            query = query.where(t.c.scope == scope)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Judgement(
                r.left_id,
                r.right_id,
                _verdict(r.verdict),
                r.judged_by,
                r.judged_at.isoformat(timespec="seconds"),
                r.note or "",
                r.cluster_id or "",
            )
            for r in rows
        ]

    # resolved records and links of one scope
    def records(self, scope: str) -> dict[str, ResolvedRecord]:
        t = resolution_record
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.record_id, t.c.digest, t.c.cluster_id).where(t.c.scope == scope)
            ).all()
        return {r.record_id: ResolvedRecord(r.record_id, r.digest, r.cluster_id) for r in rows}

    def links(self, scope: str, record_ids: Iterable[str] | None = None) -> list[Link]:
        t = resolution_link
        query = select(t.c.left_id, t.c.right_id, t.c.probability, t.c.explanation).where(
            t.c.scope == scope
        )
        if record_ids is not None:
            ids = list(record_ids)
            query = query.where(or_(t.c.left_id.in_(ids), t.c.right_id.in_(ids)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Link(r.left_id, r.right_id, float(r.probability), orjson.loads(r.explanation))
            for r in rows
        ]

    def save(
        self,
        scope: str,
        digests: Mapping[str, str],
        clusters: Mapping[str, str],
        new_links: Iterable[Link],
        changed: Iterable[str],
        *,
        conn: Connection | None = None,
    ) -> None:
        """One transaction (``conn``'s when given): drop what changed or is gone, add the new
        links, set the clusters."""
        now = datetime.now(UTC)
        rec, lnk = resolution_record, resolution_link
        stale = set(changed)
        with transaction(self.engine, conn) as conn:
            held = {
                r.record_id
                for r in conn.execute(select(rec.c.record_id).where(rec.c.scope == scope))
            }
            stale |= held - set(digests)
            for chunk in _chunks(sorted(stale)):
                conn.execute(
                    delete(lnk).where(
                        and_(
                            lnk.c.scope == scope,
                            or_(lnk.c.left_id.in_(chunk), lnk.c.right_id.in_(chunk)),
                        )
                    )
                )
                conn.execute(
                    delete(rec).where(and_(rec.c.scope == scope, rec.c.record_id.in_(chunk)))
                )
            rows: list[dict[str, Any]] = [
                {
                    "scope": scope,
                    "left_id": link.left,
                    "right_id": link.right,
                    "probability": link.probability,
                    "explanation": orjson.dumps(link.explanation).decode(),
                }
                for link in new_links
            ]
            unique: dict[tuple[str, str], dict[str, Any]] = {}
            for row in rows:  # one pair reached by two rules: keep the stronger link
                key = (str(row["left_id"]), str(row["right_id"]))
                if key not in unique or unique[key]["probability"] < row["probability"]:
                    unique[key] = row
            rows = list(unique.values())
            if rows:
                keys = set(unique)
                for chunk in _chunks(sorted({k for pair in keys for k in pair})):
                    existing = conn.execute(
                        select(lnk.c.left_id, lnk.c.right_id).where(
                            and_(lnk.c.scope == scope, lnk.c.left_id.in_(chunk))
                        )
                    ).all()
                    keys -= {(e.left_id, e.right_id) for e in existing}
                rows = [r for r in rows if (r["left_id"], r["right_id"]) in keys]
                if rows:
                    conn.execute(lnk.insert(), rows)
            present = held - stale
            updates = [
                {
                    "scope": scope,
                    "record_id": rid,
                    "digest": digests[rid],
                    "cluster_id": cid,
                    "updated_at": now,
                }
                for rid, cid in clusters.items()
            ]
            for chunk in _chunks(sorted(present)):
                conn.execute(
                    delete(rec).where(and_(rec.c.scope == scope, rec.c.record_id.in_(chunk)))
                )
            if updates:
                conn.execute(rec.insert(), updates)


def _verdict(value: str) -> Verdict:
    if value == "confirm":
        return "confirm"
    if value == "reject":
        return "reject"
    return "unsure"


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
