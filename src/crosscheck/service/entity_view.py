"""One entity as the workbench shows it: values with provenance, links, same person, evidence.

Read through ``service/access``: the entity must lie in a contribution the
viewer may see (``visible_contributions``); any other id — another agency's,
or none at all — is "not held", in the same words. Everything shown with it
(references either way, fingerprints, the resolved cluster) is of visible
contributions only. A message's texts are analysed on view (``text/analyse``),
each text's result kept in a small cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from followthemoney import model as ftm_model
from followthemoney import registry

from crosscheck.exc import Forbidden, NotFound
from crosscheck.model import Contribution, Fingerprint
from crosscheck.model.keys import SEPARATOR, is_reference
from crosscheck.model.statements import BASE_ID, Statement
from crosscheck.resolve.cluster import DEFAULT_THRESHOLD
from crosscheck.service.access import Acting, audit_read, may, visible_contributions
from crosscheck.service.captions import Caption, visible_captions
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.resolution_store import ResolutionStore
from crosscheck.text.analyse import Analysis, analyse
from crosscheck.text.highlight import Segment, segments

MEDIA_PROPS = ("createdAt", "generator", "mimeType", "fileSize", "notes")  # media metadata
TEXT_PROPS = ("bodyText",)  # a message's texts, analysed for language and variety
MAX_TEXT = 20_000  # characters of one text analysed and marked (the rest shows plain)
ANALYSIS_CACHE = 512

# every property that names another entity (FtM's entity type), for references to an entity
REFERENCE_PROPS = tuple(
    sorted(
        {
            name
            for schema in ftm_model.schemata.values()
            for name, prop in schema.properties.items()
            if prop.type == registry.entity
        }
    )
)


@dataclass(frozen=True)
class Origin:
    """Where a value came from."""

    contribution: str
    agency: str
    country: str
    handling: str  # H0 to H3
    handling_note: str  # H3: the provider's restriction
    evaluation: str  # e.g. B2

    @classmethod
    def of(cls, held: Contribution) -> Origin:
        return cls(
            held.id,
            held.provider.name,
            held.provider.country,
            held.handling.code.value,
            held.handling.note or "",
            str(held.evaluation),
        )


@dataclass(frozen=True)
class Sourced:
    prop: str
    value: str
    origin: Origin
    ref: Caption | None = None  # the value names a visible entity: its caption and schema


@dataclass(frozen=True)
class Printed:
    """A fingerprint with where it came from."""

    fingerprint: Fingerprint
    origin: Origin


@dataclass(frozen=True)
class Reference:
    """A link between this entity and another visible one, by one property."""

    entity: str
    caption: str
    schema: str
    prop: str  # the property holding the reference (on this entity, or on the other)


@dataclass(frozen=True)
class SameLink:
    """A scored or ruled link of the last resolution, with its evidence as ``resolve`` gives it."""

    other: str
    caption: str
    schema: str
    probability: float
    same_cluster: bool
    strong: bool  # at or above the threshold clusters form at
    rule: str | None  # a deterministic link: the rule, its field
    rule_field: str | None
    judgement: str | None  # an analyst's verdict
    match_weight: float | None  # a scored pair: the waterfall
    prior_weight: float | None
    fields: list[dict[str, Any]] = field(default_factory=list)  # field, level, match_weight


@dataclass(frozen=True)
class Resolved:
    cluster: str
    members: list[Reference]  # the others in the cluster (prop: empty)
    links: list[SameLink]


@dataclass(frozen=True)
class TextView:
    prop: str
    origin: Origin
    analysis: Analysis
    segments: list[Segment]


@dataclass(frozen=True)
class EntityPage:
    id: str
    schema: str
    caption: str
    origin: Origin
    values: list[Sourced]
    media: list[Sourced]
    fingerprints: list[Printed]
    links_to: list[Reference]  # this entity's values naming others
    links_from: list[Reference]  # others' values naming this entity
    resolved: Resolved | None
    resolution_held: bool  # the viewer's agency has resolved at all
    texts: list[TextView]


def reader(caller: Caller) -> str:
    agency = may(caller, "read")
    if agency is None:
        raise Forbidden(f"{caller.name} ({caller.role}) may not read entities")
    return agency


def held_ids(store: CaseStore, caller: Caller, entity_id: str) -> list[Reference]:
    """The held entities ``entity_id`` names for the caller: itself, or the package's id in
    each visible contribution that holds it (as ``crosscheck show``). None: "not held"."""
    agency = reader(caller)
    visible = visible_contributions(store, agency) or []
    found = store.entity_matches(entity_id, visible) if visible else []
    if not found:
        raise NotFound(f"no entity {entity_id!r} is held")
    return [Reference(e.id or "", e.caption, e.schema.name, "") for e, _ in found]


def _contribution_of(entity_id: str) -> str:
    return entity_id.split(SEPARATOR, 1)[0]


@lru_cache(maxsize=ANALYSIS_CACHE)
def analysed(text: str) -> Analysis:
    """Language, variety and evidence of one text (the models load once)."""
    [result] = analyse([("text", text)])
    return result


def entity_page(store: CaseStore, caller: Caller, entity_id: str) -> EntityPage:
    """One entity the caller may see (its held id); any other is "not held"."""
    agency = reader(caller)
    visible = set(visible_contributions(store, agency) or [])
    if _contribution_of(entity_id) not in visible:
        raise NotFound(f"no entity {entity_id!r} is held")
    entity, stmts = store.entity(entity_id, visible)
    held = {c.id: Origin.of(c) for c in store.contributions({s.dataset for s in stmts})}
    origin = held[stmts[0].dataset]
    schema = entity.schema.name
    refs = [s for s in stmts if s.prop != BASE_ID and is_reference(schema, s.prop)]
    incoming = [
        s
        for s in store.referring(entity_id, REFERENCE_PROPS, visible)
        if s.entity_id != entity_id and is_reference(s.schema, s.prop)
    ]
    resolutions = ResolutionStore(store.engine)
    records = resolutions.records(agency)
    resolved = _resolved(resolutions, agency, records, entity_id, visible)
    known = visible_captions(
        store,
        [s.value for s in refs]
        + [s.entity_id for s in incoming]
        + ([r.entity for r in resolved.members] if resolved else [])
        + ([link.other for link in resolved.links] if resolved else []),
        visible,
    )
    values = [
        Sourced(
            s.prop,
            s.value,
            held[s.dataset],
            known.get(s.value) if is_reference(schema, s.prop) else None,
        )
        for s in sorted(stmts, key=lambda s: (s.prop, s.value))
        if s.prop != BASE_ID
    ]
    prints = [
        Printed(f, origin)
        for f in store.fingerprints(entity_id=entity_id, contribution_ids=visible)
    ]
    texts = [
        _text_view(s, held[s.dataset])
        for s in stmts
        if s.prop in TEXT_PROPS and entity.schema.is_a("Message")
    ]
    audit_read(store, agency, entity_id, {"read": "workbench"}, Acting(agency, caller.name).actor)
    caption = entity.caption
    if not caption or caption == entity.schema.label:  # a message by its text, else the id
        bodies = sorted(entity.get("bodyText", quiet=True))
        caption = _snippet(bodies[0]) if bodies else entity_id.split(SEPARATOR, 1)[-1]
    return EntityPage(
        id=entity_id,
        schema=schema,
        caption=caption,
        origin=origin,
        values=[v for v in values if v.prop not in MEDIA_PROPS],
        media=[v for v in values if v.prop in MEDIA_PROPS],
        fingerprints=prints,
        links_to=_references(((s.value, s.prop) for s in refs), known),
        links_from=_references(((s.entity_id, s.prop) for s in incoming), known),
        resolved=_described(resolved, known),
        resolution_held=bool(records),
        texts=texts,
    )


def _snippet(text: str, length: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def _text_view(stmt: Statement, origin: Origin) -> TextView:
    """The text analysed, cut into plain and marked pieces (past ``MAX_TEXT``: plain)."""
    head, rest = stmt.value[:MAX_TEXT], stmt.value[MAX_TEXT:]
    result = analysed(head)
    pieces = segments(head, result.evidence) + ([Segment(rest)] if rest else [])
    return TextView(stmt.prop, origin, result, pieces)


def _references(pairs: Iterable[tuple[str, str]], known: dict[str, Caption]) -> list[Reference]:
    out = [
        Reference(other, known[other].caption, known[other].schema, prop)
        for other, prop in dict.fromkeys(pairs)
        if other in known
    ]
    return sorted(out, key=lambda r: (r.prop, r.caption.casefold(), r.entity))


def _resolved(
    resolutions: ResolutionStore,
    scope: str,
    records: dict[str, Any],
    entity_id: str,
    visible: set[str],
) -> Resolved | None:
    """The entity's cluster in the scope's last resolution and its links, visible ones only."""
    if entity_id not in records:
        return None
    cluster = records[entity_id].cluster_id
    members = sorted(
        r.record_id
        for r in records.values()
        if r.cluster_id == cluster
        and r.record_id != entity_id
        and _contribution_of(r.record_id) in visible
    )
    links = []
    for link in resolutions.links(scope, [entity_id]):
        other = link.right if link.left == entity_id else link.left
        if _contribution_of(other) not in visible:
            continue
        why = link.explanation or {}
        judged = why.get("judgement")
        links.append(
            SameLink(
                other=other,
                caption="",
                schema="",
                probability=link.probability,
                same_cluster=other in records and records[other].cluster_id == cluster,
                strong=link.probability >= DEFAULT_THRESHOLD,
                rule=why.get("rule"),
                rule_field=why.get("field"),
                judgement=judged.get("verdict") if isinstance(judged, dict) else None,
                match_weight=why.get("match_weight"),
                prior_weight=why.get("prior_match_weight"),
                fields=list(why.get("fields") or []),
            )
        )
    links.sort(key=lambda k: (-k.probability, k.other))
    return Resolved(cluster, [Reference(m, "", "", "") for m in members], links)


def _described(resolved: Resolved | None, known: dict[str, Caption]) -> Resolved | None:
    """Captions and schemata filled in; members and links not visible left out."""
    if resolved is None:
        return None
    members = [
        Reference(m.entity, known[m.entity].caption, known[m.entity].schema, "")
        for m in resolved.members
        if m.entity in known
    ]
    links = [
        replace(link, caption=known[link.other].caption, schema=known[link.other].schema)
        for link in resolved.links
        if link.other in known
    ]
    return Resolved(resolved.cluster, members, links)


__all__ = ["EntityPage", "entity_page", "held_ids", "reader"]
