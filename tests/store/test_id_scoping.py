"""Contribution ids scoped to their provider, entity ids to their contribution (both engines)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import write_package
from crosscheck.model.keys import qualify
from crosscheck.resolve.cluster import Link
from crosscheck.resolve.judgements import Judgement
from crosscheck.service.casework import export_contribution, import_package
from crosscheck.service.graph import link_graph
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.resolution_store import ResolutionStore
from tests.conftest import snapshot
from tests.helpers import contribution, entities, fingerprints

RECEIVED = datetime(2024, 5, 1, 8, tzinfo=UTC)
A = {"name": "Agency A", "country": "FR"}
B = {"name": "Agency B", "country": "BE"}
C = {"name": "Agency C", "country": "AU"}


def package(
    tmp_path: Path,
    name: str,
    cid: str,
    provider: dict[str, str],
    data: list[dict[str, Any]] | None = None,
) -> Path:
    path = tmp_path / f"{name}.zip"
    write_package(
        path,
        contribution(cid, provider=provider),
        entities() if data is None else data,
        fingerprints() if data is None else [],
    )
    return path


def held_rows(store: CaseStore, cid: str) -> list[tuple[Any, ...]]:
    return [
        (s.entity_id, s.prop, s.value, s.dataset) for s in store.statements(contribution_id=cid)
    ]


def test_another_agencys_id_is_no_oracle(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    held = import_package(store, package(tmp_path, "a", "fr_case_1", A), settings).result
    assert held.created and held.contribution_id == "fr_case_1"
    before = held_rows(store, "fr_case_1")
    # B guesses A's content right, C guesses wrong: the same answer for both
    right = import_package(store, package(tmp_path, "b", "fr_case_1", B), settings).result
    wrong_data = [{"id": "x-1", "schema": "Person", "properties": {"name": ["Someone Else"]}}]
    wrong = import_package(
        store, package(tmp_path, "c", "fr_case_1", C, wrong_data), settings
    ).result
    for answer in (right, wrong):
        assert answer.created
        assert answer.contribution_id not in ("fr_case_1", None)
        assert answer.submitted_id == "fr_case_1" and answer.assigned
    assert right.contribution_id != wrong.contribution_id
    assert held_rows(store, "fr_case_1") == before
    assert store.contribution("fr_case_1").provider.name == "Agency A"
    assert store.contribution(right.contribution_id).provider.name == "Agency B"
    assert store.submitted_id(right.contribution_id) == "fr_case_1"


def test_an_id_cannot_be_squatted(store: CaseStore, settings: Settings, tmp_path: Path) -> None:
    squat = import_package(store, package(tmp_path, "b", "fr_case_1", B), settings).result
    assert squat.contribution_id == "fr_case_1"
    own = import_package(store, package(tmp_path, "a", "fr_case_1", A), settings).result
    assert own.created and own.contribution_id != "fr_case_1"
    assert store.contribution(own.contribution_id).provider.name == "Agency A"
    # the same package again from its provider is "already held", under the same stored id
    again = import_package(store, package(tmp_path, "a2", "fr_case_1", A), settings).result
    assert not again.created and again.contribution_id == own.contribution_id
    b_again = import_package(store, package(tmp_path, "b2", "fr_case_1", B), settings).result
    assert not b_again.created and b_again.contribution_id == "fr_case_1"


def test_an_assigned_id_round_trips_through_export(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    import_package(store, package(tmp_path, "a", "fr_case_1", A), settings)
    own = import_package(store, package(tmp_path, "b", "fr_case_1", B), settings).result
    out = tmp_path / "exported.zip"
    manifest = export_contribution(store, own.contribution_id, out)
    assert manifest.contribution.id == "fr_case_1"  # the provider's own id
    again = import_package(store, out, settings).result
    assert not again.created and again.contribution_id == own.contribution_id


def test_same_entity_id_in_two_agencies_stays_two(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    a = import_package(store, package(tmp_path, "a", "fr_case_1", A), settings).result
    b = import_package(store, package(tmp_path, "b", "be_case_1", B), settings).result
    people = sorted(e.id or "" for e in store.entities(schema="Person"))
    assert people == sorted([qualify(a.contribution_id, "p-1"), qualify(b.contribution_id, "p-1")])
    accounts = {e.id: e.get("owner") for e in store.entities(schema="UserAccount")}
    assert accounts == {
        qualify(c, "acc-1"): [qualify(c, "p-1")] for c in (a.contribution_id, b.contribution_id)
    }
    prints = {f.entity_id for f in store.fingerprints(contribution_id=b.contribution_id)}
    assert prints == {qualify(b.contribution_id, "img-1"), qualify(b.contribution_id, "vid-1")}
    graph = link_graph(store).graph
    assert qualify(a.contribution_id, "p-1") in graph and qualify(b.contribution_id, "p-1") in graph
    # an examiner still finds the entity by the id the package gave it
    matches = store.entity_matches("p-1")
    assert sorted(e.id or "" for e, _ in matches) == people
    only_b = store.entity_matches("p-1", [b.contribution_id])
    assert [e.id for e, _ in only_b] == [qualify(b.contribution_id, "p-1")]


def test_erasing_one_agency_leaves_the_others_resolution(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    a = import_package(store, package(tmp_path, "a", "fr_case_1", A), settings).result
    b = import_package(store, package(tmp_path, "b", "be_case_1", B), settings).result
    a_p, b_p, b_acc = (
        next(e.id for e in list(store.entities(contribution_id=c, schema=schema)))
        for c, schema in (
            (a.contribution_id, "Person"),
            (b.contribution_id, "Person"),
            (b.contribution_id, "UserAccount"),
        )
    )
    assert a_p is not None and b_p is not None and b_acc is not None
    resolutions = ResolutionStore(store.engine)
    for scope, person, account in (("", b_p, b_acc), ("Agency A", a_p, None)):
        records = {person: "d1"} | ({account: "d2"} if account else {})
        resolutions.save(
            scope,
            records,
            dict.fromkeys(records, "c1"),
            [Link(min(b_p, b_acc), max(b_p, b_acc), 1.0, {})] if account else [],
            [],
        )
    resolutions.add_judgements(
        [Judgement(b_p, b_acc, "confirm", "analyst", "2024-05-01T08:00:00+00:00")]
    )
    store.erase(a.contribution_id)
    assert set(resolutions.records("")) == {b_p, b_acc}
    assert len(resolutions.links("")) == 1
    assert [j.key for j in resolutions.judgements("")] == [tuple(sorted((b_p, b_acc)))]
    assert resolutions.records("Agency A") == {}


def test_one_id_with_two_schemata_is_refused(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    before = snapshot(store)
    data = [
        {"id": "p-1", "schema": "Person", "properties": {"name": ["Jordan Sample"]}},
        {"id": "p-1", "schema": "Image", "properties": {"fileName": ["a.jpg"]}},
    ]
    with pytest.raises(InvalidPackage) as caught:
        import_package(store, package(tmp_path, "bad", "fr_case_1", A, data), settings)
    message = str(caught.value)
    assert "p-1" in message and "Person" in message and "Image" in message
    assert snapshot(store) == before
    # fragments of one entity whose schemata merge (LegalEntity into Person) stay accepted
    merging = [
        {"id": "p-1", "schema": "LegalEntity", "properties": {"name": ["Jordan Sample"]}},
        {"id": "p-1", "schema": "Person", "properties": {"firstName": ["Jordan"]}},
    ]
    ok = import_package(store, package(tmp_path, "ok", "fr_case_2", A, merging), settings).result
    assert [e.schema.name for e in store.entities(contribution_id=ok.contribution_id)] == ["Person"]
