"""The hub's JSON API (FastAPI): `create_app()` wires the store, the auth and the job worker.

Every route but /health needs `Authorization: Bearer <token>`; what a caller
sees follows its agency and role: its own contributions, hit/no-hit on its
data, its inbox; the hub operator sees counts and the audit verdict, not content.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from crosscheck import __version__
from crosscheck.exc import CrosscheckError
from crosscheck.service import handling, hub
from crosscheck.service.access import ROLES, Acting, audit_read
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import AccessStore, Caller
from crosscheck.store.job_bell import JobBell
from crosscheck.web.agency_api import agency_router
from crosscheck.web.auth import FailedAuthentication, Who
from crosscheck.web.bodies import declared_length
from crosscheck.web.messages_api import messages_router
from crosscheck.web.notices_api import notices_router
from crosscheck.web.pages import install as install_workbench
from crosscheck.web.resolution_api import resolution_router

WORKER_PAUSE_S = 0.5


class Health(BaseModel):
    status: str
    version: str


class Submitted(BaseModel):
    contribution: str  # the id the hub holds it under
    created: bool
    signed_by: str | None
    queued_cross_check: bool
    submitted_id: str = ""  # the id the package carries
    assigned: bool = False  # another agency holds that id, so the hub gave this one


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
    other_handling: str | None = None
    restriction: str | None = None
    distance: int = 0
    notice: str | None = None  # the notice (GET /api/v1/notices) this hit belongs to
    own_caption: str | None = None
    own_schema: str | None = None
    other_caption: str | None = None  # only once released (and, for H3, acknowledged)
    other_schema: str | None = None


AUDIT_PAGE = 1000  # entries per page of GET /api/v1/audit


class AuditEntryOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


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


UPLOAD_SPEC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "a signed contribution package (docs/package-format.md), as raw bytes",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _spool_file(spool: Path) -> Path:
    """A new file for one upload, readable by the hub only, in a folder only the hub enters."""
    spool.mkdir(mode=0o700, parents=True, exist_ok=True)
    spool.chmod(0o700)
    handle, name = tempfile.mkstemp(dir=spool, suffix=".zip")  # mode 0600
    os.close(handle)
    return Path(name)


def _sweep_spool(spool: Path) -> None:
    """Remove what uploads left in the spool when the hub was killed (one hub per home)."""
    if not spool.is_dir():
        return
    for left in spool.iterdir():
        if left.is_file() or left.is_symlink():
            left.unlink(missing_ok=True)


def create_app(
    settings: Settings | None = None, *, worker: bool = True, worker_pause: float = WORKER_PAUSE_S
) -> FastAPI:
    """The hub's app; ``worker``: run cross-checks in a thread of this process.

    The worker thread takes jobs until the queue is empty, then waits on a
    ``JobBell``: rung at once by a contribution this process stored, on PostgreSQL
    also by any process's (LISTEN/NOTIFY), and otherwise after ``worker_pause``
    seconds (a job queued by another process on SQLite, a retry come due).
    """
    settings = settings or Settings.from_env()
    store: CaseStore = open_store(settings, create=True)
    spool = settings.home / "spool"
    access = AccessStore(store.engine, hub.token_key(settings))  # the key is read once
    stop = threading.Event()
    bell = JobBell()

    def work() -> None:
        while not stop.is_set():
            if hub.run_jobs(store, limit=10) == 0:
                bell.wait(worker_pause)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        _sweep_spool(spool)  # what a killed or crashed hub left there: copies of packages
        thread = threading.Thread(target=work, name="crosscheck-worker", daemon=True)
        if worker:
            bell.listen(store.engine)
            thread.start()
        yield
        stop.set()
        bell.close()
        if worker:
            thread.join(timeout=10)
        store.engine.dispose()

    app = FastAPI(title="crosscheck hub", version=__version__, lifespan=lifespan)
    app.state.access = access
    app.state.failed_auth = FailedAuthentication(
        lambda path, credential, suppressed: hub.audit_failed_authentication(
            store, path, credential, suppressed
        )
    )

    def agency_of(who: Caller, *roles: str) -> str:
        if who.agency is None or who.role not in roles:
            raise HTTPException(403, f"this needs one of the roles {sorted(roles)} of an agency")
        return who.agency

    @app.exception_handler(CrosscheckError)
    async def crosscheck_error(_: Request, exc: CrosscheckError) -> JSONResponse:
        status = exc.status if exc.status < 500 else 500
        detail = exc.message.replace(str(settings.home), "<hub>")  # never the hub's own paths
        return JSONResponse({"detail": detail}, status_code=status)

    api = APIRouter(prefix="/api/v1")

    @api.get("/health")
    def health() -> Health:
        return Health(status="ok", version=__version__)

    @api.post("/contributions", status_code=201, openapi_extra=UPLOAD_SPEC)
    async def submit(request: Request, who: Who) -> Submitted:
        """Upload a signed contribution package (the raw zip as the request body)."""
        agency = agency_of(who, *ROLES["submit"])  # the caller first, then the body
        declared_length(request, settings.max_package_bytes, "the package")
        path = _spool_file(spool)
        try:  # the spool file goes on every path: refused, failed, aborted, cancelled
            with path.open("wb") as handle:
                size = 0
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > settings.max_package_bytes:
                        raise HTTPException(
                            413,
                            f"the package is over the hub's size limit "
                            f"({settings.max_package_bytes} bytes)",
                        )
                    handle.write(chunk)
            done = await run_in_threadpool(
                hub.ingest,
                store,
                path,
                settings,
                require_signature=True,
                signer=agency,
                background=True,
                label="the package",
                actor=actor(who),  # a refusal is audited under the user's name
            )
        finally:
            path.unlink(missing_ok=True)
        if done.imported.result.created:
            bell.ring()  # its cross-check is queued: this process's worker takes it now
        return Submitted(
            contribution=done.imported.result.contribution_id,
            created=done.imported.result.created,
            signed_by=done.signed_by,
            queued_cross_check=done.imported.result.created,
            submitted_id=done.imported.result.submitted_id,
            assigned=done.imported.result.assigned,
        )

    @api.get("/contributions")
    def contributions(who: Who) -> list[ContributionOut]:
        agency = agency_of(who, *ROLES["read"])
        listed = [
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
        audit_read(store, agency, "contributions", {"count": len(listed)}, actor(who))
        return listed

    def actor(who: Caller) -> str:
        return Acting(who.agency, who.name).actor  # the audit names the user

    @api.get("/hits")
    def hits(who: Who) -> list[HitOut]:
        agency = agency_of(who, *ROLES["hits"])
        return [HitOut(**view.__dict__) for view in hub.hits_for(store, agency, actor(who))]

    @api.get("/inbox")
    def inbox(who: Who) -> list[HitOut]:
        agency = agency_of(who, *ROLES["inbox"])
        return [HitOut(**view.__dict__) for view in hub.inbox_for(store, agency, actor(who))]

    @api.post("/hits/{ref}/release")
    def release(ref: str, who: Who) -> dict[str, str]:
        agency = agency_of(who, *ROLES["decide"])
        decided = hub.decide(store, ref, agency, release=True, actor=actor(who))
        return {"ref": decided.ref, "status": decided.status, "agency": decided.agency}

    @api.post("/hits/{ref}/decline")
    def decline(ref: str, who: Who) -> dict[str, str]:
        agency = agency_of(who, *ROLES["decide"])
        decided = hub.decide(store, ref, agency, release=False, actor=actor(who))
        return {"ref": decided.ref, "status": decided.status, "agency": decided.agency}

    @api.post("/hits/{ref}/acknowledge")
    def acknowledge(ref: str, who: Who) -> dict[str, str]:
        """Acknowledge the provider's H3 restriction on a released hit; then its item shows."""
        agency = agency_of(who, *ROLES["acknowledge"])
        restriction = handling.acknowledge(store, ref, Acting(agency, who.name))
        return {"ref": ref, "acknowledged": restriction}

    @api.get("/audit")
    def audit_log(
        who: Who,
        since: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        after: int | None = None,
        limit: Annotated[int, Query(ge=1, le=AUDIT_PAGE)] = AUDIT_PAGE,
    ) -> list[AuditEntryOut]:
        """The audit log for the hub operator, in id order: metadata, never content.

        ``since`` an ISO date or time (UTC when no zone is given), ``actor`` and
        ``action`` exact, ``after`` an entry id (the next page starts after the last id).
        """
        if who.role != "hub_operator":
            raise HTTPException(403, "for the hub operator")
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return [
            AuditEntryOut(
                id=e.id,
                at=e.at.isoformat(),
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                detail=e.detail,
            )
            for e in hub.audit_entries(
                store, since=since, actor=actor, action=action, after=after, limit=limit
            )
        ]

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

    api.include_router(resolution_router(store, agency_of, settings.max_body_bytes))
    api.include_router(notices_router(store, agency_of))
    api.include_router(messages_router(store, settings, agency_of))
    api.include_router(agency_router(store, agency_of))
    app.include_router(api)
    install_workbench(app, store, settings)  # the pages (web/pages): same store, same rules
    return app
