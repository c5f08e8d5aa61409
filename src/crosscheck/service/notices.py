"""Hit notices for a person at the workbench: each side's list, one notice, its decisions.

A notice groups the hits of one requesting item on one owning agency's data
(``service/hub.py``: ``notices_for``, ``notice_inbox_for``). The owner's side
("inbox") lists its own matched items; the requester's side ("mine") is
hit/no-hit until release, then the released items as ``service/handling.py``
allows. Roles come from ``service/access.ROLES``. A notice the caller's agency
is not party to on that side is "not held", in the same words as one that
does not exist. The audit entries of the decisions are shown to the owner
only, and only its own agency's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crosscheck.exc import Conflict, Forbidden, NotFound
from crosscheck.service import hub
from crosscheck.service.access import Acting, may
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.audit_log import AuditLog

INBOX, MINE = "inbox", "mine"  # the owner's side, the requester's side
ACTION = {INBOX: "inbox", MINE: "hits"}  # the role each side needs (``ROLES``)


def _actor(caller: Caller) -> str:
    return Acting(caller.agency, caller.name).actor


def _agency(caller: Caller, action: str) -> str:
    agency = may(caller, action)
    if agency is None:
        raise Forbidden(f"{caller.name} ({caller.role}) may not do this ({action})")
    return agency


def sides(caller: Caller) -> list[str]:
    """The sides the caller's role may see: the inbox first."""
    return [side for side in (INBOX, MINE) if may(caller, ACTION[side]) is not None]


def listed(store: CaseStore, caller: Caller, side: str) -> list[hub.NoticeView]:
    """The caller's agency's notices on one side (each read audited by ``service/hub``)."""
    agency = _agency(caller, ACTION[side])
    if side == INBOX:
        return hub.notice_inbox_for(store, agency, _actor(caller))
    return hub.notices_for(store, agency, _actor(caller))


def waiting(notice: hub.NoticeView) -> bool:
    """Whether an item of the notice still waits for the owner's decision."""
    return any(item.status == "pending" for item in notice.items)


def one(store: CaseStore, caller: Caller, side: str, ref: str) -> hub.NoticeView:
    """One notice of the caller's agency on that side; any other is "not held"."""
    found = next((n for n in listed(store, caller, side) if n.ref == ref), None)
    if found is None:
        raise NotFound(f"no notice {ref!r} held for you")
    return found


def decide(
    store: CaseStore, caller: Caller, ref: str, release: bool, item: str | None = None
) -> hub.NoticeView:
    """The owner's agency_admin releases or declines a whole notice, or one of its items.

    ``item``: any hit reference of the item. An item already decided keeps its
    decision (``Conflict``); a whole notice decides only its pending items.
    """
    agency = _agency(caller, "decide")
    notice = one(store, caller, INBOX, ref)
    if item is None:
        return hub.decide_notice(store, ref, agency, release, _actor(caller))
    chosen = next((i for i in notice.items if item in i.refs), None)
    if chosen is None:
        raise NotFound(f"no item {item!r} in notice {ref!r}")
    if chosen.status != "pending":
        raise Conflict(f"the item of {item!r} is already {chosen.status}")
    hub.decide(store, chosen.ref, agency, release, _actor(caller))
    return one(store, caller, INBOX, ref)


@dataclass(frozen=True)
class Decision:
    """One decision on a notice's item, as the audit log holds it."""

    at: datetime
    actor: str
    hit: str
    entity: str
    caption: str | None
    decision: str  # released or declined


def _of_agency(actor: str, agency: str) -> bool:
    """An actor of ``agency``: the agency itself or ``user@AGENCY``."""
    return actor == agency or actor.endswith(f"@{agency}")


def decisions(store: CaseStore, caller: Caller, notice: hub.NoticeView) -> list[Decision]:
    """The audit entries of the decisions on the owner's notice, oldest first.

    Read from the audit log by the notice's hit references; only entries that
    record a decision by the owner's own agency: never another agency's (the
    requester's acknowledgement of an H3 restriction has the same subject).
    """
    agency = _agency(caller, "inbox")
    if notice.side != "owner":
        raise Forbidden("decisions are shown to the data owner")
    refs = [ref for item in notice.items for ref in item.refs]
    captions = {item.entity: item.caption for item in notice.items}
    return [
        Decision(e.at, e.actor, e.subject, str(e.detail["entity"]),
                 captions.get(str(e.detail["entity"])), str(e.detail["decision"]))
        for e in AuditLog(store.engine).read(subjects=refs)
        if e.action in ("disclosure", "access")
        and "decision" in e.detail
        and _of_agency(e.actor, agency)
    ]  # fmt: skip
