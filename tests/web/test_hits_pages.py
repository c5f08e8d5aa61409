"""The hits page and home's notices, in process (SQLite and PostgreSQL).

Grouped notices on each side, expanded strongest first; the owner's decisions
on a whole notice or one item, with their audit entries (its own only); the
requester's view before and after release; need to know on every hits URL with
guessed references; CSRF on every decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from crosscheck.web.app import create_app
from tests.web.hits_data import HOLIDAY, Notices, add_notices
from tests.web.test_pages import csrf_of, log_in
from tests.web.workbench_data import ROLES, Hub, populate, user

GUESSED = "N-0123456789AB"  # a notice reference of the right form that names nothing
BE_ITEMS = (*HOLIDAY, "be_more", "be_contrib")  # what FR may not see before release
ADMIN = user("BE police", "agency_admin")


@pytest.fixture
def bench(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, Hub, Notices]]:
    held = populate(settings, tmp_path)
    made = add_notices(held, tmp_path)
    with TestClient(create_app(settings, worker=False)) as client:
        yield client, held, made


def statuses(settings: Settings, agency: str = "BE police") -> dict[str, str]:
    """Each of the agency's notices (as owner): its items' captions and statuses."""
    store = open_store(settings)
    try:
        return {
            i.caption or "": i.status
            for n in hub.notice_inbox_for(store, agency, "test")
            for i in n.items
        }
    finally:
        store.engine.dispose()


def htmx(client: TestClient) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": csrf_of(client)}


def test_notices_grouped_on_each_side_and_expanded(
    bench: tuple[TestClient, Hub, Notices],
) -> None:
    client, _, made = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    page = client.get("/hits").text  # the inbox first, for a role that reads it
    assert "Waiting for my decision" in page and 'aria-current="page">Waiting' in page
    row = page[page.index(f'id="notice-{made.big}"') :]
    row = row[: row.index("</tbody>")]
    for expected in (HOLIDAY[0], "and 2 more", "FR police", "SHA-256", "exact", "(4 signals)"):
        assert expected in row, expected
    assert "Release all" not in page  # an analyst reads the inbox, an administrator decides
    items = client.get(f"/hits/inbox/{made.big}?open=1").text
    order = [items.index(f"<bdi>{name}</bdi>") for name in HOLIDAY]
    assert order == sorted(order)  # strongest first: exact, then 6 and 12 bits apart
    assert "6 bits apart" in items and "12 bits apart" in items
    assert 'SHA-256</span>, <span class="signal">PDQ' in items  # every signal of an item
    assert "No decision yet." in items and 'aria-expanded="true"' in items
    closed = client.get(f"/hits/inbox/{made.big}").text
    assert HOLIDAY[1] not in closed and 'aria-expanded="false"' in closed

    client.cookies.clear()
    assert log_in(client, user("FR police", "examiner")) == 303
    page = client.get("/hits").text  # an examiner has no inbox: hits on its items
    assert "Waiting for my decision" not in page and "IMG_0002.jpg" in page
    assert "BE police" in page and "waiting for the owner" in page
    shown = client.get(f"/hits/mine/{made.big}?open=1").text
    assert "IMG_0002.jpg" in shown and shown.count("the item is shown once its owner") == 3
    assert not [m for m in BE_ITEMS if m in shown]  # hit/no-hit until released


def test_owner_decides_notice_and_item_with_audit(bench: tuple[TestClient, Hub, Notices]) -> None:
    client, held, made = bench
    assert log_in(client, ADMIN) == 303
    items = client.get(f"/hits/inbox/{made.big}?open=1").text
    second = re.search(
        rf"/hits/inbox/{made.big}/items/([^/]+)/decline", items[items.index(HOLIDAY[1]) :]
    )
    assert second is not None
    answer = client.post(
        f"/hits/inbox/{made.big}/items/{second.group(1)}/decline", headers=htmx(client)
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<tbody id="notice-{made.big}"')  # the rows again
    assert statuses(held.settings)[HOLIDAY[1]] == "declined"
    assert statuses(held.settings)[HOLIDAY[0]] == "pending"
    assert "BE agency_admin@BE police" in answer.text  # the decision's audit entry
    again = client.post(
        f"/hits/inbox/{made.big}/items/{second.group(1)}/release", headers=htmx(client)
    )
    assert again.status_code == 409  # decided items keep their decision
    whole = client.post(f"/hits/inbox/{made.big}/release", headers=htmx(client))
    assert whole.status_code == 200 and "partly released" in whole.text
    assert [statuses(held.settings)[h] for h in HOLIDAY] == ["released", "declined", "released"]
    decisions = whole.text[whole.text.index("Decisions in the audit log") :]
    assert decisions.count("BE agency_admin@BE police") == 4  # sha256 and pdq of holiday_01
    # a form without htmx comes back to the page, the notice open
    plain = client.post(
        f"/hits/inbox/{made.small}/decline",
        data={"csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/hits?tab=inbox&open={made.small}#notice-{made.small}"
    page = client.get(plain.headers["location"]).text
    assert page.index("Decided") < page.index(f'id="notice-{made.small}"')  # in the decided list
    assert "No notice waits for a decision." in page

    # another agency's entry on the same hit never shows to the owner
    store = open_store(held.settings)
    refs = [
        r for n in hub.notice_inbox_for(store, "BE police", "t") for i in n.items for r in i.refs
    ]
    AuditLog(store.engine).append("FR analyst@FR police", "access", refs[0], {"decision": "x"})
    store.engine.dispose()
    shown = client.get(f"/hits/inbox/{made.big}?open=1").text
    assert "FR analyst" not in shown and "BE agency_admin@BE police" in shown

    client.cookies.clear()
    assert log_in(client, user("FR police", "analyst")) == 303
    mine = client.get(f"/hits/mine/{made.big}?open=1").text
    assert HOLIDAY[0] in mine and HOLIDAY[2] in mine and HOLIDAY[1] not in mine
    assert "not to be disseminated" in mine  # the released item's handling code
    assert "partly released" in client.get("/hits?tab=mine").text


def _urls(ref: str) -> list[str]:
    return [f"/hits/inbox/{ref}", f"/hits/inbox/{ref}?open=1", f"/hits/mine/{ref}",
            f"/hits/mine/{ref}?open=1"]  # fmt: skip


def _posts(ref: str, item: str) -> list[str]:
    one = f"/hits/inbox/{ref}/items/{item}"
    return [
        f"/hits/inbox/{ref}/release",
        f"/hits/inbox/{ref}/decline",
        f"{one}/release",
        f"{one}/decline",
    ]


def test_need_to_know_and_csrf_on_every_hits_url(bench: tuple[TestClient, Hub, Notices]) -> None:
    client, held, made = bench
    before = statuses(held.settings)
    store = open_store(held.settings)
    item = hub.notice_inbox_for(store, "BE police", "t")[0].items[0].ref
    store.engine.dispose()
    visitors = [(name, ("inbox", "mine")) for name in made.third_users]  # in no notice
    visitors += [(user("FR police", role), ("inbox",)) for role in ROLES]  # not the owner
    visitors += [(user("BE police", role), ("mine",)) for role in ROLES]  # not the requester
    for name, sides in visitors:
        client.cookies.clear()
        assert log_in(client, name) == 303
        for ref in (made.big, made.small):
            for url in _urls(ref):
                if url.split("/")[2] not in sides:
                    continue
                answer = client.get(url)
                guessed = client.get(url.replace(ref, GUESSED))
                assert answer.status_code in (403, 404), (name, url)
                same = (answer.status_code, answer.text.replace(ref, GUESSED))
                assert same == (guessed.status_code, guessed.text), (name, url)  # path echoed
                assert not [m for m in BE_ITEMS if m in answer.text], (name, url)
            for url in _posts(ref, item) if "inbox" in sides else []:
                answer = client.post(url, headers=htmx(client))
                guessed = client.post(url.replace(ref, GUESSED), headers=htmx(client))
                assert answer.status_code in (403, 404), (name, url)
                same = (answer.status_code, answer.text.replace(ref, GUESSED))
                assert same == (guessed.status_code, guessed.text), (name, url)
        listed = client.get("/hits?tab=inbox").text + client.get("/hits?tab=mine").text
        if name in made.third_users:
            assert made.big not in listed and made.small not in listed
        if name.startswith("FR"):
            assert not [m for m in BE_ITEMS if m in listed], name
    assert statuses(held.settings) == before  # nothing was decided
    client.cookies.clear()
    assert log_in(client, ADMIN) == 303
    for url in _posts(made.big, item):  # the owner's administrator, but no CSRF token
        assert client.post(url, headers={"HX-Request": "true"}).status_code == 403
        wrong = {"HX-Request": "true", "X-CSRF-Token": "x" * 43}
        assert client.post(url, headers=wrong).status_code == 403
    assert statuses(held.settings) == before
    assert client.get(f"/hits/inbox/{made.big}").status_code == 200  # the check can pass
    client.cookies.clear()
    assert log_in(client, "operator") == 303
    assert client.get("/hits").status_code == 403
    assert client.get(f"/hits/inbox/{made.big}").status_code == 403


def test_home_lists_notices_linking_to_the_hits_page(
    bench: tuple[TestClient, Hub, Notices],
) -> None:
    client, _, made = bench
    assert log_in(client, ADMIN) == 303
    home = client.get("/").text
    assert "Hit notices waiting for my decision" in home
    assert f'href="/hits?tab=inbox&amp;open={made.big}#notice-{made.big}"' in home
    assert "<bdi>holiday_01.jpg</bdi>" in home and "and 2 more" in home
    opened = client.get(f"/hits?tab=inbox&open={made.big}").text
    assert f"Items of notice {made.big}" in opened and "Items of notice" in opened
    assert f"Items of notice {made.small}" not in opened  # only the one asked for is open
    client.cookies.clear()
    assert log_in(client, user("FR police", "examiner")) == 303
    home = client.get("/").text
    assert "Hits on your agency's items" in home and "Hit notices waiting" not in home
    assert f'href="/hits?tab=mine&amp;open={made.big}#notice-{made.big}"' in home
    assert "<bdi>IMG_0002.jpg</bdi>" in home and not [m for m in BE_ITEMS if m in home]


def test_hits_page_in_spanish(bench: tuple[TestClient, Hub, Notices]) -> None:
    client, _, made = bench
    assert log_in(client, ADMIN) == 303
    client.get("/lang/es")
    page = client.get(f"/hits?open={made.big}").text
    for expected in ("Pendientes de mi decisión", "Liberar todo", "Señal más fuerte", "y 2 más",
                     "Decisiones en el registro de auditoría", "exacta"):  # fmt: skip
        assert expected in page, expected
