"""The PDQ index in a folder against the brute-force oracle: after adds, erasures, reopening."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from crosscheck.index.hamming import brute_force
from crosscheck.index.pdq_folder import KINDS, PdqFolder

from .test_mih import flipped


def fid(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


class Model:
    """What the index should answer: every live row, by brute force."""

    def __init__(self) -> None:
        self.rows: list[tuple[np.ndarray, str, int, str, str]] = []  # hash, kind, agency, c, fid
        self.erased: set[str] = set()

    def answer(
        self, queries: np.ndarray, threshold: int, kind: str, agency: int
    ) -> set[tuple[int, str, int]]:
        live = [r for r in self.rows if r[1] == kind and r[2] != agency and r[3] not in self.erased]
        if not live:
            return set()
        bank = np.stack([r[0] for r in live])
        return {(q, live[b][4], d) for q, b, d in brute_force(queries, bank, threshold)}


def got(folder: PdqFolder, queries: np.ndarray, threshold: int, kind: str, agency: int) -> set:
    found, fids = folder.search(queries, threshold, kind, agency)
    return {(q, fids[r], d) for q, r, d in found.triples()}


def fill(folder: PdqFolder, model: Model, rng: np.random.Generator, start: int, count: int) -> None:
    """``count`` contributions of 30-300 rows, by 4 agencies, both kinds, some near copies."""
    for n in range(start, start + count):
        size = int(rng.integers(30, 300))
        hashes = rng.integers(0, 256, size=(size, 32), dtype=np.uint8)
        if model.rows:  # near copies of held rows, at every distance up to 40
            picks = rng.integers(0, len(model.rows), size=min(size, 41))
            held = np.stack([model.rows[p][0] for p in picks])
            for i in range(len(picks)):
                hashes[i] = flipped(rng, held[i : i + 1], i)[0]
        kinds = [KINDS[int(k)] for k in rng.integers(0, 2, size=size)]
        ids = [fid(n * 1000 + i) for i in range(size)]
        agency = n % 4
        folder.add(n + 1, f"c{n}", agency, kinds, ids, hashes)
        folder.advance(n + 1, f"nonce{n}")
        model.rows.extend((hashes[i], kinds[i], agency, f"c{n}", ids[i]) for i in range(size))


def check(folder: PdqFolder, model: Model, rng: np.random.Generator, thresholds: range) -> None:
    picks = rng.integers(0, len(model.rows), size=60)
    base = np.stack([model.rows[p][0] for p in picks])
    queries = np.concatenate(
        [flipped(rng, base[i : i + 1], i % 40) for i in range(len(base))]
        + [rng.integers(0, 256, size=(5, 32), dtype=np.uint8)]
    )
    for threshold in thresholds:
        for kind in KINDS:
            for agency in (0, 3, -1):
                want = model.answer(queries, threshold, kind, agency)
                assert got(folder, queries, threshold, kind, agency) == want, (threshold, kind)


def test_adds_erasures_and_reopening_equal_the_oracle(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    folder, model = PdqFolder(tmp_path / "pdq", pending_rows=512), Model()
    with folder.locked():
        fill(folder, model, rng, 0, 40)
        folder.save()
    assert folder.index.segments >= 2  # tables in use, not only the pending scan
    check(folder, model, rng, range(32))
    for gone in ("c3", "c10", "c11", "c38"):
        folder.erase(gone)
        model.erased.add(gone)
    with folder.locked():
        folder.save()
    check(folder, model, rng, range(0, 32, 3))
    # another process opens the folder: the same answers, from the files
    other = PdqFolder(tmp_path / "pdq", pending_rows=512)
    with other.locked():
        assert other.refresh()
    assert (other.watermark, other.nonce, len(other)) == (40, "nonce39", len(folder))
    check(other, model, rng, range(0, 32, 5))
    # it adds; the first takes that in (and its own copy still answers rightly meanwhile)
    with other.locked():
        fill(other, model, rng, 40, 10)
        other.erase("c41")
        model.erased.add("c41")
        other.save()
    with folder.locked():
        assert folder.refresh()
    assert folder.watermark == 50
    check(folder, model, rng, (0, 8, 16, 31))


def test_compaction_drops_erased_rows_and_keeps_the_answers(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    folder, model = PdqFolder(tmp_path / "pdq", pending_rows=256), Model()
    with folder.locked():
        fill(folder, model, rng, 0, 60)
        folder.save()
    epoch, before = folder.epoch, len(folder)
    for n in range(0, 60, 2):
        folder.erase(f"c{n}")
        model.erased.add(f"c{n}")
    assert folder.compact_due()
    with folder.locked():
        folder.save()
    assert folder.epoch == epoch + 1 and len(folder) < before and folder.erased_rows == 0
    names = {p.name for p in (tmp_path / "pdq").iterdir()}
    old = (f"words-{epoch}.", f"labels-{epoch}.", f"seg-{epoch}-")
    assert not any(n.startswith(old) for n in names)  # the old epoch's files are gone
    assert any(n.startswith(f"seg-{epoch + 1}-") for n in names)
    check(folder, model, rng, (0, 10, 20, 31))
    reopened = PdqFolder(tmp_path / "pdq", pending_rows=256)
    with reopened.locked():
        assert reopened.refresh()
    check(reopened, model, rng, (0, 31))


@pytest.mark.parametrize("damage", ["manifest", "words", "segment"])
def test_a_damaged_folder_is_reported_for_a_rebuild(tmp_path: Path, damage: str) -> None:
    rng = np.random.default_rng(1)
    folder = PdqFolder(tmp_path / "pdq", pending_rows=128)
    with folder.locked():
        fill(folder, Model(), rng, 0, 12)
        folder.save()
    target = {
        "manifest": tmp_path / "pdq" / "manifest.json",
        "words": next((tmp_path / "pdq").glob("words-*.bin")),
        "segment": next((tmp_path / "pdq").glob("seg-*.rows.npy")),
    }[damage]
    if damage == "words":
        target.write_bytes(target.read_bytes()[:100])
    else:
        target.unlink()
    other = PdqFolder(tmp_path / "pdq", pending_rows=128)
    with other.locked():
        assert not other.refresh()
    assert len(other) == 0 and other.watermark == 0  # empty: the caller fills it from the store


def test_in_memory_index_without_a_folder() -> None:
    rng = np.random.default_rng(5)
    folder, model = PdqFolder(None, pending_rows=128), Model()
    with folder.locked():
        fill(folder, model, rng, 0, 15)
        folder.erase("c2")
        model.erased.add("c2")
        folder.save()
        assert folder.refresh()
    check(folder, model, rng, (0, 31))
