"""`hits`, `inbox` and `hit release|decline` with notices: grouped, named, decided as a whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.cli.conftest import run
from tests.helpers import contribution

PDQ = "3c" * 32


def _near(bits: int) -> str:
    return f"{int(PDQ, 16) ^ ((1 << bits) - 1):064x}"


@pytest.fixture
def near(env: Path, tmp_path: Path) -> None:
    settings = Settings.from_env()
    store = open_store(settings, create=True)
    for tag, agency, country, count in (("be", "BE police", "BE", 3), ("au", "AU police", "AU", 1)):
        entities = [
            {"id": f"{tag}-{i}", "schema": "Image",
             "properties": {"fileName": [f"{tag}-secretfile-{i}.jpg"]}}
            for i in range(count)
        ]  # fmt: skip
        prints = [
            Fingerprint(entity_id=f"{tag}-{i}", kind="pdq", value=_near(4 * i), quality=90)
            for i in range(count)
        ]
        path = tmp_path / f"{tag}.zip"
        item = contribution(f"{tag}_n", provider={"name": agency, "country": country})
        write_package(path, item, entities, prints)
        hub.ingest(store, path, settings, require_signature=False)
    store.engine.dispose()


def test_hits_and_inbox_show_notices_by_name(
    near: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "hits", "--agency", "AU police")
    assert code == 0, err
    [ref] = set(re.findall(r"N-[0-9A-F]{12}", out))
    assert "au-secretfile-0.jpg" in out and "BE police" in out and "be-secretfile" not in out
    code, out, _ = run(capsys, "inbox", "--agency", "BE police")
    assert ref in out and "AU police" in out and "be-secretfile-2.jpg" in out
    header = next(line for line in out.splitlines() if "notice" in line)
    assert "requested by" in header and not re.search(r"┃\s*┃", header)  # no empty column
    assert "au-secretfile" not in out
    code, out, _ = run(capsys, "inbox", "--agency", "BE police", "--view", "notices", "-f", "json")
    [notice] = json.loads(out)
    assert [i["distance"] for i in notice["items"]] == [0, 4, 8]
    code, out, _ = run(capsys, "hits", "--agency", "AU police", "--detail")
    assert out.count("HIT-") == 3 and "au-secretfile-0.jpg" in out
    code, out, _ = run(capsys, "hits", "--agency", "AU police", "-f", "json")
    assert len(json.loads(out)) == 3  # the per-signal rows stay the JSON default (a contract)

    code, out, err = run(
        capsys, "hit", "decline", notice["items"][2]["ref"], "--agency", "BE police"
    )
    assert code == 0, err
    code, out, err = run(capsys, "hit", "release", ref, "--agency", "BE police")
    assert code == 0 and "2 of 3 item(s) released" in out and "partly released" in out, err
    code, out, _ = run(capsys, "hits", "--agency", "AU police")
    assert "be-secretfile-0.jpg" in out and "be-secretfile-1.jpg" in out
    assert "be-secretfile-2.jpg" not in out and "partly released" in out
    code, _, err = run(capsys, "hit", "release", ref, "--agency", "AU police")
    assert code == 2 and "no notice" in err


@pytest.fixture
def people(env: Path, tmp_path: Path) -> None:
    settings = Settings.from_env()
    store = open_store(settings, create=True)
    entities = [
        {"id": "p1", "schema": "Person",
         "properties": {"name": ["Ana Example"], "email": ["ana@mail.example"]}},
        {"id": "a1", "schema": "UserAccount",
         "properties": {"username": ["ana_77"], "email": ["ana@mail.example"], "owner": ["p1"]}},
    ]  # fmt: skip
    path = tmp_path / "es.zip"
    write_package(
        path, contribution("es_p", provider={"name": "ES police", "country": "ES"}), entities, []
    )
    hub.ingest(store, path, settings, require_signature=False)
    store.engine.dispose()


def test_graph_and_resolution_name_their_items(
    people: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "graph", "components")
    assert code == 0, err
    assert "Ana Example (Person)" in out and "ana_77 (UserAccount)" in out
    code, out, err = run(capsys, "graph", "neighbours", "p1")
    assert code == 0 and "owner" in out, err
    code, out, err = run(capsys, "resolve", "--store")
    assert code == 0, err
    assert "Ana Example" in out and "ana_77" in out
