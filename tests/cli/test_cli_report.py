"""`crosscheck report`: the lead report from the command line, as the token's user (issue 13)."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.cli.conftest import run
from tests.service.report_case import RESTRICTION, SECRETS, Case, build


@pytest.fixture
def case(env: Path, tmp_path: Path) -> tuple[Case, dict[str, Path]]:
    settings = Settings.from_env()
    store = open_store(settings, create=True)
    made = build(store, settings, tmp_path)
    tokens = {}
    for agency in ("AU police", "BE police"):
        tokens[agency] = tmp_path / f"{agency[:2]}.token"
        hub.add_user(store, f"{agency[:2]} analyst", "analyst", agency, tokens[agency],
                     settings=settings)  # fmt: skip
    store.engine.dispose()
    return made, tokens


def test_report_writes_the_pdf_the_page_and_the_facts(
    case: tuple[Case, dict[str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made, tokens = case
    out, page, facts = tmp_path / "lead.pdf", tmp_path / "lead.html", tmp_path / "lead.json"
    code, _, err = run(
        capsys, "report", "--hits", made.near, made.restricted, "--entities", "msg-1", "acc-chat",
        "--out", str(out), "--html", str(page), "--json", str(facts), "--for", "ES",
        "--token-file", str(tokens["AU police"]),
    )  # fmt: skip
    assert code == 0, err
    assert "lead report for ES: 2 media hits, 1 texts" in err
    assert out.read_bytes().startswith(b"%PDF")
    for path in (out, page, facts):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(facts.read_text())
    assert {h["ref"] for h in data["media_hits"]} == {made.near, made.restricted}
    assert data["by"] == "AU analyst@AU police" and data["texts"][0]["variety"] == "es-ES"
    html = page.read_text()
    assert "<svg" in html and "<style>" in html and "<script" not in html
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True).stdout
    words = " ".join(text.decode().split())
    assert made.near in words and "ordenador" in words and RESTRICTION in words
    assert not [s for s in SECRETS if s in words + html]


def test_report_takes_comma_lists_and_writes_html_for_an_html_out(
    case: tuple[Case, dict[str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made, tokens = case
    out = tmp_path / "lead.html"
    code, _, err = run(
        capsys, "report", f"--hits={made.near},{made.notice}", "--entities", "person-1",
        "--out", str(out), "--token-file", str(tokens["AU police"]), "--lang", "es",
    )  # fmt: skip
    assert code == 0, err
    html = out.read_text()
    assert html.startswith("<!doctype html>") and 'lang="es"' in html
    assert made.near in html and made.exact in html and "Tomás Ferrer Olmedo" in html
    assert "Coincidencias de material entre organismos" in html


def test_report_refuses_what_the_caller_may_not_see(
    case: tuple[Case, dict[str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made, tokens = case
    out = tmp_path / "lead.pdf"
    code, _, err = run(
        capsys, "report", "--hits", made.exact, "--out", str(out),
        "--token-file", str(tokens["BE police"]),
    )  # fmt: skip
    assert code == 2 and made.exact in err and not out.exists()
    code, _, err = run(capsys, "report", "--hits", made.near, "--out", str(out))
    assert code == 2 and "token" in err and not out.exists()  # a hub store: who acts?
