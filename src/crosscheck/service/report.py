"""The explained lead report: the chain of evidence for the competent country.

``build_report`` gathers, as one caller may see it, the media hits across
agencies (signal, distance, the other item only once its provider released it:
``service/handling.released_item``), the variety of the texts with their
evidence words (``text/analyse.py``), the resolved identity and its accounts
with the evidence per link (the caller's last resolution), the link path
between the items (``service/graph.link_graph`` + ``graph/queries.shortest_path``)
and the values they share. Every claim carries a footnote: the contribution,
its agency, handling code and evaluation. A ref or id the caller may not see is
refused, never dropped. ``report_data`` gives the facts as JSON; the wording is
``service/report_render.py`` (HTML through gettext, PDF by WeasyPrint).
The generation is audited: to whom, which hits and contributions (metadata only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.graph.queries import Step, shortest_path
from crosscheck.graph.types import Graph
from crosscheck.model import Contribution, HandlingCode
from crosscheck.model.statements import StatementEntity
from crosscheck.resolve.cluster import Link
from crosscheck.service import handling
from crosscheck.service.access import Acting, may, visible_contributions
from crosscheck.service.captions import captions
from crosscheck.service.graph import link_graph
from crosscheck.service.hub import notice_ref, strength
from crosscheck.service.report_render import render_html, render_pdf
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hub_store import Hit, HubStore
from crosscheck.store.resolution_store import ResolutionStore
from crosscheck.text.analyse import Analysis, analyse, analyse_author
from crosscheck.text.markers import find_markers

TEXT_PROPS = ("bodyText", "description")  # the written text of a message or a post
MAX_TEXT = 2000  # characters of a text quoted in the report


@dataclass(frozen=True)
class Footnote:
    n: int
    contribution: str
    agency: str
    country: str
    handling: str  # H0…H3
    evaluation: str  # e.g. B2
    marking: str  # the code with its meaning (H3: the provider's restriction)
    created_at: datetime


@dataclass(frozen=True)
class MediaHit:
    ref: str
    refs: list[str]  # every hit between the same two items, strongest first
    signal: str
    distance: int
    requester: str
    owner: str
    side: str  # requester or owner: which side the caller is
    status: str  # pending, released, declined
    item: str  # the caller's own item
    caption: str
    footnote: int
    other_item: str | None = None  # the other agency's item: only once released (H3: acknowledged)
    other_caption: str | None = None
    other_footnote: int | None = None
    restriction: str | None = None  # H3: the provider's restriction, beside the item


@dataclass(frozen=True)
class Highlight:
    text: str
    kind: str | None  # None: plain text; marker or word: an evidence word


@dataclass(frozen=True)
class TextFinding:
    entity: str
    caption: str
    language: str
    variety: str | None
    confidence: float
    markers: list[str]
    ngrams: list[str]
    footnote: int
    texts: int = 1  # an author's messages pooled into one decision
    segments: list[list[Highlight]] = field(default_factory=list)  # each text, highlighted


@dataclass(frozen=True)
class Member:
    entity: str
    caption: str
    schema: str
    footnote: int


@dataclass(frozen=True)
class IdentityLink:
    left: str
    right: str
    probability: float
    evidence: list[str]


@dataclass(frozen=True)
class Identity:
    cluster: str
    members: list[Member]
    links: list[IdentityLink]


@dataclass(frozen=True)
class PathStep:
    entity: str
    caption: str
    schema: str
    kind: str  # entity, value, hit
    via: str | None  # what links it to the step before (None: a segment starts)
    footnote: int | None


@dataclass(frozen=True)
class SharedValue:
    value: str
    kind: str
    entities: list[str]
    footnotes: list[int]


@dataclass(frozen=True)
class Marking:
    item: str
    handling: str
    text: str


@dataclass
class LeadReport:
    competent: str | None
    generated_at: datetime
    by: str
    agency: str
    media_hits: list[MediaHit]
    texts: list[TextFinding]
    identity: Identity | None
    path: list[PathStep]
    shared: list[SharedValue]
    footnotes: list[Footnote]
    markings: list[Marking]


def acting_for(caller: Caller | Acting) -> Acting:
    """A report is written for one agency: a user of it whose role may read and see hits."""
    if isinstance(caller, Acting):
        if caller.agency is None:
            raise InvalidData("a lead report is written for an agency: name the agency you act for")
        return caller
    agency = may(caller, "read")
    if agency is None or may(caller, "hits") is None:
        raise Forbidden(f"{caller.name} ({caller.role}) may not write a lead report")
    return Acting(agency, caller.name)


class _Sources:
    """The contributions cited, numbered in the order first cited."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.notes: dict[str, Footnote] = {}
        self.markings: dict[tuple[str, str], Marking] = {}

    def cite(self, contribution_id: str, item: str) -> int:
        note = self.notes.get(contribution_id)
        if note is None:
            [held] = self.store.contributions([contribution_id])
            note = _footnote(len(self.notes) + 1, held)
            self.notes[contribution_id] = note
        if note.handling != HandlingCode.H0.value:
            self.markings.setdefault(
                (item, note.handling), Marking(item, note.handling, note.marking)
            )
        return note.n


def _footnote(n: int, held: Contribution) -> Footnote:
    return Footnote(
        n,
        held.id,
        held.provider.name,
        held.provider.country.upper(),
        held.handling.code.value,
        str(held.evaluation),
        handling.marking(held.handling),
        held.created_at,
    )


def build_report(
    store: CaseStore,
    caller: Caller | Acting,
    hits: list[str],
    entities: list[str],
    *,
    competent: str | None = None,
    settings: Settings | None = None,
) -> LeadReport:
    """The lead report as ``caller`` may see it; a ref or id it may not see is refused."""
    del settings  # the report reads nothing configurable yet; kept for the contract
    who = acting_for(caller)
    agency = who.agency
    assert agency is not None  # _acting refuses a report for no agency
    if not hits and not entities:
        raise InvalidData("a lead report needs at least one hit (--hits) or entity (--entities)")
    country = competent.strip().upper() if competent else None
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InvalidData(f"the competent country is a two-letter code, e.g. ES; got {competent!r}")
    sources = _Sources(store)
    visible = visible_contributions(store, agency) or []
    chosen = _entities(store, entities, visible)
    media = _media_hits(store, agency, hits, sources)
    known = captions(store, [e.id for e in chosen if e.id])
    texts = _texts(store, chosen, visible, known, sources)
    view = link_graph(store, agency, who.actor)
    identity = _identity(store, agency, chosen, sources)
    path = _path(store, view.graph, media, [e.id for e in chosen if e.id], sources)
    shared = _shared(view.graph, [s.entity for s in path if s.kind == "entity"], sources)
    report = LeadReport(
        country, datetime.now(UTC), who.actor, agency, media, texts, identity, path, shared,
        sorted(sources.notes.values(), key=lambda f: f.n), list(sources.markings.values()),
    )  # fmt: skip
    AuditLog(store.engine).append(
        who.actor,
        "disclosure",
        "lead report",
        {
            "to": country or "",
            "hits": sorted({r for m in media for r in m.refs}),
            "entities": len(chosen),
            "contributions": sorted(sources.notes),
        },
    )
    return report


# -- what goes in -------------------------------------------------------------------------


def _entities(store: CaseStore, ids: Iterable[str], visible: list[str]) -> list[StatementEntity]:
    """Each id as ``show`` takes it, among what the caller may see; not held: refused."""
    found: list[StatementEntity] = []
    for name in dict.fromkeys(i.strip() for i in ids if i.strip()):
        matches = store.entity_matches(name, visible) if visible else []
        if not matches:
            raise NotFound(f"no entity {name!r} is held")
        if len(matches) > 1:
            held = ", ".join(str(e.id) for e, _ in matches)
            raise InvalidData(f"{name!r} is held in several contributions: give one of {held}")
        found.append(matches[0][0])
    return found


def _caller_hits(store: CaseStore, agency: str, refs: Iterable[str]) -> list[tuple[Hit, str]]:
    """The hits named (``HIT-…``) or the hits of the notices named (``N-…``), with the side."""
    hub = HubStore(store.engine)
    mine = [(h, "requester") for h in hub.hits(requester=agency)]
    mine += [(h, "owner") for h in hub.hits(owner=agency)]
    out: dict[str, tuple[Hit, str]] = {}
    for ref in dict.fromkeys(r.strip() for r in refs if r.strip()):
        matched = [
            (h, side)
            for h, side in mine
            if h.ref == ref
            or ref == notice_ref(h.entity_id, h.other_agency if side == "requester" else agency)
        ]
        if not matched:
            # the same answer whether it does not exist or is another agency's
            raise NotFound(f"no hit or notice {ref!r} for {agency}")
        out.update((h.ref, (h, side)) for h, side in matched)
    return list(out.values())


def _media_hits(
    store: CaseStore, agency: str, refs: list[str], sources: _Sources
) -> list[MediaHit]:
    grouped: dict[tuple[str, str, str], list[Hit]] = {}
    for h, side in _caller_hits(store, agency, refs):
        grouped.setdefault((side, h.entity_id, h.other_entity_id), []).append(h)
    rows = []
    for (side, _, _), group in grouped.items():
        group.sort(key=lambda h: strength(h.signal, h.distance))
        best = group[0]
        if side == "requester":
            shown = next((h for h in group if h.status == "released"), best)
            released = handling.released_item(store, shown, agency)
            own, own_contribution = best.entity_id, best.contribution_id
        else:
            released = handling.Released(None, None, None)
            own, own_contribution = best.other_entity_id, best.other_contribution_id
        rows.append((side, best, group, own, own_contribution, released))
    known = captions(store, [r[3] for r in rows] + [r[5].entity or "" for r in rows])
    media = []
    for side, best, group, own, own_contribution, released in rows:
        other_note = None  # H3 not yet acknowledged: the restriction only, beside the hit
        if released.entity is not None:
            other_note = sources.cite(best.other_contribution_id, released.entity)
        media.append(
            MediaHit(
                best.ref, [h.ref for h in group], best.signal, best.distance, best.agency,
                best.other_agency, side, _status(group), own,
                known[own].caption if own in known else own,
                sources.cite(own_contribution, own), released.entity,
                known[released.entity].caption if released.entity in known else None,
                other_note, released.restriction,
            )
        )  # fmt: skip
    media.sort(key=lambda m: strength(m.signal, m.distance))
    return media


def _status(group: list[Hit]) -> str:
    statuses = {h.status for h in group}
    return "released" if "released" in statuses else sorted(statuses)[0]


# -- texts ----------------------------------------------------------------------------------


def _text_of(entity: StatementEntity) -> list[str]:
    return [v[:MAX_TEXT] for prop in TEXT_PROPS if prop in entity.schema.properties
            for v in sorted(entity.get(prop))]  # fmt: skip


def _texts(
    store: CaseStore,
    chosen: list[StatementEntity],
    visible: list[str],
    known: dict[str, Any],
    sources: _Sources,
) -> list[TextFinding]:
    """A message's variety; for a person or an account, all the messages it sent, pooled."""
    findings = []
    written: dict[str, list[StatementEntity]] = {}
    if any(e.schema.is_a("LegalEntity") or e.schema.is_a("UserAccount") for e in chosen):
        for message in store.entities(contribution_ids=visible, schema="Message"):
            for author in {*message.get("sender"), *message.get("senderAccount")}:
                written.setdefault(author, []).append(message)
    for entity in chosen:
        assert entity.id is not None
        texts = _text_of(entity)
        if texts:
            [found] = analyse([(entity.id, "\n".join(texts))])
        else:
            own = [t for m in written.get(entity.id, []) for t in _text_of(m)]
            if not own:
                continue
            texts = own
            found = analyse_author(entity.id, own)
        caption = known[entity.id].caption if entity.id in known else entity.id
        note = sources.cite(sorted(entity.datasets)[0], entity.id)
        findings.append(_finding(entity.id, caption, found, texts, note))
    return findings


def _finding(
    entity: str, caption: str, found: Analysis, texts: list[str], note: int
) -> TextFinding:
    markers = list(dict.fromkeys(e.text.strip(" ,.;:!?¡¿") for e in found.evidence
                                 if e.kind in ("marker", "spelling")))  # fmt: skip
    ngrams = list(dict.fromkeys(e.text.strip() for e in found.evidence
                                if e.kind in ("ngram", "word") and e.text.strip()))  # fmt: skip
    words = [e.text.strip() for e in found.evidence if e.kind == "word" and e.text.strip()]
    return TextFinding(
        entity, caption, found.language, None if found.abstained else found.variety,
        round(found.variety_confidence, 4), markers, ngrams[:10], note, len(texts),
        [_highlight(t, found.language, words) for t in texts],
    )  # fmt: skip


def _highlight(text: str, language: str, words: list[str]) -> list[Highlight]:
    """The text cut into plain runs and evidence words: the markers, then the model's words."""
    spans: list[tuple[int, int, str]] = [(*m.span, "marker") for m in find_markers(text, language)]
    lowered = text.casefold()
    for word in words:
        start = lowered.find(word.casefold())
        while start >= 0:
            end = start + len(word)
            bounded = (start == 0 or not text[start - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum()
            )
            if bounded:
                spans.append((start, end, "word"))
            start = lowered.find(word.casefold(), end)
    out: list[Highlight] = []
    at = 0
    for start, end, kind in sorted(spans):
        if start < at or start == end:
            continue  # overlapping evidence: the first one found stands
        if start > at:
            out.append(Highlight(text[at:start], None))
        out.append(Highlight(text[start:end], kind))
        at = end
    if at < len(text):
        out.append(Highlight(text[at:], None))
    return out


# -- identity -------------------------------------------------------------------------------


def _identity(
    store: CaseStore, agency: str, chosen: list[StatementEntity], sources: _Sources
) -> Identity | None:
    """The caller's last resolution: the cluster holding most of the chosen people and accounts."""
    resolutions = ResolutionStore(store.engine)
    records = resolutions.records(agency)
    # the chosen people and accounts, and the senders of the chosen messages
    named = [e.id for e in chosen]
    for entity in chosen:
        if entity.schema.is_a("Message"):
            named += sorted({*entity.get("senderAccount"), *entity.get("sender")})
    wanted = [i for i in named if i in records]
    if not wanted:
        return None
    counts: dict[str, int] = {}
    for entity_id in wanted:
        cluster = records[entity_id].cluster_id
        counts[cluster] = counts.get(cluster, 0) + 1
    cluster = max(sorted(counts), key=lambda c: counts[c])
    members = sorted(r for r, held in records.items() if held.cluster_id == cluster)
    known = captions(store, members)
    cited: dict[str, str] = {}
    for stmt in store.statements(entity_ids=members):
        cited.setdefault(stmt.entity_id, stmt.dataset)
    listed = [
        Member(m, known[m].caption, known[m].schema, sources.cite(cited[m], m))
        for m in members
        if m in known and m in cited
    ]
    inside = set(members)
    links = [
        IdentityLink(link.left, link.right, round(link.probability, 6), _evidence(link))
        for link in resolutions.links(agency, members)
        if link.left in inside and link.right in inside
    ]
    links.sort(key=lambda link: (-link.probability, link.left, link.right))
    return Identity(cluster, listed, links)


def _evidence(link: Link) -> list[str]:
    """The reasons for one link: the rule, the judgement, or each field's level and weight."""
    found = link.explanation
    out = []
    if "rule" in found:
        out.append(f"{found['rule']} ({found.get('field', '')})")
    if "verdict" in found:
        out.append(f"judged {found['verdict']} by {found.get('by', '')}")
    for item in found.get("fields", []):
        if isinstance(item, dict) and item.get("level") not in (None, "", "null"):
            out.append(f"{item.get('field')}: {item.get('level')} ({item.get('match_weight')})")
    return out


# -- the path and the values shared ---------------------------------------------------------


def _path(
    store: CaseStore, graph: Graph, media: list[MediaHit], chosen: list[str], sources: _Sources
) -> list[PathStep]:
    """The shortest path through the hits' own items and the chosen entities in turn; where
    two are not linked a new segment starts. An item that starts a segment and has hits gets
    one step before it naming them (signal, distance, the other agency)."""
    hits: dict[str, list[MediaHit]] = {}
    for m in media:
        hits.setdefault(m.item, []).append(m)
    present = [a for a in dict.fromkeys([*hits, *chosen]) if a in graph]
    if not present:
        return []
    steps: list[Step] = [shortest_path(graph, present[0], present[0])[0]]
    for before, after in pairwise(present):
        if any(s.node == after for s in steps):
            continue
        try:
            steps.extend(shortest_path(graph, before, after)[1:])
        except NotFound:
            steps.append(shortest_path(graph, after, after)[0])
    known = captions(store, [s.node for s in steps])
    out: list[PathStep] = []
    for step in steps:
        if step.via is None and step.node in hits:
            found = hits[step.node]
            names = "; ".join(
                f"{m.signal}{f' ({m.distance})' if m.distance else ''} · "
                f"{m.owner if m.side == 'requester' else m.requester}"
                for m in found
            )
            out.append(PathStep(f"hits:{step.node}", names, "Hit", "hit", None, None))
            step = Step(step.node, step.label, step.schema, "hit", step.contributions)
        out.append(_step(graph, step, known, sources))
    return out


def _step(graph: Graph, step: Step, known: dict[str, Any], sources: _Sources) -> PathStep:
    kind = str(graph.nodes[step.node].get("kind", "entity"))
    cited = [c for c in step.contributions.split(";") if c]
    note = sources.cite(cited[0], step.node) if cited and kind == "entity" else None
    caption = known[step.node].caption if step.node in known else step.label
    return PathStep(step.node, caption, step.schema, kind, step.via, note)


def _shared(graph: Graph, entities: list[str], sources: _Sources) -> list[SharedValue]:
    """Values (e-mail, phone, wallet, serial…) the path's entities hold with another entity."""
    out: dict[str, SharedValue] = {}
    for entity in entities:
        for value in graph.neighbors(entity):
            data = graph.nodes[value]
            if data.get("kind") != "value" or value in out:
                continue
            holders = sorted(str(n) for n in graph.neighbors(value))
            notes = sorted(
                {
                    sources.cite(c, str(n))
                    for n in holders
                    for c in str(graph.nodes[n].get("contributions", "")).split(";")[:1]
                    if c
                }
            )
            out[value] = SharedValue(
                str(data.get("label")), str(data.get("schema")), holders, notes
            )
    return list(out.values())


# -- the facts as JSON ----------------------------------------------------------------------


def report_data(report: LeadReport) -> dict[str, Any]:
    """The facts of the report (not its wording), JSON-able."""
    return {
        "competent": report.competent,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "by": report.by,
        "media_hits": [asdict(m) for m in report.media_hits],
        "texts": [{k: v for k, v in asdict(t).items() if k != "segments"} for t in report.texts],
        "identity": None if report.identity is None else asdict(report.identity),
        "path": [asdict(s) for s in report.path],
        "shared": [asdict(s) for s in report.shared],
        "footnotes": [
            {**asdict(f), "created_at": f.created_at.isoformat(timespec="seconds")}
            for f in report.footnotes
        ],
        "markings": [asdict(m) for m in report.markings],
    }


__all__ = [
    "LeadReport",
    "acting_for",
    "build_report",
    "render_html",
    "render_pdf",
    "report_data",
]
