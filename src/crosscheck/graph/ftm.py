"""The graph's own links as FtM entities, and FtM's required properties filled.

FtM and Aleph know entities, not our graph: the links crosscheck adds — a
resolved "same person" pair, a hit — become FtM entities they understand, each
saying in its summary where it came from:

- same person → ``UnknownLink`` (subject, object, role "same person", the
  cluster and match probability in ``summary``);
- a hit between two items the viewer sees → ``UnknownLink`` (role "hit: SIGNAL");
- a hit whose other item the viewer may not see → ``Note`` on the viewer's
  entity (what hit/no-hit allows: reference, signal, owner, status).

Shared-value nodes (an e-mail two entities hold) are not exported: in FtM the
value is a property of each holder, and FtM tools (Aleph's cross-referencing,
``followthemoney`` pivots) link entities by such shared values themselves.

A ``Message`` with a ``senderAccount`` but no ``sender`` (FtM requires one) gets
the account's owner as ``sender`` when the export holds that account and its owner.

Ids FtM does not accept (its entity ids are letters, digits, ``.`` and ``-``;
ids qualified by a contribution id hold ``_``) are written with ``-`` for ``_``,
else as a digest, in the entity and in every reference to it, so that FtM's
cleaning keeps every link (``ftm_ids``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from followthemoney import model
from followthemoney.types import registry

from crosscheck.graph.types import Graph

PUBLISHER = "crosscheck"


def _id(*parts: str) -> str:
    return "crosscheck-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _provenance(data: Mapping[str, Any]) -> str:
    found = [f"{k} {data[k]}" for k in ("contributions", "agencies", "handling") if data.get(k)]
    return "; ".join(found)


def _marking(data: Mapping[str, Any], markings: Mapping[str, str]) -> list[str]:
    contributions = str(data.get("contributions", "")).split(";")
    return sorted({markings[c] for c in contributions if c in markings})


def overlay_entities(
    graph: Graph, markings: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """FtM entities for the same-person and hit edges of the graph."""
    markings = markings or {}
    out: list[dict[str, Any]] = []
    for source, target, key, data in graph.edges(keys=True, data=True):
        key = str(key)
        if key.startswith("same:"):
            summary = (
                f"{PUBLISHER} resolution: same person, cluster {data.get('cluster', '')}, "
                f"match probability {data.get('probability', '')}; {_provenance(data)}"
            )
            role = "same person"
        elif key.startswith("hit:"):
            summary = (
                f"{PUBLISHER} cross-check {data.get('label', 'hit')}, ref {data.get('ref', '')}, "
                f"status {data.get('status', '')}; {_provenance(data)}"
            )
            role = str(data.get("label", "hit"))
        else:
            continue
        ends = sorted((str(source), str(target)))
        hit_node = next((n for n in ends if graph.nodes[n].get("kind") == "hit"), None)
        if hit_node is not None:
            entity = next(n for n in ends if n != hit_node)
            props: dict[str, list[str]] = {
                "entity": [entity],
                "description": [f"{graph.nodes[hit_node].get('label', '')}: {summary}"],
                "publisher": [PUBLISHER],
            }
            schema = "Note"
        else:
            props = {
                "subject": [ends[0]],
                "object": [ends[1]],
                "role": [role],
                "summary": [summary],
                "publisher": [PUBLISHER],
            }
            schema = "UnknownLink"
        out.append(
            {
                "id": _id(key, *ends),
                "schema": schema,
                "properties": props,
                "marking": _marking(data, markings),
            }
        )
    return out


def fill_required(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities with ``Message.sender`` filled from the sending account's owner, where known."""
    owners: dict[str, list[str]] = {}
    for entity in entities:
        if entity.get("schema") == "UserAccount":
            owner = entity.get("properties", {}).get("owner") or []
            if owner:
                owners[str(entity["id"])] = list(owner)
    out = []
    for entity in entities:
        props = entity.get("properties", {})
        if entity.get("schema") == "Message" and not props.get("sender"):
            senders = [o for a in props.get("senderAccount", []) for o in owners.get(a, [])]
            if senders:
                entity = {**entity, "properties": {**props, "sender": sorted(set(senders))}}
        out.append(entity)
    return out


def ftm_id(value: str) -> str:
    """``value`` as an id FtM accepts: unchanged when it is one, else ``_`` → ``-``, else a digest.

    Contribution ids hold no ``-``, so ``es_1.suspect`` → ``es-1.suspect`` meets no other id.
    """
    if registry.entity.clean(value) is not None:
        return value
    dashed = value.replace("_", "-")
    if registry.entity.clean(dashed) is not None:
        return dashed
    return _id(value)


def ftm_ids(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entities with their ids and entity references as ids FtM accepts (``ftm_id``)."""
    out = []
    for entity in entities:
        schema = model.get(str(entity.get("schema")))
        props = dict(entity.get("properties", {}))
        if schema is not None:
            for name, values in props.items():
                prop = schema.get(name)
                if prop is not None and prop.type == registry.entity:
                    props[name] = [ftm_id(str(v)) for v in values]
        out.append({**entity, "id": ftm_id(str(entity["id"])), "properties": props})
    return out
