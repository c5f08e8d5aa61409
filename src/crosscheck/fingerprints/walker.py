"""Walk folders and archives (zip, tar, tar.gz, gzip; nested to a depth limit).

Yields one task per file or archive member. Nothing is extracted to disk:
members are read into memory under hard caps, so a zip bomb, a member whose
path escapes its archive, a symlink loop or a device file each become an
error row while the walk goes on.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from crosscheck.fingerprints.sniff import HEAD_BYTES, Category, sniff

SEPARATOR = "!"
DAMAGED = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError, RuntimeError)


@dataclass(frozen=True)
class WalkLimits:
    max_depth: int = 3  # archives inside archives inside archives
    max_member_bytes: int = 1 << 30
    max_archive_bytes: int = 16 << 30  # all members of one top-level archive together
    max_ratio: int = 200  # uncompressed / compressed, for members over 1 MiB


@dataclass(frozen=True)
class Task:
    """A file to fingerprint: a path on disk, a member's bytes, or only an error to report."""

    display: str
    source: Path | bytes | None
    error: str | None = None


@dataclass
class _Budget:
    left: int
    spent: bool = field(default=False)

    def take(self, size: int) -> bool:
        if size > self.left:
            self.spent = True
            return False
        self.left -= size
        return True


def walk(paths: Iterable[Path], limits: WalkLimits | None = None) -> Iterator[Task]:
    limits = limits or WalkLimits()
    for path in paths:
        yield from _walk_path(Path(path), limits)


def _walk_path(path: Path, limits: WalkLimits) -> Iterator[Task]:
    try:
        info = path.lstat()
    except OSError as exc:
        yield Task(str(path), None, f"cannot read: {exc.strerror or exc}")
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk_folder(path, limits)
    else:
        yield from _walk_file(path, limits)


def _walk_folder(folder: Path, limits: WalkLimits) -> Iterator[Task]:
    def report(error: OSError) -> None:
        problems.append(Task(str(error.filename or folder), None, f"cannot list: {error.strerror}"))

    problems: list[Task] = []
    for root, dirs, files in os.walk(folder, onerror=report, followlinks=False):
        dirs.sort()
        yield from problems
        problems.clear()
        for name in dirs:
            if (Path(root) / name).is_symlink():
                yield Task(str(Path(root) / name), None, "symbolic link to a folder, not followed")
        for name in sorted(files):
            yield from _walk_file(Path(root) / name, limits)
    yield from problems


def _walk_file(path: Path, limits: WalkLimits) -> Iterator[Task]:
    display = str(path)
    try:
        info = path.stat()  # follows links: a loop or a dangling link fails here
    except OSError as exc:
        problem = "symbolic link loop or dangling link" if path.is_symlink() else exc.strerror
        yield Task(display, None, f"cannot read: {problem}")
        return
    if stat.S_ISDIR(info.st_mode):
        yield Task(display, None, "symbolic link to a folder, not followed")
        return
    if not stat.S_ISREG(info.st_mode):
        yield Task(display, None, "not a regular file (device, pipe or socket)")
        return
    yield Task(display, path)
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
            if sniff(head).category is Category.ARCHIVE:
                stream.seek(0)
                budget = _Budget(limits.max_archive_bytes)
                yield from _archive(stream, head, display, 1, limits, budget)
    except OSError:
        return  # the file's own row reports the read error


def _escapes(name: str) -> bool:
    pure = PurePosixPath(name.replace("\\", "/"))
    return pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":")


def _archive(
    stream: BinaryIO, head: bytes, display: str, depth: int, limits: WalkLimits, budget: _Budget
) -> Iterator[Task]:
    # problems of the archive as a whole are reported on "<archive>!", beside the
    # archive's own row (which keeps its digests)
    if depth > limits.max_depth:
        yield Task(
            display + SEPARATOR, None, f"archive nested deeper than {limits.max_depth}, not opened"
        )
        return
    try:
        if head.startswith(b"PK"):
            yield from _zip(stream, display, depth, limits, budget)
        else:
            yield from _tar_or_gzip(stream, head, display, depth, limits, budget)
    except DAMAGED as exc:
        yield Task(display + SEPARATOR, None, f"archive damaged: {exc}")


def _member(
    name: str, data: bytes, display: str, depth: int, limits: WalkLimits, budget: _Budget
) -> Iterator[Task]:
    inner = f"{display}{SEPARATOR}{name}"
    yield Task(inner, data)
    head = data[:HEAD_BYTES]
    if sniff(head).category is Category.ARCHIVE:
        yield from _archive(io.BytesIO(data), head, inner, depth + 1, limits, budget)


def _check_member(
    name: str, size: int, packed: int, display: str, limits: WalkLimits, budget: _Budget
) -> Task | None:
    inner = f"{display}{SEPARATOR}{name}"
    if _escapes(name):
        return Task(inner, None, "member path escapes the archive, not read")
    if size > limits.max_member_bytes:
        return Task(
            inner, None, f"member of {size} bytes is over the {limits.max_member_bytes} limit"
        )
    if size > 1 << 20 and size > limits.max_ratio * max(packed, 1):
        return Task(
            inner, None, f"compression ratio over {limits.max_ratio}:1, a zip bomb? not read"
        )
    if not budget.take(size):
        return Task(inner, None, "archive expands beyond the total size limit, rest not read")
    return None


def _read_capped(stream: IO[bytes] | gzip.GzipFile, cap: int) -> bytes | None:
    data = stream.read(cap + 1)
    return None if len(data) > cap else data


def _zip(
    stream: BinaryIO, display: str, depth: int, limits: WalkLimits, budget: _Budget
) -> Iterator[Task]:
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            problem = _check_member(
                info.filename, info.file_size, info.compress_size, display, limits, budget
            )
            if problem is not None:
                yield problem
                if budget.spent:
                    return
                continue
            inner = f"{display}{SEPARATOR}{info.filename}"
            try:
                with archive.open(info) as member:
                    data = _read_capped(member, min(info.file_size, limits.max_member_bytes))
            except DAMAGED as exc:
                yield Task(inner, None, f"member not readable: {exc}")
                continue
            if data is None:
                yield Task(inner, None, "member is larger than its header states, not read")
                continue
            yield from _member(info.filename, data, display, depth, limits, budget)


def _tar_or_gzip(
    stream: BinaryIO, head: bytes, display: str, depth: int, limits: WalkLimits, budget: _Budget
) -> Iterator[Task]:
    try:
        archive = tarfile.open(fileobj=stream, mode="r|*")  # noqa: SIM115 - closed by `with` below
    except tarfile.ReadError:
        if not head.startswith(b"\x1f\x8b"):
            raise
        stream.seek(0)
        yield from _gzip(stream, display, depth, limits, budget)
        return
    with archive:
        for info in archive:
            if info.isdir():
                continue
            inner = f"{display}{SEPARATOR}{info.name}"
            if not info.isfile():
                yield Task(inner, None, "link or special member, not followed")
                continue
            problem = _check_member(info.name, info.size, info.size, display, limits, budget)
            if problem is not None:
                yield problem
                if budget.spent:
                    return
                continue
            member = archive.extractfile(info)
            if member is None:
                continue
            data = _read_capped(member, limits.max_member_bytes)
            if data is None:
                yield Task(inner, None, "member is over the size limit, not read")
                continue
            yield from _member(info.name, data, display, depth, limits, budget)


def _gzip(
    stream: BinaryIO, display: str, depth: int, limits: WalkLimits, budget: _Budget
) -> Iterator[Task]:
    name = Path(display.rsplit(SEPARATOR, 1)[-1]).name
    inner_name = name[:-3] if name.endswith(".gz") else f"{name}.data"
    with gzip.GzipFile(fileobj=stream) as unpacked:
        data = _read_capped(unpacked, min(limits.max_member_bytes, budget.left))
    if data is None:
        yield Task(f"{display}{SEPARATOR}{inner_name}", None, "gzip expands beyond the size limit")
        return
    budget.take(len(data))
    yield from _member(inner_name, data, display, depth, limits, budget)
