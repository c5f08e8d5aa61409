"""Items as a person recognises them: a caption and a schema for held entity ids.

The caption is FtM's (a file's name or path inside the seizure, a person's
name, an account's username or e-mail…), else the entity's own id without its
contribution prefix. One query per call (in chunks for very long lists): views
of hits, notices, graphs and resolution runs ask for all their ids at once.
Callers decide what a viewer may see; this module only names what it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from crosscheck.model.keys import SEPARATOR, unqualify
from crosscheck.model.statements import assemble
from crosscheck.store import CaseStore

CHUNK = 5000  # ids per query: well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Caption:
    caption: str
    schema: str


def captions(store: CaseStore, entity_ids: Iterable[str]) -> dict[str, Caption]:
    """(caption, schema) for each held id given; ids not held are left out."""
    wanted = sorted({i for i in entity_ids if i})
    found: dict[str, Caption] = {}
    for start in range(0, len(wanted), CHUNK):
        stream = store.statements(entity_ids=wanted[start : start + CHUNK])
        for entity_id, group in groupby(stream, key=lambda stmt: stmt.entity_id):
            stmts = list(group)
            entity = assemble(stmts)
            text = entity.caption
            if not text or text == entity.schema.label:
                text = _bare(stmts[0].dataset, entity_id)
            found[entity_id] = Caption(text, entity.schema.name)
    return found


def visible_captions(
    store: CaseStore, entity_ids: Iterable[str], visible: Iterable[str]
) -> dict[str, Caption]:
    """``captions`` of the ids that lie in a contribution of ``visible`` (the viewer's, from
    ``access.visible_contributions``); any other id is left out, as one not held."""
    seen = set(visible)
    return captions(store, {i for i in entity_ids if i.split(SEPARATOR, 1)[0] in seen})


def _bare(contribution_id: str, entity_id: str) -> str:
    try:
        return unqualify(contribution_id, entity_id)
    except ValueError:
        return entity_id


def label(known: dict[str, Caption], entity_id: str) -> str:
    """``caption (Schema)`` for display, or the bare id when not held."""
    item = known.get(entity_id)
    return f"{item.caption} ({item.schema})" if item else entity_id


__all__ = ["Caption", "captions", "label", "visible_captions"]
