"""The one path through which a package's zip members are read: checked headers, capped streams.

Before anything is decompressed, every entry of the archive is checked: names
appear once, the compression method is stored or deflate, the encrypted flag
is clear, the declared size is within the member's cap and the declared
compression ratio is within the limit. While a member is read, the same caps
hold again on the bytes actually produced, because headers can lie. Errors
are :class:`InvalidPackage` naming the package by its label (never a server
path) and the member.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from crosscheck.exc import InvalidPackage
from crosscheck.exchange.manifest import MANIFEST

SIGNATURE = "signature.json"
CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 1 << 20
MAX_SIGNATURE_BYTES = 64 << 10
# a member this small is not held to the ratio limit: it cannot cost much
RATIO_FLOOR = CHUNK
METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
ENCRYPTED = 0x1
# what a damaged deflate stream or archive can raise while it is read
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


@dataclass(frozen=True)
class MemberLimits:
    """Caps on each member: data members get ``max_member_bytes``; the manifest and the
    signature get their own small caps."""

    max_member_bytes: int = 64 << 30
    max_compression_ratio: int = 1000

    def cap(self, name: str) -> int:
        if name == MANIFEST:
            return min(MAX_MANIFEST_BYTES, self.max_member_bytes)
        if name == SIGNATURE:
            return min(MAX_SIGNATURE_BYTES, self.max_member_bytes)
        return self.max_member_bytes


class MemberStream:
    """A member being decompressed, cut off once it gives more than its cap or its ratio."""

    def __init__(self, owner: CheckedZip, info: zipfile.ZipInfo, cap: int) -> None:
        self._owner = owner
        self._info = info
        self._cap = cap
        self._given = 0
        try:
            self._stream = owner.archive.open(info)
        except (NotImplementedError, RuntimeError, *DAMAGED) as exc:
            raise owner.fail(f"cannot be opened ({_reason(exc)})", info.filename) from exc

    def _count(self, data: bytes) -> bytes:
        self._given += len(data)
        name = self._info.filename
        if self._given > self._cap or self._given > self._info.file_size:
            raise self._owner.fail(
                f"gives more than the {min(self._cap, self._info.file_size)} bytes allowed", name
            )
        ratio = self._given / max(self._info.compress_size, 1)
        if self._given > RATIO_FLOOR and ratio > self._owner.limits.max_compression_ratio:
            raise self._owner.fail(f"compression ratio {ratio:.0f}:1 looks like a zip bomb", name)
        return data

    def read(self, size: int = -1) -> bytes:
        try:
            return self._count(self._stream.read(size))
        except DAMAGED as exc:
            raise self._owner.fail(f"is damaged ({_reason(exc)})", self._info.filename) from exc

    def readline(self, size: int = -1) -> bytes:
        try:
            return self._count(self._stream.readline(size))
        except DAMAGED as exc:
            raise self._owner.fail(f"is damaged ({_reason(exc)})", self._info.filename) from exc

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> MemberStream:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class CheckedZip:
    """A package's zip archive, every entry checked on opening; members read only capped.

    ``label`` names the package in errors: the file name on the command line,
    a neutral "the package" for an upload (whose spool path is nobody's business).
    """

    def __init__(self, path: Path, label: str, limits: MemberLimits | None = None) -> None:
        self.label = label
        self.limits = limits or MemberLimits()
        try:
            self.archive = zipfile.ZipFile(path)
        except FileNotFoundError as exc:
            raise self.fail("no such file") from exc
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, *DAMAGED) as exc:
            raise self.fail(f"not a readable zip archive ({_reason(exc)})") from exc
        try:
            self.infos = self._check()
        except BaseException:
            self.archive.close()
            raise

    def fail(self, problem: str, member: str | None = None) -> InvalidPackage:
        return InvalidPackage(self.label, problem, member)

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        entries = self.archive.infolist()
        twice = sorted(name for name, n in Counter(i.filename for i in entries).items() if n > 1)
        if twice:
            raise self.fail(f"member names appear more than once: {twice}")
        for info in entries:
            self._check_info(info)
        return {info.filename: info for info in entries}

    def _check_info(self, info: zipfile.ZipInfo) -> None:
        name = info.filename
        if info.flag_bits & ENCRYPTED:
            raise self.fail("is encrypted; packages are not", name)
        if info.compress_type not in METHODS:
            raise self.fail(
                f"compression method {info.compress_type} is not accepted "
                f"(only {' or '.join(METHODS.values())})",
                name,
            )
        cap = self.limits.cap(name)
        if info.file_size > cap:
            raise self.fail(f"declares {info.file_size} bytes, over its {cap}-byte limit", name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > self.limits.max_compression_ratio:
            raise self.fail(f"compression ratio {ratio:.0f}:1 looks like a zip bomb", name)

    def names(self) -> set[str]:
        return set(self.infos)

    def open(self, name: str) -> MemberStream:
        info = self.infos.get(name)
        if info is None:
            raise self.fail("is not in the archive", name)
        return MemberStream(self, info, self.limits.cap(name))

    def read(self, name: str) -> bytes:
        """The whole member; only for the small ones (manifest, signature) or under a cap."""
        parts = []
        with self.open(name) as stream:
            while chunk := stream.read(CHUNK):
                parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> CheckedZip:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    """The error's own words, without any file path the OS puts in them."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__
