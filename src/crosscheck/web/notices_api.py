"""Hit notices over the API: one per (requesting item, owning agency), decided as a whole.

``GET /notices`` (as requester), ``GET /notices/inbox`` (as owner),
``POST /notices/{ref}/release|decline`` (the owner's agency_admin). The
per-signal routes (``/hits``, ``/inbox``, ``/hits/{ref}/…``) stay beside them.
What shows of the other side's items is ``service/handling.py``'s decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from crosscheck.service import hub
from crosscheck.service.access import ROLES, Acting
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.web.auth import Who


class NoticeItemOut(BaseModel):
    ref: str  # the strongest hit's reference: decide the item by it
    refs: list[str]
    signals: list[str]
    distance: int
    status: str
    entity: str | None
    caption: str | None
    schema_name: str | None = Field(alias="schema")
    handling: str | None = None
    restriction: str | None = None

    model_config = ConfigDict(populate_by_name=True)


class NoticeOut(BaseModel):
    ref: str
    side: str
    other_agency: str
    status: str  # pending, released, declined, partly released
    hits: int
    signal: str
    distance: int
    own_entity: str | None
    own_caption: str | None
    own_schema: str | None
    items: list[NoticeItemOut]


def _out(view: hub.NoticeView) -> NoticeOut:
    return NoticeOut.model_validate(asdict(view))


def notices_router(store: CaseStore, agency_of: Callable[..., str]) -> APIRouter:
    router = APIRouter(prefix="/notices")

    def actor(who: Caller) -> str:
        return Acting(who.agency, who.name).actor

    @router.get("", response_model_by_alias=True)
    def notices(who: Who) -> list[NoticeOut]:
        """Hits on your contributions, one notice per own item and owning agency."""
        agency = agency_of(who, *ROLES["hits"])
        return [_out(v) for v in hub.notices_for(store, agency, actor(who))]

    @router.get("/inbox", response_model_by_alias=True)
    def inbox(who: Who) -> list[NoticeOut]:
        """Notices on your data: your own matched items, by caption, and who asked."""
        agency = agency_of(who, *ROLES["inbox"])
        return [_out(v) for v in hub.notice_inbox_for(store, agency, actor(who))]

    @router.post("/{ref}/release", response_model_by_alias=True)
    def release(ref: str, who: Who) -> NoticeOut:
        """Release every still-pending item of the notice (each within its handling code)."""
        agency = agency_of(who, *ROLES["decide"])
        return _out(hub.decide_notice(store, ref, agency, release=True, actor=actor(who)))

    @router.post("/{ref}/decline", response_model_by_alias=True)
    def decline(ref: str, who: Who) -> NoticeOut:
        """Decline every still-pending item: the requester keeps hit/no-hit only."""
        agency = agency_of(who, *ROLES["decide"])
        return _out(hub.decide_notice(store, ref, agency, release=False, actor=actor(who)))

    return router


__all__ = ["NoticeItemOut", "NoticeOut", "notices_router"]
