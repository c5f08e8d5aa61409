"""The link graph: entities, the links between them, and the values they share.

Nodes are entities (FtM schema, caption) and shared values (an e-mail, a phone
number, a surname, a wallet, a device serial, a file's hash held by two or more entities).
Edges come from entity properties (an account's owner, a message's sender),
from FtM edge schemata (Family, Associate, UnknownLink…) and from shared values.
Every node and edge carries its provenance: the contributions, agencies and
handling codes of the statements it was built from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
from followthemoney.types import registry

from crosscheck.graph.types import Graph
from crosscheck.model.statements import StatementEntity
from crosscheck.text.identity_keys import email_key, phone_key, wallet_key

# value kinds that link entities when two or more hold the same value
SHARED_TYPES = {registry.email.name: "email", registry.phone.name: "phone"}
SHARED_PROPS = {
    "lastName": "surname",
    "publicKey": "wallet",
    "cryptoAddress": "wallet",
    "serialNumber": "serial",
    "deviceId": "serial",
    # one file's SHA-1 (a fingerprinted file and the same file named in a report)
    "contentHash": "file",
}


@dataclass(frozen=True)
class Provenance:
    contribution: str
    agency: str
    handling: str
    evaluation: str


def _sources(statements: Iterable[object], provenance: Mapping[str, Provenance]) -> list[str]:
    return sorted({s.dataset for s in statements if s.dataset in provenance})  # type: ignore[attr-defined]


def _attrs(contributions: list[str], provenance: Mapping[str, Provenance]) -> dict[str, str]:
    """Provenance as flat string attributes (GEXF and GraphML take no lists)."""
    items = [provenance[c] for c in contributions]
    return {
        "contributions": ";".join(contributions),
        "agencies": ";".join(sorted({p.agency for p in items})),
        "handling": ";".join(sorted({p.handling for p in items})),
        "evaluation": ";".join(sorted({p.evaluation for p in items})),
    }


# what an edge entity says about the link: Family and Associate have `relationship`,
# most other FtM edge schemata (UnknownLink, Ownership, Membership…) a `role`, Payment neither
RELATION_PROPS = ("relationship", "role")


def _relation(entity: StatementEntity) -> list[str]:
    """The link's wording, read only through properties the entity's schema has."""
    for name in RELATION_PROPS:
        if name in entity.schema.properties:
            values = entity.get(name)
            if values:
                return sorted(values)
    return []


_KEYS: dict[str, Callable[[str], str | None]] = {
    "email": email_key,
    "phone": phone_key,
    "wallet": wallet_key,
}


def value_key(kind: str, value: str) -> str:
    """The node of a shared value: the identifier's key (text/identity_keys.py) where it has one."""
    key = _KEYS.get(kind)
    found = key(value) if key else None
    return f"{kind}:{found or value.strip().casefold()}"


def build_graph(entities: Iterable[StatementEntity], provenance: Mapping[str, Provenance]) -> Graph:
    """A multigraph of entities and shared values; only the given contributions count."""
    graph: Graph = nx.MultiGraph()
    values: dict[str, list[tuple[str, str, list[str]]]] = {}
    for entity in entities:
        if entity.id is None:
            continue
        contributions = _sources(entity.statements, provenance)
        if not contributions:
            continue
        schema = entity.schema
        graph.add_node(
            entity.id,
            kind="entity",
            schema=schema.name,
            label=entity.caption,
            **_attrs(contributions, provenance),
        )
        if schema.edge and schema.source_prop and schema.target_prop:
            sources = entity.get(schema.source_prop.name)
            targets = entity.get(schema.target_prop.name)
            relation = ", ".join(_relation(entity)) or schema.name
            for source in sources:
                for target in targets:
                    graph.add_edge(
                        source,
                        target,
                        key=entity.id,
                        label=relation,
                        via=entity.id,
                        **_attrs(contributions, provenance),
                    )
        for prop in schema.properties.values():
            if prop.stub:
                continue
            for stmt in entity.get_statements(prop.name):
                origin = _sources([stmt], provenance)
                if not origin:
                    continue
                if prop.type == registry.entity and not (
                    schema.edge and prop in (schema.source_prop, schema.target_prop)
                ):
                    graph.add_edge(
                        entity.id,
                        stmt.value,
                        key=f"{entity.id}:{prop.name}:{stmt.value}",
                        label=prop.name,
                        **_attrs(origin, provenance),
                    )
                kind = SHARED_TYPES.get(prop.type.name) or SHARED_PROPS.get(prop.name)
                if kind:
                    values.setdefault(value_key(kind, stmt.value), []).append(
                        (entity.id, prop.name, origin)
                    )
    for key, holders in values.items():
        if len({entity_id for entity_id, _, _ in holders}) < 2:
            continue  # a value only one entity holds links nothing
        kind, _, value = key.partition(":")
        graph.add_node(key, kind="value", schema=kind, label=value)
        for entity_id, prop_name, origin in holders:
            graph.add_edge(
                entity_id,
                key,
                key=f"{entity_id}:{prop_name}:{key}",
                label=prop_name,
                **_attrs(origin, provenance),
            )
    for node, data in graph.nodes(data=True):
        if "kind" not in data:  # referenced, but held in no contribution the viewer may see
            graph.nodes[node].update(kind="reference", schema="", label=node)
    return graph
