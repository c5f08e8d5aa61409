"""The entity page: one person, account, message, image or video, and why it matters.

``/entities/{id}`` takes the held id (``<contribution>.<entity>``) or the id
the package gave, resolved as ``crosscheck show`` does: one visible entity of
that id is shown at its held id; several are listed to choose from. Another
agency's id reads as one that does not exist.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crosscheck.exc import CrosscheckError
from crosscheck.service import entity_view
from crosscheck.web.pages.common import Viewer, bench, error_page, render

router = APIRouter(prefix="/entities")


def entity_url(entity_id: str) -> str:
    return "/entities/" + quote(entity_id, safe="")


@router.get("/{entity_id:path}", response_class=HTMLResponse)
def entity(request: Request, current: Viewer, entity_id: str) -> Response:
    store = bench(request).store
    try:
        named = entity_view.held_ids(store, current.caller, entity_id)
        if len(named) > 1:
            values = {"asked": entity_id, "choices": named}
            return render(request, "entity_choice.html", values, session=current)
        if named[0].entity != entity_id:
            return RedirectResponse(entity_url(named[0].entity), status_code=303)
        page = entity_view.entity_page(store, current.caller, entity_id)
    except CrosscheckError as exc:
        return error_page(request, exc, current)
    return render(request, "entity.html", {"e": page}, session=current)
