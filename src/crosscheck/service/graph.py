"""The link graph as one viewer may see it: built only from statements it may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from crosscheck.graph.build import Provenance, build_graph
from crosscheck.graph.ftm import fill_required, ftm_ids, overlay_entities
from crosscheck.graph.overlay import HitEdge, SameEdge, add_hits, add_same_person
from crosscheck.graph.types import Graph
from crosscheck.model import entity_dict
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


def link_graph(
    store: CaseStore, viewer: str | None = None, actor: str | None = None, purpose: str = "analysis"
) -> ViewerGraph:
    """``viewer`` None: the whole local store (one agency's own tool); else only that agency's data.

    Entities are assembled from the visible statements alone, so neither a
    value, a caption nor a schema of another agency's contribution can show.
    Every node and edge carries the marking of its handling codes; for
    ``purpose`` "judicial", H1 contributions without the provider's permission
    are left out (``service/handling.py`` decides).
    """
    held = [c for c in store.contributions() if viewer is None or c.provider.name == viewer]
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
    add_hits(graph, _hits(store, viewer))
    add_same_person(graph, _same(store, viewer))
    marks = handling.markings(c for c in held if c.id in visible)
    handling.mark_graph(graph, marks)
    return ViewerGraph(graph, entities, withheld, marks)


def _hits(store: CaseStore, viewer: str | None) -> list[HitEdge]:
    hub = HubStore(store.engine)
    if viewer is None:
        return [
            HitEdge(h.ref, h.signal, h.entity_id, h.other_entity_id, h.status, h.other_agency)
            for h in hub.hits()
        ]
    outgoing = [  # the other item shows only once released, and only as the hit node
        HitEdge(h.ref, h.signal, h.entity_id, None, h.status, h.other_agency)
        for h in hub.hits(requester=viewer)
    ]
    notices = [
        HitEdge(h.ref, h.signal, h.other_entity_id, None, h.status, h.agency, outgoing=False)
        for h in hub.hits(owner=viewer)
    ]
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
