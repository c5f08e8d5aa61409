"""The graph explorer: the page, its JSON reads (find, view, neighbours, path) and the exports.

Every read rebuilds the view from the state the page sends (ids shown, ids
expanded) and the filters, through ``service/graph_explorer`` and so through
``service/graph.link_graph`` with the viewer's agency: an id the viewer may not
see is answered as one that does not exist. Reads are GETs; nothing here
changes the store (each build of the graph is audited as an access).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from crosscheck.exc import CrosscheckError
from crosscheck.model import HandlingCode, InformationAssessment, SourceReliability
from crosscheck.service import graph_explorer as explorer
from crosscheck.service.graph import Filters, ViewerGraph
from crosscheck.web.pages.common import SECURITY_HEADERS, Viewer, bench, guarded, render

router = APIRouter(prefix="/graph")

Ids = Annotated[list[str] | None, Query()]
Text = Annotated[str, Query(max_length=500)]


@dataclass(frozen=True)
class Asked:
    """What every read sends: the view's state and the filters."""

    show: list[str]
    expand: list[str]
    filters: Filters

    def state(self) -> explorer.State:
        return explorer.State(tuple(self.show), tuple(self.expand))


def asked(
    show: Ids = None,
    expand: Ids = None,
    agency: Ids = None,
    handling: Ids = None,
    reliability: Ids = None,
    information: Ids = None,
    since: date | None = None,
    until: date | None = None,
) -> Asked:
    """The query string: ``show``/``expand`` ids; filters, each repeated for several values
    (``agency``, ``handling`` H0 to H3, ``reliability`` A/B/C/X, ``information`` 1 to 4; an empty
    value keeps nothing), ``since``/``until`` the contribution's date."""
    return Asked(
        show or [],
        expand or [],
        Filters(
            frozenset(agency or ()),
            frozenset(handling or ()),
            frozenset(reliability or ()),
            frozenset(information or ()),
            since,
            until,
        ),
    )


Reading = Annotated[Asked, Depends(asked)]


def _refusal(exc: CrosscheckError) -> JSONResponse:
    """``{"error": …}`` with its status; "not in the graph you may see" as for a missing id."""
    status = exc.status if exc.status in (400, 403, 404) else 500
    return JSONResponse({"error": str(exc)}, status_code=status, headers=SECURITY_HEADERS)


def _json(build: Callable[[], dict[str, Any]]) -> JSONResponse:
    try:
        return JSONResponse(build(), headers=SECURITY_HEADERS)
    except CrosscheckError as exc:
        return _refusal(exc)


def _view(request: Request, current: Viewer, query: Asked) -> ViewerGraph:
    return explorer.viewer_graph(bench(request).store, current.caller, query.filters)


@router.get("", response_class=HTMLResponse)
def graph_page(request: Request, current: Viewer, start: Text = "") -> HTMLResponse:
    def build() -> HTMLResponse:
        explorer.reader(current.caller)  # the hub operator: refused, as on every read
        store = bench(request).store
        contribution = explorer.own_contribution(store, current.caller, start)
        values = {
            "start": "" if contribution else start,
            "contribution": contribution,
            "agencies": explorer.agencies(store, current.caller),
            "handling_codes": [c.value for c in HandlingCode],
            "source_codes": [s.value for s in SourceReliability],
            "information_codes": [i.value for i in InformationAssessment],
            "formats": list(explorer.DOWNLOADS),
        }
        return render(request, "graph.html", values, session=current)

    return guarded(request, current, build)


@router.get("/find")
def graph_find(request: Request, current: Viewer, query: Reading, q: Text = "") -> JSONResponse:
    """Entities (and shared values) by id, the package's own id, or caption."""
    return _json(lambda: {"found": explorer.find(_view(request, current, query), q)})


@router.get("/view")
def graph_view(request: Request, current: Viewer, query: Reading) -> JSONResponse:
    """The view's elements: the ids shown, and those expanded with their neighbours."""
    return _json(lambda: explorer.show(_view(request, current, query), query.state()))


@router.get("/neighbours")
def graph_neighbours(request: Request, current: Viewer, query: Reading, node: Text) -> JSONResponse:
    """The view with ``node`` expanded: its neighbours and every edge between what is shown."""
    return _json(lambda: explorer.expand(_view(request, current, query), query.state(), node))


@router.get("/path")
def graph_path(
    request: Request, current: Viewer, query: Reading, source: Text, target: Text
) -> JSONResponse:
    """The shortest path between two entities (id, package id or caption), added to the view."""
    return _json(
        lambda: explorer.path(_view(request, current, query), query.state(), source, target)
    )


@router.get("/export/{fmt}", response_model=None)
def graph_export(
    request: Request, current: Viewer, query: Reading, fmt: str
) -> Response | JSONResponse:
    """The view (no state: the whole graph the viewer may see) as ``crosscheck graph export``
    writes it, with the handling marking on every node and edge."""
    try:
        view = _view(request, current, query)
        name, media, body = explorer.download(view, query.state(), fmt)
    except CrosscheckError as exc:
        return _refusal(exc)
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)
