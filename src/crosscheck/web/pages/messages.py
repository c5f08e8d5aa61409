"""Messages: inbox and sent in threads, one message (reading acknowledges), compose and reply.

The same service functions and rules as the API (``service/messages`` through
``service/message_threads``): only the sender and the recipients see a message
(another agency's is "not held", as a missing one), attachments go as files to
save (never shown inline), media are refused by their bytes, H2 and H3 messages
of a thread go no further than allowed. A message is posted as a multipart
form, read only after the session is checked and only up to the API's caps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from crosscheck.exc import CrosscheckError, Forbidden, InvalidData, NotFound
from crosscheck.service import message_threads, messages
from crosscheck.service.message_threads import Box
from crosscheck.store.message_store import StoredMessage
from crosscheck.store.session_store import Session
from crosscheck.web.bodies import read_form
from crosscheck.web.messages_api import MAX_ATTACHMENTS, download_headers
from crosscheck.web.pages.common import (
    SECURITY_HEADERS,
    Viewer,
    bench,
    check_csrf,
    error_page,
    guarded,
    render,
)

router = APIRouter(prefix="/messages")

Ref = Annotated[str, Path(min_length=1, max_length=64)]
HANDLING = ("H0", "H1", "H2", "H3")
SOURCES = ("A", "B", "C", "X")
INFORMATION = ("1", "2", "3", "4")


@dataclass
class Draft:
    """What the compose form holds: kept whole when a send is refused."""

    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""
    handling: str = "H0"
    note: str = ""
    source: str = "B"
    information: str = "2"
    case_reference: str = ""
    reply: str = ""  # the message answered: the reply keeps its thread

    @classmethod
    def of(cls, form: FormData) -> Draft:
        def text(name: str) -> str:
            value = form.get(name, "")
            return value if isinstance(value, str) else ""

        return cls(
            [r for r in form.getlist("to") if isinstance(r, str)],
            text("subject"),
            text("body"),
            text("handling"),
            text("note").strip(),
            text("source"),
            text("information"),
            text("case_reference").strip(),
            text("reply"),
        )

    @classmethod
    def answering(cls, item: StoredMessage, agency: str) -> Draft:
        """A reply: to everyone else of the message, with its subject, code and evaluation."""
        others = [a for a in dict.fromkeys([item.sender, *item.recipients]) if a != agency]
        subject = item.subject if item.subject.lower().startswith("re:") else f"Re: {item.subject}"
        return cls(
            others,
            subject[:300],
            handling=item.handling_code,
            note=item.handling_note or "",
            source=item.evaluation[0],
            information=item.evaluation[1],
            case_reference=item.case_reference or "",
            reply=item.ref,
        )


@dataclass(frozen=True)
class Refusal:
    """Why a send was refused, said by the template in the viewer's language."""

    reason: str  # media, size, name, hidden, duplicate, recipients, note, forward, invalid,
    # count, own-agency, subject, body, case-reference
    name: str = ""
    kind: str = ""
    offset: int | None = None  # media carried inside another file: where they start
    mime: str = ""
    limit: int = 0  # the cap a subject, body or case reference went over


def _compose(
    request: Request,
    current: Session,
    draft: Draft,
    refusal: Refusal | None = None,
    replying: StoredMessage | None = None,
) -> HTMLResponse:
    wb = bench(request)
    values = {
        "draft": draft,
        "refusal": refusal,
        "replying": replying,
        "agencies": message_threads.recipients(wb.store, current.caller),
        "handling_codes": HANDLING,
        "sources": SOURCES,
        "information_codes": INFORMATION,
        "max_attachments": MAX_ATTACHMENTS,
        "max_megabytes": messages.MAX_ATTACHMENT_BYTES >> 20,
    }
    status = 400 if refusal else 200
    return render(request, "compose.html", values, session=current, status=status)


def _listing(request: Request, current: Session, box: Box) -> HTMLResponse:
    def build() -> HTMLResponse:
        wb = bench(request)
        threads = message_threads.threads(wb.store, current.caller, wb.settings, box)
        agency = current.caller.agency
        values = {"threads": threads, "box": box, "agency": agency}
        return render(request, "messages.html", values, session=current)

    return guarded(request, current, build)


@router.get("", response_class=HTMLResponse)
def inbox(request: Request, current: Viewer) -> HTMLResponse:
    return _listing(request, current, "inbox")


@router.get("/sent", response_class=HTMLResponse)
def sent(request: Request, current: Viewer) -> HTMLResponse:
    return _listing(request, current, "sent")


@router.get("/new", response_class=HTMLResponse)
def compose(
    request: Request, current: Viewer, reply: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    """The compose form; ``reply``: the message answered (its thread, recipients, subject)."""

    def build() -> HTMLResponse:
        wb = bench(request)
        message_threads.messenger(current.caller)
        if not reply:
            return _compose(request, current, Draft())
        item = message_threads.replying_to(wb.store, current.caller, wb.settings, reply)
        draft = Draft.answering(item, current.caller.agency or "")
        return _compose(request, current, draft, replying=item)

    return guarded(request, current, build)


def _refusal(exc: CrosscheckError) -> Refusal:
    if isinstance(exc, messages.RefusedAttachment):
        return Refusal(exc.reason, exc.name, exc.kind or "", exc.offset, exc.mime or "")
    if isinstance(exc, messages.RefusedMessage):
        return Refusal(exc.reason, limit=exc.limit)
    if isinstance(exc, Forbidden):  # the thread's H2 or H3 messages may not go there
        return Refusal("forward")
    return Refusal("invalid")


def _checked(draft: Draft, files: list[tuple[str, bytes]]) -> Refusal | None:
    """What the form can tell before sending; the service checks everything again."""
    if not draft.recipients:
        return Refusal("recipients")
    if len(files) > MAX_ATTACHMENTS:
        return Refusal("count")
    if (draft.handling == "H3") != bool(draft.note):
        return Refusal("note")
    return None


@router.post("", response_class=HTMLResponse, response_model=None)
async def send(request: Request, current: Viewer) -> Response:
    """Send (or reply): the session first, then the form, capped, then its CSRF token."""
    wb = bench(request)
    try:
        message_threads.messenger(current.caller)  # the role, before reading a byte
    except CrosscheckError as exc:
        return error_page(request, exc, current)
    form = await read_form(
        request,
        wb.settings.max_body_bytes + messages.MAX_ATTACHMENT_BYTES,
        max_files=MAX_ATTACHMENTS + 1,  # one more, to say "too many" rather than fail
        max_part_size=wb.settings.max_body_bytes,
    )
    try:
        await check_csrf(request, current.csrf_token, form)
        draft = Draft.of(form)
        files = [
            (upload.filename or "", await upload.read())
            for upload in form.getlist("attachments")
            if isinstance(upload, UploadFile) and upload.filename
        ]
    finally:
        await form.close()
    replying = None
    if draft.reply:
        try:
            replying = await run_in_threadpool(
                message_threads.replying_to, wb.store, current.caller, wb.settings, draft.reply
            )
        except CrosscheckError as exc:
            return error_page(request, exc, current)
    refusal = _checked(draft, files)
    if refusal is not None:
        return await run_in_threadpool(_compose, request, current, draft, refusal, replying)
    me = message_threads.messenger(current.caller)
    try:
        marking, grade = messages.grading(
            draft.handling, draft.note or None, draft.source + draft.information
        )
        ref = await run_in_threadpool(
            lambda: messages.send(
                wb.store,
                wb.settings,
                sender=me.agency or "",
                actor=me.actor,
                recipients=draft.recipients,
                subject=draft.subject,
                body=draft.body,
                handling=marking,
                evaluation=grade,
                thread=replying.thread if replying else None,
                case_reference=draft.case_reference or None,
                files=files,
            )
        )
    except (InvalidData, Forbidden, NotFound) as exc:
        return await run_in_threadpool(_compose, request, current, draft, _refusal(exc), replying)
    return RedirectResponse(f"/messages/{ref}", status_code=303)


@router.get("/{ref}", response_class=HTMLResponse)
def show(request: Request, current: Viewer, ref: Ref) -> HTMLResponse:
    """One message in full, its thread in order; a recipient's opening acknowledges it."""

    def build() -> HTMLResponse:
        wb = bench(request)
        opened = message_threads.open_message(wb.store, current.caller, wb.settings, ref)
        values = {
            "m": opened.shown.message,
            "body": opened.shown.body,
            "thread": opened.thread,
            "agency": current.caller.agency,
        }
        return render(request, "message.html", values, session=current)

    return guarded(request, current, build)


@router.get("/{ref}/attachments/{n}", response_model=None)
def download(
    request: Request, current: Viewer, ref: Ref, n: Annotated[int, Path(ge=0, le=1000)]
) -> Response:
    """An attachment as a file to save (never rendered inline); reading it acknowledges."""
    wb = bench(request)
    try:
        name, data = message_threads.attachment(wb.store, current.caller, wb.settings, ref, n)
    except CrosscheckError as exc:
        return error_page(request, exc, current)
    headers = {**SECURITY_HEADERS, **download_headers(name, data)}
    return Response(data, media_type="application/octet-stream", headers=headers)
