"""Secure messages in the store: sealed bodies, attachments and metadata; recipients, acks.

The store holds ciphertext only; ``service.messages`` seals and opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, or_, select

from crosscheck.exc import NotFound
from crosscheck.store.engine import transaction
from crosscheck.store.tables import agency, message, message_attachment, message_recipient


@dataclass(frozen=True)
class StoredMessage:
    ref: str
    thread: str
    subject: str
    case_reference: str | None
    sender: str
    recipients: dict[str, datetime | None]  # agency -> acknowledged at
    handling_code: str
    handling_note: str | None
    evaluation: str
    created_at: datetime
    nonce: bytes
    body: bytes
    attachments: list[dict[str, Any]]
    sealed_meta: bytes | None = None  # subject, case reference, note; None once opened


class MessageStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _agency_ids(self, conn: Any, names: Sequence[str]) -> dict[str, int]:
        rows = conn.execute(select(agency.c.name, agency.c.id).where(agency.c.name.in_(names)))
        found = {r.name: int(r.id) for r in rows}
        missing = sorted(set(names) - set(found))
        if missing:
            raise NotFound(f"no agency named {', '.join(repr(m) for m in missing)}")
        return found

    def add(
        self,
        values: dict[str, Any],
        sender: str,
        recipients: Sequence[str],
        attachments: Sequence[dict[str, Any]],
        *,
        conn: Connection | None = None,
    ) -> None:
        """Store a sealed message (in ``conn``'s transaction when given)."""
        with transaction(self.engine, conn) as conn:
            ids = self._agency_ids(conn, [sender, *recipients])
            key = conn.execute(
                message.insert().values(**values, sender_agency_id=ids[sender])
            ).inserted_primary_key
            assert key is not None
            message_id = int(key[0])
            conn.execute(
                message_recipient.insert(),
                [{"message_id": message_id, "agency_id": ids[name]} for name in recipients],
            )
            if attachments:
                conn.execute(
                    message_attachment.insert(),
                    [{**item, "message_id": message_id} for item in attachments],
                )

    def visible_to(
        self, agency_name: str, ref: str | None = None, *, with_attachments: bool = False
    ) -> list[StoredMessage]:
        """Messages the agency sent or received, oldest first (selected in SQL).

        Attachment contents are read only when asked for (to show one message).
        """
        received = (
            select(message_recipient.c.message_id)
            .join(agency, agency.c.id == message_recipient.c.agency_id)
            .where(agency.c.name == agency_name)
        )
        query = (
            select(message, agency.c.name.label("sender"))
            .join(agency, agency.c.id == message.c.sender_agency_id)
            .where(or_(agency.c.name == agency_name, message.c.id.in_(received)))
            .order_by(message.c.id)
        )
        return self._load(query, ref, with_attachments)

    def _load(self, query: Any, ref: str | None, with_attachments: bool) -> list[StoredMessage]:
        if ref is not None:
            query = query.where(message.c.ref == ref)
        out = []
        with self.engine.connect() as conn:
            for row in conn.execute(query).all():
                recipients = {
                    r.name: r.acknowledged_at
                    for r in conn.execute(
                        select(agency.c.name, message_recipient.c.acknowledged_at)
                        .join(agency, agency.c.id == message_recipient.c.agency_id)
                        .where(message_recipient.c.message_id == row.id)
                    )
                }
                columns = (
                    [message_attachment]
                    if with_attachments
                    else [
                        message_attachment.c.name,
                        message_attachment.c.size,
                        message_attachment.c.sha256,
                        message_attachment.c.sealed_meta,
                    ]
                )
                attachments = [
                    dict(a._mapping)
                    for a in conn.execute(
                        select(*columns).where(message_attachment.c.message_id == row.id)
                    )
                ]
                out.append(
                    StoredMessage(
                        row.ref,
                        row.thread,
                        row.subject,
                        row.case_reference,
                        row.sender,
                        recipients,
                        row.handling_code,
                        row.handling_note,
                        f"{row.source_reliability}{row.information_assessment}",
                        row.created_at,
                        row.nonce,
                        row.body,
                        attachments,
                        row.sealed_meta,
                    )
                )
        return out

    def acknowledge(
        self, ref: str, agency_name: str, now: datetime, *, conn: Connection | None = None
    ) -> None:
        """A recipient has read the message (in ``conn``'s transaction when given)."""
        with transaction(self.engine, conn) as conn:
            message_id = conn.execute(select(message.c.id).where(message.c.ref == ref)).scalar_one()
            agency_id = conn.execute(
                select(agency.c.id).where(agency.c.name == agency_name)
            ).scalar_one()
            conn.execute(
                message_recipient.update()
                .where(
                    message_recipient.c.message_id == message_id,
                    message_recipient.c.agency_id == agency_id,
                    message_recipient.c.acknowledged_at.is_(None),
                )
                .values(acknowledged_at=now)
            )
