"""Tables (CSV, JSON lines) into FtM entities with FollowTheMoney's mapping format.

A mapping is the `entities:` part of an FtM mapping file (schema, keys,
properties from columns, links between the mapped entities, filters); the
source is the file given on the command line, read here as records. Shipped
mappings live in `exchange/mappings/` and are used by name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model
from followthemoney.exc import FollowTheMoneyException, InvalidMapping
from followthemoney.mapping.query import QueryMapping
from followthemoney.types import registry

from crosscheck.exc import InvalidData
from crosscheck.exchange.jsonl import json_objects
from crosscheck.text.identifiers import normalise_phone

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
    for _, row in numbered_records(path):
        yield row


def numbered_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each row; a file that cannot be read is bad input naming the line."""
    if not path.is_file():
        raise InvalidData(f"{path}: no such file")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for line, row in json_objects(path):
            yield line, {str(k): str(v) for k, v in row.items() if v not in (None, "")}
        return
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidData(f"{path.name}: line {reader.line_num + 1}: {exc}") from exc
            except UnicodeDecodeError as exc:
                line = _first_undecodable(path)
                raise InvalidData(
                    f"{path.name}: line {line}: not UTF-8 text (save it as UTF-8)"
                ) from exc
            yield (
                reader.line_num,
                {k: v for k, v in row.items() if isinstance(k, str) and v not in (None, "")},
            )


def _first_undecodable(path: Path) -> int:
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


@dataclass(frozen=True)
class Skipped:
    """What a row lost: the whole row (``kept`` False) or one value (the rest kept)."""

    line: int
    reason: str
    kept: bool

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" + ("" if self.kept else "; row skipped")


KEY_PREFIX = "crosscheck-table"


def map_table(
    path: Path,
    mapping: dict[str, Any],
    key_prefix: str = KEY_PREFIX,
    report: list[Skipped] | None = None,
) -> Iterator[dict[str, Any]]:
    """FtM entity dicts for every record kept by the mapping's filters.

    Entity ids come from the mapping's keys, so the same row (say, the same
    forum user) gives the same entity in every contribution that holds it.
    A row FtM cannot make valid entities of (an entity that would link to
    itself, two entities of the row with one id) is skipped and appended to
    ``report``; the other rows are mapped.
    """
    try:
        query = model.make_mapping({**mapping, "csv_url": str(path)}, key_prefix=key_prefix)
    except InvalidMapping as exc:
        raise InvalidData(f"mapping: {exc}") from exc
    keep = {str(k): str(v) for k, v in (mapping.get("filters") or {}).items()}
    drop = {str(k): str(v) for k, v in (mapping.get("filters_not") or {}).items()}
    country_columns, phone_columns = _typed_columns(query)
    for line, record in numbered_records(path):
        if any(record.get(k) != v for k, v in keep.items()):
            continue
        if any(record.get(k) == v for k, v in drop.items()):
            continue
        record = _national_phones(record, country_columns, phone_columns)
        try:
            mapped = query.map(record)
            entities = _row_entities(mapped.values())
        except FollowTheMoneyException as exc:
            if report is not None:
                report.append(Skipped(line, _ftm_message(exc), kept=False))
            continue
        if report is not None:
            report.extend(_lost_values(query, record, mapped, line))
        yield from entities


def _typed_columns(query: QueryMapping) -> tuple[list[str], set[str]]:
    """The columns the mapping reads as countries, and those it reads as phone numbers."""
    countries: list[str] = []
    phones: set[str] = set()
    for entity in query.entities:
        for prop in entity.properties:
            if prop.prop.type == registry.country:
                countries.extend(c for c in prop.refs if c not in countries)
            elif prop.prop.type == registry.phone:
                phones.update(prop.refs)
    return countries, phones


def _national_phones(
    record: dict[str, str], country_columns: list[str], phone_columns: set[str]
) -> dict[str, str]:
    """Phone cells in E.164, read as dialled in the row's country (``020 7946 0958``, GB).

    FtM's cleaning keeps only international numbers unless told the country, and
    a mapping cannot tell it the row's; a number that does not parse is left for
    FtM to judge (and for the report).
    """
    if not phone_columns:
        return record
    region = None
    for column in country_columns:
        code = registry.country.clean(record.get(column))
        if code and len(code) == 2:
            region = code
            break
    if region is None:
        return record
    out = dict(record)
    for column in phone_columns:
        value = record.get(column)
        if value and not value.lstrip().startswith("+"):
            out[column] = normalise_phone(value, region) or value
    return out


def _lost_values(
    query: QueryMapping, record: dict[str, str], mapped: dict[str, Any], line: int
) -> list[Skipped]:
    """The cells FtM's cleaning dropped from the entities it made (it only logs them)."""
    lost: list[Skipped] = []
    for entity in query.entities:
        if entity.name not in mapped:
            continue
        for prop in entity.properties:
            if prop.entity is not None or prop.join or prop.split or prop.template:
                continue
            for column in prop.refs:
                value = record.get(column)
                if value is None:
                    continue
                if prop.prop.type.clean(value, fuzzy=prop.fuzzy, format=prop.format) is None:
                    lost.append(
                        Skipped(
                            line,
                            f"{entity.name}.{prop.prop.name}: {column} {value[:80]!r} is not "
                            f"a valid {prop.prop.type.label.lower()}; left out",
                            kept=True,
                        )
                    )
    return lost


def _ftm_message(exc: Exception) -> str:
    """FtM's message without its Python reprs (``<Schema('UserAccount')>`` → ``UserAccount``)."""
    return str(exc).replace("<Schema('", "").replace("')>", "")


def _derive_name_parts(item: dict[str, Any]) -> None:
    """A person the mapping gives only a full name gets ``firstName`` and ``lastName`` from it.

    The rule is simple and stated (docs/interop.md): a name of two or more words
    gives its first word as the first name and its last word as the last name
    ("Ana Maria da Silva": Ana, Silva); a one-word name gives neither. A mapping
    that maps either part itself is left as it is. Surname links in the graph
    and name comparisons in resolution then work for such tables too.
    """
    schema = model.get(item["schema"])
    props = item["properties"]
    if schema is None or not schema.is_a("Person") or "firstName" in props or "lastName" in props:
        return
    first: list[str] = []
    last: list[str] = []
    for name in props.get("name", []):
        words = name.split()
        if len(words) >= 2:
            first.append(words[0])
            last.append(words[-1])
    if last:
        props["firstName"] = sorted(set(first))
        props["lastName"] = sorted(set(last))


def _row_entities(mapped: Any) -> list[dict[str, Any]]:
    """The row's entities as dicts, each read back by FtM the way an importer will."""
    out: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for entity in mapped:
        data = entity.to_dict()
        item = {"id": data["id"], "schema": data["schema"], "properties": data["properties"]}
        _derive_name_parts(item)
        model.get_proxy(item, cleaned=False)  # FtM's own checks: self-links, values
        if item["id"] in seen:
            raise InvalidMapping(
                f"{seen[item['id']]} and {item['schema']} of this row get the same id "
                "(their key columns are empty)"
            )
        seen[item["id"]] = item["schema"]
        out.append(item)
    return out
