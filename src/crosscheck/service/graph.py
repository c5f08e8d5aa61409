"""The link graph as one viewer may see it: built only from statements it may see."""

from __future__ import annotations

from dataclasses import dataclass

from crosscheck.graph.build import Provenance, build_graph
from crosscheck.graph.types import Graph
from crosscheck.model import entity_dict
from crosscheck.model.statements import StatementEntity
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog


@dataclass
class ViewerGraph:
    graph: Graph
    entities: list[StatementEntity]


def link_graph(store: CaseStore, viewer: str | None = None) -> ViewerGraph:
    """``viewer`` None: the whole local store (one agency's own tool); else only that agency's data.

    Entities are assembled from the visible statements alone, so neither a
    value, a caption nor a schema of another agency's contribution can show.
    """
    visible = {
        c.id: Provenance(c.id, c.provider.name, str(c.handling), str(c.evaluation))
        for c in store.contributions()
        if viewer is None or c.provider.name == viewer
    }
    entities = list(store.entities(contribution_ids=visible)) if visible else []
    if viewer is not None:
        AuditLog(store.engine).append(viewer, "access", "graph", {"contributions": len(visible)})
    return ViewerGraph(build_graph(entities, visible), entities)


def ftm_entities(view: ViewerGraph) -> list[dict[str, object]]:
    return [entity_dict(e) for e in view.entities]
