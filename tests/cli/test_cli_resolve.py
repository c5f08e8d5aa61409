"""`crosscheck resolve` and `crosscheck judgement`: the jsonl contract, judgements, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from crosscheck.resolve import synthetic
from tests.cli.conftest import run

FORUM = [
    {"id": "u1", "source": "forumA", "name": "María García", "username": "darkraven84",
     "email": "maria.garcia.84@gmail.com", "phone": "", "birth_date": "1984-03-02",
     "country": "ES"},
    {"id": "u2", "source": "social", "name": "Maria Garcia", "username": "d4rk_raven84",
     "email": "mariagarcia84+board@gmail.com", "phone": "+34 600 111 222", "birth_date": "",
     "country": "ES"},
    {"id": "u3", "source": "forumA", "name": "Maria Garcia", "username": "mariagarcia",
     "email": "", "phone": "", "birth_date": "1999-11-30", "country": "AR"},
    {"id": "u4", "source": "forumB", "name": "Tomás Ruiz", "username": "pixelwolf",
     "email": "pixelwolf@proton.me", "phone": "+34 600 111 222", "birth_date": "1979-01-15",
     "country": "ES"},
]  # fmt: skip


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_resolve_a_table_prints_one_object_per_record(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = write_csv(tmp_path / "users.csv", FORUM)
    assert run(capsys, "init")[0] == 0
    code, out, err = run(capsys, "resolve", str(table), "--format", "jsonl")
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert set(rows) == {"u1", "u2", "u3", "u4"}
    for row in rows.values():
        assert {"id", "cluster", "match_probability", "explanation"} <= set(row)
    assert rows["u1"]["cluster"] == rows["u2"]["cluster"]  # one mailbox (Gmail ignores dots, +tags)
    assert rows["u3"]["cluster"] != rows["u1"]["cluster"]  # a namesake is not the same person
    assert rows["u1"]["explanation"]["rule"] == "same mailbox"

    code, out, _ = run(
        capsys, "judgement", "add", "u1", "u2", "--verdict", "reject", "--by", "A. Analyst"
    )
    assert code == 0 and "reject u1 ~ u2 by A. Analyst" in out
    code, out, _ = run(capsys, "resolve", str(table), "--format", "jsonl")
    after = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert after["u1"]["cluster"] != after["u2"]["cluster"]
    code, out, _ = run(capsys, "judgement", "list", "--format", "jsonl")
    [made] = [json.loads(line) for line in out.splitlines()]
    assert made["verdict"] == "reject" and made["by"] == "A. Analyst" and made["at"]

    code, out, _ = run(capsys, "resolve", str(table))
    assert code == 0 and "4 records" in out


def test_resolve_trains_on_request_and_saves_parameters(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generated = [
        {k: v for k, v in r.items() if k != "person"} for r in synthetic.records(300, seed=4)
    ]
    table = write_csv(tmp_path / "users.csv", generated)
    assert run(capsys, "resolve", str(write_csv(tmp_path / "few.csv", FORUM)), "--train")[0] == 2
    saved = tmp_path / "params.json"
    code, _, err = run(capsys, "resolve", str(table), "--train", "--save-params", str(saved))
    assert code == 0, err
    assert json.loads(saved.read_text())["format"] == "crosscheck-resolve-params"
    code, _, err = run(capsys, "resolve", str(table), "--params", str(saved), "--format", "jsonl")
    assert code == 0, err


def test_resolve_bad_input(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    no_id = tmp_path / "noid.csv"
    no_id.write_text("name,email\nAna,a@x.example\n", encoding="utf-8")
    code, _, err = run(capsys, "resolve", str(no_id))
    assert code == 2 and "without an id" in err
    twice = write_csv(tmp_path / "twice.csv", [FORUM[0], FORUM[0]])
    code, _, err = run(capsys, "resolve", str(twice))
    assert code == 2 and "appears twice" in err
    assert run(capsys, "resolve")[0] == 2
    assert run(capsys, "resolve", str(twice), "--store")[0] == 2
    code, _, err = run(capsys, "resolve", str(tmp_path / "missing.csv"))
    assert code == 2
    junk = tmp_path / "params.json"
    junk.write_text("{}")
    code, _, err = run(
        capsys, "resolve", str(write_csv(tmp_path / "ok.csv", FORUM)), "--params", str(junk)
    )
    assert code == 2 and "not a crosscheck resolution parameter file" in err
    assert run(capsys, "judgement", "add", "u1")[0] == 2
