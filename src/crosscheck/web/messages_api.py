"""The hub's message API: an agency sends, lists, reads and acknowledges sealed messages.

The same service functions as `crosscheck message` (service/messages.py), so the
same rules: only the sender and the recipients see a message, H2 and H3 messages
of a thread go no further than allowed (``check_forward``), reading as a
recipient acknowledges receipt, every read and send is audited.

A message is sent as one JSON body with its attachments in base64, read only
after the caller is checked, and only up to ``CROSSCHECK_MAX_BODY_BYTES`` plus
the base64 of one attachment's limit (64 MiB in all for the attachments).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.service import messages
from crosscheck.service.access import ROLES, Acting
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.message_store import StoredMessage
from crosscheck.web.auth import Who
from crosscheck.web.bodies import json_body_spec, parse_json

MAX_ATTACHMENTS = 20
Ref = Annotated[str, Path(min_length=1, max_length=64)]


class AttachmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=255, description="a file name, without folders")
    content_base64: str = Field(description="the file's bytes, base64 (RFC 4648, with padding)")

    model_config = ConfigDict(extra="forbid")


class MessageIn(BaseModel):
    to: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=50, description="recipient agencies"
    )
    subject: str = Field(max_length=300)
    body: str
    handling: str = Field(pattern="^[Hh][0-3]$", description="H0, H1, H2 or H3")
    handling_note: str | None = Field(default=None, max_length=2000)
    evaluation: str = Field(pattern="^[ABCXabcx][1-4]$", description="e.g. B2")
    thread: str | None = Field(default=None, min_length=1, max_length=64)
    case_reference: str | None = Field(default=None, max_length=200)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    model_config = ConfigDict(extra="forbid")


class Sent(BaseModel):
    ref: str
    to: list[str]


class AttachmentOut(BaseModel):
    n: int  # its number, for GET /messages/{ref}/attachments/{n}
    name: str
    size: int
    sha256: str


class MessageOut(BaseModel):
    ref: str
    thread: str
    sender: str
    recipients: dict[str, str | None]  # agency -> acknowledged at (ISO), None: not yet
    subject: str
    handling: str
    handling_note: str | None
    evaluation: str
    case_reference: str | None
    sent: str
    attachments: list[AttachmentOut]


class ShownOut(MessageOut):
    body: str


class Acknowledged(BaseModel):
    ref: str
    acknowledged_at: str | None  # None: the caller sent it, there is nothing to acknowledge


def message_out(item: StoredMessage) -> MessageOut:
    return MessageOut.model_validate(messages.summary(item))


def download_headers(name: str, data: bytes) -> dict[str, str]:
    """An attachment goes as a file to save, never shown inline: its name and digest."""
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-SHA256": hashlib.sha256(data).hexdigest(),
    }


def _decoded(item: AttachmentIn) -> tuple[str, bytes]:
    try:
        return item.name, base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidData(f"attachment {item.name!r}: content_base64 is not base64") from exc


def messages_router(
    store: CaseStore, settings: Settings, agency_of: Callable[..., str]
) -> APIRouter:
    """The routes under /messages; bodies are read after the caller is checked, capped."""
    api = APIRouter(prefix="/messages", tags=["messages"])
    cap = settings.max_body_bytes + 4 * (messages.MAX_ATTACHMENT_BYTES // 3 + 1)

    def acting(who: Caller) -> Acting:
        return Acting(agency_of(who, *ROLES["message"]), who.name)

    def shown(ref: str, who: Acting) -> messages.Shown:
        assert who.agency is not None
        try:
            return messages.show(store, settings, ref, who.agency, who.actor)
        except Forbidden as exc:  # another agency's message is "no message", as a missing one
            raise NotFound(exc.message) from exc

    @api.post("", status_code=201, openapi_extra=json_body_spec(MessageIn))
    async def send(request: Request, who: Who) -> Sent:
        """Send a message, sealed at rest, to one or more agencies (attachments in base64)."""
        me = acting(who)  # the caller first, then the body
        sent = await parse_json(request, MessageIn, cap)
        files = [_decoded(item) for item in sent.attachments]
        marking, grade = messages.grading(sent.handling, sent.handling_note, sent.evaluation)
        assert me.agency is not None
        ref = await run_in_threadpool(
            lambda: messages.send(
                store,
                settings,
                sender=me.agency or "",
                actor=me.actor,
                recipients=sent.to,
                subject=sent.subject,
                body=sent.body,
                handling=marking,
                evaluation=grade,
                thread=sent.thread,
                case_reference=sent.case_reference,
                files=files,
            )
        )
        return Sent(ref=ref, to=sent.to)

    @api.get("")
    def list_(who: Who) -> list[MessageOut]:
        """Messages the caller's agency sent or received, oldest first (no bodies)."""
        me = acting(who)
        assert me.agency is not None
        return [message_out(m) for m in messages.inbox(store, me.agency, settings, me.actor)]

    @api.get("/{ref}")
    def show(ref: Ref, who: Who) -> ShownOut:
        """Read a message (decrypted); reading it as a recipient acknowledges receipt."""
        found = shown(ref, acting(who))
        return ShownOut(**message_out(found.message).model_dump(), body=found.body)

    @api.get(
        "/{ref}/attachments/{n}",
        response_class=Response,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    def attachment(ref: Ref, n: Annotated[int, Path(ge=0, le=1000)], who: Who) -> Response:
        """One attachment's bytes (``n`` from the message's list); reading it acknowledges."""
        name, data = shown(ref, acting(who)).attachment(n)
        return Response(
            data, media_type="application/octet-stream", headers=download_headers(name, data)
        )

    @api.post("/{ref}/acknowledge")
    def acknowledge(ref: Ref, who: Who) -> Acknowledged:
        """Acknowledge receipt without reading the message (the first acknowledgement counts)."""
        me = acting(who)
        assert me.agency is not None
        try:
            at = messages.acknowledge(store, ref, me.agency, me.actor)
        except Forbidden as exc:
            raise NotFound(exc.message) from exc
        return Acknowledged(ref=ref, acknowledged_at=at.isoformat() if at else None)

    return api
