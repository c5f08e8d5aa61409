"""The workbench's use cases: passwords, log-in and sessions, and what its pages show.

Every page reads through here and through ``service/access`` (``may``,
``visible_contributions``, ``check_contribution``): the same rules as the API,
never a filter of the page's own. Each log-in, failure, lock and log-out is
audited ("authentication"), with the credential id, never a password nor the
name typed when it names nobody.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.exchange.signing import write_secret
from crosscheck.model import Contribution, Fingerprint
from crosscheck.model.keys import is_reference
from crosscheck.model.statements import BASE_ID
from crosscheck.service import hub, messages, notices, retention
from crosscheck.service.access import (
    Acting,
    audit_read,
    check_contribution,
    may,
    visible_contributions,
)
from crosscheck.service.captions import Caption, visible_captions
from crosscheck.service.notices import INBOX, MINE
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import MAX_PASSWORD, MIN_PASSWORD, AccessStore, Caller
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.message_store import StoredMessage
from crosscheck.store.session_store import Session, SessionStore

ENTITY_PAGE = 50  # entities per page of a contribution
FINGERPRINT_LIST = 500  # fingerprints listed on a contribution's page (the count says how many)
MEDIA_PROPS = ("createdAt", "generator", "mimeType", "fileSize", "notes")  # the media metadata


def _now() -> datetime:
    return datetime.now(UTC)


def actor(caller: Caller) -> str:
    return Acting(caller.agency, caller.name).actor


# -- passwords and sessions ----------------------------------------------------------------


def new_password() -> str:
    """A generated first password: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def check_password(password: str) -> None:
    """Refuse a password too short or too long (before anything is made)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidData(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def set_password(
    store: CaseStore, credential_id: int, password: str, out: Path | None = None
) -> None:
    """A user's new password (argon2id); its sessions end; audited as a key change.

    ``out``: the password is also written there (mode 600), in the same transaction.
    """
    check_password(password)
    written = False
    try:
        with store.engine.begin() as conn:
            AccessStore(store.engine).set_password(credential_id, password, conn=conn)
            SessionStore(store.engine).close_all(credential_id, conn)
            AuditLog(store.engine).append(
                "hub", "key", "password", {"credential": credential_id}, conn=conn
            )
            if out is not None:
                write_secret(out, password.encode() + b"\n")
                written = True
    except BaseException:
        if out is not None and written:  # the password is not stored: neither is its file
            out.unlink(missing_ok=True)
        raise


def credential_named(store: CaseStore, who: str, agency: str | None = None) -> int:
    """The one active credential a user name (or id) names, as for ``user revoke``."""
    found = [
        c
        for c in hub.users(store, agency)
        if c.revoked_at is None and (c.name == who or str(c.id) == who)
    ]
    if len(found) != 1:
        where = f" of agency {agency!r}" if agency else ""
        if not found:
            raise NotFound(f"no active user {who!r}{where}")
        listed = ", ".join(f"{c.id} ({c.name}, {c.agency or 'hub'})" for c in found)
        raise InvalidData(f"{who!r} names {len(found)} active users: {listed}; give the id")
    return found[0].id


@dataclass(frozen=True)
class LoggedIn:
    token: str | None  # the session's cookie token; None when refused
    outcome: str  # ok, failure, lock, locked, unknown


def log_in(store: CaseStore, who: str, password: str, settings: Settings) -> LoggedIn:
    """Check the password; on success a new session. Every outcome is audited."""
    now = _now()
    with store.engine.begin() as conn:
        attempt = AccessStore(store.engine).log_in(
            who[:200],
            password[:2048],
            now,
            attempts=settings.login_attempts,
            lock_for=timedelta(minutes=settings.login_lock_minutes),
            conn=conn,
        )
        named = attempt.named
        detail: dict[str, object] = {
            "event": "login" if attempt.outcome == "ok" else attempt.outcome,
            "credential": named.credential_id if named else None,
        }
        token = None
        if attempt.caller is not None:
            idle = timedelta(minutes=settings.session_idle_minutes)
            token = SessionStore(store.engine).open(attempt.caller.credential_id, now, idle, conn)
            who_did = actor(attempt.caller)
        else:
            who_did = "unauthenticated"
        AuditLog(store.engine).append(who_did, "authentication", "workbench", detail, conn=conn)
    return LoggedIn(token, attempt.outcome)


def session(store: CaseStore, token: str, settings: Settings) -> Session | None:
    """The live session a cookie names (idle time renewed), or None."""
    idle = timedelta(minutes=settings.session_idle_minutes)
    return SessionStore(store.engine).find(token, _now(), idle)


def log_out(store: CaseStore, current: Session) -> None:
    with store.engine.begin() as conn:
        SessionStore(store.engine).close(current.id, conn)
        AuditLog(store.engine).append(
            actor(current.caller),
            "authentication",
            "workbench",
            {"event": "logout", "credential": current.caller.credential_id},
            conn=conn,
        )


# -- what the pages show ---------------------------------------------------------------------


HOME_NOTICES = 10  # notices listed on each part of home; the hits page has them all


@dataclass(frozen=True)
class Home:
    notices: list[hub.NoticeView] = field(default_factory=list)  # waiting for my decision
    hits: list[hub.NoticeView] = field(default_factory=list)  # on my agency's items, newest first
    unread: list[StoredMessage] = field(default_factory=list)
    due: list[Contribution] = field(default_factory=list)  # for retention review
    may_decide: bool = False
    waiting: int = 0  # how many notices wait for my decision (``notices`` lists the first)
    total_hits: int = 0  # how many notices there are on my agency's items
    inbox: bool = False  # whether my role reads the inbox (notices on my agency's data)


def home(store: CaseStore, caller: Caller, settings: Settings) -> Home:
    """An agency user's home: each part only where the role may see it (``ROLES``).

    Hits come grouped into notices (one per requesting item and owning agency),
    each linking to the hits page.
    """
    waiting: list[hub.NoticeView] = []
    if inbox := INBOX in notices.sides(caller):
        waiting = [n for n in notices.listed(store, caller, INBOX) if notices.waiting(n)]
    mine: list[hub.NoticeView] = []
    if MINE in notices.sides(caller):
        mine = notices.listed(store, caller, MINE)[::-1]  # the newest first
    unread: list[StoredMessage] = []
    if (agency := may(caller, "message")) is not None:
        unread = [
            m
            for m in messages.inbox(store, agency, settings, actor(caller))
            if agency in m.recipients and m.recipients[agency] is None
        ]
    due: list[Contribution] = []
    if (agency := may(caller, "read")) is not None:
        visible = set(visible_contributions(store, agency) or ())
        due = [c for c in retention.due(store) if c.id in visible]
    return Home(waiting[:HOME_NOTICES], mine[:HOME_NOTICES], unread, due,
                may(caller, "decide") is not None, len(waiting), len(mine), inbox)  # fmt: skip


def contributions(store: CaseStore, caller: Caller, text: str = "") -> list[Contribution]:
    """The contributions the caller may read (``visible_contributions``), filtered by text."""
    agency = _reader(caller)
    visible = visible_contributions(store, agency)
    listed = store.contributions(visible) if visible else []
    needle = text.strip().casefold()
    if needle:
        listed = [c for c in listed if needle in f"{c.id} {c.case_reference}".casefold()]
    audit_read(store, agency, "contributions", {"count": len(listed)}, actor(caller))
    return listed


@dataclass(frozen=True)
class Value:
    prop: str
    value: str
    contribution: str
    agency: str
    handling: str
    ref: Caption | None = None  # the value names a visible entity: its caption and schema


@dataclass(frozen=True)
class EntityView:
    id: str
    schema: str
    caption: str
    values: list[Value]
    media: list[Value]  # the media metadata: created, software, camera and GPS notes, type, size


@dataclass(frozen=True)
class ContributionView:
    contribution: Contribution
    entities: int
    fingerprints: list[Fingerprint]
    named: dict[str, Caption]  # the fingerprinted entities' captions (a file's name)


def contribution(store: CaseStore, caller: Caller, contribution_id: str) -> ContributionView:
    """One contribution the caller may read; another's is "not held", as a missing one."""
    agency = _reader(caller)
    check_contribution(store, agency, contribution_id)
    held = store.contribution(contribution_id)
    counts = store.contribution_counts().get(contribution_id, (0, 0))
    prints = list(islice(store.fingerprints(contribution_id=contribution_id), FINGERPRINT_LIST))
    named = visible_captions(store, [f.entity_id for f in prints], [contribution_id])
    audit_read(store, agency, contribution_id, {"read": "workbench"}, actor(caller))
    return ContributionView(held, counts[0], prints, named)


def entities_page(
    store: CaseStore, caller: Caller, contribution_id: str, page: int
) -> list[EntityView]:
    """One page of a contribution's entities, each value with where it came from."""
    agency = _reader(caller)
    check_contribution(store, agency, contribution_id)
    held = store.contribution(contribution_id)
    start = max(page, 0) * ENTITY_PAGE
    found = list(
        islice(store.entities(contribution_id=contribution_id), start, start + ENTITY_PAGE)
    )
    visible = visible_contributions(store, agency) or []
    known = visible_captions(  # references name entities the viewer may see, by caption
        store,
        (s.value for e in found for s in e.statements if is_reference(e.schema.name, s.prop)),
        visible,
    )
    views = []
    for entity in found:
        values = [
            Value(
                s.prop,
                s.value,
                s.dataset,
                held.provider.name,
                held.handling.code.value,
                known.get(s.value) if is_reference(entity.schema.name, s.prop) else None,
            )
            for s in sorted(entity.statements, key=lambda s: (s.prop, s.value))
            if s.prop != BASE_ID
        ]
        views.append(
            EntityView(
                entity.id or "",
                entity.schema.name,
                entity.caption,
                [v for v in values if v.prop not in MEDIA_PROPS],
                [v for v in values if v.prop in MEDIA_PROPS],
            )
        )
    audit_read(store, agency, contribution_id, {"read": "workbench", "page": page}, actor(caller))
    return views


@dataclass(frozen=True)
class Counts:
    agencies: int
    contributions: int
    entities: int
    fingerprints: int


def operator_counts(store: CaseStore) -> Counts:
    """The hub operator's page: counts only, never content."""
    held = store.stats()
    return Counts(held.agencies, held.contributions, held.entities, held.fingerprints)


def _reader(caller: Caller) -> str:
    agency = may(caller, "read")
    if agency is None:
        raise Forbidden(f"{caller.name} ({caller.role}) may not read contributions")
    return agency
