from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from crosscheck.fingerprints.hasher import HashOptions, fingerprint
from crosscheck.fingerprints.sniff import Category, sniff
from tests.media import jpeg_bytes, picture, png_bytes


def exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    exif[0x0131] = "Firmware 1.1"
    details = exif.get_ifd(0x8769)
    details[0x9003] = "2015:06:03 10:00:00"
    details[0xA431] = "0123456789"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (50.0, 51.0, 0.0)
    gps[3], gps[4] = "W", (4.0, 21.0, 36.0)
    out = io.BytesIO()
    picture().save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_exif_fields_an_investigator_uses() -> None:
    record = fingerprint("x.jpg", exif_jpeg(), HashOptions())
    meta = record.metadata
    assert meta["camera_make"] == "Canon" and meta["camera_model"] == "Canon EOS 5D"
    assert meta["camera_serial"] == "0123456789" and meta["software"] == "Firmware 1.1"
    assert meta["datetime_original"] == "2015-06-03T10:00:00"
    assert meta["gps_latitude"] == 50.85 and meta["gps_longitude"] == -4.36
    assert (meta["width"], meta["height"]) == (640, 480)


def test_no_exif_is_not_an_error() -> None:
    record = fingerprint("x.png", png_bytes(picture()), HashOptions())
    assert record.error is None and record.metadata["format"] == "PNG"
    assert "camera_make" not in record.metadata


def test_sniff_by_bytes_not_names() -> None:
    assert sniff(jpeg_bytes(picture())[:64]).mime == "image/jpeg"
    assert sniff(png_bytes(picture())[:64]).mime == "image/png"
    assert sniff(b"\x00\x00\x00\x18ftypmp42" + bytes(20)).category is Category.VIDEO
    assert sniff(b"PK\x03\x04" + bytes(30)).category is Category.ARCHIVE
    assert sniff(b"hello world").category is Category.OTHER


@given(st.binary(max_size=600))
def test_sniff_never_fails(head: bytes) -> None:
    result = sniff(head)
    assert result.category in Category
