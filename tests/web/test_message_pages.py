"""The workbench's message pages, in process, on SQLite and PostgreSQL: threads, compose,
reading acknowledges, attachments as downloads, media refused, need to know, CSRF, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crosscheck.service import hub, messages, workbench
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from crosscheck.web.app import create_app
from tests.web.test_pages import csrf_of, log_in
from tests.web.workbench_data import PASSWORD, Hub, populate, small_pdf, small_png, user

THIRD = "AU police"  # neither sender nor recipient of the messages below
REF = re.compile(r"/messages/(MSG-[0-9A-F]{12})$")
ALERT = re.compile(r'role="alert"[^>]*>(.*?)</div>', re.S)
Bench = tuple[TestClient, Hub]


@pytest.fixture
def bench(settings: Settings, tmp_path: Path) -> Iterator[Bench]:
    held = populate(settings, tmp_path)
    store = open_store(settings)
    hub.add_agency(store, THIRD, "AU", tmp_path / "AU.key")
    number = hub.add_user(
        store, "AU analyst", "analyst", THIRD, tmp_path / "AU.token", settings=settings
    )
    workbench.set_password(store, number, PASSWORD)
    store.engine.dispose()
    with TestClient(create_app(settings, worker=False)) as client:
        yield client, held


def as_user(client: TestClient, name: str) -> None:
    client.cookies.clear()
    assert log_in(client, name) == 303


def post(
    client: TestClient,
    *,
    csrf: str | None = "",
    files: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    **fields: str | list[str],
) -> tuple[int, str, str]:
    """Post the compose form (multipart); the status, the location (if any) and the page."""
    form: dict[str, str | list[str]] = {
        "to": ["FR police"],
        "subject": "Lead for France",
        "body": "The account points to France.\nSecond line.",
        "handling": "H2",
        "source": "B",
        "information": "2",
    } | fields
    if csrf is not None:
        form["csrf_token"] = csrf or csrf_of(client)
    parts = [("attachments", (name, data, "application/octet-stream")) for name, data in files]
    answer = client.post(
        "/messages",
        data=form,
        files=parts or [("attachments", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    return answer.status_code, answer.headers.get("location", ""), answer.text


def sent_ref(client: TestClient, **fields: str | list[str]) -> str:
    status, location, page = post(client, **fields)
    assert status == 303, ALERT.findall(page) or page[:2000]
    found = REF.search(location)
    assert found is not None, location
    return found.group(1)


def test_compose_send_read_acknowledge_reply(bench: Bench) -> None:
    client, held = bench
    lead = small_pdf("Lead report for FR")
    as_user(client, user("BE police", "analyst"))
    form = client.get("/messages/new").text
    for agency in ("FR police", THIRD):
        assert f'name="to" value="{agency}"' in form
    assert 'value="BE police"' not in form  # not to oneself
    for control in ("subject", "body", "handling", "note", "source", "information", "attachments"):
        assert f'<label for="{control}">' in form, control  # every control labelled
    assert 'enctype="multipart/form-data"' in form
    ref = sent_ref(client, files=[("lead.pdf", lead)])  # a PDF is a document: it goes
    mine = client.get("/messages/sent").text
    assert "Lead for France" in mine and f"/messages/{ref}" in mine
    page = client.get(f"/messages/{ref}").text
    assert "not read yet" in page and "acknowledged" not in page  # the sender's reading is none

    as_user(client, user("FR police", "examiner"))
    home = client.get("/").text
    assert f'<a href="/messages/{ref}"><bdi>Lead for France</bdi></a>' in home  # unread, linked
    inbox = client.get("/messages").text
    assert 'class="unread"' in inbox and "1 unread" in inbox
    page = client.get(f"/messages/{ref}").text
    assert "The account points to France.\nSecond line." in page  # the body, as text
    assert "BE police" in page and "H2" in page and "not to be disseminated" in page
    assert "usually reliable" in page and "acknowledged" in page
    assert f'href="/messages/{ref}/attachments/0"' in page and "lead.pdf" in page
    got = client.get(f"/messages/{ref}/attachments/0")
    assert got.status_code == 200 and got.content == lead
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''lead.pdf"
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/messages/{ref}/attachments/1").status_code == 404
    assert 'class="unread"' not in client.get("/messages").text
    assert f"/messages/{ref}" not in client.get("/").text  # read: no longer on the home page

    reply = client.get(f"/messages/new?reply={ref}").text
    assert 'value="BE police" checked' in reply and 'value="Re: Lead for France"' in reply
    assert f'name="reply" value="{ref}"' in reply
    answer = sent_ref(client, to=["BE police"], subject="Re: Lead for France",
                      body="Received; we take it.", reply=ref)  # fmt: skip

    as_user(client, user("BE police", "examiner"))
    page = client.get(f"/messages/{ref}").text
    assert 'FR police</bdi> — <span class="acked">acknowledged' in page  # FR has read it
    threads = client.get("/messages").text
    assert threads.count("<tr") == 2  # the header and one thread of two messages
    assert f"/messages/{answer}" in threads and "1 unread" in threads
    page = client.get(f"/messages/{answer}").text
    thread = page[page.index('class="thread"') :]
    assert thread.index(ref) < thread.index("Re: Lead for France")  # in order
    store = open_store(held.settings)
    entries = AuditLog(store.engine).read()
    store.engine.dispose()
    reads = {(e.actor, e.subject) for e in entries if e.action == "access"}
    assert ("FR examiner@FR police", ref) in reads
    assert {e.subject for e in entries if e.action == "disclosure"} >= {ref, answer}


def test_need_to_know_guessed_message_and_attachment(bench: Bench) -> None:
    client, _ = bench
    as_user(client, user("BE police", "analyst"))
    ref = sent_ref(client, subject="Only for FR", files=[("lead.pdf", small_pdf("x"))])
    missing = "MSG-000000000000"
    as_user(client, "AU analyst")
    for path in ("/messages/{}", "/messages/{}/attachments/0", "/messages/new?reply={}"):
        other = client.get(path.format(ref))
        none = client.get(path.format(missing))
        assert other.status_code == none.status_code == 404, path
        assert other.text.replace(ref, "X") == none.text.replace(missing, "X"), path
        assert "Only for FR" not in other.text
    status, _, _ = post(client, to=["BE police"], subject="in", reply=ref)
    assert status == 404
    for box in ("/messages", "/messages/sent", "/"):
        assert "Only for FR" not in client.get(box).text
    as_user(client, user("BE police", "analyst"))
    assert "not read yet" in client.get(f"/messages/{ref}").text  # AU acknowledged nothing
    as_user(client, "operator")
    assert client.get("/messages").status_code == 403
    assert client.get(f"/messages/{ref}").status_code == 403
    assert post(client, to=["BE police"])[0] == 403


def test_post_without_csrf_refused_and_nothing_sent(bench: Bench) -> None:
    client, _ = bench
    as_user(client, user("BE police", "analyst"))
    assert post(client, csrf=None)[0] == 403
    assert post(client, csrf="x" * 43)[0] == 403
    assert "Your agency has sent no message." in client.get("/messages/sent").text
    as_user(client, user("FR police", "analyst"))
    assert "No message has come to your agency." in client.get("/messages").text


def test_hostile_subject_and_body_escaped(bench: Bench) -> None:
    client, _ = bench
    hostile = '<script>alert("x")</script>'
    body = '<img src=x onerror=alert(1)> & "quoted"'
    as_user(client, user("BE police", "analyst"))
    ref = sent_ref(client, subject=hostile, body=body, files=[("<i>x&y.txt", b"plain text")])
    as_user(client, user("FR police", "analyst"))
    for url in ("/", "/messages", f"/messages/{ref}", f"/messages/new?reply={ref}"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(" in page, url
    page = client.get(f"/messages/{ref}").text
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quoted&#34;" in page
    assert "&lt;i&gt;x&amp;y.txt" in page and "<i>x" not in page
    got = client.get(f"/messages/{ref}/attachments/0")
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''%3Ci%3Ex%26y.txt"


def test_refused_media_shows_one_error_and_keeps_the_text(bench: Bench) -> None:
    client, _ = bench
    as_user(client, user("BE police", "analyst"))
    typed = {"to": ["FR police", THIRD], "subject": "Kept subject", "body": "Kept body text",
             "handling": "H3", "note": "Kept restriction", "source": "C", "information": "3",
             "case_reference": "CASE-KEPT-1"}  # fmt: skip
    for name, data, says in (
        ("gradient.pdf", small_png(), "“gradient.pdf” is an image"),  # by its bytes, not name
        ("bundle.zip", b"PK\x03\x04" + b"\x00" * 40, "“bundle.zip” is an archive"),
    ):
        status, _, page = post(client, files=[("note.txt", b"ok"), (name, data)], **typed)
        assert status == 400
        alerts = ALERT.findall(page)
        assert len(alerts) == 1 and says in alerts[0], alerts
        for kept in ('value="Kept subject"', ">Kept body text</textarea>",
                     'value="Kept restriction"', 'value="CASE-KEPT-1"',
                     'value="FR police" checked', f'value="{THIRD}" checked',
                     '<option value="H3" selected>', '<option value="C" selected>',
                     '<option value="3" selected>'):  # fmt: skip
            assert kept in page, kept
    assert "Kept subject" not in client.get("/messages/sent").text  # nothing was sent
    status, _, page = post(client, to=[])
    assert status == 400 and "Choose at least one recipient" in ALERT.findall(page)[0]
    status, _, page = post(client, handling="H3", note="")
    assert status == 400 and "H3 needs a note" in ALERT.findall(page)[0]
    status, _, page = post(client, files=[("a.txt", b"1"), ("a.txt", b"2")])
    assert status == 400 and "Two attachments are named “a.txt”" in ALERT.findall(page)[0]
    status, _, page = post(client, files=[(f"{n}.txt", b"x") for n in range(21)])
    assert status == 400 and "At most 20 attachments" in ALERT.findall(page)[0]
    status, _, page = post(client, source="Z")
    assert status == 400 and "could not be sent" in ALERT.findall(page)[0]
    spanish = client.post(
        "/messages",
        data={"csrf_token": csrf_of(client), "to": "FR police", "handling": "H0", "source": "B",
              "information": "2"},
        files=[("attachments", ("x.pdf", small_png(), "application/pdf"))],
        headers={"Accept-Language": "es"},
    )  # fmt: skip
    assert "«x.pdf» es una imagen" in spanish.text


def test_caps_of_the_api(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    client, held = bench
    monkeypatch.setattr(messages, "MAX_ATTACHMENT_BYTES", 4096)
    as_user(client, user("BE police", "analyst"))
    status, _, page = post(client, files=[("big.txt", b"x" * 5000)])
    assert status == 400 and "“big.txt” is larger than" in ALERT.findall(page)[0]
    over = b"x" * (held.settings.max_body_bytes + 8192)
    status, _, _ = post(client, files=[("huge.txt", over)])
    assert status == 413  # the form is read no further than the cap
    assert "Your agency has sent no message." in client.get("/messages/sent").text


def test_hostile_sends_are_refused_in_one_readable_line(bench: Bench) -> None:
    """What a hostile tester sent through this page: media appended to a PDF, a message to
    one's own agency, a 200,000-character subject, a right-to-left override in a file name."""
    import io
    import zipfile

    client, _ = bench
    as_user(client, user("BE police", "analyst"))
    lead = small_pdf("Lead report")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("shapes.png", small_png())
    typed = {"subject": "Kept subject", "body": "Kept body text", "case_reference": "CASE-KEPT-2"}
    cases: list[tuple[dict[str, str | list[str]], list[tuple[str, bytes]], str]] = [
        ({}, [("lead.pdf", lead + archive.getvalue())],
         f"“lead.pdf” carries application/zip data at byte {len(lead)}"),
        ({}, [("lead.txt", b"a lead\n" + small_png())],
         "“lead.txt” carries image/png data at byte 7"),
        ({"to": ["BE police"]}, [], "Your own agency cannot be a recipient"),
        ({"to": ["FR police", "BE police"]}, [], "Your own agency cannot be a recipient"),
        ({"subject": "s" * 200_000}, [], "The subject is longer than 300 characters"),
        ({"case_reference": "C" * 201}, [], "The case reference is longer than 200 characters"),
        ({}, [("ok\u202egpj.pdf", b"a lead")],
         "“ok\\u202egpj.pdf” holds invisible or direction-changing characters"),
    ]  # fmt: skip
    for fields, files, says in cases:
        status, _, page = post(client, files=files, **(typed | fields))
        alerts = ALERT.findall(page)
        assert status == 400 and len(alerts) == 1 and says in alerts[0], (says, alerts)
        assert "\u202e" not in alerts[0]
        subject = fields.get("subject", "Kept subject")
        assert f'value="{subject}"' in page and ">Kept body text</textarea>" in page  # kept
    assert "Kept subject" not in client.get("/messages/sent").text  # nothing was sent
    spanish = client.post(
        "/messages",
        data={"csrf_token": csrf_of(client), "to": "BE police", "handling": "H0", "source": "B",
              "information": "2"},
        files=[("attachments", ("", b"", "application/octet-stream"))],
        headers={"Accept-Language": "es"},
    )  # fmt: skip
    assert "Su propio organismo no puede ser destinatario" in spanish.text
    ref = sent_ref(client, files=[("تقرير.txt", b"a lead"), ("отчёт.txt", b"another")])
    as_user(client, user("FR police", "examiner"))
    page = client.get(f"/messages/{ref}").text
    assert "تقرير.txt" in page and "отчёт.txt" in page
