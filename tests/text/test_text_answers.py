"""`text analyse` answers a user: a table in a terminal, json and jsonl on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosscheck.cli import common
from tests.cli.conftest import run

TEXTS = [
    {"id": "t1", "author": "ana", "text": "Vou pegar o ônibus para a faculdade amanhã de manhã."},
    {"id": "t2", "author": "ana", "text": "Me escreve em ana.lima@mail.example ou liga depois."},
    {"id": "t3", "author": "rui", "text": "Je vais prendre le bus pour aller au travail demain."},
]


def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in TEXTS), "utf-8")
    return path


def test_a_terminal_gets_a_table_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.out, "_force_terminal", True)
    code, out, err = run(capsys, "text", "analyse", str(source(tmp_path)))
    assert code == 0, err
    assert not out.lstrip().startswith(("{", "["))
    for word in ("id", "language", "variety", "t1", "t2", "t3", "pt (", "fr ("):
        assert word in out, word
    assert "ana.lima@mail.example" in out
    code, out, _ = run(capsys, "text", "analyse", str(source(tmp_path)), "--author-pool")
    assert code == 0 and "ana (2 texts)" in out and "rui" in out


def test_a_pipe_still_gets_json_and_jsonl_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "texts.txt"
    plain.write_text(source(tmp_path).read_text("utf-8"), "utf-8")
    code, out, _ = run(capsys, "text", "analyse", str(plain))
    assert code == 0 and json.loads(out)["id"] == "1"  # the whole input as one text
    code, out, _ = run(capsys, "text", "analyse", str(source(tmp_path)))
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == [
        "t1",
        "t2",
        "t3",
    ]  # a .jsonl file: one text a line (stop 20, tester's F4)
    code, out, _ = run(capsys, "text", "analyse", str(source(tmp_path)), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2", "t3"]
    assert [r["language"] for r in rows] == ["pt", "pt", "fr"]
