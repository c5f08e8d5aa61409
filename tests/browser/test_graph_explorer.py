"""The graph explorer in a real browser: Debian's chromium, Playwright, one live hub.

Open the explorer from an entity, expand a node, find the path between two
entities (the highlighted nodes are the path's), download an export; the
hostile caption stays text. Screenshot: build/screenshots/graph.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import networkx as nx
import pytest

from crosscheck.settings import Settings
from tests.browser.live import serving
from tests.browser.test_workbench import browser, log_in, shot
from tests.web.graph_data import ACCOUNT, ANA, HOSTILE, PATH, PERSON, SHARED, add_links
from tests.web.workbench_data import populate, user

pytestmark = pytest.mark.slow
__all__ = ["browser"]  # the module's chromium, from test_workbench


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `crosscheck serve` for the module, on SQLite, with the linked data."""
    tmp_path = tmp_path_factory.mktemp("graph-hub")
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    held = populate(settings, tmp_path)
    add_links(held, tmp_path)
    with serving(settings) as url:
        yield url


def listed(page: Any) -> set[str]:
    return set(page.locator("#node-list button").evaluate_all("bs => bs.map(b => b.dataset.node)"))


def test_explore_expand_path_and_export(browser: Any, hub_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(page, hub_url, user("BE police", "analyst"))

    # from an entity: the explorer opened on Ana, her neighbours drawn and listed
    page.goto(f"{hub_url}/graph?start={quote(ANA)}")
    page.locator("#node-list button").nth(4).wait_for()  # no string evaluation: the CSP holds
    assert {ANA, ACCOUNT, SHARED} <= listed(page) and PERSON not in listed(page)
    assert page.locator("#node-list").get_by_text(HOSTILE, exact=False).first.is_visible()
    assert page.locator("#details h3").first.inner_text() == HOSTILE  # text, never markup
    assert page.get_by_text("not to be disclosed in judicial proceedings").first.is_visible()

    # expand the shared e-mail, by keyboard: it brings the other holder, BE's first person
    page.locator(f'#node-list button[data-node="{SHARED}"]').focus()
    page.keyboard.press("Enter")
    assert page.locator("#details").get_by_text("secret.be@mail.example").first.is_visible()
    page.get_by_role("button", name="Expand neighbours").focus()
    page.keyboard.press("Enter")
    page.locator(f'#node-list button[data-node="{PERSON}"]').wait_for()
    edge = page.locator("#edge-list button", has_text="e-mail").first
    edge.click()
    assert page.locator("#details").get_by_text("Shared value", exact=True).is_visible()

    # the path between two entities, by package id and by caption
    page.get_by_label("From (id or name)").fill("acct")
    page.get_by_label("To (id or name)").fill("SecretnameBe Doe")
    page.get_by_role("button", name="Find the shortest path").click()
    page.locator("#path-steps li").nth(3).wait_for()
    assert page.locator("#path-steps li").count() == 4
    steps = page.locator("#path-steps button").evaluate_all("bs => bs.map(b => b.dataset.pathNode)")
    assert steps == PATH
    highlighted = page.locator("#cy").get_attribute("data-path")
    assert highlighted is not None and json.loads(highlighted) == PATH
    assert page.locator("#path-steps").get_by_text("owner").is_visible()
    assert page.locator("#path-title").inner_text() == "Path, 3 steps"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the explorer is {width}px wide at 1280"
    shot(page, "graph")

    # one export of the view, as the CLI writes it
    with page.expect_download() as caught:
        page.get_by_role("link", name="GEXF (Gephi)").click()
    download = caught.value
    assert download.suggested_filename == "crosscheck-graph.gexf"
    saved = tmp_path / "view.gexf"
    download.save_as(saved)
    graph = nx.read_gexf(saved)
    assert set(PATH) <= set(graph.nodes) and set(graph.nodes) == listed(page)
    assert "not to be disclosed" in graph.nodes[ANA]["marking"]

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(500)  # the drawing is framed again after a resize
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    shot(page, "graph-1920")
    page.get_by_role("link", name="Español").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Explorador del grafo").is_visible()
    page.get_by_label("Empezar por una entidad").fill("acct")
    page.locator("#start-form").get_by_role("button", name="Buscar", exact=True).click()
    page.locator("#found button").first.click()
    page.locator("#node-list button").nth(1).wait_for()
    assert page.get_by_role("button", name="Desplegar los vecinos").is_visible()
    # in Spanish at 1280 x 800: the date filter ("Desde", "Hasta") stays inside its card
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_timeout(300)
    card = page.locator("#filters").bounding_box()
    assert card is not None
    for label, box in (("Desde", "#since"), ("Hasta", "#until")):
        assert page.locator(f"label[for='{box[1:]}']").inner_text() == label
        found = page.locator(box).bounding_box()
        assert found is not None
        assert card["x"] <= found["x"] and found["x"] + found["width"] <= card["x"] + card["width"]
    shot(page, "graph-es")
    # a longer label (the old "Procedencia") narrows the box; it still stays inside
    page.evaluate("document.querySelector(\"label[for='since']\").textContent = 'Procedencia'")
    found = page.locator("#since").bounding_box()
    assert found is not None
    assert found["x"] + found["width"] <= card["x"] + card["width"]
    assert not dialogs, dialogs  # the hostile caption ran nothing
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert not [p for p in problems if "404" in p], problems  # the favicon is served
    context.close()
