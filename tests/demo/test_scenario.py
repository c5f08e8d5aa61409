"""The demo's scenario: another seed, other names and media; the letterboxed copy still matches."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from crosscheck.fingerprints.vpdq import video_hashes
from crosscheck.scenario import media, people

THRESHOLD = 31  # the hub's PDQ distance


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def test_seeds_give_other_people_of_the_same_shape() -> None:
    one, two = people.planted(random.Random(1)), people.planted(random.Random(2))
    assert one != two
    for person in (one, two):
        assert len(set(person.accounts())) == 5 and len(set(person.boards)) == 3
        assert person.title_surname in person.contact_name and person.title_surname != person.last
    tables = people.boards(random.Random(5), one, others=60)
    rows = [row for board in tables.users.values() for row in board]
    assert len(rows) > 60
    mine = [row for row in rows if row["username"] in one.usernames]
    namesakes = [row for row in rows if row["name"] == one.name and row not in mine]
    assert len(mine) == 3 and len(namesakes) == 3  # the same common name, other people
    assert any(row["contact_name"] == one.contact_name for row in tables.contacts)


def _frames(path: Path, trim: bool = True) -> list[str]:
    return [f.pdq for f in video_hashes(path, trim=trim).frames if f.quality >= 50]


def test_vpdq_matches_the_reencoded_and_letterboxed_copies_not_the_near_miss(
    tmp_path: Path,
) -> None:
    rng = random.Random(3)
    clip = replace(media.clip(rng, "Verano 2014\nfamilia Vidal"), seconds=4.0)
    near = media.near_miss(clip, rng, "Verano 2014")
    original = _frames(media.write_video(clip, tmp_path / "o.mp4"))
    copies = {
        "reencoded": media.write_video(clip, tmp_path / "r.mp4", media.REENCODED),
        "letterboxed": media.write_video(clip, tmp_path / "l.mp4", media.LETTERBOXED),
    }
    for name, path in copies.items():
        distances = [_distance(a, b) for a, b in zip(original, _frames(path), strict=False)]
        close = sum(d <= THRESHOLD for d in distances)
        assert close >= 0.75 * len(original), (name, distances)
    # without the trimming of bars the letterboxed copy is another picture
    untrimmed = _frames(copies["letterboxed"], trim=False)
    assert sum(_distance(a, b) <= THRESHOLD for a, b in zip(original, untrimmed, strict=False)) <= 1
    # a video without bars (nor a dark edge) hashes the same with or without trimming
    assert _frames(tmp_path / "o.mp4", trim=False) == original
    moved = _frames(media.write_video(near, tmp_path / "n.mp4"))
    assert all(_distance(a, b) > THRESHOLD for a, b in zip(original[1:], moved[1:], strict=False))
