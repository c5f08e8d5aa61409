"""The contracts of `crosscheck fingerprint`, `bank` and `match` (jsonl fields, exit codes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crosscheck.exchange import PackageReader
from tests.cli.conftest import run
from tests.media import jpeg_bytes, picture, shared_media, video_file

RECORD_FIELDS = set(
    [
        "path",
        "size",
        "mime",
        "md5",
        "sha1",
        "sha256",
        "pdq",
        "pdq_quality",
        "vpdq",
        "metadata",
        "error",
    ]
)
MATCH_FIELDS = set(
    [
        "item",
        "bank",
        "bank_item",
        "signal",
        "distance",
        "query_match_pct",
        "compared_match_pct",
        "category",
    ]
)


@pytest.fixture
def seizure(tmp_path: Path) -> Path:
    folder = tmp_path / "seizure"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(jpeg_bytes(picture(seed=1)))
    (folder / "notes.txt").write_text("shopping list")
    video_file(folder / "clip.bin")  # a video with a misleading name: recognised by its bytes
    return folder


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_fingerprint_jsonl_contract(seizure: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fingerprint", str(seizure), "--format", "jsonl", "--workers", "1")
    assert code == 0
    rows = {Path(str(r["path"])).name: r for r in lines(out)}
    assert set(rows) == {"photo.jpg", "notes.txt", "clip.bin"}
    for row in rows.values():
        assert set(row) >= RECORD_FIELDS
    assert rows["photo.jpg"]["mime"] == "image/jpeg" and len(str(rows["photo.jpg"]["pdq"])) == 64
    assert rows["notes.txt"]["pdq"] is None and rows["notes.txt"]["vpdq"] is None
    clip = rows["clip.bin"]
    assert clip["mime"] == "video/mp4"
    frames = clip["vpdq"]
    assert isinstance(frames, list) and [f["ts"] for f in frames] == [0.0, 1.0, 2.0]
    assert set(frames[0]) == {"frame", "ts", "quality", "pdq"}
    assert clip["metadata"]["codec"] == "h264"  # type: ignore[index]


def test_fingerprint_out_writes_a_package_that_imports(
    env: Path, seizure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "out" / "be_case.zip"
    code, out, err = run(
        capsys, "fingerprint", str(seizure), "--out", str(package), "--agency", "FCCU (test)",
        "--country", "BE", "--case", "BE/2026/1", "--handling", "H1", "--evaluation", "B2",
        "--workers", "2",
    )  # fmt: skip
    assert code == 0, err
    assert sorted(p.name for p in package.parent.iterdir()) == [
        "be_case.zip"
    ]  # nothing else written
    reader = PackageReader(package)
    reader.check()
    kinds = {f.kind.value for f in reader.fingerprints()}
    assert kinds == {"md5", "sha1", "sha256", "pdq", "vpdq-frame"}
    assert reader.manifest.contribution.handling.code.value == "H1"
    code, out, _ = run(capsys, "import", str(package))
    assert code == 0 and "FCCU (test) (BE), H1, B2" in out


def test_fingerprint_out_needs_the_contribution_details(
    seizure: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "fingerprint", str(seizure), "--out", str(tmp_path / "x.zip"))
    assert code == 2 and "--agency" in err and "--handling" in err
    assert not (tmp_path / "x.zip").exists()


def test_bank_import_list_export_and_match(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bridge = shared_media() / "pdq" / "data" / "bridge-mods"
    code, out, _ = run(capsys, "fingerprint", str(bridge / "aaa-orig.jpg"), "--format", "jsonl")
    pdq = lines(out)[0]["pdq"]
    hashes = tmp_path / "known.txt"
    hashes.write_text(f"{pdq} bridge-original\n")
    code, out, _ = run(
        capsys, "bank", "import", str(hashes), "--name", "known", "--format", "pdq-text"
    )
    assert code == 0 and "1 entries added" in out
    code, out, _ = run(capsys, "bank", "list")
    assert "known" in out and "pdq-text" in out

    vics = tmp_path / "matches.json"
    code, out, err = run(
        capsys, "match", str(bridge), "--bank", "known", "--format", "jsonl", "--workers", "1",
        "--vics-out", str(vics),
    )  # fmt: skip
    assert code == 0, err
    rows = lines(out)
    assert len(rows) == len(list(bridge.iterdir()))  # every variant of the bridge, nothing else
    for row in rows:
        assert set(row) >= MATCH_FIELDS
        assert row["bank"] == "known" and row["bank_item"] == "bridge-original"
        assert row["signal"] == "pdq" and isinstance(row["distance"], int) and row["distance"] <= 31
    exported = json.loads(vics.read_text())
    assert len(exported["value"]) == len(rows)

    code, out, _ = run(capsys, "bank", "export", "known", "--format", "vics")
    doc = json.loads(out)
    assert doc["value"][0]["AlternativeHashes"] == [{"HashName": "PDQ", "HashValue": pdq}]


def test_match_a_package_without_media(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(
        shared_media() / "pdq" / "data" / "bridge-mods" / "blur-a-lot.jpg", folder / "b.jpg"
    )
    package = tmp_path / "p.zip"
    run(
        capsys, "fingerprint", str(folder), "--out", str(package), "--agency", "A", "--country",
        "FR", "--case", "c1", "--handling", "H0", "--evaluation", "A1",
    )  # fmt: skip
    known = tmp_path / "known.csv"
    code, out, _ = run(
        capsys,
        "fingerprint",
        str(shared_media() / "pdq" / "data" / "bridge-mods" / "aaa-orig.jpg"),
        "--format",
        "jsonl",
    )
    known.write_text(f"id,pdq,category\nK1,{lines(out)[0]['pdq']},2\n")
    run(capsys, "bank", "import", str(known), "--name", "k", "--format", "csv")
    shutil.rmtree(folder)  # the media are gone: only the package's fingerprints remain
    code, out, err = run(capsys, "match", str(package), "--bank", "k", "--format", "jsonl")
    assert code == 0, err
    rows = lines(out)
    assert [(r["bank_item"], r["signal"], r["category"]) for r in rows] == [("K1", "pdq", "2")]


def test_bad_bank_input_exits_2(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("xyz\n")
    code, _, err = run(capsys, "bank", "import", str(bad), "--name", "n", "--format", "pdq-text")
    assert code == 2 and str(bad) in err and "line 1" in err
    code, _, err = run(capsys, "match", str(tmp_path), "--bank", "nope")
    assert code == 2 and "no bank named" in err
