"""Triage against banks, on both engines, with the matches the shared vectors call for."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from crosscheck.fingerprints.hasher import HashOptions
from crosscheck.model.banks import BankEntry, BankFrame
from crosscheck.service.seizure import fingerprint_paths
from crosscheck.service.triage import BankMatcher, MatchOptions
from crosscheck.store import BankStore, CaseStore
from tests.media import shared_media

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def bank_from(
    store: CaseStore, paths: list[Path], options: HashOptions, name: str = "b"
) -> BankStore:
    entries = [
        BankEntry(
            ref=Path(r.path).name,
            md5=r.md5,
            sha1=r.sha1,
            pdq=r.pdq,
            category="1",
            frames=tuple(BankFrame(f.frame, f.ts, f.pdq, f.quality) for f in r.vpdq or ()),
        )
        for r in fingerprint_paths(paths, options, workers=1)
    ]
    banks = BankStore(store.engine)
    banks.import_entries(name, "jsonl", entries, NOW)
    return banks


def matches(
    banks: BankStore, paths: list[Path], options: HashOptions, **kw: object
) -> dict[str, set[tuple[str, str]]]:
    matcher = BankMatcher(banks, banks.bank("b"), MatchOptions(**kw))  # type: ignore[arg-type]
    found: dict[str, set[tuple[str, str]]] = {}
    for row in matcher.match(fingerprint_paths(paths, options, workers=1)):
        found.setdefault(Path(row.item).name, set()).add((row.bank_item, row.signal))
    return found


def test_chair_clips_match_as_videos_and_the_padded_clip_does_not(store: CaseStore) -> None:
    videos = shared_media() / "tmk" / "sample-videos"
    options = HashOptions(video_interval=1.0)
    banks = bank_from(store, [videos / "chair-orig-22-sd-bar.mp4"], options)
    queries = [
        videos / f"{name}.mp4"
        for name in (
            "chair-20-sd-bar",
            "chair-22-sd-grey-bar",
            "chair-22-sd-sepia-bar",
            "chair-22-with-small-logo-bar",
            "chair-22-with-large-logo-bar",
            "test-padded-dimensions",
        )
    ]
    found = matches(banks, queries, options)
    for name in (
        "chair-20-sd-bar.mp4",
        "chair-22-sd-grey-bar.mp4",
        "chair-22-sd-sepia-bar.mp4",
        "chair-22-with-small-logo-bar.mp4",
    ):
        assert ("chair-orig-22-sd-bar.mp4", "vpdq") in found.get(name, set()), name
    assert "test-padded-dimensions.mp4" not in found
    assert "chair-22-with-large-logo-bar.mp4" not in found  # 7-9% of frames: not the same video


def test_bridge_variants_match_the_bridge_and_no_chair_frame(store: CaseStore) -> None:
    media = shared_media()
    bridge = media / "pdq" / "data" / "bridge-mods"
    options = HashOptions(video_interval=1.0)
    banks = bank_from(
        store,
        [bridge / "aaa-orig.jpg", media / "tmk" / "sample-videos" / "chair-20-sd-bar.mp4"],
        options,
    )
    variants = sorted(p for p in bridge.iterdir() if p.name != "aaa-orig.jpg")
    found = matches(banks, variants, options)
    for path in variants:
        assert found.get(path.name) == {("aaa-orig.jpg", "pdq")}, path.name
    # no chair frame is near the bridge, the other way round too
    chair_frames = BankMatcher(banks, banks.bank("b"), MatchOptions()).frame_index
    bridge_hashes = [r.pdq for r in fingerprint_paths(variants, options, workers=1)]
    from crosscheck.index.hamming import from_hex

    assert len(chair_frames.search(from_hex(h for h in bridge_hashes if h), 31)) == 0


def test_dihedral_copies_match_each_other_only_with_dihedral(store: CaseStore) -> None:
    dih = sorted((shared_media() / "pdq" / "data" / "reg-test-input" / "dih").iterdir())
    assert len(dih) == 8
    banks = bank_from(store, dih, HashOptions())
    with_moves = matches(banks, dih, HashOptions(dihedral=True))
    for path in dih:
        assert {item for item, _ in with_moves[path.name]} == {p.name for p in dih}, path.name
    plain = matches(banks, dih, HashOptions())
    assert all(len({item for item, s in v if s == "pdq"}) < 8 for v in plain.values())


def test_letterboxed_copy_matches_through_its_trimmed_hash(store: CaseStore) -> None:
    resources = (
        shared_media()
        / "python-threatexchange"
        / "threatexchange"
        / "tests"
        / "hashing"
        / "resources"
    )
    banks = bank_from(store, [resources / "sample-b.jpg"], HashOptions())
    matcher = BankMatcher(banks, banks.bank("b"), MatchOptions())
    rows = list(
        matcher.match(fingerprint_paths([resources / "letterboxed_sample-b.jpg"], workers=1))
    )
    assert [(r.signal, r.variant) for r in rows] == [("pdq", "trimmed")]
    assert rows[0].distance <= 16


def test_exact_matches_report_the_bank_category(store: CaseStore, tmp_path: Path) -> None:
    media = shared_media() / "pdq" / "data" / "misc-images"
    banks = bank_from(store, [media / "wee.jpg"], HashOptions())
    matcher = BankMatcher(banks, banks.bank("b"), MatchOptions(threshold=0))
    rows = list(matcher.match(fingerprint_paths([media / "wee.jpg"], workers=1)))
    assert {r.signal for r in rows} == {"md5", "sha1", "pdq"}
    assert {r.category for r in rows} == {"1"}


@pytest.mark.parametrize("threshold", [0, 31, 256])
def test_threshold_edges(store: CaseStore, threshold: int) -> None:
    bridge = shared_media() / "pdq" / "data" / "bridge-mods"
    banks = bank_from(store, [bridge / "aaa-orig.jpg"], HashOptions())
    found = matches(
        banks,
        [bridge / "blur-a-lot.jpg", bridge / "aaa-orig.jpg"],
        HashOptions(),
        threshold=threshold,
    )
    assert ("aaa-orig.jpg", "pdq") in found["aaa-orig.jpg"]
    assert (("aaa-orig.jpg", "pdq") in found.get("blur-a-lot.jpg", set())) == (threshold > 0)


def test_index_cache_is_used_and_renewed_by_a_new_import(store: CaseStore, tmp_path: Path) -> None:
    from crosscheck.service.triage import load_pdq_hashes

    banks = BankStore(store.engine)
    banks.import_entries("c", "pdq-text", [BankEntry(ref="a", pdq="a" * 64)], NOW)
    cache = tmp_path / "index"
    hashes, _ = load_pdq_hashes(banks, banks.bank("c"), cache)
    assert len(list(cache.glob("*.npy"))) == 2 and len(hashes) == 1
    again, _ = load_pdq_hashes(banks, banks.bank("c"), cache)
    assert isinstance(again, np.memmap)  # read back from the cache
    banks.import_entries("c", "pdq-text", [BankEntry(ref="b", pdq="b" * 64)], NOW)
    renewed, renewed_ids = load_pdq_hashes(banks, banks.bank("c"), cache)
    assert len(renewed) == 2 and len(renewed_ids) == 2
    assert len(list(cache.glob("*.npy"))) == 2  # the stale cache was removed
