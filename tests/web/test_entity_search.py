"""The entity page and the search page, in process, on SQLite and PostgreSQL.

Need to know: FR's users ask for BE's entities by id (held and package ids,
guessed, never linked) and search for BE's values; they get the answer a
nonexistent id or value gets. Hostile text (markup, script) is escaped;
right-to-left names are isolated (``bdi``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from crosscheck.index.hamming import brute_force, from_hex
from crosscheck.service import search as searching
from crosscheck.service.access import visible_contributions
from crosscheck.service.casework import open_store
from crosscheck.service.near_duplicates import near_duplicates
from crosscheck.settings import Settings
from crosscheck.web.app import create_app
from tests.web.entity_data import (
    EMAIL,
    ENTITIES,
    HOSTILE_NAME,
    HOSTILE_TEXT,
    MD5,
    MESSAGE_TEXT,
    PDQ,
    PDQ_NEAR,
    SECRETS,
    SHA1,
    TALK,
    VIDEO_FRAMES,
    WALLET,
    held,
    populate_entities,
)
from tests.web.test_pages import log_in
from tests.web.workbench_data import RTL_NAME, SHARED_SHA, Hub, markers, user

MAIN = re.compile(r"<main.*</main>", re.S)


@pytest.fixture
def bench(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, Hub]]:
    data = populate_entities(settings, tmp_path)
    with TestClient(create_app(settings, worker=False)) as client:
        yield client, data


def main(text: str) -> str:
    found = MAIN.search(text)
    assert found is not None
    return found.group(0)


def entity(client: TestClient, entity_id: str) -> str:
    answer = client.get(f"/entities/{entity_id}")
    assert answer.status_code == 200, (entity_id, answer.status_code)
    return main(answer.text)


def results(client: TestClient, query: str) -> list[tuple[str, str, str]]:
    """(entity link, found by, distance) of each row of the results fragment."""
    page = client.get("/search/results", params={"q": query})
    assert page.status_code == 200
    rows = re.findall(
        r'<tr>\s*<td><a href="/entities/([^"]+)">.*?</td>\s*<td>([^<]*)</td>.*?'
        r"<td>([^<]*)</td>\s*<td><a href=\"/contributions/",
        page.text,
        re.S,
    )
    return [(html.unescape(e), by.strip(), distance.strip()) for e, by, distance in rows]


def test_person_page_values_provenance_links_and_same_person(
    bench: tuple[TestClient, Hub],
) -> None:
    client, _ = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    page = entity(client, held("anna"))
    assert "<bdi>Anna Gómez</bdi>" in page
    # every value with contribution, agency, handling code and evaluation
    origin = f"<bdi>{TALK}</bdi></a> · <bdi>BE police</bdi> · <abbr"
    assert page.count(origin) == 4  # birthDate, email, name, phone
    assert ">H1</abbr>" in page and ">B2</abbr>" in page and "usually reliable" in page
    # named by the account (owner) and the wallet (holder), as links to their pages
    assert f'href="/entities/{held("acc-tg")}"' in page and "by Owner" in page
    assert f'href="/entities/{held("wallet")}"' in page and "by Wallet holder" in page
    # resolved: the account, the second record (one mailbox), the third (scored)
    same = page[page.index("The same person") :]
    for other in ("acc-tg", "anna-2", "anna-tel"):
        assert f'href="/entities/{held(other)}"' in same, other
    assert "the account is owned by the person" in same
    assert "the same mailbox" in same
    # the scored pair's waterfall: prior, fields with their level and weight
    assert "Prior match weight" in same
    phone = r'<code>phone</code></td><td><bdi>exact</bdi></td><td class="weight for">\+'
    assert re.search(phone, same)
    account = entity(client, held("acc-tg"))
    assert "anna_g90" in account and f'href="/entities/{held("anna")}"' in account
    assert account.count(f'href="/entities/{held("msg-1")}"') == 1  # the message names it


def test_message_shows_language_variety_and_marked_evidence(
    bench: tuple[TestClient, Hub],
) -> None:
    client, _ = bench
    assert log_in(client, user("BE police", "examiner")) == 303
    page = entity(client, held("msg-1"))
    assert "<strong>es-AR</strong>" in page
    marked = re.findall(r"<mark [^>]*>([^<]*)</mark>", page)
    for word in ("Che", "boludo", "vos", "querés"):
        assert word in marked, (word, marked)
    assert "venir" not in marked
    text = re.search(r'<blockquote class="text"[^>]*>(.*?)</blockquote>', page, re.S)
    assert text is not None
    plain = html.unescape(re.sub(r"<[^>]+>", "", text.group(1)))
    assert plain == MESSAGE_TEXT  # marks only, nothing lost or added
    hostile = entity(client, held("msg-2"))
    assert "<script" not in hostile and "<img" not in hostile
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile
    assert "&lt;script&gt;" in hostile
    # the hostile text still yields marks, around escaped text
    quote = re.search(r'<blockquote class="text"[^>]*>(.*?)</blockquote>', hostile, re.S)
    assert quote is not None and "<mark" in quote.group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", quote.group(1))) == HOSTILE_TEXT


def test_media_pages_show_fingerprints_and_hostile_names_are_escaped(
    bench: tuple[TestClient, Hub],
) -> None:
    client, data = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    photo = entity(client, held("photo"))
    assert MD5 in photo and PDQ in photo and "beach_0042.jpg" in photo
    clip = entity(client, held("clip"))
    assert SHA1 in clip and all(v in clip for v in VIDEO_FRAMES) and "vpdq-frame" in clip
    evil = client.get(f"/entities/{held('evil')}").text
    assert "<script" not in evil.split("</head>")[1]  # not one script in the body
    assert "<b>Evil</b>" not in evil and str(escape(HOSTILE_NAME)) in evil
    rtl = entity(client, f"{data.contributions['BE police']}.be-long")
    assert f"<bdi>{RTL_NAME}</bdi>" in rtl or f'<bdi class="value">{RTL_NAME}</bdi>' in rtl


def test_package_ids_resolve_and_contribution_rows_link_here(
    bench: tuple[TestClient, Hub],
) -> None:
    client, data = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    moved = client.get("/entities/anna", follow_redirects=False)  # the package's own id
    assert moved.status_code == 303 and moved.headers["location"] == f"/entities/{held('anna')}"
    both = client.get("/entities/be-person")  # held in two of BE's contributions
    assert both.status_code == 200 and "Choose one" in both.text
    assert f'href="/entities/{data.contributions["BE police"]}.be-person"' in both.text
    assert f'href="/entities/{held("be-person")}"' in both.text
    listed = client.get(f"/contributions/{TALK}").text
    for e in ENTITIES:  # each entity row and its fingerprints link to its page
        assert f'href="/entities/{held(str(e["id"]))}"' in listed, e["id"]
    assert "Buscar" in client.get("/", headers={"Accept-Language": "es"}).text  # header box


def test_search_names_keys_hashes_and_pdq(bench: tuple[TestClient, Hub]) -> None:
    client, data = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    assert held("anna") in {e for e, _, _ in results(client, "Anna Gómez")}
    # e-mail by its key: gmail ignores dots and +tags
    by_mail = results(client, "Anna.Gomez+x@googlemail.com")
    assert {(held("anna"), "e-mail"), (held("anna-2"), "e-mail")} <= {(e, b) for e, b, _ in by_mail}
    by_phone = {e for e, b, _ in results(client, "+34 (612) 345 678") if b == "phone"}
    assert {held("anna"), held("anna-tel")} <= by_phone
    assert (held("acc-tg"), "user name", "—") in results(client, "anna_g90")
    assert (held("wallet"), "wallet address", "—") in results(client, WALLET.lower())
    assert (held("photo"), "exact hash", "—") in results(client, MD5.upper())
    assert (held("clip"), "exact hash", "—") in results(client, SHA1)
    near = results(client, PDQ_NEAR)
    assert (held("photo"), "PDQ near-duplicate", "3") in near
    assert (held("clip"), "PDQ near-duplicate", "7") in near  # a video frame, 4 bits from PDQ
    assert [d for _, b, d in near if b == "PDQ near-duplicate"] == ["3", "7"]  # nearest first
    shared = results(client, SHARED_SHA)  # BE's own item; FR holds the same file
    assert [e for e, _, _ in shared] == [f"{data.contributions['BE police']}.be-image"]
    evil = main(client.get("/search", params={"q": "Evil"}).text)  # markup in a caption
    assert "<b>Evil</b>" not in evil and "<script" not in evil and "&lt;b&gt;Evil" in evil
    page = client.get("/search", params={"q": "Anna"})
    assert page.status_code == 200 and 'value="Anna"' in page.text
    assert "A search is at most" in client.get("/search/results", params={"q": "x" * 201}).text


def test_pdq_search_equals_brute_force(bench: tuple[TestClient, Hub]) -> None:
    _, data = bench
    store = open_store(data.settings)
    try:
        scope = visible_contributions(store, "BE police") or []
        kinds = ("pdq", "vpdq-frame")
        prints = [f for f in store.fingerprints(contribution_ids=scope) if f.kind.value in kinds]
        bank = from_hex(f.value for f in prints)
        for query in (PDQ, PDQ_NEAR, "ab" * 32, "cd" * 32, "00" * 32):
            for threshold in (0, 3, 31, 96, 256):
                oracle = brute_force(from_hex([query]), bank, threshold)
                expected = sorted((d, prints[r].entity_id, prints[r].value) for _, r, d in oracle)
                found = near_duplicates(store, scope, query, threshold)
                got = sorted(
                    (n.distance, n.fingerprint.entity_id, n.fingerprint.value) for n in found
                )
                assert got == expected, (query, threshold)
        assert len(near_duplicates(store, scope, PDQ, 256)) == len(prints) == 5
        others = visible_contributions(store, "FR police") or []
        assert near_duplicates(store, others, PDQ, 31) == []
    finally:
        store.engine.dispose()


def be_urls(data: Hub) -> list[str]:
    """Every BE entity by held id and by package id, guessed."""
    urls = [f"/entities/{held(str(e['id']))}" for e in ENTITIES]
    urls += [f"/entities/{e['id']}" for e in ENTITIES]
    be = data.contributions["BE police"]
    urls += [f"/entities/{be}.be-person", f"/entities/{be}.be-image", "/entities/be-long"]
    return urls


def test_need_to_know_guessed_ids_and_searches(bench: tuple[TestClient, Hub]) -> None:
    client, data = bench
    for role in ("examiner", "analyst", "agency_admin"):
        client.cookies.clear()
        assert log_in(client, user("FR police", role)) == 303
        nothing = client.get("/entities/fr_contrib.no-such-entity")
        assert nothing.status_code == 404
        for url in be_urls(data):
            answer = client.get(url, follow_redirects=False)
            assert answer.status_code == 404, url
            assert main(answer.text) == main(nothing.text), url  # as a nonexistent id
        empty = main(client.get("/search", params={"q": "no such thing at all"}).text)
        for value in [*SECRETS, *markers("BE police"), PDQ_NEAR, EMAIL.upper()]:
            answer = client.get("/search", params={"q": value})
            assert answer.status_code == 200
            shown = main(answer.text).replace(html.escape(value), "").replace(value, "")
            assert "Nothing found." in shown, value
            assert main(answer.text.replace(html.escape(value), "no such thing at all")) == empty
            leaked = [s for s in SECRETS + markers("BE police") if s in shown]
            assert not leaked, (value, leaked)
        own = results(client, "ab" * 32)  # FR's own image: found, BE's same PDQ not
        assert own and all(e.startswith(data.contributions["FR police"]) for e, _, _ in own)
    client.cookies.clear()
    assert log_in(client, "operator") == 303
    assert client.get(f"/entities/{held('anna')}").status_code == 403
    refused = client.get("/search", params={"q": "Anna"})
    assert refused.status_code == 403 and "Anna Gómez" not in refused.text


def test_entity_and_search_pages_in_spanish(bench: tuple[TestClient, Hub]) -> None:
    client, _ = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    client.get("/lang/es?next=/")
    person = entity(client, held("anna-tel"))
    assert "La misma persona" in person and "Peso de coincidencia previo" in person
    message = entity(client, held("msg-1"))
    assert "Texto del mensaje, idioma y variedad" in message and "marcador" in message
    found = client.get("/search", params={"q": MD5}).text
    assert "hash exacto" in found and "Resultados: 1" in found
    assert "No se ha encontrado nada." in client.get("/search", params={"q": "zzz-nada"}).text


def test_search_is_audited_without_the_text(bench: tuple[TestClient, Hub]) -> None:
    client, data = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    client.get("/search", params={"q": "Anna Gómez"})
    client.get(f"/entities/{held('anna')}")
    store = open_store(data.settings)
    try:
        from crosscheck.service import hub

        entries = hub.audit_entries(store, action="access")
        searches = [e for e in entries if e.subject == "search"]
        assert searches and searches[-1].actor == "BE analyst@BE police"
        assert all("Anna" not in str(e.detail) for e in searches)
        assert any(e.subject == held("anna") for e in entries)
        assert searching.MAX_QUERY == 200
    finally:
        store.engine.dispose()
