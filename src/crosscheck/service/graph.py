"""The link graph as one viewer may see it: built only from statements it may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crosscheck.graph.build import Provenance, build_graph
from crosscheck.graph.ftm import fill_required, ftm_ids, overlay_entities
from crosscheck.graph.overlay import HitEdge, SameEdge, add_hits, add_same_person
from crosscheck.graph.types import Graph
from crosscheck.model import Contribution, entity_dict
from crosscheck.model.statements import StatementEntity
from crosscheck.service import handling
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.hub_store import HubStore
from crosscheck.store.resolution_store import ResolutionStore

SAME_PERSON_THRESHOLD = 0.99


@dataclass
class ViewerGraph:
    graph: Graph
    entities: list[StatementEntity]
    withheld: list[str] = field(default_factory=list)  # contributions left out (judicial use)
    markings: dict[str, str] = field(default_factory=dict)  # contribution -> handling marking
    provenance: dict[str, Provenance] = field(default_factory=dict)  # contribution -> its origin


@dataclass(frozen=True)
class Filters:
    """What the graph is built from, chosen by the viewer; an empty set keeps everything.

    ``agencies``: the providers of the contributions, and the other agency of a
    hit; ``handling``: codes H0 to H3; ``sources``/``information``: the
    evaluation's letter (A/B/C/X) and digit (1 to 4); ``since``/``until``: the
    contribution's date (``created_at``), both days included.
    """

    agencies: frozenset[str] = frozenset()
    handling: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    information: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None

    def keeps(self, c: Contribution) -> bool:
        day = c.created_at.date()
        return (
            self.keeps_agency(c.provider.name)
            and (not self.handling or c.handling.code.value in self.handling)
            and (not self.sources or c.evaluation.source.value in self.sources)
            and (not self.information or c.evaluation.information.value in self.information)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
        )

    def keeps_agency(self, name: str) -> bool:
        return not self.agencies or name in self.agencies


def link_graph(
    store: CaseStore,
    viewer: str | None = None,
    actor: str | None = None,
    purpose: str = "analysis",
    filters: Filters | None = None,
) -> ViewerGraph:
    """``viewer`` None: the whole local store (one agency's own tool); else only that agency's data.

    Entities are assembled from the visible statements alone, so neither a
    value, a caption nor a schema of another agency's contribution can show.
    Every node and edge carries the marking of its handling codes; for
    ``purpose`` "judicial", H1 contributions without the provider's permission
    are left out (``service/handling.py`` decides). ``filters`` narrow what the
    viewer may see (never widen it): contributions, and hits by the other agency.
    """
    keep = filters or Filters()
    held = [
        c
        for c in store.contributions()
        if (viewer is None or c.provider.name == viewer) and keep.keeps(c)
    ]
    withheld = handling.judicial_withheld(store, held, viewer) if purpose == "judicial" else []
    visible = {
        c.id: Provenance(c.id, c.provider.name, str(c.handling), str(c.evaluation))
        for c in held
        if c.id not in withheld
    }
    entities = list(store.entities(contribution_ids=visible)) if visible else []
    if viewer is not None:
        AuditLog(store.engine).append(
            actor or viewer, "access", "graph", {"contributions": len(visible)}
        )
    graph = build_graph(entities, visible)
    add_hits(graph, [h for h in _hits(store, viewer) if keep.keeps_agency(h.other_agency)])
    add_same_person(graph, _same(store, viewer))
    marks = handling.markings(c for c in held if c.id in visible)
    handling.mark_graph(graph, marks)
    return ViewerGraph(graph, entities, withheld, marks, visible)


def _hits(store: CaseStore, viewer: str | None) -> list[HitEdge]:
    hub = HubStore(store.engine)
    if viewer is None:
        return [
            HitEdge(
                h.ref, h.signal, h.entity_id, h.other_entity_id, h.status, h.other_agency,
                distance=h.distance,
            )
            for h in hub.hits()
        ]  # fmt: skip
    outgoing = [  # the other item shows only once released, and only as the hit node
        HitEdge(h.ref, h.signal, h.entity_id, None, h.status, h.other_agency, distance=h.distance)
        for h in hub.hits(requester=viewer)
    ]
    notices = [
        HitEdge(
            h.ref, h.signal, h.other_entity_id, None, h.status, h.agency, outgoing=False,
            distance=h.distance,
        )
        for h in hub.hits(owner=viewer)
    ]  # fmt: skip
    return outgoing + notices


def _same(store: CaseStore, viewer: str | None) -> list[SameEdge]:
    """Links inside the clusters of the last resolution of this scope."""
    resolutions = ResolutionStore(store.engine)
    scope = viewer or ""
    where = {rid: r.cluster_id for rid, r in resolutions.records(scope).items()}
    return [
        SameEdge(link.left, link.right, where[link.left], link.probability)
        for link in resolutions.links(scope)
        if link.probability >= SAME_PERSON_THRESHOLD
        and link.left in where
        and where.get(link.right) == where[link.left]
    ]


def ftm_entities(view: ViewerGraph) -> list[dict[str, object]]:
    """FtM entities, each with the marking of the contributions it comes from.

    Same-person and hit links come as FtM entities too, and a Message gets its
    sender from the sending account's owner (`graph/ftm.py`).
    """
    entities = [
        {**entity_dict(e), "marking": sorted({view.markings[d] for d in e.datasets
                                              if d in view.markings})}
        for e in view.entities
    ]  # fmt: skip
    return ftm_ids(fill_required(entities) + overlay_entities(view.graph, view.markings))
