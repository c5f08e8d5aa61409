"""What an investigator reads from image metadata: camera, software, time, place."""

from __future__ import annotations

import contextlib
from typing import Any

from PIL import Image

# EXIF tags (numbers from the EXIF 2.3 specification)
MAKE, MODEL, SOFTWARE, DATETIME = 0x010F, 0x0110, 0x0131, 0x0132
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, BODY_SERIAL, LENS_MODEL = 0x9003, 0xA431, 0xA434
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT = 1, 2, 3, 4, 6


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _exif_time(value: Any) -> str | None:
    """EXIF '2015:06:03 10:00:00' as ISO 8601 '2015-06-03T10:00:00' (no zone: EXIF has none)."""
    text = _text(value)
    if text is None or len(text) < 19 or text.startswith("0000"):
        return None
    return f"{text[0:4]}-{text[5:7]}-{text[8:10]}T{text[11:19]}"


def _degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    sign = -1.0 if _text(ref) in ("S", "W") else 1.0
    return round(sign * (d + m / 60 + s / 3600), 7)


def image_metadata(image: Image.Image) -> dict[str, Any]:
    """Format, size and the EXIF fields examiners use; absent fields are left out."""
    out: dict[str, Any] = {"format": image.format, "width": image.width, "height": image.height}
    try:
        exif = image.getexif()
    except (OSError, ValueError, SyntaxError):
        return out
    details = exif.get_ifd(EXIF_IFD)
    gps = exif.get_ifd(GPS_IFD)
    found = {
        "camera_make": _text(exif.get(MAKE)),
        "camera_model": _text(exif.get(MODEL)),
        "camera_serial": _text(details.get(BODY_SERIAL)),
        "lens_model": _text(details.get(LENS_MODEL)),
        "software": _text(exif.get(SOFTWARE)),
        "datetime_original": _exif_time(details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)),
        "gps_latitude": _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF)) if gps else None,
        "gps_longitude": _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF)) if gps else None,
    }
    if gps and gps.get(GPS_ALT) is not None:
        with contextlib.suppress(TypeError, ValueError, ZeroDivisionError):
            found["gps_altitude"] = round(float(gps[GPS_ALT]), 2)
    out.update({key: value for key, value in found.items() if value is not None})
    return out
