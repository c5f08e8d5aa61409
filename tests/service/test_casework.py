"""Import and export through the use cases on both engines; bad input changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import PackageReader, write_package
from crosscheck.exchange.manifest import ENTITIES, MANIFEST
from crosscheck.service import export_contribution, import_package
from crosscheck.service.sample import write_sample_package
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, make_engine
from tests.conftest import snapshot
from tests.helpers import contribution, entities, fingerprints, make_package, rewrite


def fixed_clock() -> datetime:
    return datetime(2025, 1, 15, 10, tzinfo=UTC)


def contents(reader: PackageReader) -> tuple[object, ...]:
    reader.check()
    statements = sorted(s.id for e in reader.entities() for s in e.statements if s.prop != "id")
    entity_ids = sorted({e.id for e in reader.entities()})
    prints = sorted(f.key for f in reader.fingerprints())
    return entity_ids, statements, prints


def test_import_then_export_gives_equal_content(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    original = write_sample_package(tmp_path / "sample.zip")
    done = import_package(store, tmp_path / "sample.zip", settings, fixed_clock)
    assert done.result.created
    cid = original.contribution.id
    manifest = export_contribution(store, cid, tmp_path / "out.zip")
    assert manifest.contribution.id == cid
    assert manifest.contribution.handling == original.contribution.handling
    assert manifest.contribution.evaluation == original.contribution.evaluation
    assert manifest.contribution.review_date == datetime(2028, 1, 15).date()
    assert contents(PackageReader(tmp_path / "out.zip")) == contents(
        PackageReader(tmp_path / "sample.zip")
    )
    # the exported package imports into another store with the very same statements
    other = CaseStore(make_engine(f"sqlite:///{tmp_path / 'other.db'}"))
    other.initialise()
    import_package(other, tmp_path / "out.zip", settings, fixed_clock)
    assert sorted(s.id for s in other.statements()) == sorted(s.id for s in store.statements())
    assert list(other.fingerprints()) == list(store.fingerprints())
    # and back into the first store it is already held: nothing changes
    before = snapshot(store)
    again = import_package(store, tmp_path / "out.zip", settings, fixed_clock)
    assert not again.result.created
    assert snapshot(store) == before


def _manifest_edit(change: dict[str, object]) -> Callable[[str, bytes], bytes]:
    def edit(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        doc = json.loads(data)
        contribution_change = change.pop("contribution", {})
        assert isinstance(contribution_change, dict)
        doc["contribution"].update(contribution_change)
        doc.update(change)
        return json.dumps(doc).encode()

    return edit


def _bad_package(case: str, tmp_path: Path) -> Path:
    good = make_package(tmp_path / "good.zip")
    bad = tmp_path / f"{case}.zip"
    if case == "truncated":
        bad.write_bytes(good.read_bytes()[:300])
    elif case == "junk":
        with bad.open("wb") as handle:  # 1 GB, sparse
            handle.truncate(1 << 30)
    elif case == "digest":
        rewrite(good, bad, lambda name, data: data + b"\n" if name == ENTITIES else data)
    elif case == "version":
        rewrite(good, bad, _manifest_edit({"format_version": 2}))
    elif case == "handling":
        rewrite(good, bad, _manifest_edit({"contribution": {"handling": {"code": "H5"}}}))
    elif case == "evaluation":
        change = {"evaluation": {"source": "Z", "information": "1"}}
        rewrite(good, bad, _manifest_edit({"contribution": change}))
    elif case == "unknown_property":  # digests right, so the schema check is what refuses it
        broken = entities()
        broken[1] = {**broken[1], "properties": {"usrname": ["jsample"]}}
        write_package(bad, contribution(), broken, fingerprints())
    return bad


@pytest.mark.parametrize(
    "case", ["truncated", "digest", "version", "handling", "evaluation", "junk", "unknown_property"]
)
def test_bad_package_leaves_the_store_exactly_as_it_was(
    case: str, store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    import_package(store, make_package(tmp_path / "first.zip", id="be_first"), settings)
    before = snapshot(store)
    path = _bad_package(case, tmp_path)
    with pytest.raises(InvalidPackage) as info:
        import_package(store, path, settings, fixed_clock)
    assert str(path) in str(info.value)
    assert snapshot(store) == before
