"""The import's bulk path (``store/bulk_rows.py``), on both engines.

A new contribution's statements and fingerprints go in by COPY (PostgreSQL) or
one executemany of tuples (SQLite): the rows must be the ones the row-by-row
insert wrote (ids, qualified entity ids, repeats written once), whether the
fingerprints come as models or as plain rows; the PDQ index, exact hashes and
identifier keys must see them; erasure must remove them all.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, Table, func, select, text

from crosscheck.exc import InvalidData
from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.model.keys import qualify, qualify_fingerprint, qualify_statements
from crosscheck.model.statements import parse_entity
from crosscheck.service import hub, pdq_holding
from crosscheck.service.casework import import_package, open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, bulk_rows
from crosscheck.store.bulk_rows import FingerprintRow, check_row
from crosscheck.store.case_store import _statement_row, fingerprint_id
from crosscheck.store.hub_store import HubStore
from crosscheck.store.tables import fingerprint, identifier_key, index_feed, statement
from tests.helpers import contribution

_rng = random.Random(5)
HASHES = [f"{_rng.getrandbits(256):064x}" for _ in range(6)]
SHA = [f"{_rng.getrandbits(256):064x}" for _ in range(3)]


def prints() -> list[Fingerprint]:
    """Every form a fingerprint takes, and a repeat."""
    out = [Fingerprint(entity_id=f"img{i}", kind="pdq", value=h, quality=90)
           for i, h in enumerate(HASHES[:3])]  # fmt: skip
    out.append(Fingerprint(entity_id="img0", kind="pdq", value=HASHES[3], variant="flip-h"))
    out.append(Fingerprint(entity_id="img1", kind="sha256", value=SHA[0]))
    out.append(Fingerprint(entity_id="img1", kind="md5", value="ab" * 16))
    out.extend(
        Fingerprint(entity_id="v", kind="vpdq-frame", value=h, quality=80, frame=n, ts=n * 0.5)
        for n, h in enumerate(HASHES[4:])
    )
    out.append(out[0])  # the same fingerprint twice: one row
    return out


def entity_dicts() -> list[dict[str, Any]]:
    return [
        {"id": "img0", "schema": "Image", "properties": {"fileName": ["0.jpg"]}},
        {"id": "p", "schema": "Person", "properties": {"email": ["Lobo.Madrid@gmail.com"]}},
        {"id": "p", "schema": "Person", "properties": {"name": ["Lobo"]}},  # a second fragment
        {"id": "a", "schema": "UserAccount",
         "properties": {"username": ["lobo"], "service": ["telegram"], "owner": ["p"]}},
    ]  # fmt: skip


def rows_of(store: CaseStore, table: Any, cid: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        found = conn.execute(select(table).where(table.c.contribution_id == cid))
        return sorted(tuple(r) for r in found)


def row_by_row(cid: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The statement and fingerprint rows as the row-by-row insert wrote them."""
    statements: dict[str, tuple[Any, ...]] = {}
    for data in entity_dicts():
        for stmt in qualify_statements(parse_entity(data, contribution_id=cid), cid):
            statements.setdefault(stmt.id, _statement_row(stmt))
    held: dict[str, tuple[Any, ...]] = {}
    for fp in (qualify_fingerprint(fp, cid) for fp in prints()):
        row = (fingerprint_id(cid, fp), cid, fp.entity_id, fp.kind.value, fp.value,
               fp.quality, fp.frame, fp.ts, fp.variant)  # fmt: skip
        held.setdefault(row[0], row)
    return sorted(statements.values()), sorted(held.values())


def load(store: CaseStore, cid: str, form: str) -> None:
    items = prints()
    store.import_contribution(
        contribution(cid).received(contribution(cid).created_at),
        format_version=1,
        members_digest="0" * 64,
        entities=[parse_entity(d, contribution_id=cid) for d in entity_dicts()],
        fingerprints=items if form == "models" else [FingerprintRow.of(fp) for fp in items],
    )


@pytest.mark.parametrize("form", ["models", "rows"])
def test_bulk_rows_are_the_row_by_row_rows(store: CaseStore, form: str) -> None:
    load(store, "c_1", form)
    statements, fingerprints = row_by_row("c_1")
    assert len(fingerprints) == len(prints()) - 1
    assert rows_of(store, fingerprint, "c_1") == fingerprints
    assert rows_of(store, statement, "c_1") == statements
    keys = {(r[3], r[4]) for r in rows_of(store, identifier_key, "c_1")}
    assert keys == {("email", "lobomadrid@gmail.com"), ("account", "telegram:lobo")}
    assert store.contribution_counts()["c_1"] == (3, len(fingerprints))
    # the same package again adds nothing: still held as it was (the row-by-row path compares)
    load(store, "c_1", form)
    assert rows_of(store, fingerprint, "c_1") == fingerprints


@pytest.mark.parametrize(
    "fields",
    [
        {"entity_id": "i", "kind": "pdq", "value": "ab" * 32, "quality": 90},
        {"entity_id": "i", "kind": "pdq", "value": "AB" * 32},
        {"entity_id": "i", "kind": "pdq", "value": "ab" * 31},
        {"entity_id": "i", "kind": "pdq", "value": "zz" * 32},
        {"entity_id": "i", "kind": "pdq", "value": "ab" * 32, "quality": 101},
        {"entity_id": "i", "kind": "sha256", "value": "ab" * 32, "quality": 90},
        {"entity_id": "i", "kind": "sha256", "value": "ab" * 32, "variant": "flip-h"},
        {"entity_id": "i", "kind": "md5", "value": "ab" * 16, "frame": 1, "ts": 0.0},
        {"entity_id": "i", "kind": "vpdq-frame", "value": "ab" * 32, "frame": 1},
        {"entity_id": "i", "kind": "vpdq-frame", "value": "ab" * 32, "frame": 1, "ts": 0.5},
        {"entity_id": "i", "kind": "vpdq-frame", "value": "ab" * 32, "frame": -1, "ts": 0.5},
        {"entity_id": "", "kind": "sha1", "value": "ab" * 20},
        {"entity_id": "i", "kind": "sha512", "value": "ab" * 64},
    ],
)
def test_a_plain_row_is_checked_as_the_model_checks_it(fields: dict[str, Any]) -> None:
    # an upper-case value the model lowers: a plain row must come lower-cased already
    model_ok = fields["value"].islower() or fields["value"].isdigit()
    try:
        Fingerprint(**fields)
    except ValidationError:
        model_ok = False
    try:
        check_row(FingerprintRow(**fields))
        row_ok = True
    except InvalidData:
        row_ok = False
    assert row_ok == model_ok


def test_a_bad_row_stores_nothing(store: CaseStore) -> None:
    bad = [FingerprintRow("i", "pdq", "ab" * 32), FingerprintRow("j", "pdq", "xyz")]
    with pytest.raises(InvalidData, match="pdq value"):
        store.import_contribution(
            contribution("c_bad").received(contribution("c_bad").created_at),
            format_version=1,
            members_digest="0" * 64,
            entities=[],
            fingerprints=bad,
        )
    assert store.contribution_counts() == {}
    assert rows_of(store, fingerprint, "c_bad") == []


def flip(value: str, bits: int) -> str:
    number = int(value, 16)
    for bit in random.Random(bits).sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


@pytest.mark.parametrize("form", ["package", "rows"])
def test_a_bulk_loaded_holding_is_found_and_erased(
    settings: Settings, tmp_path: Path, form: str
) -> None:
    pdq_holding._open.clear()  # as a new process would
    store = open_store(settings)
    try:
        for name, country in (("BE police", "BE"), ("FR police", "FR")):
            hub.add_agency(store, name, country, settings.home / "keys" / f"{country}.key")
        held = contribution("be_1", provider={"name": "BE police", "country": "BE"})
        entities = [{"id": "p", "schema": "Person", "properties": {"email": ["x.y@mail.example"]}}]
        entities += [{"id": f"img{i}", "schema": "Image", "properties": {"fileName": [f"{i}.jpg"]}}
                     for i in range(len(HASHES))]  # fmt: skip
        items = [Fingerprint(entity_id=f"img{i}", kind="pdq", value=h, quality=90)
                 for i, h in enumerate(HASHES)]  # fmt: skip
        items += [Fingerprint(entity_id=f"img{i}", kind="sha256", value=h)
                  for i, h in enumerate(SHA)]  # fmt: skip
        if form == "package":
            write_package(tmp_path / "be.zip", held, entities, items)
            import_package(store, tmp_path / "be.zip", settings)
        else:
            store.import_contribution(
                held.received(held.created_at),
                format_version=1,
                members_digest="0" * 64,
                entities=[parse_entity(e, contribution_id="be_1") for e in entities],
                fingerprints=(FingerprintRow.of(fp) for fp in items),
            )
        probe = contribution("fr_1", provider={"name": "FR police", "country": "FR"})
        write_package(
            tmp_path / "fr.zip",
            probe,
            [
                {"id": "q", "schema": "Person", "properties": {"email": ["X.Y@mail.example"]}},
                {"id": "a", "schema": "Image", "properties": {"fileName": ["a.jpg"]}},
                {"id": "b", "schema": "Image", "properties": {"fileName": ["b.jpg"]}},
            ],
            [
                Fingerprint(entity_id="a", kind="pdq", value=flip(HASHES[2], 9), quality=90),
                Fingerprint(entity_id="b", kind="sha256", value=SHA[1]),
            ],
        )
        import_package(store, tmp_path / "fr.zip", settings)
        assert hub.cross_check(store, "fr_1") == 3
        found = {(h.signal, h.entity_id, h.other_entity_id, h.distance)
                 for h in HubStore(store.engine).hits()}  # fmt: skip
        assert found == {
            ("pdq", qualify("fr_1", "a"), qualify("be_1", "img2"), 9),
            ("sha256", qualify("fr_1", "b"), qualify("be_1", "img1"), 0),
            ("email", qualify("fr_1", "q"), qualify("be_1", "p"), 0),
        }

        store.erase("be_1")
        assert HubStore(store.engine).hits() == []
        assert hub.cross_check(store, "fr_1") == 0
        assert pdq_holding.holding(store).erased_rows == len(HASHES)
        with store.engine.connect() as conn:
            for table in (fingerprint, statement, identifier_key):
                left = select(func.count()).where(table.c.contribution_id == "be_1")
                assert conn.execute(left).scalar_one() == 0, table.name
            ops = conn.execute(select(index_feed.c.op).order_by(index_feed.c.id)).scalars()
            assert list(ops) == ["add", "add", "erase"]
    finally:
        store.engine.dispose()


def test_a_big_contribution_refreshes_the_planner_statistics(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stale statistics after a bulk load make PostgreSQL scan the whole holding's
    (kind, value) index for one contribution's rows: a big import refreshes them."""
    calls: list[list[str]] = []
    refresh = bulk_rows.refresh_statistics

    def counted(engine: Engine, tables: Sequence[Table]) -> None:
        calls.append([t.name for t in tables])
        refresh(engine, tables)

    monkeypatch.setattr(bulk_rows, "refresh_statistics", counted)
    monkeypatch.setattr(bulk_rows, "ANALYZE_ROWS", 100)
    load(store, "c_small", "rows")
    assert calls == []
    monkeypatch.setattr(bulk_rows, "ANALYZE_ROWS", len(prints()) - 1)
    load(store, "c_big", "rows")
    assert calls == [["fingerprint", "statement"]]
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            held = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = 'fingerprint'")
            ).scalar_one()
        assert held == 2 * (len(prints()) - 1)  # both contributions' rows, counted
