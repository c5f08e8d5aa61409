"""The import's bulk write (`store/bulk_rows.py`): the rows the models give, repeats once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crosscheck.exc import BackendError
from crosscheck.model import Fingerprint, FingerprintKind, parse_entity
from crosscheck.model.keys import qualify_fingerprint
from crosscheck.model.statements import StatementEntity
from crosscheck.store import CaseStore
from crosscheck.store.bulk_rows import FINGERPRINT_COLUMNS, fingerprint_rows, insert_new
from crosscheck.store.case_store import fingerprint_id
from crosscheck.store.tables import fingerprint, statement
from tests.helpers import contribution, entities, fingerprints

RECEIVED = datetime(2024, 5, 1, 8, tzinfo=UTC)
TRIMMED = Fingerprint(
    entity_id="img-1", kind=FingerprintKind.PDQ, value="ef" * 32, quality=70, variant="trimmed"
)


def parsed(cid: str, data: list[dict[str, object]]) -> Iterator[StatementEntity]:
    for item in data:
        yield parse_entity(item, contribution_id=cid, first_seen="2019-02-01T12:00:00+00:00")


def test_a_rows_id_is_the_one_the_model_copy_gave() -> None:
    for fp in [*fingerprints(), TRIMMED]:
        [row] = fingerprint_rows("fr_case_1", [fp])
        held = qualify_fingerprint(fp, "fr_case_1")
        assert row[0] == fingerprint_id("fr_case_1", held)
        assert dict(zip(FINGERPRINT_COLUMNS, row, strict=True)) == {
            "id": row[0],
            "contribution_id": "fr_case_1",
            "entity_id": held.entity_id,
            "kind": held.kind.value,
            "value": held.value,
            "quality": held.quality,
            "frame": held.frame,
            "ts": held.ts,
            "variant": held.variant,
        }


def test_records_repeated_in_a_package_are_stored_once(store: CaseStore) -> None:
    prints = [*fingerprints(), TRIMMED]
    result = store.import_contribution(
        contribution("fr_case_1").received(RECEIVED),
        format_version=1,
        members_digest="d" * 64,
        entities=parsed("fr_case_1", [*entities(), *entities()]),  # every statement twice
        fingerprints=[*prints, *prints],
    )
    once = store.import_contribution(
        contribution("fr_case_2").received(RECEIVED),
        format_version=1,
        members_digest="e" * 64,
        entities=parsed("fr_case_2", entities()),
        fingerprints=prints,
    )
    assert result.created and result.fingerprints == len(prints) == once.fingerprints
    assert result.statements == once.statements
    held = {fp.key: fp for fp in store.fingerprints(contribution_id="fr_case_1")}
    assert sorted(held.values(), key=lambda f: f.key) == sorted(
        (qualify_fingerprint(fp, "fr_case_1") for fp in prints), key=lambda f: f.key
    )
    with store.engine.connect() as conn:
        ids = set(conn.execute(select(fingerprint.c.id)).scalars())
        for cid in ("fr_case_1", "fr_case_2"):
            count = select(func.count()).where(statement.c.contribution_id == cid)
            assert conn.execute(count).scalar_one() == once.statements
    assert ids == {
        fingerprint_id(cid, qualify_fingerprint(fp, cid))
        for cid in ("fr_case_1", "fr_case_2")
        for fp in prints
    }


def test_one_session_imports_one_after_another(store: CaseStore) -> None:
    """One session's imports, one after another: each writes its own rows only."""
    for n in range(3):
        cid = f"fr_case_{n}"
        result = store.import_contribution(
            contribution(cid).received(RECEIVED),
            format_version=1,
            members_digest=f"{n}" * 64,
            entities=parsed(cid, entities()),
            fingerprints=fingerprints(),
        )
        assert result.created and result.fingerprints == len(fingerprints())
    assert store.stats().fingerprints == 3 * len(fingerprints())


def test_a_refused_row_is_a_backend_error_and_stores_nothing(store: CaseStore) -> None:
    [orphan] = fingerprint_rows("no_such_contribution", fingerprints()[:1])  # no contribution row
    with pytest.raises(BackendError), store.engine.begin() as conn:
        insert_new(conn, fingerprint, FINGERPRINT_COLUMNS, [orphan])
    assert store.stats().fingerprints == 0
