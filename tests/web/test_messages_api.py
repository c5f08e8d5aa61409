"""Messages, search and whoami over the API, on both engines: the same rules as the CLI."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from tests.web.conftest import auth
from tests.web.test_need_to_know import SHARED_SHA, loaded  # noqa: F401 (a fixture)

Env = tuple[TestClient, dict[str, str], dict[str, Path]]
LEAD = b"lead report (benign test text)\x00\x01"


def send(client: TestClient, token: str, **fields: object) -> tuple[int, dict[str, object]]:
    body = {
        "to": ["FR police"],
        "subject": "Lead for France",
        "body": "The account points to France.",
        "handling": "H2",
        "evaluation": "B2",
    } | fields
    response = client.post("/api/v1/messages", json=body, headers=auth(token))
    return response.status_code, response.json()


def test_send_list_show_acknowledge_download(hub_env: Env, settings: Settings) -> None:
    client, tokens, _ = hub_env
    be, fr, au = (tokens[f"{a} police/examiner"] for a in ("BE", "FR", "AU"))
    attachment = {"name": "lead.bin", "content_base64": base64.b64encode(LEAD).decode()}
    with client:
        status, sent = send(client, be, attachments=[attachment])
        assert status == 201, sent
        ref = str(sent["ref"])

        listed = client.get("/api/v1/messages", headers=auth(fr)).json()
        assert [(m["ref"], m["recipients"]) for m in listed] == [(ref, {"FR police": None})]
        digest = hashlib.sha256(LEAD).hexdigest()
        assert listed[0]["attachments"] == [
            {"n": 0, "name": "lead.bin", "size": len(LEAD), "sha256": digest}
        ]
        assert "body" not in listed[0] and listed[0]["subject"] == "Lead for France"

        shown = client.get(f"/api/v1/messages/{ref}", headers=auth(fr))
        assert shown.status_code == 200, shown.text
        assert shown.json()["body"] == "The account points to France."
        assert shown.json()["recipients"]["FR police"] is not None  # read: acknowledged
        got = client.get(f"/api/v1/messages/{ref}/attachments/0", headers=auth(fr))
        assert got.status_code == 200 and got.content == LEAD
        assert (
            client.get(f"/api/v1/messages/{ref}/attachments/1", headers=auth(fr)).status_code == 404
        )

        # another agency: "no message", in the same words as a missing one
        other = client.get(f"/api/v1/messages/{ref}", headers=auth(au))
        missing = client.get("/api/v1/messages/MSG-000000000000", headers=auth(au))
        assert other.status_code == missing.status_code == 404
        assert other.json()["detail"].replace(ref, "X") == missing.json()["detail"].replace(
            "MSG-000000000000", "X"
        )
        assert (
            client.get(f"/api/v1/messages/{ref}/attachments/0", headers=auth(au)).status_code == 404
        )
        assert (
            client.post(f"/api/v1/messages/{ref}/acknowledge", headers=auth(au)).status_code == 404
        )
        assert client.get("/api/v1/messages", headers=auth(au)).json() == []
        # the hub operator sends and reads nothing
        assert client.get("/api/v1/messages", headers=auth(tokens["operator"])).status_code == 403
    store = open_store(settings)
    entries = AuditLog(store.engine).read()
    store.engine.dispose()
    assert any(e.action == "disclosure" and e.subject == ref for e in entries)
    assert any(
        e.action == "access" and e.subject == ref and e.actor == "FR examiner@FR police"
        for e in entries
    )


def test_acknowledge_without_reading(hub_env: Env) -> None:
    client, tokens, _ = hub_env
    be, fr = tokens["BE police/examiner"], tokens["FR police/analyst"]
    with client:
        ref = send(client, be)[1]["ref"]
        first = client.post(f"/api/v1/messages/{ref}/acknowledge", headers=auth(fr))
        assert first.status_code == 200 and first.json()["acknowledged_at"] is not None
        again = client.post(f"/api/v1/messages/{ref}/acknowledge", headers=auth(fr)).json()
        assert again["acknowledged_at"] == first.json()["acknowledged_at"]  # the first one counts
        listed = client.get("/api/v1/messages", headers=auth(fr)).json()
        assert listed[0]["recipients"]["FR police"] == first.json()["acknowledged_at"]
        own = client.post(f"/api/v1/messages/{ref}/acknowledge", headers=auth(be)).json()
        assert own["acknowledged_at"] is None  # the sender has nothing to acknowledge


def test_h2_forward_rule_and_bad_input(hub_env: Env) -> None:
    client, tokens, _ = hub_env
    be, fr = tokens["BE police/examiner"], tokens["FR police/examiner"]
    with client:
        ref = send(client, be)[1]["ref"]  # H2 from BE to FR
        status, refused = send(client, fr, to=["AU police"], thread=ref, handling="H0")
        assert status == 403 and "H2" in str(refused["detail"]), refused
        status, _ = send(client, fr, to=["BE police"], thread=ref, handling="H0")
        assert status == 201  # back to the provider: inside the message's circle
        bad = {"name": "../x", "content_base64": "aGk="}
        status, refused = send(client, be, attachments=[bad])
        assert status == 400 and "without folders" in str(refused["detail"])
        status, _ = send(client, be, attachments=[{"name": "x", "content_base64": "%%%"}])
        assert status == 400
        status, refused = send(client, be, to=["Nobody police"])
        assert status == 404 and "Nobody police" in str(refused["detail"])


def test_message_body_is_read_only_after_the_caller_and_capped(
    hub_env: Env, settings: Settings
) -> None:
    client, tokens, _ = hub_env
    with client:
        response = client.post(
            "/api/v1/messages",
            content=b"x" * 2000,
            headers=auth("cc_1_wrong") | {"Content-Type": "application/json"},
        )
        assert response.status_code == 401
        huge = client.post(
            "/api/v1/messages",
            content=b"{}",
            headers=auth("cc_1_wrong") | {"Content-Length": str(1 << 40)},
        )
        assert huge.status_code == 401  # the caller first, before the size
        token = auth(tokens["BE police/examiner"])
        over = client.post(
            "/api/v1/messages", content=b"{}", headers=token | {"Content-Length": str(1 << 40)}
        )
        assert over.status_code == 413 and "size limit" in over.json()["detail"]


def test_whoami_and_search_own_holdings(loaded: tuple[TestClient, dict[str, str]]) -> None:  # noqa: F811
    client, tokens = loaded
    with client:
        me = client.get("/api/v1/whoami", headers=auth(tokens["BE police/analyst"])).json()
        assert me == {"name": "BE analyst", "role": "analyst", "agency": "BE police"}
        assert client.get("/api/v1/whoami", headers=auth("cc_1_nothing")).status_code == 401

        be = auth(tokens["BE police/examiner"])
        names = client.get("/api/v1/search", params={"q": "secretnamebe"}, headers=be).json()
        assert {(f["entity"].split(".")[-1], f["prop"]) for f in names} == {("be-person", "name")}
        mail = client.get("/api/v1/search", params={"q": "SECRET.BE@mail.example"}, headers=be)
        assert [f["value"] for f in mail.json()] == ["secret.be@mail.example"]
        by_hash = client.get("/api/v1/search", params={"q": SHARED_SHA.upper()}, headers=be).json()
        assert [(f["schema"], f["prop"]) for f in by_hash] == [("sha256", "fingerprint")]
        # another agency's holdings are not found, even with its exact values
        fr = auth(tokens["FR police/examiner"])
        for query in ("secretnamebe", "secret.be@mail.example", "user_be"):
            assert client.get("/api/v1/search", params={"q": query}, headers=fr).json() == []
        assert client.get("/api/v1/search", params={"q": "secretnamefr"}, headers=fr).json() != []
        like = client.get("/api/v1/search", params={"q": "%"}, headers=fr).json()
        assert like == []  # a wildcard is a character, not a pattern
        operator = client.get("/api/v1/search", params={"q": "x"}, headers=auth(tokens["operator"]))
        assert operator.status_code == 403


def test_hostile_sends_are_refused_over_the_api(hub_env: Env) -> None:
    """The API refuses what the service refuses, each with a readable reason."""
    client, tokens, _ = hub_env
    be = tokens["BE police/examiner"]
    lead = b"%PDF-1.4\nlead\n%%EOF\n"
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)

    def attached(name: str, data: bytes) -> list[dict[str, str]]:
        return [{"name": name, "content_base64": base64.b64encode(data).decode()}]

    with client:
        for fields, says in (
            ({"to": ["BE police"]}, "cannot send a message to itself"),
            ({"attachments": attached("lead.pdf", lead + png)}, f"at byte {len(lead)}"),
            ({"attachments": attached("ok\u202egpj.pdf", lead)}, "U+202E"),
            ({"case_reference": "x" * 201}, "200"),
        ):
            status, refused = send(client, be, **fields)
            assert status in (400, 422) and says in str(refused["detail"]), refused
        assert client.get("/api/v1/messages", headers=auth(be)).json() == []
