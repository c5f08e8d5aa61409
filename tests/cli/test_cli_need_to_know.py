"""Every CLI read path with --as AGENCY shows that agency's data only (H0, H1, H2 holdings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosscheck.exchange import write_package
from crosscheck.graph.export import FORMATS
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.model.keys import qualify
from crosscheck.service import hub
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.cli.conftest import run
from tests.helpers import contribution

AGENCIES = {"BE police": ("be", HandlingCode.H0), "FR police": ("fr", HandlingCode.H1),
            "AU police": ("au", HandlingCode.H2)}  # fmt: skip


def markers(tag: str) -> list[str]:
    return [f"{tag}_contrib", f"{tag}-person", f"Secretname{tag.capitalize()}",
            f"secret.{tag}@mail.example"]  # fmt: skip


@pytest.fixture
def held(env: Path, store: CaseStore, settings: Settings, tmp_path: Path) -> Path:
    for agency, (tag, code) in AGENCIES.items():
        path = tmp_path / f"{tag}.zip"
        write_package(
            path,
            contribution(f"{tag}_contrib", provider={"name": agency, "country": tag.upper()},
                         handling=Handling(code=code)),
            [{"id": f"{tag}-person", "schema": "Person",
              "properties": {"name": [f"Secretname{tag.capitalize()} Doe"],
                             "email": [f"secret.{tag}@mail.example"]}},
             {"id": f"{tag}-image", "schema": "Image", "properties": {"fileName": ["x.jpg"]}}],
            [Fingerprint(entity_id=f"{tag}-image", kind="sha256", value="e" * 64)],
        )  # fmt: skip
        hub.ingest(store, path, settings, require_signature=False)
    return tmp_path


def test_read_paths_show_only_the_viewers_data(
    held: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for agency, (tag, code) in AGENCIES.items():
        others = [m for a, (t, _) in AGENCIES.items() if a != agency for m in markers(t)]
        outputs = []
        for argv in (
            ["entities", "--as", agency],
            ["entities", "--as", agency, "--format", "jsonl"],
            ["show", f"{tag}-person", "--as", agency, "--format", "json"],
            ["stats", "--as", agency, "--format", "json"],
            ["stats", "--as", agency],
            ["graph", "neighbours", f"{tag}-person", "--hops", "3", "--as", agency],
            ["graph", "components", "--as", agency],
            ["resolve", "--store", "--as", agency, "--format", "jsonl"],
            ["judgement", "list", "--as", agency],
            ["hits", "--agency", agency],
            ["inbox", "--agency", agency],
        ):
            code_, out, err = run(capsys, *argv)
            assert code_ == 0, (argv, err)
            outputs.append(out)
        for fmt in FORMATS:
            target = held / f"{tag}.{fmt}"
            code_, _, err = run(
                capsys, "graph", "export", "--format", fmt, "--out", str(target), "--as", agency
            )
            assert code_ == 0, (fmt, err)
            outputs.append(target.read_text(encoding="utf-8"))
        code_, _, err = run(capsys, "export", "--contribution", f"{tag}_contrib", "--out",
                            str(held / f"{tag}-copy.zip"), "--as", agency)  # fmt: skip
        assert code_ == 0, err
        text = "\n".join(outputs)
        assert [m for m in others if m in text] == [], agency
        assert all(m in text for m in markers(tag)), agency  # the viewer's own data is there
        assert code.value in text  # its handling code travels with its data

        # another agency's entity or contribution: answered as for one not held
        other_tag = next(t for a, (t, _) in AGENCIES.items() if a != agency)
        for ask, missing in (
            (["show", f"{other_tag}-person"], ["show", "zz-person"]),
            (["export", "--contribution", f"{other_tag}_contrib", "--out", str(held / "x.zip")],
             ["export", "--contribution", "zz_contrib", "--out", str(held / "x.zip")]),
        ):  # fmt: skip
            code_a, _, err_a = run(capsys, *ask, "--as", agency)
            code_b, _, err_b = run(capsys, *missing, "--as", agency)
            assert code_a == code_b == 2
            assert err_a.replace(other_tag, "zz") == err_b
            assert not (held / "x.zip").exists()


def test_without_a_viewer_the_local_store_shows_everything(
    held: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "entities", "--format", "jsonl")
    assert code == 0
    ids = {json.loads(line)["id"] for line in out.splitlines()}
    assert {qualify(f"{t}_contrib", f"{t}-person") for t in ("be", "fr", "au")} <= ids
