"""The workbench in a real headless browser: Debian's chromium, driven by Playwright.

A live `crosscheck serve` on a free loopback port; one browser for the module.
Screenshots of the main pages go to build/screenshots/ (printed). Without
chromium or Playwright these tests fail in CI (CI=true) and skip elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crosscheck.settings import Settings
from tests.browser.live import serving
from tests.web.workbench_data import PASSWORD, RTL_NAME, markers, populate, user

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: scripts/install installs it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as play:
        launched = play.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A hub on SQLite with the workbench data, served by a real `crosscheck serve`."""
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    held = populate(settings, tmp_path)
    with serving(settings) as base:
        yield base, held


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("User name|Nombre de usuario")).fill(name)
    page.get_by_label(re.compile("Password|Contraseña")).fill(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # keyboard only


def test_log_in_open_a_contribution_switch_to_spanish(
    browser: Any, served: tuple[str, Any]
) -> None:
    base, held = served
    print(f"screenshots in {SHOTS}")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    log_in(page, base, user("BE police", "analyst"), "not the password")
    assert page.get_by_role("alert").inner_text().startswith("Wrong user name or password")
    shot(page, "login-refused")
    log_in(page, base, user("BE police", "analyst"))
    assert page.get_by_role("heading", name="Home", exact=True).is_visible()
    assert page.get_by_text("FR police").first.is_visible()  # the hit from FR's submission
    shot(page, "home")
    page.get_by_role("link", name="Contributions", exact=True).click()
    page.get_by_label("Filter by id or case reference").fill("CASE-BE")  # htmx swaps the rows
    page.wait_for_timeout(700)
    rows = page.locator("#contribution-rows tr")
    assert rows.count() == 1
    shot(page, "contributions")
    page.get_by_role("link", name=held.contributions["BE police"]).click()
    page.wait_for_load_state()
    assert page.get_by_text("SecretnameBe Doe").first.is_visible()
    assert page.get_by_text(RTL_NAME).first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the contribution page is {width}px wide at 1280"  # long names wrap
    shot(page, "contribution")
    page.get_by_role("link", name="Español").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Entidades").is_visible()
    assert page.get_by_text("Código de tratamiento").first.is_visible()
    shot(page, "contribution-es")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/")
    shot(page, "home-es-1920")
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_load_state()
    assert "/login" in page.url
    context.close()


def test_lock_need_to_know_and_csrf_in_the_browser(browser: Any, served: tuple[str, Any]) -> None:
    base, held = served
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    name = user("FR police", "examiner")
    for _ in range(5):
        log_in(page, base, name, "wrong password!")
    log_in(page, base, name)  # right, but locked now: the same answer as a wrong password
    assert page.get_by_role("alert").inner_text().startswith("Wrong user name or password")
    shot(page, "login-locked")
    log_in(page, base, user("FR police", "analyst"))
    other = held.contributions["BE police"]
    for path in (f"/contributions/{other}", f"/contributions/{other}/entities?page=0",
                 f"/contributions/rows?q={other}", "/contributions", "/"):  # fmt: skip
        page.goto(f"{base}{path}")
        text = page.content().replace(other, "")
        assert not [m for m in markers("BE police") if m in text], path
    status = page.evaluate(
        "async () => (await fetch('/logout', {method: 'POST'})).status"
    )  # a POST without the CSRF token
    assert status == 403
    page.goto(f"{base}/")
    assert page.get_by_role("heading", name="Home", exact=True).is_visible()  # still in
    context.close()


def test_chromium_is_debians() -> None:
    """The browser is the system's, not one Playwright downloaded."""
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is not installed")
    assert shutil.which("chromium") == str(CHROMIUM)
