"""Secure messages between agencies and the hub: threads, handling codes, sealed at rest."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from crosscheck.exc import Forbidden, InvalidData
from crosscheck.exchange.sealing import (
    new_key_text,
    parse_key,
    seal,
    seal_blob,
    unseal,
    unseal_blob,
)
from crosscheck.exchange.signing import write_secret
from crosscheck.model import Evaluation, Handling
from crosscheck.service.handling import check_forward
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.message_store import MessageStore, StoredMessage

MAX_ATTACHMENT_BYTES = 64 << 20


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
) -> str:
    if not recipients:
        raise InvalidData("a message needs at least one recipient")
    if thread is not None and not MessageStore(store.engine).visible_to(sender, thread):
        raise Forbidden(f"no thread {thread!r} for {sender!r}")
    if thread is not None:  # H2 and H3 messages of the thread go no further than allowed
        check_forward(store, sender, thread, recipients)
    key = message_key(settings)
    ref = "MSG-" + secrets.token_hex(6).upper()
    nonce, sealed = seal(key, body.encode(), f"{ref}/body")
    files = []
    for path in attachments:
        data = path.read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidData(f"{path}: attachments are limited to {MAX_ATTACHMENT_BYTES} bytes")
        part_nonce, part = seal(key, data, f"{ref}/{path.name}")
        meta = {"name": path.name, "sha256": hashlib.sha256(data).hexdigest()}
        files.append(
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
        "subject": subject[:300],
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
            files,
            conn=conn,
        )
        AuditLog(store.engine).append(
            actor or sender,
            "disclosure",
            ref,
            {"to": sorted(recipients), "handling": handling.code.value, "attachments": len(files)},
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
