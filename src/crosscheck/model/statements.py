"""Entities as statements: every value tied to the contribution that supplied it.

A statement is FtM's ``Statement`` (entity, property, value, dataset). Our
dataset is the contribution id, so each value traces back to a contribution,
and through it to the providing agency, its handling code and evaluation. An
entity assembles from statements across any number of contributions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from followthemoney import model
from followthemoney.dataset import Dataset
from followthemoney.exc import InvalidData as FtMInvalidData
from followthemoney.statement import Statement, StatementEntity
from followthemoney.statement.util import BASE_ID

from crosscheck.exc import InvalidData

__all__ = ["BASE_ID", "Statement", "StatementEntity", "assemble", "parse_entity", "statements_of"]

MAX_ID_LENGTH = 1024


@cache
def dataset_for(contribution_id: str) -> Dataset:
    """The FtM dataset standing for one contribution."""
    return Dataset.make({"name": contribution_id, "title": contribution_id})


def parse_entity(
    data: Any, *, contribution_id: str, first_seen: str | None = None
) -> StatementEntity:
    """Validate one FtM entity dict and turn it into statements of ``contribution_id``.

    Unlike FtM's own loader, nothing is silently dropped: an unknown schema,
    an unknown or reverse property, or a value that does not clean for its
    type is an error naming the entity, property and value.
    """
    if not isinstance(data, Mapping):
        raise InvalidData(f"an entity is a JSON object, got {type(data).__name__}")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise InvalidData("an entity needs a non-empty string id")
    if len(entity_id) > MAX_ID_LENGTH:
        raise InvalidData(f"entity id longer than {MAX_ID_LENGTH} characters")
    schema_name = data.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        raise InvalidData(f"entity {entity_id}: unknown schema {schema_name!r}")
    if schema.abstract:
        raise InvalidData(f"entity {entity_id}: schema {schema.name} is abstract")
    unknown = set(data) - {"id", "schema", "properties", "caption", "datasets", "referents"}
    if unknown:
        raise InvalidData(f"entity {entity_id}: unknown fields {sorted(unknown)}")
    properties = data.get("properties", {})
    if not isinstance(properties, Mapping):
        raise InvalidData(f"entity {entity_id}: properties must be an object")

    entity = StatementEntity(dataset_for(contribution_id), {"id": entity_id, "schema": schema})
    errors: list[str] = []
    for name, values in properties.items():
        prop = schema.get(name)
        if prop is None:
            errors.append(f"entity {entity_id}: {schema.name} has no property {name!r}")
            continue
        if prop.stub:
            errors.append(
                f"entity {entity_id}: {name!r} is a reverse property; set it on the other side"
            )
            continue
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            errors.append(f"entity {entity_id}: {name} must be a list of strings")
            continue
        for raw in values:
            if not isinstance(raw, str):
                errors.append(f"entity {entity_id}: {name} value {raw!r} is not a string")
                continue
            clean = prop.type.clean_text(raw, proxy=entity)
            if clean is None:
                errors.append(
                    f"entity {entity_id}: {name} value {raw!r} is not a valid {prop.type.name}"
                )
                continue
            entity.unsafe_add(prop, clean, cleaned=True, original_value=raw, seen=first_seen)
    if errors:
        raise InvalidData(errors[0], errors)
    return entity


def statements_of(entity: StatementEntity) -> list[Statement]:
    """All statements of an entity, and one id statement that keeps its schema.

    FtM's own id statement carries a checksum of the other statements, which
    differs between fragments of one entity; ours carries the schema name, so
    the same entity in the same contribution always yields the same statements.
    """
    if entity.id is None:
        raise InvalidData("an entity without an id has no statements")
    values = [stmt for stmt in entity.statements if stmt.prop != BASE_ID]
    first_seen = min((s.first_seen for s in values if s.first_seen), default=None)
    marker = Statement(
        entity_id=entity.id,
        prop=BASE_ID,
        schema=entity.schema.name,
        value=entity.schema.name,
        dataset=entity.dataset.name,
        first_seen=first_seen,
    )
    return [*values, marker]


def assemble(statements: Iterable[Statement]) -> StatementEntity:
    """Build one entity from statements, possibly from many contributions."""
    stmts = list(statements)
    if not stmts:
        raise InvalidData("no statements to assemble an entity from")
    try:
        return StatementEntity.from_statements(dataset_for(stmts[0].dataset), stmts)
    except FtMInvalidData as exc:
        raise InvalidData(str(exc)) from exc


def entity_dict(entity: StatementEntity) -> dict[str, Any]:
    """The FtM JSON form of an entity: id, schema, properties (values sorted)."""
    props = {
        name: sorted(values)
        for name, values in sorted(entity.properties.items())
        if name != BASE_ID and values
    }
    return {"id": entity.id, "schema": entity.schema.name, "properties": props}
