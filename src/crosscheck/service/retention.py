"""Retention: every contribution has a review date; past it, data are erased unless justified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from crosscheck.exc import InvalidData
from crosscheck.model import Contribution
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog


def due(store: CaseStore, as_of: date | None = None) -> list[Contribution]:
    return store.due_for_review(as_of or datetime.now(UTC).date())


def justify(store: CaseStore, contribution_id: str, until: date, reason: str, actor: str) -> None:
    """Keep a contribution past its review date, with the reason on the record."""
    if not reason.strip():
        raise InvalidData("retention past the review date needs a reason")
    if until <= datetime.now(UTC).date():
        raise InvalidData(f"the new review date {until} is not in the future")
    with store.engine.begin() as conn:  # the new date and its audit entry, or neither
        store.set_review_date(contribution_id, until, conn=conn)
        AuditLog(store.engine).append(
            actor,
            "alteration",
            contribution_id,
            {"review_date": until.isoformat(), "reason": reason},
            conn=conn,
        )


@dataclass(frozen=True)
class Erased:
    contribution_id: str
    removed: dict[str, int]


def erase_due(store: CaseStore, actor: str, as_of: date | None = None) -> list[Erased]:
    """Erase every contribution whose review date has passed, and audit each erasure."""
    out = []
    for item in due(store, as_of):
        with store.engine.begin() as conn:  # each erasure with its audit entry, or neither
            removed = store.erase(item.id, conn=conn)
            AuditLog(store.engine).append(
                actor,
                "erasure",
                item.id,
                {"agency": item.provider.name, "review_date": str(item.review_date), **removed},
                conn=conn,
            )
        out.append(Erased(item.id, removed))
    return out
