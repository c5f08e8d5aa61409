"""The hub's use cases: agency identities, signed ingest, cross-checking, hit/no-hit, audit.

A hit on another agency's data is first only a notice: the requester sees the
hit reference, its signal and the owning agency; the owner sees the notice in
its inbox and decides to release or decline.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import os
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from crosscheck.exc import CrosscheckError, Forbidden, InvalidData, InvalidPackage
from crosscheck.exchange.manifest import MANIFEST, MEMBERS
from crosscheck.exchange.signing import (
    SIGNATURE,
    key_id,
    new_key,
    public_from_hex,
    public_hex,
    read_signature,
    verify_package,
    write_secret,
)
from crosscheck.index.hamming import from_hex
from crosscheck.index.matching import EXACT_STRENGTH, THRESHOLD, closest_pairs, video_matches
from crosscheck.model import Agency, Contribution
from crosscheck.service import handling, pdq_holding
from crosscheck.service.captions import captions
from crosscheck.service.casework import Imported, import_package
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, ImportResult
from crosscheck.store.access_store import (
    MAX_JOB_ATTEMPTS,
    TOKEN_KEY_BYTES,
    AccessStore,
    Credential,
)
from crosscheck.store.audit_log import AuditEntry, AuditLog
from crosscheck.store.hub_store import Hit, HubStore, NewHit
from crosscheck.store.index_feed import IndexFeed, identifier_matches

HMAC_KEY_FILE = "token.key"
_log = logging.getLogger("crosscheck.worker")


def _now() -> datetime:
    return datetime.now(UTC)


def token_key(settings: Settings) -> bytes:
    """The hub's token key: CROSSCHECK_TOKEN_KEY, else a key file made once under the home.

    Every server process of a hub must hold the same key; it is never stored in
    the database, beside the MACs it keys.
    """
    text = settings.token_key
    if not text:
        path = settings.home / HMAC_KEY_FILE
        if not path.exists():  # made aside, then linked: a racing process never reads half a key
            spare = path.with_name(f".{HMAC_KEY_FILE}.{secrets.token_hex(8)}")
            write_secret(spare, base64.b64encode(secrets.token_bytes(TOKEN_KEY_BYTES)))
            try:
                os.link(spare, path)
            except FileExistsError:
                pass
            finally:
                spare.unlink()
        text = path.read_text(encoding="ascii", errors="replace")
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != TOKEN_KEY_BYTES:
        raise InvalidData(
            f"the token key (CROSSCHECK_TOKEN_KEY, or {HMAC_KEY_FILE} under CROSSCHECK_HOME) "
            f"must be {TOKEN_KEY_BYTES} bytes in base64"
        )
    return key


def add_user(
    store: CaseStore,
    name: str,
    role: str,
    agency: str | None,
    token_out: Path,
    *,
    settings: Settings,
) -> int:
    """A user with an API token, written once to ``token_out`` (readable by its owner only).

    The credential, its audit entry and the token file are made together or not
    at all. Returns the credential id.
    """
    access = AccessStore(store.engine, token_key(settings))
    written = False
    try:
        with store.engine.begin() as conn:
            token = access.add_credential(name, role, agency, _now(), conn=conn)
            credential_id = int(token.split("_", 2)[1])
            AuditLog(store.engine).append(
                "hub",
                "key",
                agency or "hub",
                {"user": name, "role": role, "credential": credential_id},
                conn=conn,
            )
            write_secret(token_out, token.encode() + b"\n")
            written = True
    except BaseException:
        if written:  # the credential is not there: neither is its token
            token_out.unlink(missing_ok=True)
        raise
    return credential_id


def users(store: CaseStore, agency: str | None = None) -> list[Credential]:
    """Every user's credential (of one agency when named); never a token."""
    return AccessStore(store.engine).credentials(agency)


def revoke_user(store: CaseStore, who: str, agency: str | None = None) -> Credential:
    """Revoke one user's credential (by name or credential id); audited in the same transaction."""
    with store.engine.begin() as conn:
        revoked = AccessStore(store.engine).revoke_credential(who, agency, _now(), conn=conn)
        AuditLog(store.engine).append(
            "hub",
            "key",
            revoked.agency or "hub",
            {"revoked_user": revoked.name, "credential": revoked.id},
            conn=conn,
        )
    return revoked


def add_agency(store: CaseStore, name: str, country: str, key_out: Path) -> str:
    """Create an agency (or give a revoked one a new key) with a new Ed25519 key pair."""
    provider = Agency(name=name, country=country)  # validates the name and the country
    private = new_key(key_out)
    public = private.public_key()
    try:  # the agency, its key and the audit entry land together, or the key file goes too
        with store.engine.begin() as conn:
            HubStore(store.engine).add_agency(
                provider.name,
                provider.country,
                key_id(public),
                public_hex(public),
                _now(),
                conn=conn,
            )
            AuditLog(store.engine).append(
                "hub", "key", provider.name, {"key_id": key_id(public)}, conn=conn
            )
    except BaseException:
        key_out.unlink(missing_ok=True)
        raise
    return key_id(public)


@dataclass(frozen=True)
class AgencyRevoked:
    keys: int
    credentials: int


def revoke_agency(store: CaseStore, name: str) -> AgencyRevoked:
    """Revoke the agency's keys and every credential of its users, audited, in one transaction.

    Its tokens are refused from the next request on; a new user needs a new key first.
    """
    now = _now()
    with store.engine.begin() as conn:
        credentials = AccessStore(store.engine).revoke_agency_credentials(name, now, conn)
        keys = HubStore(store.engine).revoke(name, now, conn=conn)
        AuditLog(store.engine).append(
            "hub",
            "key",
            name,
            {"revoked_keys": keys, "revoked_credentials": credentials},
            conn=conn,
        )
    return AgencyRevoked(keys, credentials)


@dataclass(frozen=True)
class Ingested:
    imported: Imported
    signed_by: str | None
    hits: int


def ingest(
    store: CaseStore,
    path: Path,
    settings: Settings,
    *,
    require_signature: bool,
    signer: str | None = None,
    background: bool = False,
    label: str | None = None,
    actor: str | None = None,
) -> Ingested:
    """Verify (signature, digests, schema), store, audit, then cross-check against all holdings.

    A refused package is audited as a "refusal" by ``actor`` (else the signer, else "hub"):
    the error's class and status and the package's size, never the error's words, which
    may quote a value from the package.
    """
    try:
        return _ingest(
            store,
            path,
            settings,
            require_signature=require_signature,
            signer=signer,
            background=background,
            label=label,
        )
    except CrosscheckError as exc:
        detail: dict[str, object] = {"error": type(exc).__name__, "status": exc.status}
        member = getattr(exc, "member", None)
        if member in PACKAGE_MEMBERS:
            detail["member"] = member
        if path.is_file():
            detail["bytes"] = path.stat().st_size
        # nothing was stored: a failing log must not hide the refusal itself
        with contextlib.suppress(Exception):
            AuditLog(store.engine).append(actor or signer or "hub", "refusal", "package", detail)
        raise


PACKAGE_MEMBERS = frozenset({MANIFEST, *MEMBERS, SIGNATURE})


def _ingest(
    store: CaseStore,
    path: Path,
    settings: Settings,
    *,
    require_signature: bool,
    signer: str | None = None,
    background: bool = False,
    label: str | None = None,
) -> Ingested:
    """Verify (signature, digests, schema), store, audit, then cross-check against all holdings.

    ``label`` names the package in errors (default: its path); an upload is "the package",
    so no refusal shows where the hub spools it.
    """
    label = label or str(path)
    signature = read_signature(path, label)
    signed_by = None
    if signature is not None or require_signature:
        if signature is None:
            raise InvalidPackage(label, "not signed; the hub takes signed packages only")
        known = HubStore(store.engine).agency_keys(signature.agency)
        keys = [k for k in known if k.key_id == signature.key_id]
        if not keys:
            raise InvalidPackage(label, f"signed with key {signature.key_id}, unknown to this hub")
        if keys[0].revoked:
            raise InvalidPackage(label, f"signed with key {signature.key_id}, which is revoked")
        verify_package(path, public_from_hex(keys[0].public_key), signature.agency, label)
        signed_by = signature.key_id
    if signer is not None and (signature is None or signature.agency != signer):
        raise Forbidden(f"{label}: an agency submits only packages it signed itself")
    audit = AuditLog(store.engine)

    def stored(conn: Connection, item: Contribution, result: ImportResult) -> None:
        """In the import's own transaction: the collection is audited (and queued) or not stored."""
        audit.append(
            item.provider.name,
            "collection",
            item.id,
            {
                "statements": result.statements,
                "fingerprints": result.fingerprints,
                "handling": item.handling.code.value,  # the code: an H3 note is free text
                "evaluation": str(item.evaluation),
                "key_id": signed_by,
                # the provider's own id; "assigned" when another agency holds that id
                "submitted_id": result.submitted_id,
                "assigned": result.assigned,
            },
            conn=conn,
        )
        if background:  # the job lives in the database: a restart loses none of it
            AccessStore(store.engine).enqueue("cross-check", item.id, _now(), conn=conn)

    done = import_package(store, path, settings, on_stored=stored, label=label)
    hits = 0
    if done.result.created and not background:
        hits = cross_check(store, done.result.contribution_id)
    return Ingested(done, signed_by, hits)


def run_jobs(store: CaseStore, limit: int | None = None) -> int:
    """Work through queued jobs (cross-checks); returns how many ran."""
    access = AccessStore(store.engine)
    done = 0
    while limit is None or done < limit:
        claimed = access.claim(_now())
        if claimed is None:
            break
        job_id, kind, subject = claimed
        try:
            if kind != "cross-check":
                raise ValueError(f"unknown job kind {kind!r}")
            cross_check(store, subject)
        except Exception as exc:  # a failed job is recorded, retried later, the queue goes on
            status = access.finish(job_id, _now(), f"{exc.__class__.__name__}: {exc}")
            # ids and the error class only: the message may quote held values
            if status == "failed":
                _log.error(
                    "job %s (%s %s) failed after %s tries: %s; see the job's error",
                    *(job_id, kind, subject, MAX_JOB_ATTEMPTS, exc.__class__.__name__),
                )
            else:
                _log.warning(
                    "job %s (%s %s) failed (%s); it will be tried again",
                    *(job_id, kind, subject, exc.__class__.__name__),
                )
        else:
            access.finish(job_id, _now())
        done += 1
    return done


def cross_check(store: CaseStore, contribution_id: str) -> int:
    """Match one contribution against every other agency's holdings; record and audit hits.

    Costs follow the contribution: exact hashes and identifiers are index lookups
    (SQL joins on indexed columns), PDQ hashes and vPDQ frames are searched in the
    PDQ index kept beside the store (``service/pdq_holding.py``).
    """
    hub = HubStore(store.engine)
    found = [*_one_exact_hit_per_pair(hub.exact_candidates(contribution_id))]
    found.extend(_perceptual_hits(store, contribution_id))
    found.extend(_identifier_hits(store, contribution_id))
    with store.engine.begin() as conn:  # the hits and their audit entry, or neither
        added = hub.record_hits(contribution_id, found, _now(), conn=conn)
        AuditLog(store.engine).append(
            "hub",
            "combination",
            contribution_id,
            {"candidates": len(found), "new_hits": added},
            conn=conn,
        )
    return added


def _one_exact_hit_per_pair(candidates: Iterator[NewHit]) -> Iterator[NewHit]:
    """The same file matched by MD5, SHA-1 and SHA-256 is one hit, named by its strongest hash."""
    best: dict[tuple[str, str, str], NewHit] = {}
    for item in candidates:
        key = (item.entity_id, item.other_contribution_id, item.other_entity_id)
        held = best.get(key)
        if held is None or EXACT_STRENGTH[item.signal] > EXACT_STRENGTH[held.signal]:
            best[key] = item
    yield from best.values()


def _perceptual_hits(store: CaseStore, contribution_id: str) -> list[NewHit]:
    """PDQ near-duplicates and videos by their frames (the rules of ``index/matching.py``)."""
    feed = IndexFeed(store.engine)
    agency_id = feed.agency_of(contribution_id)
    mine = list(feed.rows([contribution_id]))
    if agency_id is None or not mine:
        return []
    images = [r for r in mine if r.kind == "pdq"]
    frames = [r for r in mine if r.kind == "vpdq-frame"]
    folder = pdq_holding.holding(store)
    with folder.guard:  # this process's copy: one thread at a time
        with folder.locked():  # the folder: only while catching up, not while searching
            pdq_holding.catch_up(store, folder)
        image_matches, image_fids = folder.search(
            from_hex(r.value for r in images), THRESHOLD, "pdq", agency_id
        )
        frame_matches, frame_fids = folder.search(
            from_hex(r.value for r in frames), THRESHOLD, "vpdq-frame", agency_id
        )
    owners = feed.owners([*image_fids.values(), *frame_fids.values()])  # erased ones drop out
    hits = []
    image_rows = {row: owners[f] for row, f in image_fids.items() if f in owners}
    best = closest_pairs(image_matches, [r.entity_id for r in images], image_rows)
    for (entity, (other_contribution, other_entity)), (distance, _) in best.items():
        hits.append(NewHit("pdq", distance, entity, other_contribution, other_entity))
    frame_rows = {row: owners[f] for row, f in frame_fids.items() if f in owners}
    videos = video_matches(
        frame_matches,
        [r.entity_id for r in frames],
        frame_rows,
        Counter(r.entity_id for r in frames),
        feed.frame_counts(set(frame_rows.values())),
    )
    for video in videos:
        other_contribution, other_entity = video.row
        hits.append(NewHit("vpdq", video.distance, video.query, other_contribution, other_entity))
    return hits


def _identifier_hits(store: CaseStore, contribution_id: str) -> Iterator[NewHit]:
    """Shared identifiers, by a join on the indexed keys (``identifier_key``)."""
    with store.engine.connect() as conn:
        shared = identifier_matches(conn, contribution_id)
    # once per value and other contribution, not once per entity holding it: the first
    # holder (by id) on each side stands for the rest (a phone on a Person and its account)
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for value, entity, other_contribution, other_entity in shared:
        key, pair = (value, other_contribution), (entity, other_entity)
        pairs[key] = min(pair, pairs.get(key, pair))
    for (value, other_contribution), (entity, other_entity) in pairs.items():
        yield NewHit(value.split(":", 1)[0], 0, entity, other_contribution, other_entity)


@dataclass(frozen=True)
class HitView:
    """A hit as one agency may see it: the other side's item only once released."""

    ref: str
    signal: str
    side: str  # requester or owner
    other_agency: str
    status: str
    own_entity: str
    other_entity: str | None
    other_handling: str | None = None  # the other item's handling code and meaning, once released
    restriction: str | None = None  # H3: the provider's restriction, to acknowledge
    distance: int = 0  # PDQ/vPDQ: Hamming distance; 0 for exact hashes and identifiers
    notice: str | None = None  # the notice (N-…) this hit belongs to
    own_caption: str | None = None  # the own item as a person knows it: file name, name, …
    own_schema: str | None = None
    other_caption: str | None = None  # as other_entity: only once released (and acknowledged)
    other_schema: str | None = None


def hits_for(store: CaseStore, agency: str, actor: str | None = None) -> list[HitView]:
    """Hits on the agency's own contributions (as requester): hit/no-hit until released.

    What shows of the other item is the handling policy's decision
    (``service/handling.py``: after release, and for H3 after acknowledgement).
    """
    AuditLog(store.engine).append(actor or agency, "access", "hits", {})
    found = HubStore(store.engine).hits(requester=agency)
    released = [(h, handling.released_item(store, h, agency)) for h in found]
    known = captions(store, [h.entity_id for h in found] + [r.entity or "" for _, r in released])
    views = []
    for h, item in released:
        own, other = known.get(h.entity_id), known.get(item.entity or "")
        views.append(
            HitView(h.ref, h.signal, "requester", h.other_agency, h.status, h.entity_id,
                    item.entity, item.handling, item.restriction, h.distance,
                    notice_ref(h.entity_id, h.other_agency),
                    own.caption if own else None, own.schema if own else None,
                    other.caption if other else None, other.schema if other else None)
        )  # fmt: skip
    return views


def inbox_for(store: CaseStore, agency: str, actor: str | None = None) -> list[HitView]:
    """Notices to a data owner: another agency's contribution hit its data."""
    AuditLog(store.engine).append(actor or agency, "access", "inbox", {})
    found = HubStore(store.engine).hits(owner=agency)
    known = captions(store, [h.other_entity_id for h in found])
    views = []
    for h in found:
        own = known.get(h.other_entity_id)
        views.append(
            HitView(h.ref, h.signal, "owner", h.agency, h.status, h.other_entity_id, None,
                    distance=h.distance, notice=notice_ref(h.entity_id, agency),
                    own_caption=own.caption if own else None,
                    own_schema=own.schema if own else None)
        )  # fmt: skip
    return views


def decide(store: CaseStore, ref: str, agency: str, release: bool, actor: str | None = None) -> Hit:
    """The owning agency releases (the requester then sees the item) or declines.

    The decision is on the item: the other signals still pending between the
    same two items (an exact copy is also a PDQ match) are decided with it.
    """
    hub = HubStore(store.engine)
    found = hub.hits(ref=ref, owner=agency)
    match = found[0] if found else None
    if match is None:
        # the same answer whether the hit does not exist or belongs to someone else
        raise Forbidden(f"no hit {ref!r} in the inbox of {agency!r}")
    same_item = [
        h
        for h in hub.hits(owner=agency)
        if h.ref != ref
        and h.status == "pending"
        and (h.entity_id, h.other_entity_id) == (match.entity_id, match.other_entity_id)
    ]
    with store.engine.begin() as conn:  # the decisions and their audit entries, or none
        decided = _decide_one(store, match, release, actor or agency, conn)
        for other in same_item:
            _decide_one(store, other, release, actor or agency, conn)
    return decided


def _decide_one(
    store: CaseStore,
    match: Hit,
    release: bool,
    actor: str,
    conn: Connection,
    notice: str | None = None,
) -> Hit:
    decided = HubStore(store.engine).decide(
        match.ref, "released" if release else "declined", _now(), conn=conn
    )
    detail: dict[str, object] = {
        "to": match.agency,
        "entity": match.other_entity_id,
        "decision": decided.status,
    }
    if notice is not None:
        detail["notice"] = notice
    AuditLog(store.engine).append(
        actor, "disclosure" if release else "access", match.ref, detail, conn=conn
    )
    return decided


# -- notices: one per (requesting item, owning agency) ---------------------------------------

SIGNAL_RANK = {"sha256": 0, "sha1": 1, "md5": 2, "vpdq": 3, "pdq": 4}  # identifiers: after


def strength(signal: str, distance: int) -> tuple[int, int]:
    """Sort key, strongest first: sha256 > sha1 > md5 > vpdq > pdq (by distance) > identifiers."""
    return SIGNAL_RANK.get(signal, len(SIGNAL_RANK)), distance


NOTICE_PREFIX = "N-"


def notice_ref(entity_id: str, owner: str) -> str:
    """A notice's stable reference, from its key (the requesting item and the owning agency)."""
    digest = hashlib.sha256(f"{entity_id}\x00{owner}".encode()).hexdigest()
    return NOTICE_PREFIX + digest[:12].upper()


@dataclass(frozen=True)
class NoticeItem:
    """One matched item of the owner's, with every hit on it (strongest first)."""

    ref: str  # the strongest hit's reference: decide the item by it (``hit release HIT-…``)
    refs: list[str]
    signals: list[str]
    distance: int
    status: str  # pending, released, declined
    entity: str | None  # the owner's item: to the owner; to the requester once released
    caption: str | None
    schema: str | None
    handling: str | None = None  # to the requester, once released
    restriction: str | None = None  # H3: the provider's restriction, to acknowledge


@dataclass(frozen=True)
class NoticeView:
    """A requesting item's hits on one owning agency's data, as one agency may see them."""

    ref: str
    side: str  # requester or owner
    other_agency: str
    status: str  # pending, released, declined, partly released
    hits: int
    signal: str  # the strongest signal, and its distance
    distance: int
    own_entity: str | None  # the requesting item: shown to the requester only
    own_caption: str | None
    own_schema: str | None
    items: list[NoticeItem]


def _notice_status(statuses: set[str]) -> str:
    if len(statuses) == 1:
        return next(iter(statuses))
    return "partly released" if "released" in statuses else "pending"


def _notices(store: CaseStore, found: list[Hit], side: str, viewer: str) -> list[NoticeView]:
    groups: dict[tuple[str, str], dict[str, list[Hit]]] = defaultdict(lambda: defaultdict(list))
    for h in found:  # in hit order: a notice is where its first hit was
        groups[(h.entity_id, h.other_agency)][h.other_entity_id].append(h)
    shown: dict[str, handling.Released] = {}
    for by_item in groups.values():
        for hits in by_item.values():
            hits.sort(key=lambda h: strength(h.signal, h.distance))
            if side == "requester":
                best = next((h for h in hits if h.status == "released"), hits[0])
                shown[hits[0].ref] = handling.released_item(store, best, viewer)
    ids = [key[0] for key in groups] if side == "requester" else []
    for by_item in groups.values():
        for item, hits in by_item.items():
            ids.append(item if side == "owner" else shown[hits[0].ref].entity or "")
    known = captions(store, ids)
    views = []
    for (entity, owner), by_item in groups.items():
        items = []
        for item, hits in by_item.items():
            statuses = {h.status for h in hits}
            status = "released" if "released" in statuses else _notice_status(statuses)
            if side == "owner":
                released = handling.Released(item, None, None)
            else:
                released = shown[hits[0].ref]
            named = known.get(released.entity or "")
            items.append(
                NoticeItem(hits[0].ref, [h.ref for h in hits], [h.signal for h in hits],
                           hits[0].distance, status, released.entity,
                           named.caption if named else None, named.schema if named else None,
                           released.handling, released.restriction)
            )  # fmt: skip
        items.sort(key=lambda i: strength(i.signals[0], i.distance))
        own = known.get(entity) if side == "requester" else None
        other = owner if side == "requester" else by_item[next(iter(by_item))][0].agency
        views.append(
            NoticeView(notice_ref(entity, owner), side, other,
                       _notice_status({i.status for i in items}),
                       sum(len(i.refs) for i in items), items[0].signals[0], items[0].distance,
                       entity if side == "requester" else None,
                       own.caption if own else None, own.schema if own else None, items)
        )  # fmt: skip
    return views


def notices_for(store: CaseStore, agency: str, actor: str | None = None) -> list[NoticeView]:
    """The agency's hits grouped into notices (as requester): one per own item and owner.

    The owner's items show only as ``handling.released_item`` allows (released,
    and for H3 acknowledged); until then a notice is hit/no-hit with its signals.
    """
    AuditLog(store.engine).append(actor or agency, "access", "notices", {})
    return _notices(store, HubStore(store.engine).hits(requester=agency), "requester", agency)


def notice_inbox_for(store: CaseStore, agency: str, actor: str | None = None) -> list[NoticeView]:
    """Notices to a data owner: its own matched items, by caption, and the requesting agency."""
    AuditLog(store.engine).append(actor or agency, "access", "inbox", {"grouped": True})
    return _notices(store, HubStore(store.engine).hits(owner=agency), "owner", agency)


def decide_notice(
    store: CaseStore, ref: str, agency: str, release: bool, actor: str | None = None
) -> NoticeView:
    """The owner releases or declines every still-pending hit of a notice, each audited.

    Items already decided keep their decision; the H2/H3 rules hold per item on
    every view (``handling.released_item``).
    """
    hub = HubStore(store.engine)
    group = [h for h in hub.hits(owner=agency) if notice_ref(h.entity_id, agency) == ref]
    if not group:
        # the same answer whether the notice does not exist or belongs to someone else
        raise Forbidden(f"no notice {ref!r} in the inbox of {agency!r}")
    with store.engine.begin() as conn:  # every decision and its audit entry, or none
        for h in group:
            if h.status == "pending":
                _decide_one(store, h, release, actor or agency, conn, notice=ref)
    after = [h for h in hub.hits(owner=agency) if notice_ref(h.entity_id, agency) == ref]
    [view] = _notices(store, after, "owner", agency)
    return view


def audit_failed_authentication(
    store: CaseStore, path: str, credential: int | None, suppressed: int = 0
) -> None:
    """A request refused for a missing or bad token: the credential id it named, if any."""
    detail: dict[str, object] = {"credential": credential}
    if suppressed:
        detail["suppressed"] = suppressed  # failures since the last entry, not written one by one
    AuditLog(store.engine).append("unauthenticated", "authentication", path, detail)


def audit_entries(
    store: CaseStore,
    *,
    since: datetime | None = None,
    actor: str | None = None,
    action: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """The audit log for the hub operator: metadata only (see ``store.audit_log``)."""
    return AuditLog(store.engine).read(
        since=since, actor=actor, action=action, after=after, limit=limit
    )


def verify_audit(store: CaseStore) -> tuple[int, bool, str | None, str | None]:
    log = AuditLog(store.engine)
    verdict = log.verify()
    entries = log.entries()
    head = entries[-1]["hash"] if entries else None
    return verdict.entries, verdict.ok, verdict.problem, head


__all__ = [
    "NoticeItem",
    "NoticeView",
    "add_agency",
    "cross_check",
    "decide",
    "decide_notice",
    "hits_for",
    "inbox_for",
    "ingest",
    "notice_inbox_for",
    "notices_for",
]
