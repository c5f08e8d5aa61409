"""Resolution over what is held, on both engines: incremental, stable, judged, scoped, erased."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck.exc import InvalidData, NotFound
from crosscheck.model.keys import qualify
from crosscheck.service.resolution import ResolveOptions, judge, read_records, resolve_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.resolution_store import ResolutionStore
from tests.graph.test_link_graph import e, put

# held entity ids: each qualified by the contribution that holds it
P_ES, ACC_ES, P_OTHER = (qualify("es_1", e) for e in ("p-es", "acc-es", "p-other"))
ACC_AU = qualify("au_1", "acc-au")


def people_es() -> list[dict[str, object]]:
    return [
        e("p-es", "Person", name="Juan García Pérez", birthDate="1984-03-02", country="es",
          email="juan.garcia84@gmail.example"),
        e("acc-es", "UserAccount", username="darkraven84", service="boardA", owner="p-es"),
        e("p-other", "Person", name="Lucía Ruiz", birthDate="1990-07-07", country="es"),
    ]  # fmt: skip


def people_au() -> list[dict[str, object]]:
    return [
        e("acc-au", "UserAccount", username="d4rkraven84", service="social",
          email="juan.garcia84@gmail.example"),
    ]  # fmt: skip


def clusters_of(result: object) -> dict[str, str]:
    return {row["id"]: row["cluster"] for row in result.rows}  # type: ignore[attr-defined]


def test_incremental_runs_keep_ids_and_new_records_join(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    put(store, settings, tmp_path, "es_1", "ES police", "ES", people_es())
    first = resolve_store(store, ResolveOptions())
    ids = clusters_of(first)
    assert ids[P_ES] == ids[ACC_ES]  # the account's owner, said by the data
    assert ids[P_OTHER] != ids[P_ES]
    again = resolve_store(store, ResolveOptions())
    assert clusters_of(again) == ids and again.new_records == 0 and again.scored_pairs == 0
    put(store, settings, tmp_path, "au_1", "AU police", "AU", people_au())
    grown = resolve_store(store, ResolveOptions())
    assert grown.new_records == 1
    now = clusters_of(grown)
    assert now[ACC_AU] == now[P_ES] == ids[P_ES]
    row = next(r for r in grown.rows if r["id"] == ACC_AU)
    assert row["explanation"]["linked"] and row["match_probability"] >= 0.99
    assert row["schema"] == "UserAccount"


def test_judgements_are_respected_by_later_runs(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    put(store, settings, tmp_path, "es_1", "ES police", "ES", people_es())
    put(store, settings, tmp_path, "au_1", "AU police", "AU", people_au())
    ids = clusters_of(resolve_store(store, ResolveOptions()))
    judge(store, ACC_AU, None, "reject", "analyst 1", "another man", cluster_id=ids[ACC_AU])
    split = clusters_of(resolve_store(store, ResolveOptions()))
    assert split[ACC_AU] != split[P_ES] and split[P_ES] == ids[P_ES]
    judge(store, P_OTHER, P_ES, "confirm", "analyst 2")
    merged = clusters_of(resolve_store(store, ResolveOptions()))
    assert merged[P_OTHER] == merged[P_ES] and merged[ACC_AU] != merged[P_ES]
    made = ResolutionStore(store.engine).judgements()
    assert [j.by for j in made][-1] == "analyst 2" and made[0].cluster == ids[ACC_AU]
    with pytest.raises(InvalidData):
        judge(store, "a", "a", "confirm", "x")
    with pytest.raises(InvalidData):
        judge(store, "a", "b", "maybe", "x")
    with pytest.raises(NotFound):
        judge(store, "a", None, "reject", "x", cluster_id="cl-none")


def test_a_viewer_resolves_only_what_it_may_see(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    put(store, settings, tmp_path, "es_1", "ES police", "ES", people_es())
    put(store, settings, tmp_path, "au_1", "AU police", "AU", people_au())
    spain = resolve_store(store, ResolveOptions(), viewer="ES police")
    assert {r["id"] for r in spain.rows} == {P_ES, ACC_ES, P_OTHER}
    assert ACC_AU not in str(spain.rows)
    assert set(ResolutionStore(store.engine).records("ES police")) == {P_ES, ACC_ES, P_OTHER}
    assert ResolutionStore(store.engine).records("") == {}


def test_erasure_removes_resolution_everywhere(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    put(store, settings, tmp_path, "es_1", "ES police", "ES", people_es())
    put(store, settings, tmp_path, "au_1", "AU police", "AU", people_au())
    resolve_store(store, ResolveOptions())
    resolve_store(store, ResolveOptions(), viewer="AU police")
    judge(store, ACC_AU, P_ES, "confirm", "analyst 1")
    assert store.erase("au_1")["resolution"] == 2  # the record in both scopes
    resolutions = ResolutionStore(store.engine)
    assert ACC_AU not in resolutions.records("") and resolutions.records("AU police") == {}
    assert not [link for link in resolutions.links("") if ACC_AU in (link.left, link.right)]
    assert not [j for j in resolutions.judgements() if ACC_AU in (j.left, j.right)]
    after = resolve_store(store, ResolveOptions())
    assert ACC_AU not in {r["id"] for r in after.rows}


def test_reading_tables(tmp_path: Path) -> None:
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("id,name,email\n1,Ana,a@x.example\n2,Bea,b@x.example\n", encoding="utf-8")
    assert [r["name"] for r in read_records(csv_file)] == ["Ana", "Bea"]
    jsonl = tmp_path / "users.jsonl"
    jsonl.write_text('{"id": "1", "name": "Ana"}\n\n{"id": "2"}\n', encoding="utf-8")
    assert len(read_records(jsonl)) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n1,Ana,extra\n", encoding="utf-8")
    with pytest.raises(InvalidData, match="line 2"):
        read_records(bad)
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"id,name\n1,\xff\xfe\n")
    with pytest.raises(InvalidData, match="not UTF-8"):
        read_records(binary)
    with pytest.raises(InvalidData, match="no such file"):
        read_records(tmp_path / "missing.csv")


def test_other_parameters_score_everything_again(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    from crosscheck.resolve import params as params_io

    put(store, settings, tmp_path, "es_1", "ES police", "ES", people_es())
    put(store, settings, tmp_path, "au_1", "AU police", "AU", people_au())
    first = resolve_store(store, ResolveOptions())
    shipped = params_io.load()
    changed = params_io.Params(
        shipped.probability_two_random_records_match / 10, shipped.comparisons, "test"
    )
    path = tmp_path / "other.json"
    changed.save(path)
    again = resolve_store(store, ResolveOptions(params_path=path))
    assert again.new_records == len(first.rows)  # every record scored again
    assert resolve_store(store, ResolveOptions(params_path=path)).new_records == 0
