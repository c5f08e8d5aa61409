"""Hash-list formats: VICS 1.x and 2.0 (streamed), CSV, PDQ text, and the VICS writer."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crosscheck.exc import InvalidData
from crosscheck.exchange.banks import BankFormat, read_bank, write_vics
from crosscheck.model.banks import BankEntry, clean_hash, truthy

MD5 = "A" * 32
SHA1 = "b" * 40
PDQ = "c" * 64


def test_vics_2_is_forgiving(tmp_path: Path) -> None:
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
        "value": [
            {
                "MediaID": 7,
                "Category": 1,
                "MD5": MD5,
                "SHA1": SHA1.upper(),
                "VictimIdentified": "true",
                "Series": "S-1",
                "AlternativeHashes": [{"HashName": "PDQ", "HashValue": PDQ.upper()}],
            },
            {"MediaID": 8, "MD5": "not-a-hash", "SHA1": SHA1, "VictimIdentified": "0"},
            {"Category": "2"},
        ],
    }
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(doc))
    entries = list(read_bank(path, BankFormat.vics))
    assert entries[0] == BankEntry(
        ref="7",
        md5="a" * 32,
        sha1=SHA1,
        pdq=PDQ,
        category="1",
        series="S-1",
        victim_identified=True,
        vics='{"MediaID":7}',  # kept for the export (issue 17)
    )
    assert entries[1].md5 is None and entries[1].victim_identified is False
    assert entries[2].ref == "#3" and not entries[2].has_hash


def test_vics_1_cases_holding_media(tmp_path: Path) -> None:
    doc = {
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml/CUSTOM/$metadata#Cases",
        "value": [
            {"CaseNumber": "1", "Media": [{"MediaID": 1, "MD5": MD5, "Category": 3}]},
            {"CaseNumber": "2", "Media": [{"MediaID": 2, "SHA1": SHA1, "VictimIdentified": True}]},
        ],
    }
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(doc))
    entries = list(read_bank(path, BankFormat.vics))
    assert [(e.ref, e.category, e.victim_identified) for e in entries] == [
        ("1", "3", None),
        ("2", None, True),
    ]


def test_vics_is_streamed_not_loaded_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("w") as stream:
        stream.write('{"value":[')
        for i in range(60000):
            stream.write(
                ("," if i else "") + json.dumps({"MediaID": i, "MD5": f"{i:032x}", "Category": 1})
            )
        stream.write("]}")
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_bank(path, BankFormat.vics))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 60000
    assert peak < path.stat().st_size / 4, (peak, path.stat().st_size)


def test_vics_round_trip(tmp_path: Path) -> None:
    entries = [
        BankEntry(
            ref="1",
            md5="a" * 32,
            sha1=SHA1,
            pdq=PDQ,
            category="1",
            series="x",
            victim_identified=False,
        ),
        BankEntry(ref="2", sha256="d" * 64, category="2"),
    ]
    out = io.BytesIO()
    assert write_vics(entries, out) == 2
    path = tmp_path / "out.json"
    path.write_bytes(out.getvalue())
    back = list(read_bank(path, BankFormat.vics))
    assert [
        (b.md5, b.sha1, b.sha256, b.pdq, b.category, b.series, b.victim_identified) for b in back
    ] == [
        (e.md5, e.sha1, e.sha256, e.pdq, e.category, e.series, e.victim_identified) for e in entries
    ]


def test_bad_vics(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"value": [ {"MD5": ')
    with pytest.raises(InvalidData, match="not valid VICS"):
        list(read_bank(path, BankFormat.vics))
    path.write_text('{"nothing": 1}')
    with pytest.raises(InvalidData, match="no VICS media"):
        list(read_bank(path, BankFormat.vics))


def test_csv_header_names_the_hash_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        f"Label,MD5,Category,VictimIdentified\nfirst,{MD5},1,yes\nsecond,,2,\nthird,{MD5.lower()},,no\n"
    )
    entries = list(read_bank(path, BankFormat.csv))
    assert [(e.ref, e.md5, e.category, e.victim_identified) for e in entries] == [
        ("first", "a" * 32, "1", True),
        ("third", "a" * 32, None, False),
    ]
    path.write_text("name,colour\nx,red\n")
    with pytest.raises(InvalidData, match="no hash column"):
        list(read_bank(path, BankFormat.csv))


def test_pdq_text(tmp_path: Path) -> None:
    path = tmp_path / "hashes.txt"
    path.write_text(f"# a comment\n{PDQ} bridge photo\n\n{PDQ.upper()},other\n{'d' * 64}\n")
    entries = list(read_bank(path, BankFormat.pdq_text))
    assert [(e.ref, e.pdq) for e in entries] == [
        ("bridge photo", PDQ),
        ("other", PDQ),
        ("line 5", "d" * 64),
    ]
    path.write_text(f"{PDQ}\nnot-a-hash\n")
    with pytest.raises(InvalidData, match="line 2"):
        list(read_bank(path, BankFormat.pdq_text))


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="no such file"):
        list(read_bank(tmp_path / "nope.csv", BankFormat.csv))
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidData):
        list(read_bank(binary, BankFormat.pdq_text))


@given(st.one_of(st.text(max_size=80), st.none(), st.integers(), st.booleans()))
def test_clean_hash_and_truthy_never_crash(value: object) -> None:
    for kind in ("md5", "sha1", "sha256", "pdq"):
        cleaned = clean_hash(kind, value)
        assert cleaned is None or (
            cleaned == cleaned.lower() and clean_hash(kind, cleaned) == cleaned
        )
    assert truthy(value) in (True, False, None)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("[1, 2]\n", "line 1: a record is a JSON object"),
        ('{"md5": "' + "a" * 32 + '"}\n{oops\n', "line 2: not valid JSON"),
        ('{"path": "v.mp4", "vpdq": [{"pdq": "' + "c" * 64 + '"}]}\n', "line 1: a vpdq frame"),
    ],
)
def test_bad_jsonl_bank_lines_name_the_line(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bank.jsonl"
    path.write_text(content)
    with pytest.raises(InvalidData, match=match):
        list(read_bank(path, BankFormat.jsonl))
