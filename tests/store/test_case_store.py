"""The case store, on SQLite and on PostgreSQL (the `store` fixture runs each test on both)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from crosscheck.exc import Conflict, NotFound, NotInitialised
from crosscheck.exchange import PackageReader
from crosscheck.model import Fingerprint, parse_entity
from crosscheck.model.keys import qualify, qualify_fingerprint, qualify_statements
from crosscheck.model.statements import StatementEntity
from crosscheck.store import CaseStore, make_engine
from crosscheck.store.tables import metadata
from tests.conftest import snapshot
from tests.helpers import contribution, entities, fingerprints

RECEIVED = datetime(2024, 5, 1, 8, tzinfo=UTC)


def parsed(cid: str, data: list[dict[str, object]] | None = None) -> Iterator[StatementEntity]:
    for item in data if data is not None else entities():
        yield parse_entity(item, contribution_id=cid, first_seen="2019-02-01T12:00:00+00:00")


def store_one(
    store: CaseStore,
    cid: str = "fr_case_1",
    data: list[dict[str, object]] | None = None,
    prints: list[Fingerprint] | None = None,
    digest: str = "d" * 64,
    **changes: object,
) -> object:
    return store.import_contribution(
        contribution(cid, **changes).received(RECEIVED),
        format_version=1,
        members_digest=digest,
        entities=parsed(cid, data),
        fingerprints=prints if prints is not None else fingerprints(),
    )


def test_import_and_read_back(store: CaseStore) -> None:
    result = store_one(store)
    assert result.created and result.fingerprints == 4
    held = store.contribution("fr_case_1")
    assert held.received_at == RECEIVED
    assert held.review_date is not None and held.review_date.year == 2027
    assert held.provider.country == "fr"
    assert sorted(e.id for e in store.entities()) == [
        qualify("fr_case_1", e) for e in ("acc-1", "img-1", "p-1", "vid-1")
    ]
    assert list(store.fingerprints(contribution_id="fr_case_1")) == sorted(
        (qualify_fingerprint(f, "fr_case_1") for f in fingerprints()),
        key=lambda f: (f.entity_id, f.kind.value, f.frame or 0, f.value),
    )
    stats = store.stats()
    assert (stats.agencies, stats.contributions, stats.entities) == (1, 1, 4)
    assert stats.entities_by_schema == {"Image": 1, "Person": 1, "UserAccount": 1, "Video": 1}
    assert stats.fingerprints_by_kind == {"md5": 1, "pdq": 1, "vpdq-frame": 2}
    assert stats.contributions_by_handling == {"H2": 1}
    assert store.contribution_counts() == {"fr_case_1": (4, 4)}


def test_import_is_idempotent(store: CaseStore) -> None:
    store_one(store)
    before = snapshot(store)
    again = store_one(store)
    assert not again.created
    assert snapshot(store) == before


def test_same_id_same_content_other_digest_is_still_idempotent(store: CaseStore) -> None:
    store_one(store)
    before = snapshot(store)
    assert not store_one(store, digest="e" * 64).created
    assert snapshot(store) == before


def test_same_id_with_other_content_is_a_conflict_and_changes_nothing(store: CaseStore) -> None:
    store_one(store)
    before = snapshot(store)
    changed = [*entities(), {"id": "p-2", "schema": "Person", "properties": {"name": ["New"]}}]
    with pytest.raises(Conflict, match="already held with other content"):
        store_one(store, data=changed, digest="e" * 64)
    assert snapshot(store) == before


def test_failure_midway_rolls_back_everything(store: CaseStore) -> None:
    def exploding() -> Iterator[StatementEntity]:
        yield from parsed("fr_case_1")
        raise RuntimeError("disk full")

    before = snapshot(store)
    with pytest.raises(RuntimeError):
        store.import_contribution(
            contribution("fr_case_1").received(RECEIVED),
            format_version=1,
            members_digest="d" * 64,
            entities=exploding(),
            fingerprints=[],
        )
    assert snapshot(store) == before


def test_same_entity_id_in_two_agencies_is_two_entities_with_provenance(
    store: CaseStore,
) -> None:
    store_one(store, "fr_case_1")
    spanish = [{"id": "p-1", "schema": "Person", "properties": {"phone": ["+34 600 111 222"]}}]
    store_one(
        store,
        "es_case_9",
        data=spanish,
        prints=[],
        provider={"name": "Policía Nacional (test)", "country": "ES"},
    )
    # one agency's p-1 is not another's: each is found by the id its package gave it
    found = {entity.id: (entity, stmts) for entity, stmts in store.entity_matches("p-1")}
    assert set(found) == {qualify("fr_case_1", "p-1"), qualify("es_case_9", "p-1")}
    spain, spain_statements = found[qualify("es_case_9", "p-1")]
    assert spain.get("phone") == ["+34600111222"] and spain.get("name") == []
    assert found[qualify("fr_case_1", "p-1")][0].get("name") == ["Jordan Sample"]
    assert {s.dataset for s in spain_statements} == {"es_case_9"}
    entity, _ = store.entity(qualify("es_case_9", "p-1"))
    assert entity.get("phone") == ["+34600111222"]
    assert {c.provider.country for c in store.contributions()} == {"fr", "es"}
    assert store.stats().agencies == 2


def test_schema_filter_includes_child_schemata(store: CaseStore) -> None:
    store_one(store)
    assert [e.id for e in store.entities(schema="Person")] == [qualify("fr_case_1", "p-1")]
    assert sorted(e.id for e in store.entities(schema="Document")) == [
        qualify("fr_case_1", "img-1"),
        qualify("fr_case_1", "vid-1"),
    ]
    with pytest.raises(NotFound):
        list(store.entities(schema="Starship"))


def test_agency_country_conflict(store: CaseStore) -> None:
    store_one(store, "fr_case_1")
    with pytest.raises(Conflict, match="country"):
        store_one(store, "fr_case_2", provider={"name": "OCRVP (test)", "country": "DE"})


def test_not_found(store: CaseStore) -> None:
    with pytest.raises(NotFound):
        store.contribution("nope")
    with pytest.raises(NotFound):
        store.entity("nope")


def test_migrations_match_the_table_definitions(store: CaseStore) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_empty_database_asks_for_init(tmp_path: Path) -> None:
    empty = CaseStore(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    with pytest.raises(NotInitialised, match="crosscheck init"):
        empty.require_schema()
    empty.initialise()
    empty.initialise()  # idempotent
    empty.require_schema()


def test_package_statements_equal_stored_statements(store: CaseStore, tmp_path: Path) -> None:
    from tests.helpers import make_package

    reader = PackageReader(make_package(tmp_path / "p.zip", id="fr_case_1"))
    reader.check()
    expected = {
        s.id
        for e in reader.entities()
        for s in qualify_statements(e, "fr_case_1")
        if s.prop != "id"
    }
    store_one(store)
    stored = {s.id for s in store.statements(contribution_id="fr_case_1") if s.prop != "id"}
    assert stored == expected
