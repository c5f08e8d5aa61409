"""Messages as the workbench shows them: threads, unread marks, whom one may write to.

Everything is read through ``service/messages`` (the sender and the recipients
see a message, no one else; reading acknowledges; every read is audited) and
the caller's role through ``service/access.may``: no filter of its own.
A thread is the ``thread`` every message already carries (the first message's
reference; a reply keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from crosscheck.exc import Forbidden, NotFound
from crosscheck.service import messages
from crosscheck.service.access import Acting, may
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.hub_store import HubStore
from crosscheck.store.message_store import StoredMessage

Box = Literal["inbox", "sent"]


def messenger(caller: Caller) -> Acting:
    """The caller's agency and audit name, when its role may send and read messages."""
    agency = may(caller, "message")
    if agency is None:
        raise Forbidden(f"{caller.name} ({caller.role}) may not send or read messages")
    return Acting(agency, caller.name)


def unread(item: StoredMessage, agency: str) -> bool:
    """A message to ``agency`` that it has not read (nor acknowledged) yet."""
    return agency in item.recipients and item.recipients[agency] is None


@dataclass(frozen=True)
class Thread:
    id: str
    messages: list[StoredMessage]  # oldest first, only those the agency sees
    unread: int

    @property
    def subject(self) -> str:
        return self.messages[0].subject

    @property
    def last(self) -> StoredMessage:
        return self.messages[-1]

    @property
    def latest_at(self) -> datetime:
        return self.last.created_at

    @property
    def agencies(self) -> list[str]:
        """Everyone who took part, in order of appearance."""
        seen: dict[str, None] = {}
        for item in self.messages:
            seen.update(dict.fromkeys([item.sender, *item.recipients]))
        return list(seen)

    def first_unread(self, agency: str) -> StoredMessage:
        """The message to open first: the oldest unread, else the latest."""
        return next((m for m in self.messages if unread(m, agency)), self.last)


def group(listed: list[StoredMessage], agency: str) -> list[Thread]:
    """Messages (oldest first) into threads, the thread with the latest message first."""
    by_thread: dict[str, list[StoredMessage]] = {}
    for item in listed:
        by_thread.setdefault(item.thread, []).append(item)
    found = [
        Thread(key, items, sum(unread(m, agency) for m in items))
        for key, items in by_thread.items()
    ]
    return sorted(found, key=lambda t: t.latest_at, reverse=True)


def threads(store: CaseStore, caller: Caller, settings: Settings, box: Box) -> list[Thread]:
    """The inbox (threads with a message to the agency) or sent (threads with one from it)."""
    me = messenger(caller)
    assert me.agency is not None
    listed = messages.inbox(store, me.agency, settings, me.actor)
    grouped = group(listed, me.agency)
    if box == "inbox":
        return [t for t in grouped if any(me.agency in m.recipients for m in t.messages)]
    return [t for t in grouped if any(m.sender == me.agency for m in t.messages)]


@dataclass(frozen=True)
class Opened:
    shown: messages.Shown
    thread: Thread  # read after opening: the acknowledgement shows


def _shown(store: CaseStore, me: Acting, settings: Settings, ref: str) -> messages.Shown:
    """Read one message; another agency's is "not held", in the same words as a missing one."""
    assert me.agency is not None
    try:
        return messages.show(store, settings, ref, me.agency, me.actor)
    except Forbidden as exc:
        raise NotFound(f"no message {ref!r}") from exc


def open_message(store: CaseStore, caller: Caller, settings: Settings, ref: str) -> Opened:
    """Read one message (a recipient's reading acknowledges it, audited) and its thread."""
    me = messenger(caller)
    assert me.agency is not None
    shown = _shown(store, me, settings, ref)
    listed = messages.inbox(store, me.agency, settings, me.actor)
    mine = [m for m in listed if m.thread == shown.message.thread]
    return Opened(
        shown, Thread(shown.message.thread, mine, sum(unread(m, me.agency) for m in mine))
    )


def attachment(
    store: CaseStore, caller: Caller, settings: Settings, ref: str, n: int
) -> tuple[str, bytes]:
    """The ``n``-th attachment of a message the agency sees (reading it acknowledges)."""
    return _shown(store, messenger(caller), settings, ref).attachment(n)


def replying_to(store: CaseStore, caller: Caller, settings: Settings, ref: str) -> StoredMessage:
    """The message a reply answers (its metadata; nothing acknowledged), if the agency sees it."""
    me = messenger(caller)
    assert me.agency is not None
    for item in messages.inbox(store, me.agency, settings, me.actor):
        if item.ref == ref:
            return item
    raise NotFound(f"no message {ref!r}")


def recipients(store: CaseStore, caller: Caller) -> list[str]:
    """The agencies one may write to: those the hub knows with a key not revoked, but one's own."""
    me = messenger(caller)
    active = {k.agency for k in HubStore(store.engine).agency_keys() if not k.revoked}
    return sorted(active - {me.agency or ""}, key=str.casefold)
