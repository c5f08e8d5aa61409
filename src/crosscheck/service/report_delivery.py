"""Choosing what goes into a lead report, and sending it to the competent country.

``choices``: the caller's hit notices and its people, accounts and messages
(what the workbench's report form lists). ``send``: the PDF as the attachment of
a secure message (``service/messages.send``: sealed, audited, media refused by
their bytes — a PDF is none) to every agency of the competent country at this
hub, marked with the strictest handling code the report cites and its weakest
evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

from crosscheck.exc import InvalidData, NotFound
from crosscheck.model import Evaluation, Handling
from crosscheck.service import hub, messages
from crosscheck.service.access import Acting, visible_contributions
from crosscheck.service.captions import captions
from crosscheck.service.report import LeadReport
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.hub_store import HubStore

CHOSEN_SCHEMATA = ("Person", "UserAccount", "Message")
MAX_CHOICES = 300
PDF_NAME = "lead-report.pdf"


@dataclass(frozen=True)
class Choice:
    id: str
    caption: str
    schema: str


def choices(store: CaseStore, acting: Acting) -> tuple[list[hub.NoticeView], list[Choice]]:
    """The caller's hit notices (as requester, then as owner) and its people, accounts and
    messages (the first ``MAX_CHOICES``), as the report form offers them."""
    agency = acting.agency
    if agency is None:
        raise InvalidData("a lead report is written for an agency")
    notices = hub.notices_for(store, agency, acting.actor)
    notices += hub.notice_inbox_for(store, agency, acting.actor)
    visible = visible_contributions(store, agency) or []
    ids: list[str] = []
    for schema in CHOSEN_SCHEMATA:
        if visible:
            ids += [str(e.id) for e in store.entities(contribution_ids=visible, schema=schema)
                    if e.id][: MAX_CHOICES - len(ids)]  # fmt: skip
    known = captions(store, ids)
    listed = [Choice(i, known[i].caption, known[i].schema) for i in ids if i in known]
    return notices, listed


def countries(store: CaseStore) -> list[str]:
    """The countries of the agencies at this hub: where a report may go."""
    return sorted({k.country.upper() for k in HubStore(store.engine).agency_keys()})


def recipients(store: CaseStore, country: str, sender: str) -> list[str]:
    """The agencies of ``country`` at this hub (with a key not revoked), the sender aside."""
    wanted = country.strip().lower()
    found = sorted(
        {k.agency for k in HubStore(store.engine).agency_keys()
         if k.country.lower() == wanted and not k.revoked and k.agency != sender}
    )  # fmt: skip
    if not found:
        raise NotFound(f"no agency of {country.upper()} at this hub to send the report to")
    return found


def grading(report: LeadReport) -> tuple[Handling, Evaluation]:
    """The strictest handling code cited (H3 with every restriction) and the weakest evaluation."""
    codes = sorted({f.handling for f in report.footnotes} or {"H0"})
    strictest = codes[-1]
    note = None
    if strictest == "H3":
        note = "; ".join(sorted({f.marking.split(": ", 2)[-1] for f in report.footnotes
                                 if f.handling == "H3"}))[:1000]  # fmt: skip
    weakest = max((f.evaluation for f in report.footnotes), default="A1")
    handling, evaluation = messages.grading(strictest, note, weakest)
    return handling, evaluation


def send(
    store: CaseStore,
    settings: Settings,
    acting: Acting,
    report: LeadReport,
    pdf: bytes,
    *,
    subject: str,
    body: str,
) -> str:
    """The report's PDF to the competent country's agencies as a secure message; its ref."""
    if report.competent is None:
        raise InvalidData("name the competent country to send the report to")
    if acting.agency is None:
        raise InvalidData("a lead report is sent by an agency")
    handling, evaluation = grading(report)
    return messages.send(
        store,
        settings,
        sender=acting.agency,
        recipients=recipients(store, report.competent, acting.agency),
        subject=subject,
        body=body,
        handling=handling,
        evaluation=evaluation,
        actor=acting.actor,
        files=[(PDF_NAME, pdf)],
    )


__all__ = ["Choice", "choices", "countries", "grading", "recipients", "send"]
