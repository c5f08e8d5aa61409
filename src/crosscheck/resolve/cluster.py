"""Clusters an analyst can trust: a high threshold, the judgements, stable ids, review flags.

Links at or above the threshold are merged strongest first; a merge that
would put a rejected pair into one cluster is refused, and confirmed pairs
are merged before anything else. So clusters are not the connected
components of a loose threshold: a weak chain cannot pull two people
together past a "not the same" that an analyst has said. A cluster keeps the
id it had in the previous run (the id most of its members carried), so ids
are stable across runs; a new cluster is named after its smallest member.
Oversized and weakly connected clusters, and those holding a link an analyst
marked unsure, are flagged for review. Every pair's evidence is kept.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pandas as pd

from crosscheck.resolve.judgements import Judgement, latest, pair_key
from crosscheck.resolve.splink_run import Pair

DEFAULT_THRESHOLD = 0.99
DEFAULT_MAX_SIZE = 20
# identifiers that name one mailbox or one account: records holding the same are linked
DETERMINISTIC_KEYS = {"email": "same mailbox", "service_username": "same account on one service"}
_MAX_KEY_GROUP = 50  # a value held by more records than this is a shared or junk value


@dataclass(frozen=True)
class Link:
    left: str
    right: str
    probability: float
    evidence: dict[str, Any] | None = None  # a rule, a judgement, or stored evidence
    pair: Pair | None = None  # a scored pair: its evidence is read when asked for

    @property
    def explanation(self) -> dict[str, Any]:
        if self.evidence is not None:
            return self.evidence
        return self.pair.explanation() if self.pair is not None else {}


@dataclass
class Cluster:
    id: str
    members: list[str]
    links: list[Link] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


def _new_id(members: Sequence[str]) -> str:
    return "cl-" + hashlib.sha1(min(members).encode()).hexdigest()[:12]


def deterministic_links(rows: Sequence[Mapping[str, Any]] | pd.DataFrame) -> list[Link]:
    """Records holding the same mailbox or the same account on one service."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key in DETERMINISTIC_KEYS:
        pairs: Iterable[tuple[Any, Any]]
        if isinstance(rows, pd.DataFrame):
            held = rows.loc[rows[key].notna() & (rows[key] != ""), ["unique_id", key]]
            shared = held[key].map(held[key].value_counts())  # only values two records hold
            held = held[(shared >= 2) & (shared <= _MAX_KEY_GROUP)]
            pairs = zip(held["unique_id"].tolist(), held[key].tolist(), strict=True)
        else:
            pairs = ((row["unique_id"], row.get(key)) for row in rows)
        for record_id, value in pairs:
            if isinstance(value, str) and value:
                groups.setdefault((key, value), []).append(str(record_id))
    links = []
    for (key, value), ids in groups.items():
        if len(ids) < 2 or len(ids) > _MAX_KEY_GROUP:
            continue
        ordered = sorted(ids)
        for left, right in pairwise(ordered):
            links.append(
                Link(
                    left,
                    right,
                    1.0,
                    {"rule": DETERMINISTIC_KEYS[key], "field": key, "value": value},
                )
            )
    return links


def links_from_pairs(pairs: Iterable[Pair]) -> list[Link]:
    return [Link(p.left, p.right, p.match_probability, pair=p) for p in pairs]


class _Groups:
    """Union-find that refuses a merge joining a rejected pair (sets kept only where needed)."""

    def __init__(self, ids: Iterable[str], rejected: Iterable[tuple[str, str]]) -> None:
        self.parent = {i: i for i in ids}
        self.members: dict[str, set[str]] = {}
        self.forbidden: dict[str, set[str]] = {}
        for left, right in rejected:
            if left in self.parent and right in self.parent:
                self.forbidden.setdefault(left, set()).add(right)
                self.forbidden.setdefault(right, set()).add(left)

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def merge(self, left: str, right: str) -> bool:
        a, b = self.find(left), self.find(right)
        if a == b:
            return True
        members_a = self.members.get(a) or {a}
        members_b = self.members.get(b) or {b}
        forbidden_a = self.forbidden.get(a)
        if forbidden_a and forbidden_a & members_b:
            return False
        if len(members_a) < len(members_b):
            a, b, members_a, members_b = b, a, members_b, members_a
        self.parent[b] = a
        self.members[a] = members_a | members_b
        self.members.pop(b, None)
        forbidden_b = self.forbidden.pop(b, None)
        if forbidden_b:
            self.forbidden[a] = self.forbidden.get(a, set()) | forbidden_b
        return True


def cluster(
    ids: Iterable[str],
    links: Iterable[Link],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    judgements: Iterable[Judgement] = (),
    previous: Mapping[str, str] | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[Cluster]:
    """Clusters of ``ids``, largest first; ``previous``: record id → cluster id of the last run."""
    verdicts = latest(judgements)
    rejected = {k for k, j in verdicts.items() if j.verdict == "reject"}
    everyone = list(dict.fromkeys(ids))
    groups = _Groups(everyone, rejected)
    candidates: dict[tuple[str, str], Link] = {}
    for link in links:
        key = pair_key(link.left, link.right)
        if key[0] == key[1] or key[0] not in groups.parent or key[1] not in groups.parent:
            continue
        if key not in candidates or candidates[key].probability < link.probability:
            candidates[key] = link
    for key, judgement in verdicts.items():
        if judgement.verdict == "confirm" and all(k in groups.parent for k in key):
            candidates[key] = Link(key[0], key[1], 1.0, {"judgement": judgement.to_json()})
    confirmed = {k for k, j in verdicts.items() if j.verdict == "confirm"}
    order = sorted(
        (link for key, link in candidates.items() if key not in rejected or key in confirmed),
        key=lambda link: (pair_key(link.left, link.right) not in confirmed, -link.probability),
    )
    conflicts: set[str] = set()  # confirmed pairs that rejected pairs keep apart
    for link in order:
        key = pair_key(link.left, link.right)
        wanted = key in confirmed or link.probability >= threshold
        if wanted and not groups.merge(link.left, link.right) and key in confirmed:
            conflicts.update(key)
    members: dict[str, list[str]] = {}
    for item in groups.parent:
        members.setdefault(groups.find(item), []).append(item)
    clusters = [Cluster("", sorted(group)) for group in members.values()]
    clusters.sort(key=lambda c: (-len(c.members), c.members[0]))
    where = {m: index for index, c in enumerate(clusters) for m in c.members}
    for key, link in candidates.items():
        if where[key[0]] == where[key[1]]:
            clusters[where[key[0]]].links.append(link)
    _name(clusters, previous or {})
    unsure = {k for k, j in verdicts.items() if j.verdict == "unsure"}
    for c in clusters:
        if len(c.members) == 1:
            continue  # nothing to flag in a record alone
        _flag(c, threshold, max_size, unsure)
        if conflicts & set(c.members):
            c.review.append("judgements conflict: a confirmed pair is kept apart by a rejection")
    return clusters


def _name(clusters: list[Cluster], previous: Mapping[str, str]) -> None:
    taken: set[str] = set()
    for c in clusters:  # largest first: the bigger part of a split keeps the id
        votes = Counter(previous[m] for m in c.members if m in previous) if previous else {}
        for old, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if old not in taken:
                c.id = old
                break
        else:
            c.id = _new_id(c.members)
            if c.id in taken:
                c.id += "-" + hashlib.sha1("\n".join(c.members).encode()).hexdigest()[:6]
        taken.add(c.id)


def _flag(c: Cluster, threshold: float, max_size: int, unsure: set[tuple[str, str]]) -> None:
    size = len(c.members)
    if size > max_size:
        c.review.append(f"oversized: {size} records (more than {max_size})")
    strong = {pair_key(k.left, k.right) for k in c.links if k.probability >= threshold}
    possible = size * (size - 1) // 2
    if size >= 3 and len(strong) < possible / 2:
        c.review.append(f"weakly connected: {len(strong)} of {possible} pairs linked directly")
    if any(pair_key(k.left, k.right) in unsure for k in c.links) or any(
        key[0] in c.members and key[1] in c.members for key in unsure
    ):
        c.review.append("holds a link an analyst marked unsure")


def record_rows(
    clusters: Sequence[Cluster], best: Mapping[str, Link] | None = None
) -> list[dict[str, Any]]:
    """One row per record: ``{"id","cluster","match_probability","explanation"}`` and more.

    ``match_probability`` and ``explanation`` are those of the record's
    strongest link inside its cluster; for a record alone, of its best
    candidate below the threshold (``"linked": false``), if any.
    """
    rows: list[dict[str, Any]] = []
    for c in clusters:
        strongest = best_links(c.links)
        for member in c.members:
            link = strongest.get(member)
            linked = link is not None
            if link is None and best is not None:
                link = best.get(member)
            explanation: dict[str, Any] | None = None
            if link is not None:
                other = link.right if link.left == member else link.left
                explanation = {"linked": linked, "linked_to": other, **link.explanation}
            rows.append(
                {
                    "id": member,
                    "cluster": c.id,
                    "match_probability": round(link.probability, 6) if link else 0.0,
                    "explanation": explanation,
                    "cluster_size": len(c.members),
                    "review": c.review,
                }
            )
    return rows


def best_links(links: Iterable[Link]) -> dict[str, Link]:
    """Each record's strongest link, whatever the threshold."""
    best: dict[str, Link] = {}
    for link in links:
        for end in (link.left, link.right):
            if end not in best or best[end].probability < link.probability:
                best[end] = link
    return best
