"""VICS that IPED's HashDBTool keeps: its acceptance rule, and fields kept import → export."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from crosscheck.exchange.banks import BankFormat, write_vics
from crosscheck.model.banks import BankEntry
from crosscheck.service.banks import export_bank, import_bank, matches_as_vics
from crosscheck.service.triage import MatchRow
from crosscheck.settings import Settings
from crosscheck.store import CaseStore

VICS_20 = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"
FLAG_FIELDS = ("victimidentified", "offenderidentified", "isdistributed", "series",
               "isprecategorized", "tags")  # fmt: skip


def iped_kept(doc: bytes) -> int:
    """How many media IPED's HashDBTool (4.x, readProjectVIC) imports from a VICS file.

    Its rule, restated: the root object's first key is the data model
    (`@odata.context` with the 2.0 URL), the next and only other key is `value`;
    a media object is kept when it has an MD5 or SHA1 (a JSON string; SHA256
    and PDQ do not count) AND at least one property: `Category` as a JSON
    integer >= 0, a string or boolean VictimIdentified, OffenderIdentified,
    IsDistributed, Series, IsPrecategorized or Tags, or a 192-character
    PhotoDNA. A nested object outside an array ends the media object early, so
    none may appear.
    """
    root = json.loads(doc, object_pairs_hook=list)
    keys = [k for k, _ in root]
    assert keys == ["@odata.context", "value"], keys
    assert dict(root)["@odata.context"].lower() == VICS_20.lower()
    kept = 0
    for pairs in dict(root)["value"]:
        media: dict[str, Any] = dict(pairs)
        assert not any(
            isinstance(v, list) and v and isinstance(v[0], tuple) for v in media.values()
        ), "nested object"
        has_hash = False
        for name in ("MD5", "SHA1"):
            if name in media:
                assert isinstance(media[name], str), f"{name} must be a string (IPED trims it)"
                has_hash = True
        props = 0
        if isinstance(media.get("Category"), int) and not isinstance(media["Category"], bool):
            props += media["Category"] >= 0
        for name, value in media.items():
            if name.lower() in FLAG_FIELDS and isinstance(value, str | bool) and str(value).strip():
                props += 1
        kept += has_hash and props > 0
    return kept


def test_vics_of_a_bank_without_categories_is_kept_by_iped() -> None:
    entries = [
        BankEntry(ref="p1.jpg", md5="a" * 32, pdq="c" * 64),
        BankEntry(ref="line 3", sha1="b" * 40),
        BankEntry(ref="pdq only", pdq="d" * 64),  # IPED keeps no PDQ-only record, by its rule
    ]
    stream = io.BytesIO()
    write_vics(entries, stream)
    assert iped_kept(stream.getvalue()) == 2
    media = json.loads(stream.getvalue())["value"]
    assert [m["Category"] for m in media] == [0, 0, 0]  # uncategorised, as VICS allows


def test_vics_fields_survive_import_and_export(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    media = {
        "MediaID": 4711, "Category": 1, "MD5": "A" * 32, "SHA1": "B" * 40, "MediaSize": 12345,
        "IsDistributed": True, "VictimIdentified": False, "Series": "S-1",
        "DateUpdated": "2024-05-01T10:00:00Z", "RelativeFilePath": "img/0001.jpg",
        "MediaFiles": [{"FileName": "0001.jpg", "FilePath": "C:/case/img"}],
    }  # fmt: skip
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"@odata.context": VICS_20, "value": [media, {
        "MediaID": 12, "MD5": "C" * 32}]}), encoding="utf-8")  # fmt: skip
    import_bank(store, source, "vic", BankFormat.vics, settings)
    out = io.BytesIO()
    export_bank(store, "vic", out)
    assert iped_kept(out.getvalue()) == 2
    first, second = json.loads(out.getvalue())["value"]
    for key in ("MediaID", "Category", "MediaSize", "IsDistributed", "VictimIdentified",
                "Series", "DateUpdated", "RelativeFilePath", "MediaFiles"):  # fmt: skip
        assert first[key] == media[key], key
    assert first["MD5"] == media["MD5"] and second["MediaID"] == 12


def _row(item: str, bank_item: str, category: str | None, series: str | None) -> MatchRow:
    return MatchRow(item=item, bank="known", bank_item=bank_item, signal="md5", distance=0,
                    query_match_pct=None, compared_match_pct=None, category=category,
                    series=series, md5="e" * 32)  # fmt: skip


def test_match_vics_has_one_entry_per_item_with_its_bank_entries() -> None:
    rows = [_row("a.jpg", "4711", "2", "S-1"), _row("a.jpg", "99", "1", "S-2"),
            _row("b.jpg", "5", None, None)]  # fmt: skip
    stream = io.BytesIO()
    count = matches_as_vics(rows, stream)
    media = json.loads(stream.getvalue())["value"]
    assert count == 2 and len(media) == 2
    assert iped_kept(stream.getvalue()) == 2
    first = media[0]
    assert first["Category"] == 1  # the most severe of the matched entries
    assert "4711" in first["Comments"] and "99" in first["Comments"]
    assert set(first["Series"].split("; ")) == {"S-1", "S-2"}
    assert media[1]["Category"] == 0
