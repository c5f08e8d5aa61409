"""Message metadata sealed at rest on both engines: no column of any row holds it in clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text, update

from crosscheck.exc import CrosscheckError
from crosscheck.model import Evaluation, Handling
from crosscheck.service import hub, messages
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.tables import message, message_attachment

MARKERS = {
    "subject": "ZQSUBJECTMARK",
    "case": "ZQCASEMARK",
    "note": "ZQNOTEMARK",
    "attachment": "ZQATTACHMARK",
    "body": "ZQBODYMARK",
}
H3 = Handling.model_validate({"code": "H3", "note": f"only for {MARKERS['note']}"})
B2 = Evaluation.model_validate({"source": "B", "information": "2"})


@pytest.fixture
def sent(store: CaseStore, settings: Settings, tmp_path: Path) -> str:
    for name, country in (("ES police", "ES"), ("AU police", "AU")):
        hub.add_agency(store, name, country, tmp_path / f"{country}.key")
    attachment = tmp_path / f"{MARKERS['attachment']}.txt"
    attachment.write_text("benign attachment text")
    return messages.send(
        store,
        settings,
        sender="AU police",
        recipients=["ES police"],
        subject=f"Lead {MARKERS['subject']}",
        body=f"text {MARKERS['body']}",
        handling=H3,
        evaluation=B2,
        case_reference=f"AU/{MARKERS['case']}",
        attachments=[attachment],
    )


def _everything(store: CaseStore) -> str:
    """Every value of every row of every table in the database, as text."""
    seen = []
    with store.engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{name}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        seen.append(bytes(value).decode("latin-1"))
                    else:
                        seen.append(str(value))
    return "\n".join(seen)


def test_no_column_holds_message_metadata_in_clear(
    store: CaseStore, settings: Settings, sent: str
) -> None:
    held = _everything(store)
    assert sent in held  # the scan does see the message
    for marker in MARKERS.values():
        assert marker not in held, marker


def test_the_recipient_and_the_sender_still_read_it(
    store: CaseStore, settings: Settings, sent: str
) -> None:
    for agency in ("ES police", "AU police"):
        [listed] = messages.inbox(store, agency, settings)
        assert listed.ref == sent and listed.subject == f"Lead {MARKERS['subject']}"
        assert listed.case_reference == f"AU/{MARKERS['case']}"
        assert listed.handling_note == f"only for {MARKERS['note']}"
        assert [a["name"] for a in listed.attachments] == [f"{MARKERS['attachment']}.txt"]
        assert sorted(listed.attachments[0]) == ["name", "sha256", "size"]
    shown = messages.show(store, settings, sent, "ES police")
    assert shown.message.subject == f"Lead {MARKERS['subject']}"
    assert shown.message.handling_note == f"only for {MARKERS['note']}"
    assert shown.attachments == {f"{MARKERS['attachment']}.txt": b"benign attachment text"}
    assert shown.body == f"text {MARKERS['body']}"


def test_sealed_metadata_is_bound_to_its_message(
    store: CaseStore, settings: Settings, sent: str, tmp_path: Path
) -> None:
    other = messages.send(
        store,
        settings,
        sender="ES police",
        recipients=["AU police"],
        subject="another",
        body="another",
        handling=H3,
        evaluation=B2,
    )
    with store.engine.begin() as conn:
        sealed = conn.execute(select(message.c.sealed_meta).where(message.c.ref == other)).scalar()
        conn.execute(update(message).where(message.c.ref == sent).values(sealed_meta=sealed))
        assert conn.execute(select(message_attachment.c.sealed_meta)).scalar() is not None
    with pytest.raises(CrosscheckError, match="cannot be decrypted"):
        messages.show(store, settings, sent, "ES police")
