"""The handling codes, enforced: every path that discloses data asks this module.

- H0 — use only to prevent and combat crime: carried with the data and
  shown (every export and view carries the code).
- H1 — not to be disclosed in judicial proceedings without the provider's
  permission: every export marks H1 items with that text; an export for
  judicial use (``--purpose judicial``) leaves out another provider's H1 items
  unless the provider recorded a ``judicial`` permission.
- H2 — not to be disseminated without the provider's permission: another
  agency sees an H2 item only once the provider released the hit on it; a
  message marked H2 is not passed on (a reply in its thread) to an agency
  outside it without the sender's ``dissemination`` permission.
- H3 — the provider's restriction text travels with the item (hit views,
  exports, graph, messages); a released H3 item is shown to the requester only
  after it acknowledged the restriction (``restriction-ack``).

Permissions are recorded by the provider (on a hub store: its agency_admin,
with its token) and audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.graph.types import Graph
from crosscheck.model import Contribution, Handling, HandlingCode
from crosscheck.model.records import HANDLING_MEANINGS
from crosscheck.service.access import Acting
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.handling_store import HandlingStore, Permission
from crosscheck.store.hub_store import Hit, HubStore
from crosscheck.store.message_store import MessageStore

PERMIT_KINDS = ("judicial", "dissemination")
PURPOSES = ("analysis", "judicial")


def marking(handling: Handling) -> str:
    """The handling code with what it means, e.g. ``H1: not to be disclosed in judicial …``."""
    if handling.code is HandlingCode.H3:
        return f"H3: restricted by the provider: {handling.note}"
    return f"{handling.code.value}: {HANDLING_MEANINGS[handling.code]}"


def markings(contributions: Iterable[Contribution]) -> dict[str, str]:
    return {c.id: marking(c.handling) for c in contributions}


def mark_graph(graph: Graph, marks: dict[str, str]) -> None:
    """Every node and edge gets a ``marking``: the meaning of each handling code it comes from."""
    datas = [d for _, d in graph.nodes(data=True)] + [d for *_, d in graph.edges(data=True)]
    for data in datas:
        cids = [c for c in str(data.get("contributions", "")).split(";") if c in marks]
        data["marking"] = " | ".join(sorted({marks[c] for c in cids}))


def judicial_withheld(
    store: CaseStore, contributions: Iterable[Contribution], viewer: str | None
) -> list[str]:
    """H1 contributions of another provider, with no judicial permission for ``viewer``.

    ``viewer`` None (the local store's own user) is no provider: every H1
    contribution needs the permission.
    """
    permissions = HandlingStore(store.engine)
    return sorted(
        c.id
        for c in contributions
        if c.handling.code is HandlingCode.H1
        and c.provider.name != viewer
        and not permissions.granted(c.id, "judicial", viewer)
    )


@dataclass(frozen=True)
class Released:
    """What a requester sees of the other item of a hit."""

    entity: str | None  # the item: only once released (and, for H3, acknowledged)
    handling: str | None  # its marking, once released
    restriction: str | None  # H3: the restriction text, once released


def released_item(store: CaseStore, found: Hit, requester: str) -> Released:
    if found.status != "released":
        return Released(None, None, None)
    [held] = store.contributions([found.other_contribution_id])
    if held.handling.code is HandlingCode.H3:
        acknowledged = HandlingStore(store.engine).granted(held.id, "restriction-ack", requester)
        entity = found.other_entity_id if acknowledged else None
        return Released(entity, marking(held.handling), held.handling.note)
    return Released(found.other_entity_id, marking(held.handling), None)


def acknowledge(store: CaseStore, ref: str, acting: Acting) -> str:
    """The requester acknowledges a released H3 item's restriction; returns the restriction."""
    agency = acting.agency
    found = HubStore(store.engine).hits(ref=ref, requester=agency) if agency else []
    if not found or found[0].status != "released":
        # the same answer whether the hit does not exist, is not theirs or is not released
        raise Forbidden(f"no released hit {ref!r} for {agency!r}")
    [held] = store.contributions([found[0].other_contribution_id])
    if held.handling.code is not HandlingCode.H3 or agency is None:
        raise InvalidData(f"hit {ref}: the item carries no restriction to acknowledge")
    with store.engine.begin() as conn:  # the acknowledgement and its audit entry, or neither
        HandlingStore(store.engine).add(
            held.id, "restriction-ack", agency, acting.actor, datetime.now(UTC), ref, conn=conn
        )
        # the restriction text is the provider's content: the audit names the code only
        AuditLog(store.engine).append(
            acting.actor,
            "access",
            ref,
            {"acknowledged": "H3", "contribution": held.id, "agency": agency},
            conn=conn,
        )
    return held.handling.note or ""


def check_forward(store: CaseStore, sender: str, thread: str, recipients: Sequence[str]) -> None:
    """A message in a thread goes only where the thread's H2 and H3 messages may go.

    H2 (another agency's): every new recipient took part in that message, or its
    sender permitted dissemination to it. H3: the sender acknowledged (read) it.
    """
    permissions = HandlingStore(store.engine)
    for item in MessageStore(store.engine).visible_to(sender):
        if item.thread != thread or item.sender == sender:
            continue
        if item.handling_code == "H3" and item.recipients.get(sender) is None:
            raise Forbidden(
                f"{item.ref} is H3 (restricted by its sender): read it (message show) and "
                "its restriction before passing anything of it on"
            )
        if item.handling_code != "H2":
            continue
        inside = {item.sender, *item.recipients}
        outside = [
            r
            for r in recipients
            if r not in inside and not permissions.granted(item.ref, "dissemination", r)
        ]
        if outside:
            raise Forbidden(
                f"{item.ref} is H2 (not to be disseminated without the provider's permission): "
                f"{item.sender} has not permitted it to go to {', '.join(sorted(outside))}"
            )


def permit(
    store: CaseStore,
    subject: str,
    kind: str,
    to_agency: str | None,
    acting: Acting,
    note: str | None = None,
) -> Permission:
    """The provider permits judicial use (H1) or dissemination (H2) of a contribution or message.

    On a store the hub serves, ``acting`` is the provider's agency_admin; on one
    agency's own store the local user records a permission received (``local``).
    """
    if kind not in PERMIT_KINDS:
        raise InvalidData(f"--kind takes {' or '.join(PERMIT_KINDS)}, got {kind!r}")
    if to_agency is not None and not store.agency_held(to_agency):
        raise NotFound(f"no agency named {to_agency!r} at this store")
    if subject.startswith("MSG-"):
        sent = (
            MessageStore(store.engine).visible_to(acting.agency, subject) if acting.agency else []
        )
        if not sent or sent[0].sender != acting.agency:
            raise NotFound(f"no message {subject!r} sent by {acting.agency or 'you'}")
    else:
        held = store.contributions([subject])
        if not held or acting.agency not in (None, held[0].provider.name):
            raise NotFound(f"no contribution {subject!r} is held")  # as for a missing one
    with store.engine.begin() as conn:  # the permission and its audit entry, or neither
        granted = HandlingStore(store.engine).add(
            subject, kind, to_agency, acting.actor, datetime.now(UTC), note, conn=conn
        )
        AuditLog(store.engine).append(
            acting.actor,
            "disclosure",
            subject,
            {"permission": kind, "to": to_agency or "any"},
            conn=conn,
        )
    return granted


def permissions(store: CaseStore, acting: Acting) -> list[Permission]:
    """Permissions recorded; an agency sees those it granted or was granted."""
    found = HandlingStore(store.engine).permissions()
    agency = acting.agency
    if agency is None:
        return found
    own = {c.id for c in store.contributions() if c.provider.name == agency}
    own |= {m.ref for m in MessageStore(store.engine).visible_to(agency) if m.sender == agency}
    return [p for p in found if p.subject in own or p.to_agency == agency]


__all__ = [
    "Released",
    "acknowledge",
    "check_forward",
    "judicial_withheld",
    "mark_graph",
    "marking",
    "markings",
    "permissions",
    "permit",
    "released_item",
]
