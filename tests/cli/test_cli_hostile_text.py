"""User text prints as text: console markup, links and control characters stay inert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosscheck.cli import common
from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from tests.cli.conftest import run
from tests.helpers import contribution

CLOSE = "[/x]"
LINK = "[link=https://example.invalid]x[/link]"
BOLD = "[bold red]"
EMOJI = ":thumbs_up:"
ESCAPE = "\x1b[2J\x07"


def hostile(tag: str) -> str:
    return f"{tag} {CLOSE} {BOLD}{LINK} {EMOJI}{ESCAPE}"


def literal(out: str) -> None:
    for part in (CLOSE, LINK, BOLD, EMOJI):
        assert part in out, (part, out)
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out  # shown, not obeyed


def package(tmp_path: Path, cid: str, agency: str, country: str, item: str) -> Path:
    path = tmp_path / f"{cid}.zip"
    entities = [
        {"id": item, "schema": "Image", "properties": {"fileName": [hostile("file")]}},
        {"id": f"{cid}-p", "schema": "Person", "properties": {"name": [hostile("name")]}},
    ]
    prints = [Fingerprint(entity_id=item, kind="sha256", value="c" * 64)]
    write_package(
        path, contribution(cid, provider={"name": agency, "country": country}), entities, prints
    )
    return path


def test_user_text_prints_literally(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.out, "width", 1000)  # no wrapping inside table cells
    tokens = {}
    for name, country in (("ES police", "ES"), ("AU police", "AU")):
        key, token = tmp_path / f"{country}.key", tmp_path / f"{country}.token"
        assert (
            run(capsys, "agency", "add", name, "--country", country, "--key-out", str(key))[0] == 0
        )
        argv = ("user", "add", f"{country}-admin", "--role", "agency_admin", "--agency", name)
        assert run(capsys, *argv, "--token-out", str(token))[0] == 0
        tokens[country] = ("--token-file", str(token))
    SPAIN, AUSTRALIA = tokens["ES"], tokens["AU"]
    for cid, agency, country, item in (
        ("es_1", "ES police", "ES", f"es{CLOSE}img"),
        ("au_1", "AU police", "AU", f"au{BOLD}img"),
    ):
        code, _, err = run(capsys, "import", str(package(tmp_path, cid, agency, country, item)))
        assert code == 0, err

    code, out, _ = run(capsys, "entities", "--format", "jsonl", *SPAIN)
    rows = [json.loads(line) for line in out.splitlines()]
    person = next(r["id"] for r in rows if r["schema"] == "Person" and "es_1" in r["id"] + str(r))
    image = next(r["id"] for r in rows if r["schema"] == "Image" and CLOSE in r["id"])

    code, out, err = run(capsys, "entities", *SPAIN)
    assert code == 0, err
    literal(out)
    code, out, err = run(capsys, "show", person, *SPAIN)
    assert code == 0, err
    literal(out)
    code, out, err = run(capsys, "show", image, *SPAIN)
    assert code == 0, err
    literal(out)
    assert CLOSE in out
    code, out, err = run(capsys, "graph", "neighbours", image, *SPAIN)
    assert code == 0, err
    assert f"{CLOSE}img" in out  # the id, in the table's title
    code, out, err = run(capsys, "hits", *AUSTRALIA)
    assert code == 0, err
    assert BOLD in out  # AU's own item id, printed as text

    attachment = tmp_path / f"lead {BOLD}.txt"
    attachment.write_text("benign")
    code, out, err = run(
        capsys,
        "message", "send", *AUSTRALIA, "--to", "ES police",
        "--subject", hostile("subject"), "--handling", "H3", "--handling-note", hostile("note"),
        "--evaluation", "B2", "--body", hostile("body"), "--case", hostile("case"),
        "--attach", str(attachment),
    )  # fmt: skip
    assert code == 0, err
    ref = next(word for word in out.split() if word.startswith("MSG-"))
    code, out, err = run(capsys, "message", "list", *SPAIN)
    assert code == 0, err
    literal(out)
    code, out, err = run(capsys, "message", "show", ref, *SPAIN)
    assert code == 0, err
    literal(out)
    assert out.count(CLOSE) >= 4  # subject, note, case reference, body
    assert f"lead {BOLD}.txt" in out
    code, out, err = run(capsys, "message", "list", *SPAIN)
    assert code == 0, err  # still readable after reading, for good


def test_errors_print_user_text_without_control_characters(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "show", f"nothing{ESCAPE}{CLOSE}")
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err and CLOSE in err
