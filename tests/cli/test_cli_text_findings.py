"""`text analyse` findings of the hostile tester (stop 20), each reproduced first.

F2: a pooled author's cited texts carry the input ids, and every pooled row has
the same fields. F3: a marker repeated in a text is one piece of evidence (and
one weight), and the evidence list is capped. F4: a `.jsonl` file is read as JSON
lines when no format is given, and `--author-pool` refuses the one-text format.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosscheck.text.analyse import analyse
from crosscheck.text.variety import MAX_MARKERS
from tests.cli.conftest import run

POSTS = [
    {"id": "p-10", "author": "A", "text": "Mañana vamos a la playa con los amigos de siempre."},
    {"id": "p-11", "author": "A", "text": "Vos tenés que venir, che, no seas boludo, dale."},
    {"id": "p-20", "author": "B", "text": "Vosotros habéis cogido el coche para ir al cine."},
    {"id": "p-21", "author": "B", "text": "Os lo dije: vale, mañana quedamos en el bar."},
    {"id": "p-30", "author": "C", "text": "!!! ??? ..."},
]


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n")
    return path


def test_pooled_citations_carry_the_input_ids(
    capsys: pytest.CaptureFixture[str], posts: Path
) -> None:
    code, out, _ = run(capsys, "text", "analyse", str(posts), "--format", "jsonl", "--author-pool")
    assert code == 0
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    ids = {p["id"] for p in POSTS}
    cited = [
        c["id"]
        for row in rows.values()
        for c in [*row.get("weighed_most", []), *row.get("points_other_way", [])]
    ]
    assert cited, rows
    assert set(cited) <= ids, cited
    for row in rows.values():
        for c in row.get("weighed_most", []):
            assert next(p for p in POSTS if p["id"] == c["id"])["author"] == row["id"]


def test_every_pooled_row_has_the_same_fields(
    capsys: pytest.CaptureFixture[str], posts: Path
) -> None:
    code, out, _ = run(capsys, "text", "analyse", str(posts), "--format", "jsonl", "--author-pool")
    assert code == 0
    keys = [set(json.loads(line)) for line in out.splitlines()]
    assert len(keys) == 3 and all(k == keys[0] for k in keys), keys
    assert {"texts", "texts_used", "weighed_most", "points_other_way"} <= keys[0]


def test_a_marker_repeated_in_a_text_counts_once() -> None:
    [once] = analyse([("1", "vos tenés razón")], languages=["es"])
    [thrice] = analyse([("1", "vos tenés razón tenés tenés")], languages=["es"])
    markers = [e for e in thrice.evidence if e.kind == "marker"]
    assert len(markers) == len({(e.text.lower(), e.points_to) for e in markers}), markers
    assert sorted((e.text, e.weight) for e in markers) == sorted(
        (e.text, e.weight) for e in once.evidence if e.kind == "marker"
    )


def test_the_evidence_of_a_long_text_is_capped() -> None:
    words = ["tenés", "sabés", "querés", "podés", "vos", "che", "boludo", "mirá", "dale"]
    text = " ".join(f"{w}{'!' * (i % 7)} {w.upper()}" for i in range(400) for w in words)
    [result] = analyse([("1", text)], languages=["es"])
    assert len([e for e in result.evidence if e.kind == "marker"]) <= MAX_MARKERS


def test_a_jsonl_file_is_read_as_json_lines_by_default(
    capsys: pytest.CaptureFixture[str], posts: Path
) -> None:
    code, out, _ = run(capsys, "text", "analyse", str(posts))
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [p["id"] for p in POSTS]


def test_author_pool_with_the_whole_input_as_one_text_is_refused(
    capsys: pytest.CaptureFixture[str], posts: Path
) -> None:
    code, out, err = run(capsys, "text", "analyse", str(posts), "--format", "json", "--author-pool")
    assert code == 2 and not out
    assert "--author-pool" in err and "jsonl" in err
