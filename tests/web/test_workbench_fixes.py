"""What a new user met on the workbench, in process (SQLite and PostgreSQL).

Names where ids were shown (references and fingerprints of a contribution), a
contribution id given to the graph explorer, Spanish labels (the date filter,
schemata and properties), the favicon, plural path steps, the owner's own
pending notices.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from crosscheck.model.labels import msgids
from crosscheck.settings import Settings
from crosscheck.web.app import create_app
from crosscheck.web.pages.common import translations
from tests.web.entity_data import TALK, held
from tests.web.hits_data import add_notices
from tests.web.test_entity_search import bench
from tests.web.test_pages import log_in
from tests.web.workbench_data import Hub, populate, user

__all__ = ["bench"]  # BE's linked contribution (entity_data), from test_entity_search
SPANISH = {"Accept-Language": "es"}
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)


def rows(page: str, first_cell: str) -> list[str]:
    return [r for r in ROW.findall(page) if re.match(rf"\s*<td>{re.escape(first_cell)}", r)]


def test_contribution_names_references_and_fingerprinted_files(
    bench: tuple[TestClient, Hub],
) -> None:
    client, _ = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    page = client.get(f"/contributions/{TALK}").text
    [owner] = rows(page, "Owner")  # the property's label, the value the owner's name, linked
    assert f'<a href="/entities/{held("anna")}"><bdi>Anna Gómez</bdi></a>' in owner
    assert held("anna") not in re.sub(r'href="[^"]*"', "", owner)
    senders = rows(page, "Sender Account")
    assert len(senders) == 2
    assert all(f'href="/entities/{held("acc-tg")}"><bdi>anna_g90</bdi>' in r for r in senders)
    [holder] = rows(page, "Wallet holder")
    assert "Anna Gómez" in holder
    prints = page[page.index('id="fingerprints-title"') :]
    [md5] = [r for r in ROW.findall(prints) if "9e107d9d" in r]
    assert f'<a href="/entities/{held("photo")}" title="{held("photo")}">' in md5
    assert "<bdi>beach_0042.jpg</bdi>" in md5
    assert f'<small class="id"><bdi>{held("photo")}</bdi></small>' in md5


def test_contribution_in_spanish_names_schemata_and_properties(
    bench: tuple[TestClient, Hub],
) -> None:
    client, _ = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    page = client.get(f"/contributions/{TALK}", headers=SPANISH).text
    assert rows(page, "Propietario") and not rows(page, "Owner") and not rows(page, "owner")
    assert '<span class="schema">Cuenta de usuario</span>' in page
    assert '<span class="schema">UserAccount</span>' not in page
    entity = client.get(f"/entities/{held('anna')}", headers=SPANISH).text
    assert "por Propietario" in entity and "by owner" not in entity and "por owner" not in entity


def test_every_label_translated() -> None:
    spanish = translations("es")
    untranslated = [m for m in msgids() if spanish.gettext(m) == m]
    assert not untranslated


def test_graph_started_with_a_contribution_id(bench: tuple[TestClient, Hub]) -> None:
    client, data = bench
    own = data.contributions["FR police"]
    assert log_in(client, user("FR police", "analyst")) == 303
    page = client.get("/graph", params={"start": own}).text
    assert 'data-start=""' in page  # the explorer does not look for it as an entity
    assert "is a contribution, not an entity" in html.unescape(page)
    assert f'<a href="/contributions/{own}">' in page
    # another agency's contribution reads as an id that names nothing
    answers = []
    for guess in (TALK, data.contributions["BE police"], "zz_nothing_1"):
        text = client.get("/graph", params={"start": guess}).text.replace(guess, "ID")
        assert "not an entity" not in text and "/contributions/ID" not in text
        answers.append(text)
    assert answers[0] == answers[1] == answers[2]


def test_graph_in_spanish_dates_and_plural_steps(bench: tuple[TestClient, Hub]) -> None:
    client, _ = bench
    assert log_in(client, user("BE police", "analyst")) == 303
    page = client.get("/graph", headers=SPANISH).text
    assert re.search(r'<label for="since">Desde</label>', page)
    assert re.search(r'<label for="until">Hasta</label>', page)
    assert "Procedencia" not in page.split('class="dates"')[1].split("</fieldset>")[0]
    found = re.search(r'<script type="application/json" id="graph-strings">(.*?)</script>', page)
    assert found is not None
    strings = json.loads(html.unescape(found.group(1)))
    steps = {"one": "Camino de {count} paso", "other": "Camino de {count} pasos"}
    assert strings["pathStep"] == steps
    assert strings["schemaName"]["UserAccount"] == "Cuenta de usuario"
    assert strings["propName"]["owner"] == "Propietario"
    english = client.get("/graph").text
    assert '<label for="since">From</label>' in english
    assert '"one": "Path, {count} step"' in english


def test_favicon_served_and_linked(bench: tuple[TestClient, Hub]) -> None:
    client, _ = bench
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in icon.content
    assert client.get("/static/favicon.svg").status_code == 200
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/login").text


def test_owner_reads_its_pending_notices_as_waiting_for_its_decision(
    settings: Settings, tmp_path: Path
) -> None:
    data = populate(settings, tmp_path)
    made = add_notices(data, tmp_path)
    with TestClient(create_app(settings, worker=False)) as client:
        assert log_in(client, user("BE police", "analyst")) == 303
        inbox = client.get(f"/hits/inbox/{made.big}?open=1").text
        assert "waiting for your decision" in inbox and "waiting for the owner" not in inbox
        assert log_in(client, user("FR police", "analyst")) == 303
        mine = client.get(f"/hits/mine/{made.big}?open=1").text
        assert "waiting for the owner" in mine and "your decision" not in mine
