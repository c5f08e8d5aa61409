"""The hits page in a real headless browser: the owner decides, the requester sees the result.

One live `crosscheck serve` for the module (SQLite), Debian's chromium driven by
Playwright (the module fixture of test_workbench.py). Screenshots:
build/screenshots/hits-owner.png and hits-requester.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crosscheck.settings import Settings
from tests.browser.live import serving
from tests.browser.test_workbench import browser, log_in, shot
from tests.web.hits_data import HOLIDAY, Notices, add_notices
from tests.web.workbench_data import populate, user

pytestmark = pytest.mark.slow
__all__ = ["browser"]  # the module's browser fixture


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Notices]]:
    """A hub with the notices of hits_data, served by a real `crosscheck serve`."""
    tmp_path = tmp_path_factory.mktemp("hits")
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    made = add_notices(populate(settings, tmp_path), tmp_path)
    with serving(settings) as base:
        yield base, made


def wide(page: Any) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_owner_releases_and_declines_requester_sees_released(
    browser: Any, served: tuple[str, Notices]
) -> None:
    base, made = served
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation of each decision
    log_in(page, base, user("BE police", "agency_admin"))
    page.get_by_role("link", name="Hits", exact=True).click()
    page.wait_for_load_state()
    big, small = page.locator(f"#notice-{made.big}"), page.locator(f"#notice-{made.small}")
    assert "waiting for your decision" in big.locator("tr").first.inner_text()

    show = page.get_by_role("button", name=f"Show the items of notice {made.big}")
    show.focus()
    page.keyboard.press("Enter")  # keyboard only: htmx swaps the notice's rows
    page.locator(f"#items-{made.big}").wait_for()
    rows = page.locator(f"#items-{made.big} table.items").first.locator("tbody tr")
    assert [rows.nth(i).locator("bdi").first.inner_text() for i in range(3)] == list(HOLIDAY)
    assert "No decision yet." in page.locator(f"#items-{made.big}").inner_text()

    page.get_by_role("button", name=f"Decline {HOLIDAY[1]}").click()  # one item
    page.locator(f"#items-{made.big} .decisions").wait_for()
    assert "declined" in rows.nth(1).inner_text()
    assert "waiting for your decision" in rows.nth(0).inner_text()
    assert "BE agency_admin@BE police" in page.locator(f"#items-{made.big} .decisions").inner_text()

    page.get_by_role("button", name=f"Release all pending items of notice {made.big}").click()
    page.locator(f"#notice-{made.big} td.status-partly-released").wait_for()  # the row changed
    assert "released" in rows.nth(0).inner_text() and "released" in rows.nth(2).inner_text()
    assert page.locator(f"#items-{made.big} .decisions tbody tr").count() == 4
    assert "waiting for your decision" in small.locator("tr").first.inner_text()  # untouched
    assert wide(page) <= 1280, f"the hits page is {wide(page)}px wide at 1280"
    shot(page, "hits-owner")
    page.get_by_role("link", name="Español").click()  # longer words, the same width
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Rechazar todo").first.is_visible()
    assert wide(page) <= 1280, f"the hits page is {wide(page)}px wide at 1280 in Spanish"
    shot(page, "hits-owner-es")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()

    log_in(page, base, user("FR police", "analyst"))
    page.goto(f"{base}/hits?tab=mine")
    assert "partly released" in big.locator("tr").first.inner_text()
    assert "IMG_0002.jpg" in big.locator("tr").first.inner_text()
    page.get_by_role("button", name=f"Show the items of notice {made.big}").click()
    page.locator(f"#items-{made.big}").wait_for()
    shown = page.locator(f"#items-{made.big}").inner_text()
    assert HOLIDAY[0] in shown and HOLIDAY[2] in shown  # the released items
    assert HOLIDAY[1] not in shown  # the declined one: hit/no-hit only
    assert "not to be disseminated without the provider's permission" in shown
    assert "waiting for the owner" in small.locator("tr").first.inner_text()
    assert wide(page) <= 1280, f"the hits page is {wide(page)}px wide at 1280"
    shot(page, "hits-requester")
    page.goto(f"{base}/")  # home links to the notice, open on the hits page
    page.locator(f'a[href*="open={made.big}"]').first.click()
    page.wait_for_load_state()
    assert page.locator(f"#items-{made.big}").is_visible()
    context.close()
