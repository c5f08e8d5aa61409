"""Every member (data, manifest, signature) is read through one checked, capped path.

Hostile archives: duplicate names, methods other than stored/deflate, the
encrypted flag, bombs in signature.json or manifest.json, manifests that are
not JSON objects. Each is an InvalidPackage naming the member, never a crash
and never a gigabyte in memory.
"""

from __future__ import annotations

import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import PackageReader
from crosscheck.exchange.manifest import ENTITIES, MANIFEST
from crosscheck.exchange.signing import SIGNATURE, new_key, read_signature, sign_package
from crosscheck.exchange.signing import verify_package as verify
from tests.helpers import make_package

AGENCY = "OCRVP (test)"


def signed(tmp_path: Path) -> Path:
    path = make_package(tmp_path / "signed.zip")
    key = new_key(tmp_path / "k.pem")
    sign_package(path, key, AGENCY)
    return path


def replaced(src: Path, dst: Path, member: str, write: Callable[[zipfile.ZipFile], None]) -> Path:
    """``src`` with ``member`` dropped and ``write`` adding what takes its place."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != member:
                zout.writestr(info.filename, zin.read(info.filename))
        write(zout)
    return dst


def patched(path: Path, member: str, *, flag: int = 0, method: int | None = None) -> Path:
    """Set header bits of ``member`` in its local header and its central directory entry."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    local = [offset]
    central = []
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + length] == member.encode():
            central.append(at)
        at = raw.find(b"PK\x01\x02", at + 4)
    for start, flag_at, method_at in [(o, 6, 8) for o in local] + [(o, 8, 10) for o in central]:
        bits = struct.unpack_from("<H", raw, start + flag_at)[0] | flag
        struct.pack_into("<H", raw, start + flag_at, bits)
        if method is not None:
            struct.pack_into("<H", raw, start + method_at, method)
    path.write_bytes(bytes(raw))
    return path


def bomb(name: str, megabytes: int) -> Callable[[zipfile.ZipFile], None]:
    def write(zout: zipfile.ZipFile) -> None:
        with zout.open(name, "w") as stream:
            block = b"\0" * (1 << 20)
            for _ in range(megabytes):
                stream.write(block)

    return write


def peak_of(action: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(InvalidPackage):
            action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_duplicate_member_names_are_refused(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(twice, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        with pytest.warns(UserWarning, match="Duplicate name"):
            zout.writestr(ENTITIES, b'{"id": "other", "schema": "Person"}\n')
    with pytest.raises(InvalidPackage, match=f"more than once.*{re.escape(ENTITIES)}"):
        PackageReader(twice).check()
    with pytest.raises(InvalidPackage, match="more than once"):
        read_signature(twice)


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_only_stored_and_deflate_are_read(tmp_path: Path, method: int) -> None:
    good = signed(tmp_path)
    with zipfile.ZipFile(good) as zin:
        manifest, signature = zin.read(MANIFEST), zin.read(SIGNATURE)
    path = replaced(
        good, tmp_path / "m.zip", MANIFEST, lambda z: z.writestr(MANIFEST, manifest, method)
    )
    with pytest.raises(InvalidPackage, match=f"{MANIFEST}: compression method {method}"):
        PackageReader(path)
    path = replaced(
        good, tmp_path / "s.zip", SIGNATURE, lambda z: z.writestr(SIGNATURE, signature, method)
    )
    with pytest.raises(InvalidPackage, match=f"{SIGNATURE}: compression method {method}"):
        read_signature(path)


@pytest.mark.parametrize("member", [MANIFEST, SIGNATURE, ENTITIES])
def test_unknown_method_or_encrypted_flag(tmp_path: Path, member: str) -> None:
    good = signed(tmp_path)
    public = new_key(tmp_path / "other.pem").public_key()
    for problem, change in (("compression method 99", {"method": 99}), ("encrypted", {"flag": 1})):
        bad = tmp_path / f"bad-{change}.zip"
        bad.write_bytes(good.read_bytes())
        patched(bad, member, **change)
        with pytest.raises(InvalidPackage, match=problem):
            PackageReader(bad).check()
        with pytest.raises(InvalidPackage, match=problem):
            read_signature(bad)
        with pytest.raises(InvalidPackage, match=problem):
            verify(bad, public, AGENCY)


@pytest.mark.parametrize("member", [SIGNATURE, MANIFEST])
def test_a_bomb_in_the_signature_or_manifest_costs_no_memory(tmp_path: Path, member: str) -> None:
    good = signed(tmp_path)
    path = tmp_path / "bomb.zip"  # 128 MiB of zeros at deflate level 1: ratio ~230, under 1000
    with (
        zipfile.ZipFile(good) as zin,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        for info in zin.infolist():
            if info.filename != member:
                zout.writestr(info.filename, zin.read(info.filename))
        bomb(member, 128)(zout)
    assert path.stat().st_size < 1 << 20
    public = new_key(tmp_path / "other.pem").public_key()
    actions: list[Callable[[], object]] = [
        lambda: verify(path, public, AGENCY),
        lambda: PackageReader(path),
    ]
    if member == SIGNATURE:
        actions.append(lambda: read_signature(path))
    for action in actions:
        assert peak_of(action) < 16 << 20


def test_a_lying_size_header_is_caught_while_reading(tmp_path: Path) -> None:
    good = signed(tmp_path)
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        size = archive.getinfo(SIGNATURE).file_size
    at = raw.find(b"PK\x01\x02")
    while at != -1:  # the central directory says the signature is 10 bytes
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + length] == SIGNATURE.encode():
            assert struct.unpack_from("<I", raw, at + 24)[0] == size
            struct.pack_into("<I", raw, at + 24, 10)
        at = raw.find(b"PK\x01\x02", at + 4)
    good.write_bytes(bytes(raw))
    with pytest.raises(InvalidPackage, match=SIGNATURE):
        read_signature(good)


@pytest.mark.parametrize(
    "manifest", [b"not json", b"[1, 2]", b'{"format": NaN}', b"NaN", b'{"members": 1}', None]
)
def test_a_bad_manifest_beside_a_signature_is_invalid(
    tmp_path: Path, manifest: bytes | None
) -> None:
    good = signed(tmp_path)

    def write(zout: zipfile.ZipFile) -> None:
        if manifest is not None:
            zout.writestr(MANIFEST, manifest)

    path = replaced(good, tmp_path / "bad.zip", MANIFEST, write)
    public = new_key(tmp_path / "other.pem").public_key()
    with pytest.raises(InvalidPackage, match=MANIFEST):
        verify(path, public, AGENCY)
    with pytest.raises(InvalidPackage, match=MANIFEST):
        PackageReader(path)


def test_the_label_names_the_package_not_the_path(tmp_path: Path) -> None:
    good = make_package(tmp_path / "good.zip")
    bad = replaced(good, tmp_path / "secret-spool-name.zip", MANIFEST, lambda z: None)
    for action in (
        lambda: PackageReader(bad, label="the package"),
        lambda: read_signature(tmp_path / "nowhere.zip", label="the package"),
    ):
        with pytest.raises(InvalidPackage) as info:
            action()
        assert str(tmp_path) not in str(info.value) and "secret" not in str(info.value)
        assert str(info.value).startswith("the package")
