"""Revision 0015 fills the identifier keys and the feed for contributions already held."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.service.casework import import_package
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, make_engine
from crosscheck.store.index_feed import IndexFeed
from crosscheck.store.migrate import current_revision, upgrade
from crosscheck.store.tables import identifier_key
from tests.helpers import contribution


def keys(store: CaseStore) -> list[tuple[str, ...]]:
    columns = identifier_key.c
    query = select(columns.contribution_id, columns.entity_id, columns.kind, columns.key)
    with store.engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(query))


def test_upgrade_to_0015_fills_keys_and_feed_for_what_is_held(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path), "CROSSCHECK_DB_URL": url})
    store = CaseStore(make_engine(url))
    store.initialise()
    for n, agency in enumerate(("BE police", "FR police")):
        path = tmp_path / f"{n}.zip"
        entities = [
            {"id": "p", "schema": "Person", "properties": {"email": ["Lobo.Madrid@gmail.com"]}},
            {
                "id": "a",
                "schema": "UserAccount",
                "properties": {"username": ["@Lobo"], "service": ["tg"]},
            },
        ]
        prints = [Fingerprint(entity_id="p", kind="pdq", value=f"{n}f" * 32, quality=90)]
        item = contribution(f"c_{n}", provider={"name": agency, "country": agency[:2]})
        write_package(path, item, entities, prints)
        import_package(store, path, settings)
    made = keys(store)
    assert {(k, v) for _, _, k, v in made} == {
        ("email", "lobomadrid@gmail.com"),
        ("account", "telegram:lobo"),
    }
    # the store as revision 0014 left it: no keys, no feed
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE identifier_key"))
        conn.execute(text("DROP TABLE index_feed"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0014'"))
    upgrade(store.engine)
    assert current_revision(store.engine) == "0015"
    again = keys(store)
    assert again == made
    feed = IndexFeed(store.engine).since(0)
    assert [(e.contribution_id, e.op) for e in feed] == [("c_0", "add"), ("c_1", "add")]
    assert [r.value for r in IndexFeed(store.engine).rows(["c_1"])] == ["1f" * 32]
    store.engine.dispose()
