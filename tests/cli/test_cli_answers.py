"""No silent wrong answers (issue 12): errors a new user would otherwise read as answers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from tests.cli.conftest import run
from tests.helpers import contribution


def held(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "be.zip"
    entities = [{"id": "be-img", "schema": "Image", "properties": {"fileName": ["x.jpg"]}}]
    prints = [Fingerprint(entity_id="be-img", kind="sha256", value="a" * 64)]
    write_package(
        path,
        contribution("be_1", provider={"name": "BE police", "country": "BE"}),
        entities,
        prints,
    )
    assert run(capsys, "import", str(path))[0] == 0


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["entities", "--as", "Nobody"],
        ["hits", "--agency", "Nobody"],
        ["inbox", "--agency", "Nobody"],
        ["stats", "--as", "Nobody"],
        ["handling", "permit", "be_1", "--kind", "judicial", "--to", "Nobody"],
        [
            "message",
            "send",
            "--agency",
            "BE police",
            "--to",
            "Nobody",
            "--subject",
            "s",
            "--handling",
            "H0",
            "--evaluation",
            "B2",
            "--body",
            "hello",
        ],
    ],
)
def test_an_unknown_agency_is_an_error_not_an_empty_answer(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    held(tmp_path, capsys)
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert "no agency named 'Nobody'" in one_line(err)
    # the agency that is held still answers
    known = [("BE police" if a == "Nobody" else a) for a in argv]
    if argv[0] == "message":
        known = argv  # sending to oneself is not the point; the known sender was accepted above
    else:
        assert run(capsys, *known)[0] == 0


def test_a_seizure_path_that_does_not_exist_is_an_error(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_zip = tmp_path / "empty.zip"
    options = ["--out", str(out_zip), "--agency", "BE police", "--country", "BE",
               "--case", "C1", "--handling", "H2", "--evaluation", "B2"]  # fmt: skip
    code, _, err = run(capsys, "fingerprint", str(tmp_path / "nonexistent"), *options)
    assert code == 2 and "nonexistent" in one_line(err) and "no such" in err
    assert not out_zip.exists()
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    code, _, err = run(capsys, "fingerprint", str(empty), *options)
    assert code == 2 and "no file" in one_line(err)
    assert not out_zip.exists() and list(tmp_path.glob("*.part")) == []


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--evaluation", "Z9", "--evaluation"),
        ("--evaluation", "B7", "--evaluation"),
        ("--country", "Portugal", "PT"),
        ("--country", "XQ", "--country"),
        ("--handling", "H9", "--handling"),
    ],
)
def test_contribution_options_are_checked_in_one_line(
    env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    expected: str,
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "a.txt").write_bytes(b"plain text, not media")
    options = {"--agency": "BE police", "--country": "BE", "--case": "C1", "--handling": "H2",
               "--evaluation": "B2", option: value}  # fmt: skip
    argv = [x for pair in options.items() for x in pair]
    out_zip = tmp_path / "out.zip"
    code, _, err = run(capsys, "fingerprint", str(media), "--out", str(out_zip), *argv)
    line = one_line(err)
    assert (
        code == 2 and expected in line and "pydantic" not in line and "errors.pydantic" not in err
    )
    assert not out_zip.exists()


def test_a_valid_country_code_still_makes_the_contribution(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "a.txt").write_bytes(b"plain text, not media")
    out_zip = tmp_path / "out.zip"
    code, _, err = run(capsys, "fingerprint", str(media), "--out", str(out_zip), "--agency",
                       "PT police", "--country", "pt", "--case", "C1", "--handling", "H2",
                       "--evaluation", "b2")  # fmt: skip
    assert code == 0, err
    with zipfile.ZipFile(out_zip) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["contribution"]["provider"]["country"] == "pt"
    assert manifest["contribution"]["id"].startswith("pt_c1_")


def _package(tmp_path: Path, agency: str, country: str, cid: str) -> Path:
    path = tmp_path / f"{cid}.zip"
    entities = [{"id": f"{cid}-img", "schema": "Image", "properties": {"fileName": ["x.jpg"]}}]
    prints = [Fingerprint(entity_id=f"{cid}-img", kind="sha256", value="b" * 64)]
    write_package(
        path, contribution(cid, provider={"name": agency, "country": country}), entities, prints
    )
    return path


def test_sign_writes_a_signed_copy_and_leaves_the_package_alone(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "be.key"
    assert (
        run(capsys, "agency", "add", "BE police", "--country", "BE", "--key-out", str(key))[0] == 0
    )
    package = _package(tmp_path, "BE police", "BE", "be_1")
    package.chmod(0o600)
    before = package.read_bytes()
    code, out, err = run(capsys, "sign", str(package), "--agency-key", str(key), "--agency",
                         "BE police")  # fmt: skip
    assert code == 0, err
    signed = tmp_path / "be_1.signed.zip"
    assert str(signed) in out
    assert package.read_bytes() == before and package.stat().st_mode & 0o777 == 0o600
    assert signed.stat().st_mode & 0o777 == 0o600  # never more open than the input
    code, out, err = run(capsys, "import", str(signed), "--require-signature")
    assert code == 0, err
    code, _, err = run(capsys, "sign", str(package), "--agency-key", str(key), "--agency",
                       "BE police", "--out", str(package))  # fmt: skip
    assert code == 2 and "never replaces" in one_line(err) and package.read_bytes() == before


def test_a_package_signed_for_another_provider_is_refused_in_the_callers_terms(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "es.key"
    run(capsys, "agency", "add", "ES", "--country", "ES", "--key-out", str(key))
    package = _package(tmp_path, "PT", "PT", "pt_1")
    code, _, err = run(capsys, "sign", str(package), "--agency-key", str(key), "--agency", "ES")
    line = one_line(err)
    assert code == 2 and "provider is PT" in line and "ES" in line


def test_submit_to_an_unreachable_hub_is_one_line_and_leaves_the_package_alone(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    key = tmp_path / "be.key"
    run(capsys, "agency", "add", "BE police", "--country", "BE", "--key-out", str(key))
    token = tmp_path / "be.token"
    token.write_text("not-a-real-token")
    package = _package(tmp_path, "BE police", "BE", "be_1")
    package.chmod(0o640)
    before = package.read_bytes()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run(capsys, "submit", str(package), "--hub", f"http://127.0.0.1:{port}",
                       "--agency-key", str(key), "--agency", "BE police",
                       "--token-file", str(token))  # fmt: skip
    line = one_line(err)
    assert code == 2 and "cannot reach the hub" in line and "internal error" not in line
    assert package.read_bytes() == before and package.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("be_1", ".be_1"))) == [
        "be_1.zip"
    ]


def test_serve_on_a_port_in_use_is_one_line(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(capsys, "serve", "--port", str(port))
    assert code == 2 and f"127.0.0.1:{port}" in one_line(err)


def _forum_table(tmp_path: Path, agency: str, country: str, rows: str) -> None:
    table = tmp_path / f"{country}.csv"
    table.write_text("id,source,name,username,email\n" + rows, encoding="utf-8")
    return table


def test_graph_shared_finds_a_surname_from_a_full_name_mapping(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for agency, country, rows in (
        ("ES police", "ES", "1,forum-a,Ana Silva,anas,ana@mail.example\n"),
        ("PT police", "PT", "9,forum-b,Ana  Silva,ana_s,other@mail.example\n"),
    ):
        table = _forum_table(tmp_path, agency, country, rows)
        code, _, err = run(capsys, "ingest-table", str(table), "--mapping", "forum-users",
                           "--agency", agency, "--country", country, "--case", "C/1",
                           "--handling", "H2", "--evaluation", "B2")  # fmt: skip
        assert code == 0, err
    code, out, err = run(capsys, "graph", "shared", "Silva")
    assert code == 0, err
    assert "surname:silva" in out and out.count("Ana Silva") >= 2
    code, out, _ = run(capsys, "entities", "--schema", "Person", "--format", "jsonl")
    people = [json.loads(line) for line in out.splitlines()]
    assert {tuple(p["properties"].get("lastName", [])) for p in people} == {("Silva",)}
    assert {tuple(p["properties"].get("firstName", [])) for p in people} == {("Ana",)}


def test_graph_csv_export_writes_a_node_file_with_labels(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    table = _forum_table(tmp_path, "ES police", "ES",
                         "1,forum-a,=Ana Silva,anas,ana@mail.example\n"
                         "2,forum-a,Rui Silva,ruis,rui@mail.example\n")  # fmt: skip
    code, _, err = run(capsys, "ingest-table", str(table), "--mapping", "forum-users",
                       "--agency", "ES police", "--country", "ES", "--case", "C/1",
                       "--handling", "H2", "--evaluation", "B2")  # fmt: skip
    assert code == 0, err
    edges_csv = tmp_path / "graph.csv"
    code, out, err = run(capsys, "graph", "export", "--format", "csv", "--out", str(edges_csv))
    assert code == 0, err
    nodes_csv = tmp_path / "graph.nodes.csv"
    assert str(nodes_csv) in out
    with edges_csv.open(encoding="utf-8") as stream:
        edges = list(csv.DictReader(stream))
    with nodes_csv.open(encoding="utf-8") as stream:
        nodes = {row["id"]: row for row in csv.DictReader(stream)}
    ends = {row["source"] for row in edges} | {row["target"] for row in edges}
    assert ends <= set(nodes)  # every edge end has its row, with a label
    labels = {row["label"] for row in nodes.values()}
    assert "Rui Silva" in labels and "'=Ana Silva" in labels  # formula cell neutralised
    assert nodes["surname:silva"]["kind"] == "value"
    person = next(row for row in nodes.values() if row["label"] == "Rui Silva")
    assert person["schema"] == "Person" and person["agencies"] == "ES police"


PEOPLE = [
    ("a", "Ana Silva", "+351 912 345 678", "1990-04-02"),
    ("b", "Ana Silva", "+351 912 345 678", "1990-04-02"),
    ("c", "Rui Costa", "+351 913 000 111", "1985-01-09"),
    ("d", "Marta Costa", "+351 914 222 333", "1985-01-09"),
]


@pytest.mark.parametrize("size", [2, 4])
def test_identical_records_link_in_a_small_table(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], size: int
) -> None:
    table = tmp_path / "people.csv"
    table.write_text(
        "id,name,phone,birth_date\n" + "".join(",".join(p) + "\n" for p in PEOPLE[:size]),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "resolve", str(table), "--format", "jsonl")
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert rows["a"]["cluster"] == rows["b"]["cluster"]
    assert rows["a"]["match_probability"] >= 0.99
    names = {f["field"]: f["match_weight"] for f in rows["a"]["explanation"]["fields"]}
    assert names["first_name"] > 0 and names["last_name"] > 0  # an agreeing name is evidence
    if size == 4:  # a pair compared (surname, birth date) but scored low still shows its evidence
        low = rows["c"]
        assert low["cluster"] != rows["d"]["cluster"] and low["match_probability"] < 0.5
        assert low["explanation"] is not None and low["explanation"]["linked"] is False
        assert low["explanation"]["linked_to"] == "d"
        assert {f["field"] for f in low["explanation"]["fields"]} >= {
            "last_name",
            "phone",
            "birth_date",
        }


def test_match_on_a_package_reports_every_name_of_identical_files(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from tests.media import shared_media

    folder = tmp_path / "media"
    (folder / "sub").mkdir(parents=True)
    original = shared_media() / "pdq" / "data" / "bridge-mods" / "aaa-orig.jpg"
    for name in ("first.jpg", "copy.jpg", "sub/again.jpg"):  # the same bytes, three names
        shutil.copy(original, folder / name)
    package = tmp_path / "p.zip"
    code, _, err = run(capsys, "fingerprint", str(folder), "--out", str(package), "--agency", "A",
                       "--country", "FR", "--case", "c1", "--handling", "H0", "--evaluation",
                       "A1", "--workers", "1")  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "fingerprint", str(original), "--format", "jsonl")
    sha256 = json.loads(out.splitlines()[0])["sha256"]
    known = tmp_path / "known.csv"
    known.write_text(f"id,sha256,category\nK1,{sha256},1\n")
    assert run(capsys, "bank", "import", str(known), "--name", "k", "--format", "csv")[0] == 0
    shutil.rmtree(folder)
    code, out, err = run(capsys, "match", str(package), "--bank", "k", "--format", "jsonl")
    assert code == 0, err
    items = [json.loads(line)["item"] for line in out.splitlines()]
    assert sorted(item.rsplit("/", 1)[-1] for item in items) == ["again.jpg", "copy.jpg",
                                                                 "first.jpg"]  # fmt: skip
    assert "3 files checked" in err and "3 matched" in err
