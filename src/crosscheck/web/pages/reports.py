"""The lead report in the workbench: choose hits and entities, read it, download it, send it.

``GET /reports/new?hits=…&entities=…`` is the form (the values given come
ticked; lists may be repeated or comma- and space-separated). ``POST /reports``
(CSRF) shows the report; from there ``POST /reports/pdf`` downloads its PDF and
``POST /reports/send`` sends the PDF to the competent country as a secure
message. Everything goes through ``service/report.py`` as the viewer may see it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from crosscheck.exc import CrosscheckError
from crosscheck.service import report as lead
from crosscheck.service import report_delivery
from crosscheck.service.report_render import context
from crosscheck.web.pages.common import (
    SECURITY_HEADERS,
    Posting,
    Viewer,
    bench,
    error_page,
    guarded,
    language,
    render,
)

router = APIRouter(prefix="/reports")

MAX_ITEMS = 200
Listed = Annotated[list[str] | None, Query(max_length=MAX_ITEMS)]
FormList = Annotated[list[str] | None, Form(max_length=MAX_ITEMS)]
Country = Annotated[str, Form(max_length=2)]
Text = Annotated[str, Form(max_length=20_000)]


def split(values: list[str] | None) -> list[str]:
    """Repeated fields, each possibly a comma- or space-separated list; order kept, once each."""
    found = [part for value in values or [] for part in re.split(r"[\s,]+", value[:20_000]) if part]
    return list(dict.fromkeys(found))[:MAX_ITEMS]


@router.get("/new", response_class=HTMLResponse)
def new_report(
    request: Request,
    current: Viewer,
    hits: Listed = None,
    entities: Listed = None,
) -> HTMLResponse:
    def build() -> HTMLResponse:
        store = bench(request).store
        acting = lead.acting_for(current.caller)
        notices, listed = report_delivery.choices(store, acting)
        countries = report_delivery.countries(store)
        values = {
            "notices": notices,
            "listed": listed,
            "hits": split(hits),
            "entities": split(entities),
            "countries": countries,
        }
        return render(request, "report_new.html", values, session=current)

    return guarded(request, current, build)


@dataclass(frozen=True)
class Chosen:
    """What the report is made of, as the form sent it."""

    hits: list[str]
    entities: list[str]
    competent: str


def chosen(hits: FormList = None, entities: FormList = None, competent: Country = "") -> Chosen:
    return Chosen(split(hits), split(entities), competent)


Picked = Annotated[Chosen, Depends(chosen)]


def _build(request: Request, current: Posting, picked: Chosen) -> lead.LeadReport:
    wb = bench(request)
    return lead.build_report(
        wb.store, current.caller, picked.hits, picked.entities,
        competent=picked.competent or None, settings=wb.settings,
    )  # fmt: skip


@router.post("", response_class=HTMLResponse)
def show_report(request: Request, current: Posting, picked: Picked) -> HTMLResponse:
    def build() -> HTMLResponse:
        made = _build(request, current, picked)
        values = {
            **context(made, language(request)),
            "hits": picked.hits,
            "entities": picked.entities,
        }
        return render(request, "report.html", values, session=current)

    return guarded(request, current, build)


@router.post("/pdf", response_class=Response)
def report_pdf(request: Request, current: Posting, picked: Picked) -> Response:
    try:
        made = _build(request, current, picked)
        pdf = lead.render_pdf(lead.render_html(made, language(request)))
    except CrosscheckError as exc:
        return error_page(request, exc, current)
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": f'attachment; filename="{report_delivery.PDF_NAME}"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post("/send", response_class=HTMLResponse)
def report_send(
    request: Request,
    current: Posting,
    picked: Picked,
    subject: Annotated[str, Form(max_length=300)] = "",
    note: Text = "",
) -> HTMLResponse:
    def build() -> HTMLResponse:
        wb = bench(request)
        made = _build(request, current, picked)
        pdf = lead.render_pdf(lead.render_html(made, language(request)))
        acting = lead.acting_for(current.caller)
        ref = report_delivery.send(
            wb.store, wb.settings, acting, made, pdf,
            subject=subject or f"Lead report for {made.competent}", body=note or subject or "",
        )  # fmt: skip
        sent_to = report_delivery.recipients(wb.store, made.competent or "", acting.agency or "")
        values = {"ref": ref, "sent_to": sent_to, "competent": made.competent}
        return render(request, "report_sent.html", values, session=current)

    return guarded(request, current, build)
