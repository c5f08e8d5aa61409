"""Find an image, a video or an archive carried anywhere inside a file, not only at its start.

``sniff`` tells a file by its first bytes; a PDF or a text with a PNG or a zip appended
starts as a document and still carries media. ``carried`` scans all the bytes once for
the signatures of images, videos and archives and checks each candidate's structure
(a JPEG segment chain, a GIF screen descriptor, an ISO-BMFF box size and brand, a BMP
header, a tar header checksum, MPEG-TS sync bytes every 188 bytes…) so that text and
compressed document streams do not trip it by chance. Linear in the size of the file.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from crosscheck.fingerprints.sniff import Category


@dataclass(frozen=True)
class Carried:
    """A signature found: where (byte offset), what kind and which format."""

    offset: int
    category: Category
    mime: str


_ISO_BRANDS = {
    b"isom": "video/mp4", b"iso2": "video/mp4", b"iso4": "video/mp4", b"iso5": "video/mp4",
    b"iso6": "video/mp4", b"mp41": "video/mp4", b"mp42": "video/mp4", b"avc1": "video/mp4",
    b"M4V ": "video/mp4", b"M4VP": "video/mp4", b"M4A ": "video/mp4", b"dash": "video/mp4",
    b"3gp4": "video/3gpp", b"3gp5": "video/3gpp", b"3gp6": "video/3gpp", b"3g2a": "video/3gpp",
    b"qt  ": "video/quicktime", b"f4v ": "video/mp4", b"mmp4": "video/mp4", b"MSNV": "video/mp4",
    b"NDAS": "video/mp4", b"heic": "image/heic", b"heix": "image/heic", b"mif1": "image/heic",
    b"msf1": "image/heic", b"heim": "image/heic", b"heis": "image/heic", b"avif": "image/avif",
    b"avis": "image/avif", b"crx ": "image/x-canon-cr3",
}  # fmt: skip
_JPEG_MARKERS = frozenset([*range(0xE0, 0xF0), 0xDB, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xDD, 0xFE])
_BMP_HEADERS = frozenset([12, 40, 52, 56, 64, 108, 124])
_ZIP_METHODS = frozenset([0, 1, 6, 8, 9, 12, 14, 19, 93, 95, 96, 97, 98, 99])
_TS_PACKET = 188
_TS_RUN = 8  # sync bytes in a row, 188 bytes apart, before a stream counts as MPEG-TS


def _u16be(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "big")


def _png(data: bytes, at: int) -> str | None:
    return "image/png"


def _jpeg(data: bytes, at: int) -> str | None:
    """Start of image, a marker, and the segment's length leading to the next marker."""
    if at + 6 > len(data) or data[at + 3] not in _JPEG_MARKERS:
        return None
    length = _u16be(data, at + 4)
    nxt = at + 4 + length
    if length < 2 or (nxt < len(data) and data[nxt] != 0xFF):
        return None
    return "image/jpeg"


def _gif(data: bytes, at: int) -> str | None:
    """The logical screen descriptor, its colour table, then a block a GIF may hold."""
    if at + 13 >= len(data):
        return None
    flags = data[at + 10]
    nxt = at + 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    if nxt < len(data) and data[nxt] not in (0x21, 0x2C, 0x3B):
        return None
    return "image/gif"


def _riff(data: bytes, at: int) -> str | None:
    kind = data[at + 8 : at + 12]
    return {b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}.get(kind)


def _ftyp(data: bytes, at: int) -> str | None:
    """An ISO-BMFF file-type box: a plausible size before ``ftyp``, a known brand after."""
    if at < 4:
        return None
    size = int.from_bytes(data[at - 4 : at], "big")
    if not 8 <= size <= 4096:
        return None
    brand = data[at + 4 : at + 8]
    if brand in _ISO_BRANDS:
        return _ISO_BRANDS[brand]
    if brand.startswith((b"3g", b"mp4", b"iso")):
        return "video/mp4"
    return None


def _ebml(data: bytes, at: int) -> str | None:
    """An EBML header naming its document type: Matroska or WebM."""
    header = data[at + 4 : at + 68]
    if b"\x42\x82" not in header:
        return None
    if b"webm" in header:
        return "video/webm"
    return "video/x-matroska" if b"matroska" in header else None


def _bmp(data: bytes, at: int) -> str | None:
    """``BM``, the file size, four reserved zero bytes, the pixel offset, a known DIB header."""
    if at + 18 > len(data) or data[at + 6 : at + 10] != bytes(4):
        return None
    pixels, dib = struct.unpack_from("<II", data, at + 10)
    if dib not in _BMP_HEADERS or pixels < 14 + dib:
        return None
    return "image/bmp"


def _tiff(data: bytes, at: int) -> str | None:
    """A byte-order mark and an IFD inside the file holding a sensible number of entries."""
    if at + 8 > len(data):
        return None
    order = "<" if data[at] == ord("I") else ">"
    (ifd,) = struct.unpack_from(f"{order}I", data, at + 4)
    if ifd < 8 or at + ifd + 2 > len(data):
        return None
    (entries,) = struct.unpack_from(f"{order}H", data, at + ifd)
    return "image/tiff" if 1 <= entries <= 4096 else None


def _zip_local(data: bytes, at: int) -> str | None:
    """A local file header: a version a zip reader knows, a compression method it knows."""
    if at + 30 > len(data) or data[at + 4] > 63:
        return None
    method = int.from_bytes(data[at + 8 : at + 10], "little")
    return "application/zip" if method in _ZIP_METHODS else None


def _zip_end(data: bytes, at: int) -> str | None:
    """The end of central directory: the entries on this disk are at most all entries."""
    if at + 22 > len(data):
        return None
    here, total = struct.unpack_from("<HH", data, at + 8)
    return "application/zip" if here <= total else None


def _gzip(data: bytes, at: int) -> str | None:
    """Deflate, no reserved flag set, extra flags and an operating system gzip writes."""
    if at + 10 > len(data) or data[at + 3] & 0xE0:
        return None
    if data[at + 8] not in (0, 2, 4) or not (data[at + 9] <= 13 or data[at + 9] == 255):
        return None
    return "application/gzip"


def _tar(data: bytes, at: int) -> str | None:
    """The ``ustar`` magic sits 257 bytes into a tar header whose checksum must agree."""
    start = at - 257
    if start < 0 or start + 512 > len(data):
        return None
    header = data[start : start + 512]
    try:
        stored = int(header[148:156].replace(b"\x00", b" ").strip() or b"-1", 8)
    except ValueError:
        return None
    return "application/x-tar" if stored == sum(header[:148]) + 256 + sum(header[156:]) else None


def _fixed(mime: str) -> Callable[[bytes, int], str | None]:
    return lambda data, at: mime


def _rar(data: bytes, at: int) -> str | None:
    """RAR 1.5-4 (``Rar!\\x1a\\x07\\x00``) or RAR 5 (``Rar!\\x1a\\x07\\x01\\x00``)."""
    tail = data[at + 6 : at + 8]
    return "application/vnd.rar" if tail[:1] == b"\x00" or tail == b"\x01\x00" else None


def _bzip2(data: bytes, at: int) -> str | None:
    """``BZh``, a block size 1-9, then the end-of-stream magic, or a block's magic, its CRC
    and a first byte that is the (unset) randomised bit and a start pointer under 2**20:
    so a text quoting ``BZh91AY&SY`` is no bzip2 stream."""
    if data[at + 3 : at + 4] not in (b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9"):
        return None
    if data[at + 4 : at + 10] == b"\x17rE8P\x90":
        return "application/x-bzip2"
    ok = data[at + 4 : at + 10] == b"1AY&SY" and at + 14 < len(data) and not data[at + 14] & 0xF8
    return "application/x-bzip2" if ok else None


# What each signature starts with (a literal, or a pattern where a short literal is common
# in text: the pattern filters in C), its kind, and the check of what follows it.
_SIGNATURES: tuple[
    tuple[bytes | re.Pattern[bytes], Category, Callable[[bytes, int], str | None]], ...
] = (
    (b"\x89PNG\r\n\x1a\n", Category.IMAGE, _png),
    (b"\xff\xd8\xff", Category.IMAGE, _jpeg),
    (re.compile(rb"GIF8[79]a"), Category.IMAGE, _gif),
    # AVI is a video, HEIC and AVIF are images: the MIME type the check gives tells
    (re.compile(rb"RIFF.{4}(?:WEBP|AVI )", re.S), Category.IMAGE, _riff),
    (re.compile(rb"ftyp[ -~]{4}"), Category.VIDEO, _ftyp),
    (b"\x1a\x45\xdf\xa3", Category.VIDEO, _ebml),
    (re.compile(rb"BM.{4}\x00\x00\x00\x00", re.S), Category.IMAGE, _bmp),
    (b"II*\x00", Category.IMAGE, _tiff),
    (b"MM\x00*", Category.IMAGE, _tiff),
    (b"PK\x03\x04", Category.ARCHIVE, _zip_local),
    (b"PK\x05\x06", Category.ARCHIVE, _zip_end),
    (b"\x1f\x8b\x08", Category.ARCHIVE, _gzip),
    (b"BZh", Category.ARCHIVE, _bzip2),
    (b"\xfd7zXZ\x00", Category.ARCHIVE, _fixed("application/x-xz")),
    (b"7z\xbc\xaf\x27\x1c", Category.ARCHIVE, _fixed("application/x-7z-compressed")),
    (b"Rar!\x1a\x07", Category.ARCHIVE, _rar),
    (re.compile(rb"ustar(?:\x0000|  \x00)"), Category.ARCHIVE, _tar),
)


def _category(mime: str, default: Category) -> Category:
    if mime.startswith("image/"):
        return Category.IMAGE
    if mime.startswith("video/"):
        return Category.VIDEO
    return default


def _transport_stream(data: bytes) -> int | None:
    """The first of ``_TS_RUN`` MPEG-TS packets in a row: sync byte 0x47 every 188 bytes,
    no transport error, and a payload or adaptation field announced in each header."""
    span = _TS_PACKET * (_TS_RUN - 1)
    if len(data) < span + 4:
        return None
    sync = np.frombuffer(data, dtype=np.uint8) == 0x47
    run = sync[: len(data) - span - 3].copy()
    for k in range(1, _TS_RUN):
        run &= sync[k * _TS_PACKET : k * _TS_PACKET + len(run)]
    for at in np.flatnonzero(run):
        start = int(at)
        if all(_ts_header(data, start + k * _TS_PACKET) for k in range(_TS_RUN)):
            return start
    return None


def _ts_header(data: bytes, at: int) -> bool:
    return at + 4 <= len(data) and not data[at + 1] & 0x80 and bool(data[at + 3] & 0x30)


def _next(signature: bytes | re.Pattern[bytes], data: bytes, start: int, end: int) -> int:
    if isinstance(signature, bytes):
        return data.find(signature, start, end)
    found = signature.search(data, start, end)
    return found.start() if found else -1


# Where the file starts before its magic: the box size; the tar header's name and fields.
_BEFORE_MAGIC: dict[Callable[[bytes, int], str | None], int] = {_ftyp: 4, _tar: 257}


def carried(data: bytes) -> Carried | None:
    """The first image, video or archive signature anywhere in ``data``, or None.

    One pass per signature in C (``bytes.find`` or a pattern), each candidate checked in
    constant time; the earliest confirmed one is told.
    """
    first: Carried | None = None
    for signature, category, check in _SIGNATURES:
        back = _BEFORE_MAGIC.get(check, 0)
        end = len(data) if first is None else first.offset + back + 16
        at = _next(signature, data, 0, end)
        while at >= 0:
            mime = check(data, at)
            if mime is not None:
                if first is None or at - back < first.offset:
                    first = Carried(at - back, _category(mime, category), mime)
                break
            at = _next(signature, data, at + 1, end)
    ts = _transport_stream(data if first is None else data[: first.offset])
    return Carried(ts, Category.VIDEO, "video/mp2t") if ts is not None else first
