"""The lead report from the workbench, in a real headless browser (issue 13 item 9).

One live `crosscheck serve` for the module. AU's analyst opens the form with
hits and a message ticked, names Spain, reads the report, downloads its PDF
(checked with pdftotext; its first page saved as a picture beside the page's
screenshot in build/screenshots/) and sends it to Spain as a secure message.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crosscheck.service import hub, workbench
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.message_store import MessageStore
from tests.browser.live import serving
from tests.browser.test_workbench import SHOTS, browser, log_in, shot
from tests.service.report_case import RESTRICTION, SECRETS, Case, build
from tests.web.workbench_data import PASSWORD

pytestmark = pytest.mark.slow
__all__ = ["browser"]  # the module's browser fixture, shared with the workbench's tests
JUDICIAL = "not to be disclosed in judicial proceedings without the provider's permission"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Case, Settings]]:
    tmp_path = tmp_path_factory.mktemp("report")
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    store = open_store(settings, create=True)
    case = build(store, settings, tmp_path)
    hub.add_agency(store, "ES police", "ES", tmp_path / "es.key")
    for agency in ("AU police", "BE police"):
        number = hub.add_user(
            store, f"{agency[:2]} analyst", "analyst", agency, tmp_path / f"{agency[:2]}.token",
            settings=settings,
        )  # fmt: skip
        workbench.set_password(store, number, PASSWORD)
    store.engine.dispose()
    with serving(settings) as base:
        yield base, case, settings


def test_write_read_download_and_send_the_lead_report(
    browser: Any, served: tuple[str, Case, Settings], tmp_path: Path
) -> None:
    base, case, settings = served
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    log_in(page, base, "AU analyst")
    page.get_by_role("link", name="Reports").click()
    assert page.get_by_role("heading", name="New lead report").is_visible()
    page.goto(f"{base}/reports/new?hits={case.near},{case.restricted}&entities=msg-1")
    assert page.get_by_role("heading", name="New lead report").is_visible()
    assert page.get_by_label(case.notice, exact=False).is_visible()  # FR's notice, not ticked
    page.get_by_label("lobogris84").check()  # one more account, chosen by its caption
    page.get_by_label("Country").select_option("ES")
    with page.expect_navigation():
        page.get_by_role("button", name="Write the report").click()
    assert page.get_by_role("heading", name="Media hits across agencies").is_visible()
    body = page.locator("article.lead").inner_text()
    for expected in (case.near, case.restricted, "seized/be-near.jpg", "es-ES", "ordenador",
                     JUDICIAL, RESTRICTION, "Tomás Ferrer Olmedo"):  # fmt: skip
        assert expected in body, expected
    assert case.exact not in body  # FR's notice was not chosen
    assert not [s for s in SECRETS if s in page.content()]
    assert page.locator("svg.path").is_visible()
    shot(page, "report")

    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download PDF").click()
    pdf = tmp_path / "lead.pdf"
    waiting.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    words = " ".join(text.decode().split())
    assert case.near in words and "es-ES" in words and JUDICIAL in words
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(SHOTS / "report-pdf")],
        check=True,
    )  # fmt: skip

    with page.expect_navigation():
        page.get_by_role("button", name="Send to ES as a secure message").click()
    assert page.get_by_role("heading", name="Lead report sent").is_visible()
    sent = page.locator("main").inner_text()
    assert "ES police" in sent
    ref = next(w.rstrip(".,") for w in sent.split() if w.startswith("MSG-"))
    store = open_store(settings)
    try:
        [message] = MessageStore(store.engine).visible_to("ES police", ref)
        assert message.sender == "AU police" and len(message.attachments) == 1
    finally:
        store.engine.dispose()
    context.close()


def test_no_report_without_the_csrf_token_nor_of_another_agencys_hits(
    browser: Any, served: tuple[str, Case, Settings]
) -> None:
    base, case, _ = served
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, "AU analyst")
    refused = context.request.post(f"{base}/reports", form={"hits": case.near})
    assert refused.status == 403
    context.close()
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, "BE analyst")
    page.goto(f"{base}/reports/new?hits={case.exact}&entities=msg-1")
    assert case.exact not in page.locator("fieldset").first.inner_text()  # not offered
    with page.expect_navigation():
        page.get_by_role("button", name="Write the report").click()
    assert "IMG_0412" not in page.content()  # AU's item: BE gets "not held", nothing of it
    assert page.locator("article.lead").count() == 0
    context.close()
