"""Tables (CSV, JSON lines) into FtM entities with FollowTheMoney's mapping format.

A mapping is the `entities:` part of an FtM mapping file (schema, keys,
properties from columns, links between the mapped entities, filters); the
source is the file given on the command line, read here as records. Shipped
mappings live in `exchange/mappings/` and are used by name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model
from followthemoney.exc import InvalidMapping

from crosscheck.exc import InvalidData
from crosscheck.exchange.jsonl import json_objects

MAPPINGS = Path(__file__).parent / "mappings"


def shipped_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS.glob("*.yml"))


def load_mapping(name_or_path: str) -> dict[str, Any]:
    path = Path(name_or_path)
    if not path.exists():
        path = MAPPINGS / f"{name_or_path}.yml"
    if not path.exists():
        shipped = ", ".join(shipped_mappings())
        raise InvalidData(
            f"no mapping file or shipped mapping {name_or_path!r} (shipped: {shipped})"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InvalidData(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or "entities" not in data:
        raise InvalidData(f"{path}: an FtM mapping needs an `entities:` section")
    return data


def records(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV file (with a header) or JSON lines (one object a line).

    Values are text; empty cells are left out, so the mapping sees them as missing.
    """
    if not path.is_file():
        raise InvalidData(f"{path}: no such file")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for _, row in json_objects(path):
            yield {str(k): str(v) for k, v in row.items() if v not in (None, "")}
        return
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            yield {k: v for k, v in row.items() if k is not None and v not in (None, "")}


KEY_PREFIX = "crosscheck-table"


def map_table(
    path: Path, mapping: dict[str, Any], key_prefix: str = KEY_PREFIX
) -> Iterator[dict[str, Any]]:
    """FtM entity dicts for every record kept by the mapping's filters.

    Entity ids come from the mapping's keys, so the same row (say, the same
    forum user) gives the same entity in every contribution that holds it.
    """
    try:
        query = model.make_mapping({**mapping, "csv_url": str(path)}, key_prefix=key_prefix)
    except InvalidMapping as exc:
        raise InvalidData(f"mapping: {exc}") from exc
    keep = {str(k): str(v) for k, v in (mapping.get("filters") or {}).items()}
    drop = {str(k): str(v) for k, v in (mapping.get("filters_not") or {}).items()}
    for record in records(path):
        if any(record.get(k) != v for k, v in keep.items()):
            continue
        if any(record.get(k) == v for k, v in drop.items()):
            continue
        for entity in query.map(record).values():
            data = entity.to_dict()
            yield {"id": data["id"], "schema": data["schema"], "properties": data["properties"]}
