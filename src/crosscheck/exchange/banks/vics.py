"""Project VIC VICS JSON: read 1.x (cases holding media) and 2.0 (media), write 2.0.

Read with ijson, one media object at a time: a list of millions of entries is
never held in memory. Reading forgives what real exports do: booleans as
strings, upper-case hashes, missing fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from crosscheck.exc import InvalidData
from crosscheck.model.banks import BankEntry, clean_hash, truthy

ODATA_CONTEXT = (
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
)


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value).strip() or None


def _alternative_pdq(media: dict[str, Any]) -> str | None:
    for alt in media.get("AlternativeHashes") or ():
        if isinstance(alt, dict) and str(alt.get("HashName", "")).strip().lower() == "pdq":
            value = clean_hash("pdq", alt.get("HashValue"))
            if value:
                return value
    return None


# VICS media fields we do not interpret but keep, so that import → export gives them back
KEPT_FIELDS = (
    "MediaID", "MediaSize", "IsDistributed", "OffenderIdentified", "IsPrecategorized",
    "Tags", "MediaFiles", "RelativeFilePath", "DateUpdated", "MimeType", "Exifs",
)  # fmt: skip
KEPT_MAX_BYTES = 64 * 1024  # per entry: more is not kept (a hostile list stays small in the store)


def _kept(media: dict[str, Any]) -> str | None:
    kept = {k: media[k] for k in KEPT_FIELDS if media.get(k) is not None}
    if not kept:
        return None
    text = orjson.dumps(kept, option=orjson.OPT_SORT_KEYS).decode()
    return text if len(text) <= KEPT_MAX_BYTES else None


def media_entry(media: dict[str, Any], position: int) -> BankEntry:
    ref = _text(media.get("MediaID")) or _text(media.get("@odata.id")) or f"#{position}"
    return BankEntry(
        vics=_kept(media),
        ref=ref,
        md5=clean_hash("md5", media.get("MD5")),
        sha1=clean_hash("sha1", media.get("SHA1")),
        sha256=clean_hash("sha256", media.get("SHA256")),
        pdq=_alternative_pdq(media),
        category=_text(media.get("Category")),
        series=_text(media.get("Series")),
        victim_identified=truthy(media.get("VictimIdentified")),
    )


def _items(path: Path, prefix: str) -> Iterator[dict[str, Any]]:
    with path.open("rb") as stream:
        for item in ijson.items(stream, prefix, use_float=True):
            if isinstance(item, dict):
                yield item


def read_vics(path: Path) -> Iterator[BankEntry]:
    """Entries of a VICS 1.x or 2.0 file, streamed."""
    position = 0
    try:
        for media in _items(path, "value.item.Media.item"):  # 1.x: cases holding media
            position += 1
            yield media_entry(media, position)
        if position:
            return
        for media in _items(path, "value.item"):  # 2.0: media directly
            if "Media" in media:
                continue
            position += 1
            yield media_entry(media, position)
    except ijson.JSONError as exc:
        raise InvalidData(f"{path}: not valid VICS JSON ({exc})") from exc
    if position == 0:
        raise InvalidData(f"{path}: no VICS media found (expected a 'value' list)")


UNCATEGORISED = 0  # VICS: "not categorised"; IPED keeps no media without some property


def _media_json(entry: BankEntry, position: int) -> dict[str, Any]:
    """One VICS 2.0 media object, in the shape IPED's HashDBTool imports.

    MediaID is the entry's own (kept from VICS, or a numeric ref), else its position;
    Category 0 (uncategorised) where none is known; no nested object outside a list.
    """
    kept: dict[str, Any] = orjson.loads(entry.vics) if entry.vics else {}
    media: dict[str, Any] = {k: v for k, v in kept.items() if not isinstance(v, dict)}
    media_id = kept.get("MediaID")
    if not isinstance(media_id, int) or isinstance(media_id, bool):
        media_id = int(entry.ref) if entry.ref.isdigit() and len(entry.ref) < 19 else position
    media["MediaID"] = media_id
    category = entry.category
    if category is None:
        media["Category"] = UNCATEGORISED
    else:
        media["Category"] = int(category) if category.isdigit() else category
    if entry.md5:
        media["MD5"] = entry.md5.upper()
    if entry.sha1:
        media["SHA1"] = entry.sha1.upper()
    if entry.sha256:
        media["SHA256"] = entry.sha256.upper()
    if entry.victim_identified is not None:
        media["VictimIdentified"] = entry.victim_identified
    if entry.series:
        media["Series"] = entry.series
    if entry.pdq:
        media["AlternativeHashes"] = [{"HashName": "PDQ", "HashValue": entry.pdq}]
    media["Comments"] = f"ref {entry.ref}"
    return media


def write_vics(entries: Iterable[BankEntry], stream: IO[bytes]) -> int:
    """Write VICS 2.0 JSON, one media object at a time; returns how many."""
    stream.write(b'{"@odata.context":' + orjson.dumps(ODATA_CONTEXT) + b',"value":[')
    count = 0
    for count, entry in enumerate(entries, start=1):
        if count > 1:
            stream.write(b",")
        stream.write(b"\n" + orjson.dumps(_media_json(entry, count)))
    stream.write(b"\n]}\n")
    return count
