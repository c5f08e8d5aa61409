"""Need to know on the read paths: which contributions a viewer may see, and the audit of it.

``viewer`` None is the local store's own user (one agency's embedded tool, or
the hub operator at the console): everything held. An agency name: only the
contributions that agency provided — never another agency's, whatever path
reads them (entities, show, export, stats, graph, resolution).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.handling_store import HandlingStore

# The roles each action needs, for the API and the CLI alike (a hub operator is of no agency).
ROLES: dict[str, tuple[str, ...]] = {
    "submit": ("examiner", "agency_admin"),
    "read": ("examiner", "analyst", "agency_admin"),  # own contributions, entities, graph, export
    "hits": ("examiner", "analyst", "agency_admin"),
    "inbox": ("analyst", "agency_admin"),
    "decide": ("agency_admin",),  # release or decline a hit
    "acknowledge": ("examiner", "analyst", "agency_admin"),  # an H3 restriction
    "permit": ("agency_admin",),  # record a handling-code permission
    "message": ("examiner", "analyst", "agency_admin"),
    "resolve": ("analyst", "agency_admin"),
}

TOKEN_HINT = "give --token-file FILE (or CROSSCHECK_TOKEN_FILE) with a token of that agency"  # noqa: S105


def may(caller: Caller, action: str) -> str | None:
    """The caller's agency when its role may do ``action``, else None."""
    if caller.agency is None or caller.role not in ROLES[action]:
        return None
    return caller.agency


def hub_served(store: CaseStore) -> bool:
    """The hub also serves this store when it holds any API credential or any agency key.

    One agency's embedded tool holds neither; there the local user is trusted
    with everything held, as before.
    """
    return HandlingStore(store.engine).hub_served()


@dataclass(frozen=True)
class Acting:
    """Who a command acts for: an agency (and the user its token names), or None: everything."""

    agency: str | None
    user: str | None = None

    @property
    def actor(self) -> str:
        """The name the audit log records: ``user@AGENCY`` with a credential."""
        if self.user is not None and self.agency is not None:
            return f"{self.user}@{self.agency}"
        return self.agency or "local"


def act_for(
    store: CaseStore,
    action: str,
    claimed: str | None,
    token: str | None,
    *,
    authenticate: Callable[[str], Caller | None],
    needs_agency: bool,
    content: bool = True,
) -> Acting:
    """Who a command may act for.

    With a token: the user it names, whose role must allow ``action`` (as in the
    API), for its own agency only (``claimed`` must match it or be omitted). On
    a store no hub serves: the agency named, as before (``None``: everything).
    On a hub store without a token: the operator, who gets metadata and counts
    (``content`` False) and nothing that acts for an agency.
    """
    if token is not None:
        caller = authenticate(token)
        if caller is None:
            raise Forbidden("the token file holds no valid token for this store")
        agency = may(caller, action)
        if agency is None:
            raise Forbidden(
                f"{caller.name} ({caller.role}) may not do this: it needs one of the roles "
                f"{', '.join(ROLES[action])} of an agency"
            )
        if claimed is not None and claimed != agency:
            raise Forbidden(f"the token is {caller.name}'s of {agency}, not of {claimed}")
        return Acting(agency, caller.name)
    if not hub_served(store):
        if needs_agency and claimed is None:
            raise InvalidData("name the agency you act for with --agency")
        if claimed is not None:
            check_agency(store, claimed)
        return Acting(claimed)
    if claimed is not None or needs_agency:
        raise Forbidden(f"this store is served by a hub: to act for an agency, {TOKEN_HINT}")
    if content:
        raise Forbidden(
            f"this store is served by a hub: the operator sees counts, not content; {TOKEN_HINT}"
        )
    return Acting(None)


def check_agency(store: CaseStore, name: str) -> None:
    """An agency named on a command line must be known here: an unknown one is an error,
    never an empty answer (a typo would read as "no hit")."""
    if not store.agency_held(name):
        raise NotFound(f"no agency named {name!r} at this store")


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
    store: CaseStore,
    viewer: str | None,
    subject: str,
    detail: dict[str, object],
    actor: str | None = None,
) -> None:
    """Audit a scoped read; ``actor`` names the user (``user@AGENCY``) where a token was given."""
    if viewer is not None:
        AuditLog(store.engine).append(actor or viewer, "access", subject, detail)
