"""Who the caller is (`GET /whoami`) and search of the caller's own holdings (`GET /search`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from crosscheck.service import search as searching
from crosscheck.service.access import ROLES, Acting
from crosscheck.store import CaseStore
from crosscheck.web.auth import Who


class WhoAmI(BaseModel):
    name: str
    role: str
    agency: str | None  # None for the hub operator


class FoundOut(BaseModel):
    contribution: str
    entity: str
    schema_name: str = Field(alias="schema")  # the entity's schema, or the fingerprint's kind
    prop: str  # the property, or "fingerprint"
    value: str

    model_config = ConfigDict(populate_by_name=True)


def agency_router(store: CaseStore, agency_of: Callable[..., str]) -> APIRouter:
    api = APIRouter()

    @api.get("/whoami")
    def whoami(who: Who) -> WhoAmI:
        """The user, role and agency the bearer token names (to check a token or a profile)."""
        return WhoAmI(name=who.name, role=who.role, agency=who.agency)

    @api.get("/search")
    def search(
        who: Who,
        q: Annotated[str, Query(min_length=1, max_length=searching.MAX_QUERY)],
        limit: Annotated[int, Query(ge=1, le=searching.MAX_RESULTS)] = searching.MAX_RESULTS,
    ) -> list[FoundOut]:
        """Search the caller's own contributions: names, usernames, e-mails, phones, wallets
        (part of the value, any case) and hashes (md5, sha1, sha256, pdq hex: exact)."""
        agency = agency_of(who, *ROLES["read"])
        found = searching.search(store, agency, q, Acting(agency, who.name).actor, limit)
        return [FoundOut(**item.__dict__) for item in found]

    return api
