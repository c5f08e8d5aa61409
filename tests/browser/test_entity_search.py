"""The entity and search pages in Debian's chromium (Playwright), on one live server.

Open an entity from its contribution, see the marked evidence on a message,
follow the same-person evidence, search by the header's box (an MD5 and a PDQ
hex) and find the item. Screenshots: build/screenshots/entity-message.png,
entity-person.png, search.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crosscheck.settings import Settings
from tests.browser.live import serving
from tests.browser.test_workbench import SHOTS, browser, log_in, shot
from tests.web.entity_data import MD5, PDQ_NEAR, TALK, held, populate_entities
from tests.web.workbench_data import RTL_NAME, Hub, user

pytestmark = pytest.mark.slow
__all__ = ["browser"]  # the module's browser fixture, shared


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Hub]]:
    """One hub (SQLite) with the entity data, served by `crosscheck serve` for the module."""
    tmp_path = tmp_path_factory.mktemp("entity-hub")
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    data = populate_entities(settings, tmp_path)
    with serving(settings) as base:
        yield base, data


def fits(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the {name} is {width}px wide at 1280"


def test_entity_from_contribution_marked_evidence_and_same_person(
    browser: Any, served: tuple[str, Hub]
) -> None:
    base, _ = served
    print(f"screenshots in {SHOTS}")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)  # the first message analysed loads the variety models
    log_in(page, base, user("BE police", "analyst"))
    page.goto(f"{base}/contributions/{TALK}")
    page.locator(f'#entities a[href="/entities/{held("msg-1")}"]').first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/entities/{held('msg-1')}")
    quote = page.locator("blockquote.text")
    marks = quote.locator("mark").all_inner_texts()
    assert {"Che", "boludo", "vos", "querés"} <= set(marks), marks
    assert page.get_by_text("es-AR").first.is_visible()
    first = quote.locator("mark").first
    first.focus()  # marks take the keyboard's focus; their title says what they point to
    assert page.evaluate("document.activeElement.tagName") == "MARK"
    assert "es-AR" in (first.get_attribute("title") or "")
    fits(page, "message page")
    shot(page, "entity-message")
    page.get_by_role("link", name="anna_g90").first.click()  # the sending account
    page.wait_for_load_state()
    page.get_by_role("link", name="Anna Gómez").first.click()  # its owner
    page.wait_for_load_state()
    assert page.url.endswith(f"/entities/{held('anna')}")
    same = page.locator("section[aria-labelledby=same-title]")
    assert same.get_by_text("the same mailbox").is_visible()
    assert same.get_by_role("link", name="Anna Gomez").first.is_visible()
    assert same.locator("table.waterfall").count() >= 1
    fits(page, "person page")
    shot(page, "entity-person")
    page.goto(f"{base}/entities/be-long")  # a long and a right-to-left name: no sideways scroll
    page.wait_for_load_state()
    assert page.get_by_text(RTL_NAME).first.is_visible()
    fits(page, "page of a long, right-to-left name")
    context.close()


def test_search_a_hash_and_a_pdq_from_the_header(browser: Any, served: tuple[str, Hub]) -> None:
    base, _ = served
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    log_in(page, base, user("BE police", "examiner"))
    box = page.get_by_label("Search names, accounts, e-mails, phones, wallets and hashes")
    box.fill(MD5)
    with page.expect_navigation():
        box.press("Enter")  # the header's box, by keyboard
    assert "/search?q=" in page.url
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 1 and "exact hash" in rows.first.inner_text()
    assert "beach_0042.jpg" in rows.first.inner_text()
    field = page.get_by_label("Name, user name, e-mail, phone, wallet address or hash", exact=False)
    field.fill(PDQ_NEAR)  # htmx swaps the results in while typing
    page.locator("#search-results").get_by_text("PDQ near-duplicate").first.wait_for()
    texts = page.locator("table.results tbody tr").all_inner_texts()
    assert any("beach_0042.jpg" in t and "PDQ near-duplicate" in t and "\t3\t" in t for t in texts)
    assert any("clip_07.mp4" in t and "\t7\t" in t for t in texts), texts
    fits(page, "search page")
    shot(page, "search")
    page.get_by_role("link", name="beach_0042.jpg").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/entities/{held('photo')}")
    assert page.get_by_text(MD5).first.is_visible()
    context.close()
