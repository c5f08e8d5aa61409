"""Secure messages on both engines: sealed at rest, need to know, threads, acknowledgements."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from crosscheck.exc import CrosscheckError, Forbidden, InvalidData, NotFound
from crosscheck.model import Evaluation, Handling
from crosscheck.service import hub, messages
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.tables import message, message_attachment

H2 = Handling.model_validate({"code": "H2"})
B2 = Evaluation.model_validate({"source": "B", "information": "2"})


@pytest.fixture
def three(store: CaseStore, tmp_path: Path) -> CaseStore:
    for name, country in (("ES police", "ES"), ("FR police", "FR"), ("AU police", "AU")):
        hub.add_agency(store, name, country, tmp_path / f"{country}.key")
    return store


def test_send_read_acknowledge_reply(three: CaseStore, settings: Settings, tmp_path: Path) -> None:
    attachment = tmp_path / "lead.txt"
    attachment.write_text("lead report (benign test text)")
    ref = messages.send(
        three,
        settings,
        sender="AU police",
        recipients=["ES police"],
        subject="Lead for Spain",
        body="The account points to Spain.",
        handling=H2,
        evaluation=B2,
        attachments=[attachment],
    )
    with three.engine.connect() as conn:
        stored = conn.execute(select(message.c.body)).scalar_one()
        sealed = conn.execute(select(message_attachment.c.content)).scalar_one()
    assert b"Spain" not in stored and b"lead report" not in sealed  # encrypted at rest

    listed = messages.inbox(three, "ES police", settings)
    assert [(m.ref, m.recipients["ES police"]) for m in listed] == [(ref, None)]
    assert [sorted(a) for a in listed[0].attachments] == [["name", "sha256", "size"]]  # no contents
    shown = messages.show(three, settings, ref, "ES police")
    assert shown.body == "The account points to Spain."
    assert shown.attachments == {"lead.txt": b"lead report (benign test text)"}
    assert shown.message.recipients["ES police"] is not None  # acknowledged on reading
    assert shown.message.handling_code == "H2" and shown.message.evaluation == "B2"

    with pytest.raises(Forbidden):
        messages.show(three, settings, ref, "FR police")
    assert messages.inbox(three, "FR police", settings) == []
    reply = messages.send(
        three,
        settings,
        sender="ES police",
        recipients=["AU police"],
        subject="Re: Lead",
        body="Received, thank you.",
        handling=H2,
        evaluation=B2,
        thread=ref,
    )
    assert {m.thread for m in messages.inbox(three, "AU police", settings)} == {ref}
    assert reply != ref
    with pytest.raises(Forbidden):
        messages.send(
            three,
            settings,
            sender="FR police",
            recipients=["ES police"],
            subject="x",
            body="x",
            handling=H2,
            evaluation=B2,
            thread=ref,
        )


def test_bad_recipients_and_tampering(three: CaseStore, settings: Settings) -> None:
    with pytest.raises(NotFound):
        messages.send(
            three,
            settings,
            sender="ES police",
            recipients=["Nobody"],
            subject="x",
            body="x",
            handling=H2,
            evaluation=B2,
        )
    with pytest.raises(InvalidData):
        messages.send(
            three,
            settings,
            sender="ES police",
            recipients=[],
            subject="x",
            body="x",
            handling=H2,
            evaluation=B2,
        )
    ref = messages.send(
        three,
        settings,
        sender="ES police",
        recipients=["FR police"],
        subject="x",
        body="original",
        handling=H2,
        evaluation=B2,
    )
    with three.engine.begin() as conn:
        body = conn.execute(select(message.c.body)).scalar_one()
        conn.execute(update(message).values(body=bytes([body[0] ^ 1]) + body[1:]))
    with pytest.raises(CrosscheckError, match="cannot be decrypted"):
        messages.show(three, settings, ref, "FR police")


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("report.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),  # a JPEG, whatever its name
        ("clip.txt", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"),  # an MP4
        ("notes.zip", b"PK\x03\x04\x14\x00\x00\x00"),  # an archive may hold media
    ],
)
def test_media_never_leave_as_attachments(
    three: CaseStore, settings: Settings, name: str, head: bytes
) -> None:
    before = messages.inbox(three, "FR police", settings)
    with pytest.raises(InvalidData, match="media never leave the agency"):
        messages.send(
            three,
            settings,
            sender="ES police",
            recipients=["FR police"],
            subject="x",
            body="x",
            handling=H2,
            evaluation=B2,
            files=[(name, head + bytes(2000))],
        )
    assert messages.inbox(three, "FR police", settings) == before
    # a document is an attachment as before
    sent = messages.send(
        three,
        settings,
        sender="ES police",
        recipients=["FR police"],
        subject="x",
        body="x",
        handling=H2,
        evaluation=B2,
        files=[("lead.txt", b"a written lead, no media")],
    )
    assert sent
