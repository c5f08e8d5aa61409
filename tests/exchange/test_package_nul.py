"""A NUL character (U+0000) in a package is refused as bad input, on every engine.

PostgreSQL cannot store it in text, so before this check the hub answered 500
(tester's finding F1, stop 20) while SQLite stored it: now both refuse the
package with the member and line, and store nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import PackageReader, write_package
from crosscheck.model import Fingerprint
from crosscheck.service.casework import import_package
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from tests.helpers import contribution


def nul_package(tmp_path: Path, where: str) -> Path:
    name = "Jo\x00hn" if where == "value" else "John"
    entity_id = "p\x00" if where == "id" else "p"
    path = tmp_path / f"nul-{where}.zip"
    write_package(
        path,
        contribution("es_nul_1"),
        [{"id": entity_id, "schema": "Person", "properties": {"name": [name]}}],
        [Fingerprint(entity_id=entity_id, kind="sha256", value="a" * 64)],
    )
    return path


@pytest.mark.parametrize("where", ["value", "id"])
def test_a_nul_character_is_refused_with_its_line(tmp_path: Path, where: str) -> None:
    with pytest.raises(InvalidPackage) as caught:
        PackageReader(nul_package(tmp_path, where)).check()
    assert "U+0000" in str(caught.value) and "line 1" in str(caught.value)


def test_a_backslash_before_u0000_is_text_not_nul(tmp_path: Path) -> None:
    path = tmp_path / "backslash.zip"
    write_package(
        path,
        contribution("es_nul_2"),
        [{"id": "p", "schema": "Person", "properties": {"name": ["C:\\u0000dir"]}}],
        [],
    )
    PackageReader(path).check()


@pytest.mark.parametrize("where", ["value", "id"])
def test_no_engine_stores_a_nul(
    tmp_path: Path, settings: Settings, store: CaseStore, where: str
) -> None:
    with pytest.raises(InvalidPackage):
        import_package(store, nul_package(tmp_path, where), settings)
    assert store.stats().contributions == 0
