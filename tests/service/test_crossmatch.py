"""Bulk cross-matching equals brute force, on DuckDB and on local Spark, for banks and holdings."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from crosscheck.exc import Forbidden, InvalidData, NotFound
from crosscheck.index.chunk_keys import plan_for
from crosscheck.index.hamming import brute_force, to_hex
from crosscheck.model import Agency
from crosscheck.model.banks import BankEntry
from crosscheck.service.casework import import_package
from crosscheck.service.crossmatch import crossmatch, write_tables
from crosscheck.service.crossmatch_engines import run_duckdb, run_spark
from crosscheck.settings import Settings
from crosscheck.store import BankStore, CaseStore, make_engine
from tests.helpers import make_package

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def _near(rng: np.random.Generator, base: np.ndarray, bits: int) -> np.ndarray:
    """``base`` with ``bits`` distinct bits flipped."""
    out = base.copy()
    for bit in rng.choice(256, size=bits, replace=False):
        out[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


def _sets(seed: int, left: int, right: int) -> tuple[np.ndarray, np.ndarray]:
    """Random hashes, with near copies of left ones (0..40 bits away) planted on the right."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, size=(left, 32), dtype=np.uint8)
    b = rng.integers(0, 256, size=(right, 32), dtype=np.uint8)
    for i in range(min(left, right) // 2):
        b[i] = _near(rng, a[(7 * i) % left], int(rng.integers(0, 41)))
    return a, b


def _digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _bank(store: CaseStore, name: str, hashes: np.ndarray, digests: list[str]) -> None:
    entries = [
        BankEntry(ref=f"{name}-{i}", pdq=h, md5=digests[i] if i < len(digests) else None)
        for i, h in enumerate(to_hex(hashes))
    ]
    BankStore(store.engine).import_entries(name, "jsonl", entries, NOW)


def _pairs(out: Path) -> set[tuple[str, str, str, int]]:
    table = pq.read_table(out).to_pylist()
    return {(r["left_id"], r["right_id"], r["signal"], r["distance"]) for r in table}


def _oracle(a: np.ndarray, b: np.ndarray, threshold: int) -> set[tuple[str, str, str, int]]:
    return {(f"L-{i}", f"R-{j}", "pdq", d) for i, j, d in brute_force(a, b, threshold)}


@pytest.mark.parametrize("threshold", [0, 5, 16, 31, 40])
def test_duckdb_equals_brute_force(store: CaseStore, tmp_path: Path, threshold: int) -> None:
    a, b = _sets(threshold, 300, 700)
    _bank(store, "L", a, [_digest(f"x{i}") for i in range(20)])
    _bank(store, "R", b, [_digest(f"x{i}") for i in range(10, 30)])
    out = tmp_path / "m.parquet"
    done = crossmatch(store, "L", "R", threshold, out, workdir=tmp_path)
    expected = _oracle(a, b, threshold) | {
        (f"L-{i}", f"R-{i - 10}", "md5", 0) for i in range(10, 20)
    }
    assert _pairs(out) == expected
    assert done.matches == len(expected)
    assert done.left.pdq == 300 and done.right.pdq == 700
    assert done.by_signal.get("md5") == 10


def test_a_set_against_itself_gives_each_pair_once(store: CaseStore, tmp_path: Path) -> None:
    a, _ = _sets(3, 200, 1)
    a[150] = _near(np.random.default_rng(9), a[20], 4)
    _bank(store, "S", a, [])
    out = tmp_path / "self.parquet"
    crossmatch(store, "S", "S", 10, out, workdir=tmp_path)
    expected = {  # each unordered pair once, ordered by id (as text)
        (*sorted((f"S-{i}", f"S-{j}")), "pdq", d) for i, j, d in brute_force(a, a, 10) if i < j
    }
    assert expected  # the planted pair at least
    assert _pairs(out) == expected


def test_plan_sizes_chunks_for_the_right_side() -> None:
    plan = plan_for(1_000_000, 31)
    assert min(plan.layout.widths) >= 16 and max(plan.layout.widths) <= 24
    assert sum(r + 1 for r in plan.radii) == 32  # the pigeonhole bound for t = 31
    with pytest.raises(InvalidData):
        plan_for(10, 65)


def test_sides_are_checked_before_anything_is_read(store: CaseStore, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        crossmatch(store, "nobody", "nothing", 31, tmp_path / "x.parquet")
    with pytest.raises(InvalidData):
        crossmatch(store, "holding", "holding", 31, tmp_path / "x.parquet", engine="pandas")
    assert not (tmp_path / "x.parquet").exists()


def test_a_viewer_may_not_name_another_agencys_holding(
    store: CaseStore, tmp_path: Path, holding: tuple[str, str]
) -> None:
    mine, theirs = holding
    with pytest.raises(Forbidden):
        crossmatch(store, f"holding:{theirs}", "holding", 31, tmp_path / "x.parquet", viewer=mine)


def test_holdings_match_by_entity(
    store: CaseStore, tmp_path: Path, holding: tuple[str, str]
) -> None:
    """Two agencies' contributions holding one file: the pair by held entity ids, exact and PDQ."""
    be, fr = holding
    out = tmp_path / "h.parquet"
    crossmatch(store, f"holding:{be}", f"holding:{fr}", 31, out, workdir=tmp_path)
    found = _pairs(out)
    assert found == {
        ("be_fccu_1.img-1", "fr_ocrvp_1.img-1", "md5", 0),
        ("be_fccu_1.img-1", "fr_ocrvp_1.img-1", "pdq", 0),
    }
    # as BE sees it: its own holding against everything BE may see is only itself
    crossmatch(store, "holding", f"holding:{be}", 31, out, viewer=be, workdir=tmp_path)
    assert {r[0].split(".")[0] for r in _pairs(out)} <= {"be_fccu_1"}


@pytest.mark.slow
def test_spark_equals_duckdb(tmp_path: Path) -> None:
    """Once, on SQLite: the engine under test is Spark, and a JVM takes a while to start."""
    store = CaseStore(make_engine(f"sqlite:///{tmp_path / 'spark.db'}"))
    store.initialise()
    a, b = _sets(31, 200, 400)
    _bank(store, "L", a, [_digest("same")])
    _bank(store, "R", b, [_digest("same")])
    spark_out, duck_out = tmp_path / "s.parquet", tmp_path / "d.parquet"
    crossmatch(store, "L", "R", 31, spark_out, engine="spark", workdir=tmp_path)
    crossmatch(store, "L", "R", 31, duck_out, workdir=tmp_path)
    expected = _oracle(a, b, 31) | {("L-0", "R-0", "md5", 0)}
    assert _pairs(spark_out) == _pairs(duck_out) == expected
    # in parts, with items of several variants: each pair once, as on DuckDB
    left, left_ids = _variant_rows("L", a, 3)
    right, right_ids = _variant_rows("R", b, 2)
    tables = tmp_path / "parts"
    tables.mkdir()
    write_tables(iter(left), iter(right), tables, 31)
    run_spark(tables, 31, spark_out, same_side=False, part_rows=50)
    assert pq.read_table(spark_out).num_rows == len(_pairs(spark_out))
    assert _pairs(spark_out) == _oracle_by_item(a, b, left_ids, right_ids, 31)


@pytest.fixture
def holding(store: CaseStore, tmp_path: Path) -> tuple[str, str]:
    """BE and FR each hold a contribution with the same image (same MD5 and PDQ)."""
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    for cid, agency, country in (
        ("be_fccu_1", "BE Police", "BE"),
        ("fr_ocrvp_1", "FR Police", "FR"),
    ):
        package = make_package(
            tmp_path / f"{cid}.zip", id=cid, provider=Agency(name=agency, country=country)
        )
        import_package(store, package, settings)
    return "BE Police", "FR Police"


def _variant_rows(
    prefix: str, hashes: np.ndarray, per_item: int
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Rows of items with ``per_item`` PDQ variants each (consecutive hashes), and each row's id."""
    ids = [f"{prefix}-{i // per_item}" for i in range(len(hashes))]
    return [(ids[i], "pdq", h) for i, h in enumerate(to_hex(hashes))], ids


def _oracle_by_item(
    a: np.ndarray, b: np.ndarray, left_ids: list[str], right_ids: list[str], threshold: int
) -> set[tuple[str, str, str, int]]:
    best: dict[tuple[str, str], int] = {}
    for i, j, d in brute_force(a, b, threshold):
        key = (left_ids[i], right_ids[j])
        best[key] = min(d, best.get(key, d))
    return {(left, right, "pdq", d) for (left, right), d in best.items()}


@pytest.mark.parametrize("part_rows", [1, 7, 64, 10**6])
def test_parts_give_the_answer_of_one_join(tmp_path: Path, part_rows: int) -> None:
    """The left side joined in parts: each pair of items once, with its smallest distance.

    Items have three PDQ variants each, so a part boundary by row would split an item and
    give its pairs twice; parts are by item, so it never does.
    """
    a, b = _sets(5, 120, 300)
    b[200:240] = a[0:40]  # an item's variants on the right too: several rows of one pair
    left, left_ids = _variant_rows("L", a, 3)
    right, right_ids = _variant_rows("R", b, 2)
    write_tables(iter(left), iter(right), tmp_path, 31)
    out = tmp_path / "m.parquet"
    found = run_duckdb(tmp_path, 31, out, same_side=False, part_rows=part_rows)
    rows = pq.read_table(out).to_pylist()
    assert found == len(rows)
    assert len({(r["left_id"], r["right_id"]) for r in rows}) == len(rows)  # no pair twice
    expected = _oracle_by_item(a, b, left_ids, right_ids, 31)
    assert len(expected) >= 40
    assert _pairs(out) == expected


def test_part_size_is_checked(store: CaseStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidData):
        crossmatch(store, "holding", "holding", 31, tmp_path / "x.parquet", part_rows=0)


@pytest.mark.parametrize("memory", ["banana", "4GB'; DROP TABLE x; --", "-1GB", ""])
def test_a_memory_limit_that_is_no_size_is_refused(
    store: CaseStore, tmp_path: Path, memory: str
) -> None:
    with pytest.raises(InvalidData, match="memory"):
        crossmatch(store, "holding", "holding", 31, tmp_path / "x.parquet", memory=memory)
    assert not (tmp_path / "x.parquet").exists()
