"""Held entity ids: a package's entity id qualified by the contribution that holds it.

Two agencies (or two contributions) may both call an entity ``p-1``; held
together they are two entities. At import every entity id, every value of an
entity-typed property (``UserAccount.owner``…) and every fingerprint's entity
becomes ``<contribution id>.<entity id>``; an export takes the prefix off
again. Contribution ids cannot contain ``.``, so the split is unambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from followthemoney import model, registry

from crosscheck.exc import InvalidData
from crosscheck.model.records import Fingerprint
from crosscheck.model.statements import BASE_ID, Statement, StatementEntity, statements_of

__all__ = [
    "MAX_HELD_ID_LENGTH",
    "SEPARATOR",
    "is_reference",
    "qualify",
    "qualify_fingerprint",
    "qualify_statements",
    "unqualify",
    "unqualify_entity",
    "unqualify_fingerprint",
]

SEPARATOR = "."
MAX_HELD_ID_LENGTH = 1024  # the store's entity id columns


def qualify(contribution_id: str, entity_id: str) -> str:
    """The held id of ``entity_id`` in ``contribution_id``; refused when too long to store."""
    if SEPARATOR in contribution_id:
        raise ValueError(f"a contribution id has no {SEPARATOR!r}: {contribution_id!r}")
    held = f"{contribution_id}{SEPARATOR}{entity_id}"
    if len(held) > MAX_HELD_ID_LENGTH:
        raise InvalidData(
            f"entity {entity_id[:64]}…: with its contribution id {contribution_id} the id is "
            f"{len(held)} characters, over the {MAX_HELD_ID_LENGTH} the store holds"
        )
    return held


def unqualify(contribution_id: str, held_id: str) -> str:
    """The entity id the contribution's package gave; ``held_id`` must be of that contribution."""
    prefix = f"{contribution_id}{SEPARATOR}"
    if not held_id.startswith(prefix):
        raise ValueError(f"{held_id!r} is not an entity of contribution {contribution_id!r}")
    return held_id[len(prefix) :]


def is_reference(schema: str, prop: str) -> bool:
    """Whether values of ``schema``'s ``prop`` are entity ids (FtM's entity type)."""
    found = model.get(schema)
    item = found.get(prop) if found is not None else None
    return item is not None and item.type == registry.entity


def qualify_statements(entity: StatementEntity, contribution_id: str) -> list[Statement]:
    """The entity's statements as held: ids and references qualified, dataset the stored id."""
    if entity.id is None:
        raise InvalidData("an entity without an id has no statements")
    held_id = qualify(contribution_id, entity.id)
    out = []
    for stmt in statements_of(entity):
        value = stmt.value
        if stmt.prop != BASE_ID and is_reference(stmt.schema, stmt.prop):
            value = qualify(contribution_id, value)
        out.append(
            Statement(
                entity_id=held_id,
                prop=stmt.prop,
                schema=stmt.schema,
                value=value,
                dataset=contribution_id,
                lang=stmt.lang,
                original_value=stmt.original_value,
                first_seen=stmt.first_seen,
                last_seen=stmt.last_seen,
                external=stmt.external,
                origin=stmt.origin,
            )
        )
    return out


def qualify_fingerprint(item: Fingerprint, contribution_id: str) -> Fingerprint:
    return item.model_copy(update={"entity_id": qualify(contribution_id, item.entity_id)})


def unqualify_entity(data: Mapping[str, Any], contribution_id: str) -> dict[str, Any]:
    """An entity dict (``entity_dict``) of held ids with the package's own ids again (export)."""
    schema = str(data["schema"])
    properties = {
        name: sorted(_unqualify_value(contribution_id, v) for v in values)
        if is_reference(schema, name)
        else values
        for name, values in data.get("properties", {}).items()
    }
    return {
        **data,
        "id": unqualify(contribution_id, str(data["id"])),
        "properties": properties,
    }


def _unqualify_value(contribution_id: str, value: str) -> str:
    prefix = f"{contribution_id}{SEPARATOR}"
    return value[len(prefix) :] if value.startswith(prefix) else value


def unqualify_fingerprint(item: Fingerprint, contribution_id: str) -> Fingerprint:
    return item.model_copy(update={"entity_id": unqualify(contribution_id, item.entity_id)})
