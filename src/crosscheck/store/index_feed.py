"""What the hub's indexes are kept in step by: identifier keys and the contribution feed.

``identifier_key`` holds each entity's identifiers as the hub compares them
(``text/identity_keys.py``), written in the import's transaction and erased
with the contribution, so a cross-check is an index lookup per new key.

``index_feed`` lists every contribution stored ("add") or erased ("erase").
Rows are numbered in commit order: the writer takes a lock
(``lock_for_writing``) just before its row and holds it until it commits, so a
reader that has seen row ``n`` has seen every committed row below it. The PDQ
index on disk (``index/pdq_folder.py``) remembers the last row it took in (its
watermark) and that row's nonce: a store replaced under it (restored, emptied)
shows as a missing or different row, and the index is then rebuilt.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, func, or_, select

from crosscheck.index.matching import MIN_QUALITY
from crosscheck.store.engine import lock_for_writing
from crosscheck.store.tables import contribution, fingerprint, identifier_key, index_feed, statement
from crosscheck.text.identity_keys import IDENTIFIER_PROPS, entity_keys

LOCK_KEY = 7413  # the feed's writers, one at a time to their commit (store/engine.py)
PERCEPTUAL = ("pdq", "vpdq-frame")
BATCH = 1000


@dataclass(frozen=True)
class FeedEntry:
    id: int
    contribution_id: str
    agency_id: int
    op: str  # add, erase
    nonce: str


@dataclass(frozen=True)
class IndexRow:
    """A PDQ hash or vPDQ frame as the PDQ index holds it."""

    contribution_id: str
    entity_id: str
    kind: str
    fingerprint_id: str
    value: str


def record(conn: Connection, contribution_id: str, agency_id: int, op: str) -> None:
    """Append to the feed in ``conn``'s transaction, as the last thing before it commits."""
    lock_for_writing(conn, LOCK_KEY)
    conn.execute(
        index_feed.insert().values(
            contribution_id=contribution_id,
            agency_id=agency_id,
            op=op,
            nonce=secrets.token_hex(8),
        )
    )


def write_identifier_keys(conn: Connection, contribution_id: str) -> int:
    """The contribution's identifier keys, from its stored statements; how many."""
    values: dict[str, list[tuple[str, str]]] = defaultdict(list)
    found = conn.execute(
        select(statement.c.entity_id, statement.c.prop, statement.c.value).where(
            statement.c.contribution_id == contribution_id,
            statement.c.prop.in_(IDENTIFIER_PROPS),
        )
    )
    for entity, prop, value in found:
        values[entity].append((prop, value))
    rows = [
        {"contribution_id": contribution_id, "entity_id": entity, "kind": kind, "key": key}
        for entity, pairs in sorted(values.items())
        for kind, key in sorted(entity_keys(pairs))
    ]
    for start in range(0, len(rows), BATCH):
        conn.execute(identifier_key.insert(), rows[start : start + BATCH])
    return len(rows)


class IndexFeed:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def since(self, after: int) -> list[FeedEntry]:
        query = select(index_feed).where(index_feed.c.id > after).order_by(index_feed.c.id)
        with self.engine.connect() as conn:
            return [
                FeedEntry(r.id, r.contribution_id, r.agency_id, r.op, r.nonce)
                for r in conn.execute(query)
            ]

    def holds(self, entry_id: int, nonce: str) -> bool:
        """Whether row ``entry_id`` is still the one with ``nonce`` (0: nothing to check)."""
        if entry_id == 0:
            return True
        query = select(index_feed.c.nonce).where(index_feed.c.id == entry_id)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none() == nonce

    def rows(self, contribution_ids: Iterable[str]) -> Iterator[IndexRow]:
        """The usable PDQ hashes and vPDQ frames of these contributions (quality floor kept)."""
        ids = sorted(set(contribution_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), BATCH):
                query = (
                    select(
                        fingerprint.c.contribution_id,
                        fingerprint.c.entity_id,
                        fingerprint.c.kind,
                        fingerprint.c.id,
                        fingerprint.c.value,
                    )
                    .where(
                        fingerprint.c.contribution_id.in_(ids[start : start + BATCH]),
                        fingerprint.c.kind.in_(PERCEPTUAL),
                        or_(fingerprint.c.quality.is_(None), fingerprint.c.quality >= MIN_QUALITY),
                    )
                    .order_by(fingerprint.c.contribution_id, fingerprint.c.id)
                )
                for r in conn.execute(query):
                    yield IndexRow(r.contribution_id, r.entity_id, r.kind, r.id, r.value)

    def agency_of(self, contribution_id: str) -> int | None:
        query = select(contribution.c.agency_id).where(contribution.c.id == contribution_id)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return None if found is None else int(found)

    def owners(self, fingerprint_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """fingerprint id -> (contribution, entity), for those still held."""
        ids = sorted(set(fingerprint_ids))
        out: dict[str, tuple[str, str]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), BATCH):
                query = select(
                    fingerprint.c.id, fingerprint.c.contribution_id, fingerprint.c.entity_id
                ).where(fingerprint.c.id.in_(ids[start : start + BATCH]))
                out.update({r.id: (r.contribution_id, r.entity_id) for r in conn.execute(query)})
        return out

    def frame_counts(self, videos: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """(contribution, entity) -> how many usable vPDQ frames the video has."""
        wanted = sorted(set(videos))
        out: dict[tuple[str, str], int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), BATCH):
                part = wanted[start : start + BATCH]
                asked = set(part)
                query = (
                    select(fingerprint.c.contribution_id, fingerprint.c.entity_id, func.count())
                    .where(
                        fingerprint.c.entity_id.in_([e for _, e in part]),
                        fingerprint.c.kind == "vpdq-frame",
                        or_(fingerprint.c.quality.is_(None), fingerprint.c.quality >= MIN_QUALITY),
                    )
                    .group_by(fingerprint.c.contribution_id, fingerprint.c.entity_id)
                )
                for c, e, n in conn.execute(query):
                    if (c, e) in asked:
                        out[(c, e)] = int(n)
        return out


def identifier_matches(conn: Connection, contribution_id: str) -> list[tuple[str, str, str, str]]:
    """(kind:key, entity, other contribution, other entity) shared with other agencies.

    A join of this contribution's keys against everyone's on (kind, key): an index
    lookup per key, never a scan of the holding.
    """
    mine, theirs = identifier_key.alias("mine"), identifier_key.alias("theirs")
    mine_c, theirs_c = contribution.alias("mine_c"), contribution.alias("theirs_c")
    query = select(
        mine.c.kind,
        mine.c.key,
        mine.c.entity_id,
        theirs.c.contribution_id,
        theirs.c.entity_id.label("other"),
    ).join(
        theirs,
        and_(
            theirs.c.kind == mine.c.kind,
            theirs.c.key == mine.c.key,
            theirs.c.contribution_id != mine.c.contribution_id,
        ),
    )
    query = (
        query.join(mine_c, mine_c.c.id == mine.c.contribution_id)
        .join(theirs_c, theirs_c.c.id == theirs.c.contribution_id)
        .where(
            mine.c.contribution_id == contribution_id,
            theirs_c.c.agency_id != mine_c.c.agency_id,
        )
    )
    return [
        (f"{r.kind}:{r.key}", r.entity_id, r.contribution_id, r.other) for r in conn.execute(query)
    ]
