"""Need to know on the read paths: which contributions a viewer may see, and the audit of it.

``viewer`` None is the local store's own user (one agency's embedded tool, or
the hub operator at the console): everything held. An agency name: only the
contributions that agency provided — never another agency's, whatever path
reads them (entities, show, export, stats, graph, resolution).
"""

from __future__ import annotations

from crosscheck.exc import NotFound
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog


def visible_contributions(store: CaseStore, viewer: str | None) -> list[str] | None:
    """The contribution ids ``viewer`` may read; None: all (no viewer given)."""
    if viewer is None:
        return None
    return [c.id for c in store.contributions() if c.provider.name == viewer]


def check_contribution(store: CaseStore, viewer: str | None, contribution_id: str) -> None:
    """A contribution the viewer may not see is "not held", in the same words as a missing one."""
    visible = visible_contributions(store, viewer)
    if visible is not None and contribution_id not in visible:
        raise NotFound(f"no contribution {contribution_id!r} is held")


def audit_read(
    store: CaseStore, viewer: str | None, subject: str, detail: dict[str, object]
) -> None:
    if viewer is not None:
        AuditLog(store.engine).append(viewer, "access", subject, detail)
