"""Secure messages between agencies and the hub: threads, handling codes, sealed at rest."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crosscheck.exc import Forbidden, InvalidData
from crosscheck.exchange.sealing import new_key_text, parse_key, seal, unseal
from crosscheck.exchange.signing import write_secret
from crosscheck.model import Evaluation, Handling
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
) -> str:
    if not recipients:
        raise InvalidData("a message needs at least one recipient")
    if thread is not None and not MessageStore(store.engine).visible_to(sender, thread):
        raise Forbidden(f"no thread {thread!r} for {sender!r}")
    key = message_key(settings)
    ref = "MSG-" + secrets.token_hex(6).upper()
    nonce, sealed = seal(key, body.encode(), f"{ref}/body")
    files = []
    for path in attachments:
        data = path.read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidData(f"{path}: attachments are limited to {MAX_ATTACHMENT_BYTES} bytes")
        part_nonce, part = seal(key, data, f"{ref}/{path.name}")
        files.append(
            {
                "name": path.name,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "nonce": part_nonce,
                "content": part,
            }
        )
    MessageStore(store.engine).add(
        {
            "ref": ref,
            "thread": thread or ref,
            "subject": subject[:300],
            "case_reference": case_reference,
            "handling_code": handling.code.value,
            "handling_note": handling.note,
            "source_reliability": evaluation.source.value,
            "information_assessment": evaluation.information.value,
            "nonce": nonce,
            "body": sealed,
            "created_at": datetime.now(UTC),
        },
        sender,
        list(recipients),
        files,
    )
    AuditLog(store.engine).append(
        sender,
        "disclosure",
        ref,
        {"to": sorted(recipients), "handling": str(handling), "attachments": len(files)},
    )
    return ref


def inbox(store: CaseStore, agency: str) -> list[StoredMessage]:
    AuditLog(store.engine).append(agency, "access", "messages", {})
    return MessageStore(store.engine).visible_to(agency)


def show(store: CaseStore, settings: Settings, ref: str, agency: str) -> Shown:
    """Decrypt a message for its sender or a recipient; a recipient's reading acknowledges it."""
    messages = MessageStore(store.engine)
    visible = messages.visible_to(agency, ref, with_attachments=True)
    found = visible[0] if visible else None
    if found is None:
        raise Forbidden(f"no message {ref!r} for {agency!r}")
    key = message_key(settings)
    body = unseal(key, found.nonce, found.body, f"{ref}/body").decode()
    files = {
        a["name"]: unseal(key, a["nonce"], a["content"], f"{ref}/{a['name']}")
        for a in found.attachments
    }
    if agency in found.recipients and found.recipients[agency] is None:
        messages.acknowledge(ref, agency, datetime.now(UTC))
    AuditLog(store.engine).append(agency, "access", ref, {})
    return Shown(messages.visible_to(agency, ref)[0], body, files)
