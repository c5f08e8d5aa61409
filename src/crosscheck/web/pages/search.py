"""Search across everything the viewer may see; the results as a page or as htmx's fragment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from crosscheck.exc import InvalidData
from crosscheck.service import search as searching
from crosscheck.service.access import Acting
from crosscheck.service.entity_view import reader
from crosscheck.web.pages.common import Viewer, bench, guarded, render

router = APIRouter(prefix="/search")

Text = Annotated[str, Query(max_length=4 * searching.MAX_QUERY)]


def _values(request: Request, current: Viewer, q: str) -> dict[str, object]:
    agency = reader(current.caller)
    results: list[searching.Result] = []
    refused = False
    if q.strip():
        try:
            who = Acting(agency, current.caller.name).actor
            results = searching.find(bench(request).store, agency, q, who)
        except InvalidData:
            refused = True  # too long: the page says so, in the viewer's language
    return {
        "q": q,
        "results": results,
        "refused": refused,
        "searched": bool(q.strip()) and not refused,
        "limit": searching.MAX_RESULTS,
        "max_query": searching.MAX_QUERY,
    }


@router.get("", response_class=HTMLResponse)
def search_page(request: Request, current: Viewer, q: Text = "") -> HTMLResponse:
    def build() -> HTMLResponse:
        return render(request, "search.html", _values(request, current, q), session=current)

    return guarded(request, current, build)


@router.get("/results", response_class=HTMLResponse)
def search_results(request: Request, current: Viewer, q: Text = "") -> HTMLResponse:
    """The results only: what htmx swaps in while the user types."""

    def build() -> HTMLResponse:
        values = _values(request, current, q)
        return render(request, "_search_results.html", values, session=current)

    return guarded(request, current, build)
