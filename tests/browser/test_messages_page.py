"""Messages in a real headless browser (Debian's chromium, Playwright), one live hub for the module.

BE writes to FR with a PDF attached (after a refused image: the typed text is
kept), FR sees it unread on the home page and in the inbox, opens it and
downloads the attachment, and BE sees it acknowledged. Screenshots:
build/screenshots/compose.png, messages-inbox.png, message.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crosscheck.model import Evaluation, Handling
from crosscheck.service import messages
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.browser.live import serving
from tests.browser.test_workbench import (  # noqa: F401 (browser: a fixture)
    SHOTS,
    browser,
    log_in,
    shot,
)
from tests.web.workbench_data import RTL_NAME, populate, small_pdf, small_png, user

pytestmark = pytest.mark.slow
SUBJECT = "Lead: the account points to France"
BODY = "The forum account resolves to a person in France.\nThe report is attached."


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A hub on SQLite with the workbench data and an earlier message, `crosscheck serve`d."""
    tmp_path = tmp_path_factory.mktemp("messages")
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    populate(settings, tmp_path)
    store = open_store(settings)
    messages.send(
        store, settings, sender="BE police", recipients=["FR police"],
        subject=f"Subscriber data for {RTL_NAME}", body="Earlier request.",
        handling=Handling.model_validate({"code": "H1"}),
        evaluation=Evaluation.model_validate({"source": "A", "information": "2"}),
    )  # fmt: skip
    store.engine.dispose()
    with serving(settings) as base:
        yield base


def fits(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{what} is {width}px wide at 1280"


def inside(page: Any, control: str, box: str) -> None:
    """The control is drawn inside its box (a long option text does not spill out)."""
    edge = page.locator(control).bounding_box()
    frame = page.locator(box).bounding_box()
    assert edge["x"] + edge["width"] <= frame["x"] + frame["width"], (control, edge, frame)


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.value"))


def test_send_read_acknowledge(browser: Any, served: str) -> None:  # noqa: F811
    base = served
    print(f"screenshots in {SHOTS}")
    lead = small_pdf("Lead report for FR police")
    sender = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = sender.new_page()
    log_in(page, base, user("BE police", "analyst"))
    page.get_by_role("link", name="Messages", exact=True).click()
    page.get_by_role("link", name="Write a message").click()
    page.wait_for_load_state()
    page.get_by_label("FR police").focus()  # by keyboard: check, then on through the form
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "subject"
    page.keyboard.type(SUBJECT)
    page.keyboard.press("Tab")
    assert focused(page) == "body"
    page.keyboard.type(BODY)
    page.get_by_label("Code", exact=True).select_option("H2")
    page.get_by_label("Source", exact=True).select_option("B")
    page.get_by_label("Information", exact=True).select_option("2")
    files = page.get_by_label("Attachments")
    files.set_input_files([{"name": "photo.pdf", "mimeType": "application/pdf",
                            "buffer": small_png()}])  # fmt: skip
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").inner_text()
    assert "“photo.pdf” is an image" in alert  # told by its bytes, whatever its name
    # nothing typed is lost
    assert page.get_by_label("Subject", exact=True).input_value() == SUBJECT
    assert page.get_by_label("Message", exact=True).input_value() == BODY
    assert page.get_by_label("FR police").is_checked()
    assert page.get_by_label("Code", exact=True).input_value() == "H2"
    files.set_input_files([{"name": "lead.pdf", "mimeType": "application/pdf", "buffer": lead}])
    fits(page, "the compose page")
    for control in ("#handling", "#note", "#source", "#information"):
        inside(page, control, f"fieldset:has({control})")
    shot(page, "compose")
    page.get_by_role("button", name="Send").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name=SUBJECT).is_visible()
    assert page.get_by_text("not read yet").is_visible()

    reader = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    other = reader.new_page()
    log_in(other, base, user("FR police", "examiner"))
    unread = other.locator("section", has=other.get_by_role("heading", name="Unread messages"))
    assert unread.get_by_role("link", name=SUBJECT).is_visible()
    other.get_by_role("link", name="Messages", exact=True).click()
    other.wait_for_load_state()
    row = other.locator("tr.unread", has=other.get_by_role("link", name=SUBJECT))
    assert row.get_by_text("1 unread").is_visible()
    assert other.locator("tr.unread").count() == 2  # the earlier message is unread too
    fits(other, "the inbox")
    shot(other, "messages-inbox")
    row.get_by_role("link", name=SUBJECT).click()
    other.wait_for_load_state()
    assert other.get_by_text("The forum account resolves to a person in France.").is_visible()
    marking = "not to be disseminated without the provider's permission"
    assert other.get_by_text(marking).is_visible()
    with other.expect_download() as download:
        other.get_by_role("link", name="lead.pdf").click()
    assert download.value.suggested_filename == "lead.pdf"
    assert Path(download.value.path()).read_bytes() == lead
    fits(other, "the message page")
    shot(other, "message")
    other.goto(f"{base}/messages")
    assert other.locator("tr.unread").count() == 1  # only the earlier one now
    reader.close()

    page.reload()
    recipients = page.locator("ul.recipients")
    assert re.search(r"FR police — acknowledged", recipients.inner_text())
    assert page.get_by_text("not read yet").count() == 0
    sender.close()
