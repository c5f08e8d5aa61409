"""The hub's JSON API (FastAPI): `create_app()` wires the store, the auth and the job worker.

Every route but /health needs `Authorization: Bearer <token>`; what a caller
sees follows its agency and role: its own contributions, hit/no-hit on its
data, its inbox; the hub operator sees counts and the audit verdict, not content.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from crosscheck import __version__
from crosscheck.exc import CrosscheckError
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import AccessStore, Caller
from crosscheck.web.auth import Who
from crosscheck.web.resolution_api import resolution_router

WORKER_PAUSE_S = 0.5


class Health(BaseModel):
    status: str
    version: str


class Submitted(BaseModel):
    contribution: str
    created: bool
    signed_by: str | None
    queued_cross_check: bool


class ContributionOut(BaseModel):
    id: str
    case_reference: str
    handling: str
    evaluation: str
    received_at: str | None


class HitOut(BaseModel):
    ref: str
    signal: str
    side: str
    other_agency: str
    status: str
    own_entity: str
    other_entity: str | None


class AuditVerdict(BaseModel):
    entries: int
    intact: bool
    problem: str | None
    head: str | None


class Counts(BaseModel):
    agencies: int
    contributions: int
    entities: int
    fingerprints: int
    pending_jobs: int


def create_app(settings: Settings | None = None, *, worker: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()
    store: CaseStore = open_store(settings, create=True)
    access = AccessStore(store.engine)
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            if hub.run_jobs(store, limit=10) == 0:
                stop.wait(WORKER_PAUSE_S)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        thread = threading.Thread(target=work, name="crosscheck-worker", daemon=True)
        if worker:
            thread.start()
        yield
        stop.set()
        if worker:
            thread.join(timeout=10)
        store.engine.dispose()

    app = FastAPI(title="crosscheck hub", version=__version__, lifespan=lifespan)
    app.state.access = access

    def agency_of(who: Caller, *roles: str) -> str:
        if who.agency is None or who.role not in roles:
            raise HTTPException(403, f"this needs one of the roles {sorted(roles)} of an agency")
        return who.agency

    @app.exception_handler(CrosscheckError)
    async def crosscheck_error(_: Request, exc: CrosscheckError) -> JSONResponse:
        status = exc.status if exc.status < 500 else 500
        return JSONResponse({"detail": exc.message}, status_code=status)

    api = APIRouter(prefix="/api/v1")

    @api.get("/health")
    def health() -> Health:
        return Health(status="ok", version=__version__)

    @api.post("/contributions", status_code=201)
    async def submit(request: Request, who: Who) -> Submitted:
        """Upload a signed contribution package (the raw zip as the request body)."""
        agency = agency_of(who, "examiner", "agency_admin")
        spool = settings.home / "spool"
        spool.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=spool, suffix=".zip", delete=False) as handle:
            path = Path(handle.name)
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_package_bytes:
                    handle.close()
                    path.unlink(missing_ok=True)
                    raise HTTPException(413, "the package is over the hub's size limit")
                handle.write(chunk)
        try:
            done = await run_in_threadpool(
                hub.ingest,
                store,
                path,
                settings,
                require_signature=True,
                signer=agency,
                background=True,
            )
        finally:
            path.unlink(missing_ok=True)
        return Submitted(
            contribution=done.imported.manifest.contribution.id,
            created=done.imported.result.created,
            signed_by=done.signed_by,
            queued_cross_check=done.imported.result.created,
        )

    @api.get("/contributions")
    def contributions(who: Who) -> list[ContributionOut]:
        agency = agency_of(who, "examiner", "analyst", "agency_admin")
        return [
            ContributionOut(
                id=c.id,
                case_reference=c.case_reference,
                handling=str(c.handling),
                evaluation=str(c.evaluation),
                received_at=c.received_at.isoformat() if c.received_at else None,
            )
            for c in store.contributions()
            if c.provider.name == agency
        ]

    @api.get("/hits")
    def hits(who: Who) -> list[HitOut]:
        agency = agency_of(who, "examiner", "analyst", "agency_admin")
        return [HitOut(**view.__dict__) for view in hub.hits_for(store, agency)]

    @api.get("/inbox")
    def inbox(who: Who) -> list[HitOut]:
        agency = agency_of(who, "analyst", "agency_admin")
        return [HitOut(**view.__dict__) for view in hub.inbox_for(store, agency)]

    @api.post("/hits/{ref}/release")
    def release(ref: str, who: Who) -> dict[str, str]:
        decided = hub.decide(store, ref, agency_of(who, "agency_admin"), release=True)
        return {"ref": decided.ref, "status": decided.status}

    @api.post("/hits/{ref}/decline")
    def decline(ref: str, who: Who) -> dict[str, str]:
        decided = hub.decide(store, ref, agency_of(who, "agency_admin"), release=False)
        return {"ref": decided.ref, "status": decided.status}

    @api.get("/audit/verify")
    def audit_verify(who: Who) -> AuditVerdict:
        if who.role != "hub_operator":
            raise HTTPException(403, "for the hub operator")
        entries, intact, problem, head = hub.verify_audit(store)
        return AuditVerdict(entries=entries, intact=intact, problem=problem, head=head)

    @api.get("/stats")
    def stats(who: Who) -> Counts:
        if who.role != "hub_operator":
            raise HTTPException(403, "for the hub operator")
        held = store.stats()
        return Counts(
            agencies=held.agencies,
            contributions=held.contributions,
            entities=held.entities,
            fingerprints=held.fingerprints,
            pending_jobs=access.pending(),
        )

    api.include_router(resolution_router(store, agency_of))
    app.include_router(api)
    return app
