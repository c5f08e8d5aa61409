"""Contributions: the list (filtered as you type), one contribution, its entities page by page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from crosscheck.service import workbench
from crosscheck.web.pages.common import Viewer, bench, guarded, render

router = APIRouter(prefix="/contributions")

Text = Annotated[str, Query(max_length=200)]
Page = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("", response_class=HTMLResponse)
def contribution_list(request: Request, current: Viewer, q: Text = "") -> HTMLResponse:
    def build() -> HTMLResponse:
        listed = workbench.contributions(bench(request).store, current.caller, q)
        return render(request, "contributions.html", {"listed": listed, "q": q}, session=current)

    return guarded(request, current, build)


@router.get("/rows", response_class=HTMLResponse)
def contribution_rows(request: Request, current: Viewer, q: Text = "") -> HTMLResponse:
    """The list's rows only: what htmx swaps in while the user types."""

    def build() -> HTMLResponse:
        listed = workbench.contributions(bench(request).store, current.caller, q)
        return render(request, "_contribution_rows.html", {"listed": listed}, session=current)

    return guarded(request, current, build)


@router.get("/{contribution_id}", response_class=HTMLResponse)
def contribution_detail(request: Request, current: Viewer, contribution_id: str) -> HTMLResponse:
    def build() -> HTMLResponse:
        store = bench(request).store
        view = workbench.contribution(store, current.caller, contribution_id)
        entities = workbench.entities_page(store, current.caller, contribution_id, 0)
        values = {
            "view": view,
            "c": view.contribution,
            "entities": entities,
            "page": 0,
            "page_size": workbench.ENTITY_PAGE,
            "fingerprint_list": workbench.FINGERPRINT_LIST,
        }
        return render(request, "contribution.html", values, session=current)

    return guarded(request, current, build)


@router.get("/{contribution_id}/entities", response_class=HTMLResponse)
def contribution_entities(
    request: Request, current: Viewer, contribution_id: str, page: Page = 0
) -> HTMLResponse:
    """One page of entities: the fragment htmx swaps in for "next" and "previous"."""

    def build() -> HTMLResponse:
        store = bench(request).store
        view = workbench.contribution(store, current.caller, contribution_id)
        entities = workbench.entities_page(store, current.caller, contribution_id, page)
        values = {
            "view": view,
            "c": view.contribution,
            "entities": entities,
            "page": page,
            "page_size": workbench.ENTITY_PAGE,
        }
        return render(request, "_entities.html", values, session=current)

    return guarded(request, current, build)
