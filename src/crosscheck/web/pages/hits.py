"""Hits: notices grouped per requesting item and owning agency, expanded and decided in place.

``/hits?tab=inbox`` (the owner's notices: waiting for my decision, then decided)
and ``/hits?tab=mine`` (hits on my agency's items). One row per notice; htmx
swaps a notice's rows (``/hits/{side}/{ref}``, ``?open=1`` with its items) and
re-renders them after a decision (``POST /hits/inbox/{ref}/release|decline``,
``…/items/{hit}/release|decline``). Without htmx a decision's form posts and
comes back to the page with the notice open. The rules are ``service/notices.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crosscheck.exc import CrosscheckError, Forbidden
from crosscheck.service import hub, notices
from crosscheck.service.access import may
from crosscheck.store.session_store import Session
from crosscheck.web.pages.common import Posting, Viewer, bench, error_page, guarded, render

router = APIRouter(prefix="/hits")

Side = Literal["inbox", "mine"]
Verdict = Literal["release", "decline"]
Ref = Annotated[str, Query(max_length=64)]


def _values(request: Request, current: Session, side: str, n: hub.NoticeView, open_: bool) -> Any:
    store = bench(request).store
    shown = notices.decisions(store, current.caller, n) if open_ and side == "inbox" else []
    return {
        "n": n,
        "side": side,
        "open": open_,
        "decisions": shown,
        "may_decide": may(current.caller, "decide") is not None,
        "waiting": notices.waiting(n),
    }


def _notice(request: Request, current: Session, side: str, ref: str, open_: bool) -> HTMLResponse:
    n = notices.one(bench(request).store, current.caller, side, ref)
    return render(
        request, "_notice.html", _values(request, current, side, n, open_), session=current
    )


@router.get("", response_class=HTMLResponse)
def hits_page(request: Request, current: Viewer, tab: str = "", open: Ref = "") -> HTMLResponse:
    def build() -> HTMLResponse:
        store = bench(request).store
        sides = notices.sides(current.caller)
        if not sides:
            raise Forbidden(f"{current.caller.role} sees no hit notices")
        side = tab if tab in sides else sides[0]
        listed = notices.listed(store, current.caller, side)
        rows = [_values(request, current, side, n, n.ref == open) for n in listed]
        values = {
            "sides": sides,
            "side": side,
            "waiting": [r for r in rows if side == "inbox" and r["waiting"]],
            "rows": [r for r in rows if side == "mine" or not r["waiting"]],
        }
        return render(request, "hits.html", values, session=current)

    return guarded(request, current, build)


@router.get("/{side}/{ref}", response_class=HTMLResponse)
def notice_rows(
    request: Request, current: Viewer, side: Side, ref: str, open: bool = False
) -> HTMLResponse:
    """One notice's rows: the fragment htmx swaps in to show or hide its items."""
    return guarded(request, current, lambda: _notice(request, current, side, ref, open))


def _decided(
    request: Request, current: Session, ref: str, decide: Callable[[], hub.NoticeView]
) -> Response:
    try:
        decided = decide()
        if not request.headers.get("HX-Request"):
            return RedirectResponse(f"/hits?tab=inbox&open={quote(ref)}#notice-{quote(ref)}", 303)
        values = _values(request, current, "inbox", decided, True)
        return render(request, "_notice.html", values, session=current)
    except CrosscheckError as exc:
        return error_page(request, exc, current)


@router.post("/inbox/{ref}/{verdict}", response_model=None)
def decide_notice(request: Request, current: Posting, ref: str, verdict: Verdict) -> Response:
    """Release or decline every pending item of the notice."""
    store, release = bench(request).store, verdict == "release"
    return _decided(
        request, current, ref, lambda: notices.decide(store, current.caller, ref, release)
    )


@router.post("/inbox/{ref}/items/{item}/{verdict}", response_model=None)
def decide_item(
    request: Request, current: Posting, ref: str, item: str, verdict: Verdict
) -> Response:
    """Release or decline one item of the notice (all its hits)."""
    store, release = bench(request).store, verdict == "release"
    return _decided(
        request, current, ref, lambda: notices.decide(store, current.caller, ref, release, item)
    )
