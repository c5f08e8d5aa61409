"""Packages written by the real writer, read back, and damaged in every way the issue lists."""

from __future__ import annotations

import json
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import PackageLimits, PackageReader, write_package
from crosscheck.exchange.manifest import ENTITIES, FINGERPRINTS, MANIFEST
from crosscheck.model import Fingerprint
from tests.helpers import contribution, entities, fingerprints, make_package, rewrite


def read(path: Path, limits: PackageLimits | None = None) -> PackageReader:
    reader = PackageReader(path, limits)
    reader.check()
    return reader


def test_round_trip(tmp_path: Path) -> None:
    manifest = write_package(tmp_path / "p.zip", contribution(), entities(), fingerprints())
    reader = read(tmp_path / "p.zip")
    assert reader.manifest == manifest
    assert reader.manifest.contribution == contribution()
    assert [e.id for e in reader.entities()] == [e["id"] for e in entities()]
    assert list(reader.fingerprints()) == fingerprints()
    assert manifest.entity_count == 4 and manifest.fingerprint_count == 4


def test_same_content_gives_the_same_bytes(tmp_path: Path) -> None:
    a = make_package(tmp_path / "a.zip")
    b = make_package(tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()


def test_writer_leaves_no_partial_file_when_it_fails(tmp_path: Path) -> None:
    def broken() -> list[dict[str, object]]:
        raise RuntimeError("disk gone")

    target = tmp_path / "out.zip"
    with pytest.raises(RuntimeError):
        write_package(target, contribution(), (e for e in broken()), [])
    assert list(tmp_path.iterdir()) == []


def _edit_json(member: str, change: dict[str, object]):  # type: ignore[no-untyped-def]
    def edit(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        doc = json.loads(data)
        doc.update(change)
        return json.dumps(doc).encode()

    return edit


def _refused(path: Path, match: str, limits: PackageLimits | None = None) -> InvalidPackage:
    with pytest.raises(InvalidPackage, match=match) as info:
        read(path, limits)
    assert str(path) in str(info.value)  # the error names the file
    return info.value


def test_truncated_zip(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip").read_bytes()
    bad = tmp_path / "truncated.zip"
    bad.write_bytes(good[: len(good) // 2])
    _refused(bad, "not a readable zip")


def test_corrupt_bytes_inside_a_member(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(ENTITIES)
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len  # after the local header
    raw[start + 5] ^= 0xFF
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(bytes(raw))
    _refused(bad, "damaged|SHA-256|not valid JSON|cannot be opened")


def test_member_digest_disagrees_with_manifest(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")

    def edit(name: str, data: bytes) -> bytes:
        return data.replace(b"jsample", b"jsampl3") if name == ENTITIES else data

    error = _refused(rewrite(good, tmp_path / "bad.zip", edit), "SHA-256 does not match")
    assert error.member == ENTITIES


def test_unknown_format_version(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")
    bad = rewrite(good, tmp_path / "v9.zip", _edit_json(MANIFEST, {"format_version": 9}))
    _refused(bad, "unknown format version 9")


def test_not_a_crosscheck_package(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _refused(other, "no manifest.json")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"handling": {"code": "H7"}}, "handling"),
        ({"handling": {"code": "H3"}}, "H3 needs a note"),
        ({"evaluation": {"source": "E", "information": "1"}}, "evaluation"),
        ({"evaluation": {"source": "A", "information": "9"}}, "evaluation"),
        ({"id": "../../etc"}, "contribution.id"),
    ],
)
def test_handling_code_or_evaluation_outside_its_set(
    tmp_path: Path, change: dict[str, object], match: str
) -> None:
    good = make_package(tmp_path / "good.zip")

    def edit(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        doc = json.loads(data)
        doc["contribution"].update(change)
        return json.dumps(doc).encode()

    _refused(rewrite(good, tmp_path / "bad.zip", edit), match)


def _with_entities(tmp_path: Path, lines: list[dict[str, object]]) -> Path:
    path = tmp_path / "ents.zip"
    write_package(path, contribution(), lines, [])
    return path


def test_entity_with_unknown_schema(tmp_path: Path) -> None:
    path = _with_entities(tmp_path, [{"id": "x", "schema": "Starship", "properties": {}}])
    _refused(path, r"line 1: entity x: unknown schema 'Starship'")


def test_entity_with_unknown_property(tmp_path: Path) -> None:
    path = _with_entities(
        tmp_path, [entities()[0], {"id": "x", "schema": "Person", "properties": {"warp": ["9"]}}]
    )
    _refused(path, r"line 2: entity x: Person has no property 'warp'")


def test_fingerprint_for_an_entity_not_in_the_package(tmp_path: Path) -> None:
    path = tmp_path / "orphan.zip"
    orphan = Fingerprint(entity_id="ghost", kind="md5", value="f" * 32)
    write_package(path, contribution(), entities(), [orphan])
    _refused(path, "entity 'ghost' is not in")


def test_record_count_disagrees_with_manifest(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")

    def edit(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        doc = json.loads(data)
        doc["members"][FINGERPRINTS]["records"] = 99
        return json.dumps(doc).encode()

    _refused(rewrite(good, tmp_path / "bad.zip", edit), "holds 4 records, the manifest states 99")


def test_member_missing_or_unexpected(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")
    missing = rewrite(good, tmp_path / "m.zip", lambda n, d: None if n == FINGERPRINTS else d)
    _refused(missing, "not in the archive")
    extra = rewrite(good, tmp_path / "e.zip", lambda n, d: d)
    with zipfile.ZipFile(extra, "a") as archive:
        archive.writestr("../../evil.sh", "echo")
    _refused(extra, "unexpected member")


def test_one_gigabyte_of_junk_is_refused_without_reading_it(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    with junk.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(1 << 30)
    tracemalloc.start()
    try:
        _refused(junk, "not a readable zip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak} bytes while refusing junk"


def test_package_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = make_package(tmp_path / "p.zip")
    _refused(path, "over the .*package limit", PackageLimits(max_package_bytes=100))


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    good = make_package(tmp_path / "good.zip")
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.writestr(MANIFEST, zin.read(MANIFEST))
        zout.writestr(FINGERPRINTS, zin.read(FINGERPRINTS))
        with zout.open(ENTITIES, "w") as stream:  # 200 MB of zeros, ~200 KB compressed
            block = b"\0" * (1 << 20)
            for _ in range(200):
                stream.write(block)
    tracemalloc.start()
    try:
        _refused(bomb, "zip bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_overlong_line_is_refused(tmp_path: Path) -> None:
    big = {"id": "x", "schema": "Person", "properties": {"notes": ["n" * 5000]}}
    path = _with_entities(tmp_path, [big])
    _refused(path, "longer than 2048 bytes", PackageLimits(max_line_bytes=2048))


def test_a_folder_is_not_a_package(tmp_path: Path) -> None:
    folder = tmp_path / "folder.zip"
    folder.mkdir()
    _refused(folder, "not a regular file")


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = make_package(tmp_path / "p.zip")
    path.chmod(0)
    _refused(path, "not a readable zip|cannot read")


def test_missing_file(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.zip", "no such file")
