"""The hub's use cases: agency identities, signed ingest, cross-checking, hit/no-hit, audit.

A hit on another agency's data is first only a notice: the requester sees the
hit reference, its signal and the owning agency; the owner sees the notice in
its inbox and decides to release or decline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from crosscheck.exc import Forbidden, InvalidPackage
from crosscheck.exchange.signing import (
    key_id,
    new_key,
    public_from_hex,
    public_hex,
    read_signature,
    verify_package,
    write_secret,
)
from crosscheck.index.hamming import from_hex
from crosscheck.index.pdq_index import PdqIndex
from crosscheck.model import Agency, Contribution
from crosscheck.service.casework import Imported, import_package
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, ImportResult
from crosscheck.store.access_store import AccessStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hub_store import Hit, HubStore, NewHit
from crosscheck.text.identifiers import normalise_email, normalise_phone, normalise_username

PDQ_THRESHOLD = 31
IDENTIFIER_PROPS = ("email", "phone", "username", "service", "publicKey", "cryptoAddress")


def _now() -> datetime:
    return datetime.now(UTC)


def add_user(store: CaseStore, name: str, role: str, agency: str | None, token_out: Path) -> None:
    """A user with an API token, written once to ``token_out`` (readable by its owner only)."""
    token = AccessStore(store.engine).add_credential(name, role, agency, _now())
    write_secret(token_out, token.encode() + b"\n")
    AuditLog(store.engine).append("hub", "key", agency or "hub", {"user": name, "role": role})


def add_agency(store: CaseStore, name: str, country: str, key_out: Path) -> str:
    """Create an agency (or give a revoked one a new key) with a new Ed25519 key pair."""
    provider = Agency(name=name, country=country)  # validates the name and the country
    private = new_key(key_out)
    public = private.public_key()
    HubStore(store.engine).add_agency(
        provider.name, provider.country, key_id(public), public_hex(public), _now()
    )
    AuditLog(store.engine).append("hub", "key", provider.name, {"key_id": key_id(public)})
    return key_id(public)


def revoke_agency(store: CaseStore, name: str) -> int:
    count = HubStore(store.engine).revoke(name, _now())
    AuditLog(store.engine).append("hub", "key", name, {"revoked_keys": count})
    return count


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
) -> Ingested:
    """Verify (signature, digests, schema), store, audit, then cross-check against all holdings."""
    signature = read_signature(path)
    signed_by = None
    if signature is not None or require_signature:
        if signature is None:
            raise InvalidPackage(str(path), "not signed; the hub takes signed packages only")
        known = HubStore(store.engine).agency_keys(signature.agency)
        keys = [k for k in known if k.key_id == signature.key_id]
        if not keys:
            raise InvalidPackage(
                str(path), f"signed with key {signature.key_id}, unknown to this hub"
            )
        if keys[0].revoked:
            raise InvalidPackage(str(path), f"signed with key {signature.key_id}, which is revoked")
        verify_package(path, public_from_hex(keys[0].public_key), signature.agency)
        signed_by = signature.key_id
    if signer is not None and (signature is None or signature.agency != signer):
        raise Forbidden(f"{path}: an agency submits only packages it signed itself")
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
                "handling": str(item.handling),
                "evaluation": str(item.evaluation),
                "key_id": signed_by,
            },
            conn=conn,
        )
        if background:  # the job lives in the database: a restart loses none of it
            AccessStore(store.engine).enqueue("cross-check", item.id, _now(), conn=conn)

    done = import_package(store, path, settings, on_stored=stored)
    hits = 0
    if done.result.created and not background:
        hits = cross_check(store, done.manifest.contribution.id)
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
        except Exception as exc:  # a failed job is recorded, the queue goes on
            access.finish(job_id, _now(), f"{exc.__class__.__name__}: {exc}")
        else:
            access.finish(job_id, _now())
        done += 1
    return done


def cross_check(store: CaseStore, contribution_id: str) -> int:
    """Match one contribution against every other agency's holdings; record and audit hits."""
    hub = HubStore(store.engine)
    found = [*_one_exact_hit_per_pair(hub.exact_candidates(contribution_id))]
    found.extend(_pdq_hits(hub, contribution_id))
    found.extend(_video_hits(hub, contribution_id))
    found.extend(_identifier_hits(hub, contribution_id))
    added = hub.record_hits(contribution_id, found, _now())
    AuditLog(store.engine).append(
        "hub", "combination", contribution_id, {"candidates": len(found), "new_hits": added}
    )
    return added


EXACT_STRENGTH = {"sha256": 3, "sha1": 2, "md5": 1}


def _one_exact_hit_per_pair(candidates: Iterator[NewHit]) -> Iterator[NewHit]:
    """The same file matched by MD5, SHA-1 and SHA-256 is one hit, named by its strongest hash."""
    best: dict[tuple[str, str, str], NewHit] = {}
    for item in candidates:
        key = (item.entity_id, item.other_contribution_id, item.other_entity_id)
        held = best.get(key)
        if held is None or EXACT_STRENGTH[item.signal] > EXACT_STRENGTH[held.signal]:
            best[key] = item
    yield from best.values()


def _pdq_hits(hub: HubStore, contribution_id: str) -> Iterator[NewHit]:
    mine = hub.perceptual(contribution_id, mine=True)
    theirs = hub.perceptual(contribution_id, mine=False)
    if not mine or not theirs:
        return
    index = PdqIndex(from_hex(v for _, _, v in theirs))
    result = index.search(from_hex(v for _, _, v in mine), PDQ_THRESHOLD)
    best: dict[tuple[str, str, str], int] = {}
    for query, row, distance in result.triples():
        _, entity, _ = mine[query]
        other_contribution, other_entity, _ = theirs[row]
        key = (entity, other_contribution, other_entity)
        best[key] = min(distance, best.get(key, distance))
    for (entity, other_contribution, other_entity), distance in best.items():
        yield NewHit("pdq", distance, entity, other_contribution, other_entity)


VIDEO_PCT = 80.0  # a video matches when this share of the frames of both sides match


def _video_hits(hub: HubStore, contribution_id: str) -> Iterator[NewHit]:
    """Videos by their vPDQ frames: most frames of both videos within the PDQ threshold."""
    mine = hub.perceptual(contribution_id, mine=True, kind="vpdq-frame")
    theirs = hub.perceptual(contribution_id, mine=False, kind="vpdq-frame")
    if not mine or not theirs:
        return
    result = PdqIndex(from_hex(v for _, _, v in theirs)).search(
        from_hex(v for _, _, v in mine), PDQ_THRESHOLD
    )
    my_frames: dict[str, int] = defaultdict(int)
    for _, entity, _ in mine:
        my_frames[entity] += 1
    their_frames: dict[tuple[str, str], int] = defaultdict(int)
    for other_contribution, other_entity, _ in theirs:
        their_frames[(other_contribution, other_entity)] += 1
    matched_mine: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    matched_theirs: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    closest: dict[tuple[str, str, str], int] = {}
    for query, row, distance in result.triples():
        _, entity, _ = mine[query]
        other_contribution, other_entity, _ = theirs[row]
        key = (entity, other_contribution, other_entity)
        matched_mine[key].add(query)
        matched_theirs[key].add(row)
        closest[key] = min(distance, closest.get(key, distance))
    for key, queries in matched_mine.items():
        entity, other_contribution, other_entity = key
        mine_pct = 100.0 * len(queries) / my_frames[entity]
        their_pct = (
            100.0 * len(matched_theirs[key]) / their_frames[(other_contribution, other_entity)]
        )
        if mine_pct >= VIDEO_PCT and their_pct >= VIDEO_PCT:
            yield NewHit("vpdq", closest[key], entity, other_contribution, other_entity)


def _identifier_keys(rows: list[tuple[str, str, str, str]]) -> dict[tuple[str, str], set[str]]:
    """(contribution, entity) -> identifiers such as email:x, phone:+34..., account:svc:user."""
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    services: dict[tuple[str, str], set[str]] = defaultdict(set)
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for contribution, entity, prop, value in rows:
        owner = (contribution, entity)
        if prop == "email" and (email := normalise_email(value)):
            keys[owner].add(f"email:{email}")
        elif prop == "phone" and (phone := normalise_phone(value)):
            keys[owner].add(f"phone:{phone}")
        elif prop == "username" and (user := normalise_username(value)):
            users[owner].add(user)
        elif prop == "service":
            services[owner].add(value.strip().casefold())
        elif prop in ("publicKey", "cryptoAddress"):
            keys[owner].add(
                f"wallet:{value.strip().lower() if value.startswith('0x') else value.strip()}"
            )
    for owner, names in users.items():
        for service in services.get(owner, set()):
            keys[owner].update(f"account:{service}:{name}" for name in names)
    return keys


def _identifier_hits(hub: HubStore, contribution_id: str) -> Iterator[NewHit]:
    mine = _identifier_keys(hub.identifier_values(IDENTIFIER_PROPS, contribution_id, mine=True))
    if not mine:
        return
    theirs = _identifier_keys(hub.identifier_values(IDENTIFIER_PROPS, contribution_id, mine=False))
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for owner, values in theirs.items():
        for value in values:
            by_key[value].append(owner)
    for (_, entity), values in mine.items():
        for value in values:
            for other_contribution, other_entity in by_key.get(value, ()):
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


def hits_for(store: CaseStore, agency: str) -> list[HitView]:
    """Hits on the agency's own contributions (as requester): hit/no-hit until released."""
    AuditLog(store.engine).append(agency, "access", "hits", {})
    return [
        HitView(
            h.ref,
            h.signal,
            "requester",
            h.other_agency,
            h.status,
            h.entity_id,
            h.other_entity_id if h.status == "released" else None,
        )
        for h in HubStore(store.engine).hits(requester=agency)
    ]


def inbox_for(store: CaseStore, agency: str) -> list[HitView]:
    """Notices to a data owner: another agency's contribution hit its data."""
    AuditLog(store.engine).append(agency, "access", "inbox", {})
    return [
        HitView(h.ref, h.signal, "owner", h.agency, h.status, h.other_entity_id, None)
        for h in HubStore(store.engine).hits(owner=agency)
    ]


def decide(store: CaseStore, ref: str, agency: str, release: bool) -> Hit:
    """The owning agency releases (the requester then sees the item) or declines."""
    hub = HubStore(store.engine)
    found = hub.hits(ref=ref, owner=agency)
    match = found[0] if found else None
    if match is None:
        # the same answer whether the hit does not exist or belongs to someone else
        raise Forbidden(f"no hit {ref!r} in the inbox of {agency!r}")
    decided = hub.decide(ref, "released" if release else "declined", _now())
    AuditLog(store.engine).append(
        agency,
        "disclosure" if release else "access",
        ref,
        {"to": match.agency, "entity": match.other_entity_id, "decision": decided.status},
    )
    return decided


def verify_audit(store: CaseStore) -> tuple[int, bool, str | None, str | None]:
    log = AuditLog(store.engine)
    verdict = log.verify()
    entries = log.entries()
    head = entries[-1]["hash"] if entries else None
    return verdict.entries, verdict.ok, verdict.problem, head


__all__ = ["add_agency", "cross_check", "decide", "hits_for", "inbox_for", "ingest"]
