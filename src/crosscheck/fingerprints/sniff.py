"""Recognise a file by its first bytes, never by its name."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

HEAD_BYTES = 512  # enough for the tar magic at offset 257


class Category(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    ARCHIVE = "archive"
    OTHER = "other"


@dataclass(frozen=True)
class Sniffed:
    category: Category
    mime: str | None


_ISO_BMFF_VIDEO = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VP",
    b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"qt  ", b"f4v ", b"mmp4", b"MSNV", b"NDAS",
}  # fmt: skip
_ISO_BMFF_IMAGE = {b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif", b"avis"}


def sniff(head: bytes) -> Sniffed:
    """What the bytes say the file is: images, videos and archives, else ``other``."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(Category.IMAGE, "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(Category.IMAGE, "image/png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed(Category.IMAGE, "image/gif")
    if head.startswith(b"BM") and len(head) >= 14:
        return Sniffed(Category.IMAGE, "image/bmp")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed(Category.IMAGE, "image/tiff")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed(Category.IMAGE, "image/webp")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return Sniffed(Category.VIDEO, "video/x-msvideo")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _ISO_BMFF_IMAGE:
            return Sniffed(
                Category.IMAGE, "image/avif" if brand.startswith(b"avi") else "image/heic"
            )
        if brand == b"qt  ":
            return Sniffed(Category.VIDEO, "video/quicktime")
        if brand in _ISO_BMFF_VIDEO or brand.startswith((b"3g", b"mp4", b"iso")):
            return Sniffed(Category.VIDEO, "video/mp4")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return Sniffed(Category.VIDEO, "video/quicktime")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        mime = "video/webm" if b"webm" in head else "video/x-matroska"
        return Sniffed(Category.VIDEO, mime)
    if head.startswith(b"FLV\x01"):
        return Sniffed(Category.VIDEO, "video/x-flv")
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return Sniffed(Category.VIDEO, "video/x-ms-asf")
    if head.startswith((b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return Sniffed(Category.VIDEO, "video/mpeg")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Sniffed(Category.ARCHIVE, "application/zip")
    if head.startswith(b"\x1f\x8b"):
        return Sniffed(Category.ARCHIVE, "application/gzip")
    if len(head) >= 262 and head[257:262] == b"ustar":
        return Sniffed(Category.ARCHIVE, "application/x-tar")
    return Sniffed(Category.OTHER, None)


def is_tar(head: bytes) -> bool:
    """A plain (uncompressed) tar archive: its magic sits at offset 257."""
    return len(head) >= 262 and head[257:262] == b"ustar"
