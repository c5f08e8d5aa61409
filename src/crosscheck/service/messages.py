"""Secure messages between agencies and the hub: threads, handling codes, sealed at rest."""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.exchange.sealing import (
    new_key_text,
    parse_key,
    seal,
    seal_blob,
    unseal,
    unseal_blob,
)
from crosscheck.exchange.signing import write_secret
from crosscheck.fingerprints.embedded import carried
from crosscheck.fingerprints.sniff import Category, sniff
from crosscheck.model import Evaluation, Handling
from crosscheck.service.handling import check_forward
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.message_store import MessageStore, StoredMessage

MAX_ATTACHMENT_BYTES = 64 << 20
# Caps on what a sender types, in characters: over a cap is refused, never cut.
MAX_SUBJECT_CHARS = 300
MAX_BODY_CHARS = 100_000
MAX_CASE_REFERENCE_CHARS = 200


def message_key(settings: Settings) -> bytes:
    """The hub's message key: CROSSCHECK_MESSAGE_KEY, else a key file made once under the home."""
    if settings.message_key:
        return parse_key(settings.message_key)
    path = settings.home / "message.key"
    if not path.exists():
        write_secret(path, new_key_text().encode())
    return parse_key(path.read_text())


@dataclass(frozen=True)
class Shown:
    message: StoredMessage
    body: str
    attachments: dict[str, bytes]

    def attachment(self, n: int) -> tuple[str, bytes]:
        """The ``n``-th attachment, as ``summary`` numbers them: its name and bytes."""
        names = [a.get("name", "") for a in self.message.attachments]
        if not 0 <= n < len(names) or names[n] not in self.attachments:
            raise NotFound(f"message {self.message.ref!r} has no attachment {n}")
        return names[n], self.attachments[names[n]]


def summary(item: StoredMessage) -> dict[str, Any]:
    """A message's metadata as the API gives it (and the CLI prints it), without its body."""
    return {
        "ref": item.ref,
        "thread": item.thread,
        "sender": item.sender,
        "recipients": {a: at.isoformat() if at else None for a, at in item.recipients.items()},
        "subject": item.subject,
        "handling": item.handling_code,
        "handling_note": item.handling_note,
        "evaluation": item.evaluation,
        "case_reference": item.case_reference,
        "sent": item.created_at.isoformat(),
        "attachments": [
            {
                "n": n,
                "name": a.get("name", ""),
                "size": int(a.get("size", 0)),
                "sha256": a.get("sha256", ""),
            }
            for n, a in enumerate(item.attachments)
        ],
    }


def grading(code: str, note: str | None, evaluation: str) -> tuple[Handling, Evaluation]:
    """The handling code (H0-H3, with its note) and evaluation (e.g. B2) a sender gave."""
    if len(evaluation) != 2:
        raise InvalidData(f"evaluation is source and information, e.g. B2; got {evaluation!r}")
    try:
        marking = Handling.model_validate({"code": code.upper(), "note": note})
        grade = Evaluation.model_validate(
            {"source": evaluation[0].upper(), "information": evaluation[1]}
        )
    except ValueError as exc:
        raise InvalidData(f"handling or evaluation: {exc}") from exc
    return marking, grade


NO_MEDIA = (Category.IMAGE, Category.VIDEO, Category.ARCHIVE)


class RefusedAttachment(InvalidData):
    """An attachment the rules refuse; ``reason``: media, size, name, hidden or duplicate.

    ``kind`` is the media category (image, video, archive) when ``reason`` is media,
    so a page can say it in the viewer's language.
    """

    def __init__(
        self,
        message: str,
        name: str,
        reason: str,
        kind: str | None = None,
        offset: int | None = None,
        mime: str | None = None,
    ) -> None:
        super().__init__(message)
        self.name = name
        self.reason = reason
        self.kind = kind
        self.offset = offset  # where media carried inside another file start
        self.mime = mime


class RefusedMessage(InvalidData):
    """A message the rules refuse as a whole; ``reason``: own-agency, subject, body or
    case-reference (the last three over their cap of ``limit`` characters)."""

    def __init__(self, message: str, reason: str, limit: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.limit = limit


def _refuse_media(name: str, data: bytes) -> None:
    """Media never leave the agency: an image, a video or an archive is no attachment,
    whether it is the whole file or carried anywhere inside it (appended to a PDF, say).

    The kind is told by the bytes (as when fingerprinting), never by the name;
    documents (PDF, text, office files) are not media and go, unless they carry media
    (a PDF with a JPEG image in it does).
    """
    found = sniff(data[:4096])
    if found.category in NO_MEDIA:
        raise RefusedAttachment(
            f"attachment {name!r} is {found.category.value} content"
            f" ({found.mime or 'told by its bytes'}): media never leave the agency;"
            " exchange their fingerprints instead",
            name,
            "media",
            found.category.value,
        )
    inside = carried(data)
    if inside is not None:
        raise RefusedAttachment(
            f"attachment {name!r} carries {inside.category.value} content ({inside.mime})"
            f" at byte {inside.offset}: media never leave the agency, not even inside"
            " another file; exchange their fingerprints instead",
            name,
            "media",
            inside.category.value,
            inside.offset,
            inside.mime,
        )


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refuse_hidden(name: str) -> None:
    """A file name shows what it is: no direction overrides or other invisible characters
    (Unicode control and format characters, categories Cc and Cf) that could hide its
    real extension; letters of any script are fine."""
    hidden = [c for c in name if c in _BIDI or unicodedata.category(c) in ("Cc", "Cf")]
    if hidden:
        shown = name.encode("ascii", "backslashreplace").decode()
        codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(hidden))
        raise RefusedAttachment(
            f"attachment name {shown!r} holds invisible or direction-changing characters"
            f" ({codes}); rename the file",
            shown,
            "hidden",
        )


def _refuse_over_caps(subject: str, body: str, case_reference: str | None) -> None:
    for reason, text, limit in (
        ("subject", subject, MAX_SUBJECT_CHARS),
        ("body", body, MAX_BODY_CHARS),
        ("case-reference", case_reference or "", MAX_CASE_REFERENCE_CHARS),
    ):
        if len(text) > limit:
            raise RefusedMessage(
                f"the {reason.replace('-', ' ')} has {len(text)} characters; at most {limit} go",
                reason,
                limit,
            )


def send(
    store: CaseStore,
    settings: Settings,
    *,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    body: str,
    handling: Handling,
    evaluation: Evaluation,
    thread: str | None = None,
    case_reference: str | None = None,
    attachments: Sequence[Path] = (),
    actor: str | None = None,
    files: Sequence[tuple[str, bytes]] = (),
) -> str:
    """Seal and store a message; ``attachments`` are files read here, ``files`` named bytes
    (what the API receives). Both are capped at ``MAX_ATTACHMENT_BYTES`` each."""
    if not recipients:
        raise InvalidData("a message needs at least one recipient")
    if sender in recipients:
        raise RefusedMessage(
            f"{sender!r} cannot send a message to itself: choose other agencies", "own-agency"
        )
    _refuse_over_caps(subject, body, case_reference)
    if thread is not None and not MessageStore(store.engine).visible_to(sender, thread):
        raise Forbidden(f"no thread {thread!r} for {sender!r}")
    if thread is not None:  # H2 and H3 messages of the thread go no further than allowed
        check_forward(store, sender, thread, recipients)
    key = message_key(settings)
    ref = "MSG-" + secrets.token_hex(6).upper()
    nonce, sealed = seal(key, body.encode(), f"{ref}/body")
    parts: list[tuple[str, bytes]] = []
    for path in attachments:
        data = path.read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise RefusedAttachment(
                f"{path}: attachments are limited to {MAX_ATTACHMENT_BYTES} bytes",
                path.name,
                "size",
            )
        _refuse_hidden(path.name)
        parts.append((path.name, data))
    for name, data in files:
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise RefusedAttachment(
                f"{name}: attachments are limited to {MAX_ATTACHMENT_BYTES} bytes", name, "size"
            )
        if not name or name != Path(name).name or name in {".", ".."}:
            raise RefusedAttachment(
                f"attachment name {name!r}: a file name, without folders", name, "name"
            )
        _refuse_hidden(name)
        parts.append((name, data))
    names = [name for name, _ in parts]
    if len(set(names)) != len(parts):
        twice = next(name for name in names if names.count(name) > 1)
        raise RefusedAttachment("two attachments have the same name", twice, "duplicate")
    for name, data in parts:
        _refuse_media(name, data)
    sealed_parts = []
    for name, data in parts:
        part_nonce, part = seal(key, data, f"{ref}/{name}")
        meta = {"name": name, "sha256": hashlib.sha256(data).hexdigest()}
        sealed_parts.append(
            {
                "name": "",  # sealed, with the digest, in sealed_meta
                "size": len(data),
                "sha256": "",
                "nonce": part_nonce,
                "content": part,
                "sealed_meta": seal_blob(key, json.dumps(meta).encode(), f"{ref}/attachment"),
            }
        )
    fields: dict[str, str | None] = {
        "subject": subject,
        "case_reference": case_reference,
        "handling_note": handling.note,
    }
    with store.engine.begin() as conn:  # the message and its audit entry, or neither
        MessageStore(store.engine).add(
            {
                "ref": ref,
                "thread": thread or ref,
                "subject": "",  # sealed, with the case reference and handling note, in sealed_meta
                "case_reference": None,
                "handling_code": handling.code.value,
                "handling_note": None,
                "sealed_meta": seal_blob(key, json.dumps(fields).encode(), f"{ref}/meta"),
                "source_reliability": evaluation.source.value,
                "information_assessment": evaluation.information.value,
                "nonce": nonce,
                "body": sealed,
                "created_at": datetime.now(UTC),
            },
            sender,
            list(recipients),
            sealed_parts,
            conn=conn,
        )
        AuditLog(store.engine).append(
            actor or sender,
            "disclosure",
            ref,
            {
                "to": sorted(recipients),
                "handling": handling.code.value,
                "attachments": len(sealed_parts),
            },
            conn=conn,
        )
    return ref


def _opened(key: bytes, stored: StoredMessage) -> StoredMessage:
    """``stored`` with its sealed subject, case reference, note and attachment names opened.

    Messages sent before metadata was sealed (revision 0010) hold them in the clear columns.
    """
    attachments = []
    for item in stored.attachments:
        opened = {k: v for k, v in item.items() if k != "sealed_meta"}
        if item.get("sealed_meta") is not None:
            opened.update(
                json.loads(unseal_blob(key, item["sealed_meta"], f"{stored.ref}/attachment"))
            )
        attachments.append(opened)
    if stored.sealed_meta is None:
        return replace(stored, attachments=attachments)
    meta = json.loads(unseal_blob(key, stored.sealed_meta, f"{stored.ref}/meta"))
    return replace(
        stored,
        subject=meta["subject"],
        case_reference=meta["case_reference"],
        handling_note=meta["handling_note"],
        attachments=attachments,
        sealed_meta=None,
    )


def inbox(
    store: CaseStore, agency: str, settings: Settings, actor: str | None = None
) -> list[StoredMessage]:
    """The messages an agency sent or received, their metadata opened."""
    AuditLog(store.engine).append(actor or agency, "access", "messages", {})
    listed = MessageStore(store.engine).visible_to(agency)
    if not listed:
        return []
    key = message_key(settings)
    return [_opened(key, item) for item in listed]


def show(
    store: CaseStore, settings: Settings, ref: str, agency: str, actor: str | None = None
) -> Shown:
    """Decrypt a message for its sender or a recipient; a recipient's reading acknowledges it."""
    messages = MessageStore(store.engine)
    visible = messages.visible_to(agency, ref, with_attachments=True)
    found = visible[0] if visible else None
    if found is None:
        raise Forbidden(f"no message {ref!r} for {agency!r}")
    key = message_key(settings)
    found = _opened(key, found)
    body = unseal(key, found.nonce, found.body, f"{ref}/body").decode()
    files = {
        a["name"]: unseal(key, a["nonce"], a["content"], f"{ref}/{a['name']}")
        for a in found.attachments
    }
    with store.engine.begin() as conn:  # the acknowledgement and the read's audit entry
        if agency in found.recipients and found.recipients[agency] is None:
            messages.acknowledge(ref, agency, datetime.now(UTC), conn=conn)
        AuditLog(store.engine).append(actor or agency, "access", ref, {}, conn=conn)
    return Shown(_opened(key, messages.visible_to(agency, ref)[0]), body, files)


def acknowledge(
    store: CaseStore, ref: str, agency: str, actor: str | None = None
) -> datetime | None:
    """A recipient acknowledges receipt without reading (the first time counts); the time of it.

    The sender gets None (nothing to acknowledge); any other agency "no message".
    """
    messages = MessageStore(store.engine)
    visible = messages.visible_to(agency, ref)
    if not visible:
        raise Forbidden(f"no message {ref!r} for {agency!r}")
    at = visible[0].recipients.get(agency)
    with store.engine.begin() as conn:
        if agency in visible[0].recipients and at is None:
            at = datetime.now(UTC)
            messages.acknowledge(ref, agency, at, conn=conn)
        AuditLog(store.engine).append(
            actor or agency, "access", ref, {"acknowledged": True}, conn=conn
        )
    return at
