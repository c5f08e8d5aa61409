"""Home: what waits for the user; the hub operator's page of counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crosscheck.service import workbench
from crosscheck.web.pages.common import Viewer, bench, guarded, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, current: Viewer) -> HTMLResponse:
    wb = bench(request)

    def build() -> HTMLResponse:
        if current.caller.agency is None:  # the hub operator: counts, never content
            counts = workbench.operator_counts(wb.store)
            return render(request, "operator.html", {"counts": counts}, session=current)
        summary = workbench.home(wb.store, current.caller, wb.settings)
        return render(request, "home.html", {"home": summary}, session=current)

    return guarded(request, current, build)
