"""Clustering: against a networkx oracle, judgements respected, stable ids, review flags."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from crosscheck.resolve.cluster import Link, cluster, deterministic_links, record_rows
from crosscheck.resolve.judgements import Judgement


def links_of(edges: list[tuple[str, str, float]]) -> list[Link]:
    return [Link(a, b, p, {"fields": []}) for a, b, p in edges]


def j(a: str, b: str, verdict: str) -> Judgement:
    return Judgement(a, b, verdict, "analyst 1", "2026-12-01T10:00:00+00:00")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(20))
def test_without_judgements_clusters_are_components_above_the_threshold(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"r{i}" for i in range(60)]
    edges = [(rng.choice(ids), rng.choice(ids), rng.random()) for _ in range(80)]
    edges = [(a, b, p) for a, b, p in edges if a != b]
    oracle = nx.Graph()
    oracle.add_nodes_from(ids)
    oracle.add_edges_from((a, b) for a, b, p in edges if p >= 0.7)
    expected = sorted(sorted(c) for c in nx.connected_components(oracle))
    got = sorted(c.members for c in cluster(ids, links_of(edges), threshold=0.7))
    assert got == expected


@pytest.mark.parametrize("seed", range(20))
def test_a_rejected_pair_never_shares_a_cluster_and_a_confirmed_one_always_does(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"r{i}" for i in range(30)]
    edges = [(rng.choice(ids), rng.choice(ids), rng.uniform(0.9, 1.0)) for _ in range(60)]
    edges = [(a, b, p) for a, b, p in edges if a != b]
    rejected = [tuple(rng.sample(ids, 2)) for _ in range(5)]
    confirmed = [tuple(rng.sample(ids, 2)) for _ in range(3)]
    confirmed = [c for c in confirmed if c not in rejected and c[::-1] not in rejected]
    judgements = [j(a, b, "reject") for a, b in rejected] + [
        j(a, b, "confirm") for a, b in confirmed
    ]
    clusters = cluster(ids, links_of(edges), threshold=0.95, judgements=judgements)
    where = {m: c.id for c in clusters for m in c.members}
    for a, b in rejected:
        assert where[a] != where[b]
    for a, b in confirmed:
        conflicted = any("judgements conflict" in r for c in clusters for r in c.review)
        assert where[a] == where[b] or conflicted


def test_the_latest_judgement_wins() -> None:
    edges = links_of([("a", "b", 0.999)])
    assert len(cluster(["a", "b"], edges, judgements=[j("a", "b", "reject")])) == 2
    later = [j("a", "b", "reject"), j("b", "a", "confirm")]
    assert len(cluster(["a", "b"], edges, judgements=later)) == 1


def test_a_weak_chain_does_not_merge_past_the_threshold() -> None:
    edges = links_of([("a", "b", 0.999), ("b", "c", 0.6), ("c", "d", 0.999)])
    clusters = cluster(list("abcd"), edges, threshold=0.99)
    assert sorted(c.members for c in clusters) == [["a", "b"], ["c", "d"]]


def test_ids_are_stable_across_runs_and_new_records_join() -> None:
    edges = links_of([("a", "b", 0.999), ("c", "d", 0.999)])
    first = cluster(list("abcd"), edges)
    previous = {m: c.id for c in first for m in c.members}
    again = cluster(list("dcba"), list(reversed(edges)))
    assert {m: c.id for c in again for m in c.members} == previous
    grown = cluster([*"abcde", "0"], [*edges, *links_of([("0", "a", 0.999)])], previous=previous)
    now = {m: c.id for c in grown for m in c.members}
    assert now["0"] == now["a"] == previous["a"]  # "0" sorts first, yet the id is kept
    assert now["e"] not in previous.values()


def test_a_split_keeps_the_id_on_the_larger_part() -> None:
    edges = links_of([("a", "b", 0.999), ("b", "c", 0.999)])
    first = {m: c.id for c in cluster(list("abc"), edges) for m in c.members}
    split = cluster(list("abc"), edges, judgements=[j("c", "b", "reject")], previous=first)
    ids = {m: c.id for c in split for m in c.members}
    assert ids["a"] == ids["b"] == first["a"] and ids["c"] != first["a"]


def test_review_flags() -> None:
    star = links_of([("hub", f"r{i}", 0.999) for i in range(6)])
    [big, *_] = cluster(["hub", *(f"r{i}" for i in range(6))], star, max_size=5)
    assert any(r.startswith("oversized") for r in big.review)
    assert any(r.startswith("weakly connected") for r in big.review)
    pair = cluster(["a", "b"], links_of([("a", "b", 0.999)]), judgements=[j("a", "b", "unsure")])
    assert pair[0].review == ["holds a link an analyst marked unsure"]


def test_record_rows_carry_the_contract_fields() -> None:
    clusters = cluster(["a", "b", "c"], links_of([("a", "b", 0.995), ("a", "c", 0.4)]))
    best = {"c": Link("a", "c", 0.4, {"fields": []})}
    rows = {r["id"]: r for r in record_rows(clusters, best)}
    assert set(rows["a"]) >= {"id", "cluster", "match_probability", "explanation"}
    assert rows["a"]["explanation"]["linked"] and rows["a"]["explanation"]["linked_to"] == "b"
    assert rows["c"]["explanation"]["linked"] is False and rows["c"]["match_probability"] == 0.4


def test_deterministic_links_on_one_mailbox_or_account() -> None:
    rows = [
        {"unique_id": "1", "email": "x@gmail.com", "service_username": None},
        {"unique_id": "2", "email": "x@gmail.com", "service_username": "forum:x"},
        {"unique_id": "3", "email": None, "service_username": "forum:x"},
        {"unique_id": "4", "email": "y@gmail.com", "service_username": None},
    ]
    pairs = {
        (link.left, link.right, link.explanation["rule"]) for link in deterministic_links(rows)
    }
    assert pairs == {("1", "2", "same mailbox"), ("2", "3", "same account on one service")}


def test_deterministic_links_are_the_same_from_a_frame() -> None:
    from crosscheck.resolve import synthetic
    from crosscheck.resolve.features import feature_frame, feature_rows

    records = [{k: v for k, v in r.items() if k != "person"} for r in synthetic.records(300, 6)]
    rows, frame = feature_rows(records), feature_frame(records)
    as_rows = {(k.left, k.right, k.explanation["rule"]) for k in deterministic_links(rows)}
    as_frame = {(k.left, k.right, k.explanation["rule"]) for k in deterministic_links(frame)}
    assert as_rows and as_rows == as_frame
