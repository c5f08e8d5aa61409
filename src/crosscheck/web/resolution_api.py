"""The hub's resolution API: an agency resolves what it may see, reads the evidence, judges.

Everything is scoped to the caller's agency: records, clusters, links and
judgements of other agencies never show. The hub operator has no route here
(evidence carries content: names, addresses).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from crosscheck.service.access import Acting, audit_read
from crosscheck.service.resolution import ResolveOptions, judge, resolve_store
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.resolution_store import ResolutionStore
from crosscheck.web.auth import Who
from crosscheck.web.bodies import json_body_spec, parse_json


class ResolvedRecordOut(BaseModel):
    id: str
    cluster: str
    match_probability: float
    explanation: dict[str, Any] | None
    cluster_size: int
    review: list[str]
    schema_name: str = Field(alias="schema")
    caption: str

    model_config = ConfigDict(populate_by_name=True)


class LinkOut(BaseModel):
    left: str
    right: str
    match_probability: float
    same_cluster: bool
    explanation: dict[str, Any]


class JudgementIn(BaseModel):
    left: str = Field(min_length=1, max_length=255)
    right: str | None = Field(default=None, min_length=1, max_length=255)
    cluster: str | None = Field(default=None, min_length=1, max_length=64)
    verdict: Literal["confirm", "reject", "unsure"]
    note: str = Field(default="", max_length=2000)

    model_config = ConfigDict(extra="forbid")


class JudgementOut(BaseModel):
    left: str
    right: str
    verdict: str
    by: str
    at: str
    cluster: str


def resolution_router(
    store: CaseStore, agency_of: Callable[..., str], max_body_bytes: int = 1 << 20
) -> APIRouter:
    """The routes; JSON bodies are read after the caller is checked, up to ``max_body_bytes``."""
    api = APIRouter(prefix="/resolution")

    @api.post("")
    async def run(caller: Who) -> list[ResolvedRecordOut]:
        """Resolve the people and accounts the caller's agency may see (incremental)."""
        agency = agency_of(caller, "analyst", "agency_admin")
        result = await run_in_threadpool(resolve_store, store, ResolveOptions(), agency)
        return [ResolvedRecordOut.model_validate(row) for row in result.rows]

    @api.get("/links")
    def links(record: str, caller: Who) -> list[LinkOut]:
        """The scored links of one record in the caller's last resolution, with their evidence."""
        agency = agency_of(caller, "analyst", "agency_admin")
        resolutions = ResolutionStore(store.engine)
        held = resolutions.records(agency)
        user = Acting(agency, caller.name).actor
        if record not in held:  # the asked-for id is not written: it names nothing held
            audit_read(store, agency, "resolution links", {"found": False}, user)
            raise HTTPException(404, f"no record {record!r} in your last resolution")
        found = [
            LinkOut(
                left=link.left,
                right=link.right,
                match_probability=link.probability,
                same_cluster=held.get(link.left, held[record]).cluster_id
                == held.get(link.right, held[record]).cluster_id,
                explanation=link.explanation,
            )
            for link in resolutions.links(agency, [record])
        ]
        audit_read(store, agency, "resolution links", {"record": record, "links": len(found)}, user)
        return found

    @api.post("/judgements", status_code=201, openapi_extra=json_body_spec(JudgementIn))
    async def add_judgement(request: Request, caller: Who) -> list[JudgementOut]:
        """Confirm, reject or mark unsure a pair, or a record's membership of a cluster."""
        agency = agency_of(caller, "analyst", "agency_admin")  # the caller first, then the body
        body = await parse_json(request, JudgementIn, max_body_bytes)
        return await run_in_threadpool(record_judgement, body, caller, agency)

    def record_judgement(body: JudgementIn, caller: Caller, agency: str) -> list[JudgementOut]:
        if (body.right is None) == (body.cluster is None):
            raise HTTPException(422, "give right (a pair) or cluster (a membership), one of them")
        held = ResolutionStore(store.engine).records(agency)
        for record in (body.left, body.right):
            if record is not None and record not in held:
                raise HTTPException(404, f"no record {record!r} in your last resolution")
        person: Caller = caller
        made = judge(
            store, body.left, body.right, body.verdict, f"{person.name} ({agency})",
            body.note, body.cluster, agency,
        )  # fmt: skip
        return [
            JudgementOut(**{k: v for k, v in j.to_json().items() if k != "note"}, cluster=j.cluster)
            for j in made
        ]

    @api.get("/judgements")
    def judgements(caller: Who) -> list[JudgementOut]:
        agency = agency_of(caller, "analyst", "agency_admin")
        listed = [
            JudgementOut(
                left=j.left, right=j.right, verdict=j.verdict, by=j.by, at=j.at, cluster=j.cluster
            )
            for j in ResolutionStore(store.engine).judgements(agency)
        ]
        user = Acting(agency, caller.name).actor
        audit_read(store, agency, "resolution judgements", {"count": len(listed)}, user)
        return listed

    return api
