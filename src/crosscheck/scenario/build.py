"""A whole scenario on disk, one folder per agency, from a seed.

- AU holds the original video (reported with the message posted with it), the
  seized user tables of three boards and a social network's export;
- BE's seizure of 2015 holds a copy re-encoded at a lower resolution and bit rate;
- FR's seizure holds a letterboxed copy with a small logo in a corner;
- every seizure also holds unrelated pictures and videos, among them near misses
  (the same shapes moving otherwise).

Another seed gives other names, other media, the same shape.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from crosscheck.scenario import media, people, texts

AGENCIES = {
    "AU": "AFP ACCCE (demo)",
    "BE": "FCCU (demo)",
    "FR": "OFMIN (demo)",
    "ES": "Policía Nacional UCCIB (demo)",
}
POST_COLUMNS = (
    "platform",
    "post_id",
    "username",
    "email",
    "posted_at",
    "text",
    "file_name",
    "file_sha1",
    "title_card",
    "title_surname",
)


@dataclass(frozen=True)
class Scenario:
    """What was planted, so that the demo can say it and a test can check it."""

    seed: int
    root: Path
    person: people.Planted
    title: str
    message: str
    video: str  # AU's file name of the original
    video_sha1: str
    be_copy: str
    fr_copy: str
    near_misses: dict[str, list[str]]  # agency -> file names of near misses
    distractor_texts: list[tuple[str, str]]

    def seizure(self, agency: str) -> Path:
        return self.root / agency / "seizure"

    def tables(self, agency: str) -> Path:
        return self.root / agency / "tables"


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _stills(rng: random.Random, folder: Path, count: int) -> None:
    for number in range(count):
        media.picture(rng).save(folder / f"IMG_{rng.randint(1000, 9999)}_{number}.jpg", quality=88)


def write(root: Path, seed: int) -> Scenario:
    """Write the scenario of ``seed`` under ``root`` and say what it holds."""
    rng = random.Random(seed)  # noqa: S311 - generated demo data, not secrets
    person = people.planted(rng)
    year = rng.randint(2012, 2014)
    title = f"Verano {year}\nfamilia {person.title_surname}"
    original = media.clip(rng, title)
    folders = {code: root / code / "seizure" for code in ("AU", "BE", "FR")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    (root / "ES").mkdir(parents=True, exist_ok=True)

    video = f"upload_{rng.randint(100000, 999999)}.mp4"
    media.write_video(original, folders["AU"] / video)
    be_copy = f"{2015}_{rng.randint(100, 999)}_verano.mp4"
    media.write_video(original, folders["BE"] / be_copy, media.REENCODED)
    fr_copy = f"archive_{rng.randint(10, 99)}.mp4"
    media.write_video(original, folders["FR"] / fr_copy, media.LETTERBOXED)
    near: dict[str, list[str]] = {}
    for code, folder in folders.items():
        near[code] = []
        for number in range(2 if code == "AU" else 1):
            name = f"near_{code.lower()}_{number}.mp4"
            media.write_video(media.near_miss(original, rng, f"Verano {year}"), folder / name)
            near[code].append(name)
        for number in range(1):  # an unrelated video
            other = media.clip(rng, f"Excursión {rng.randint(2010, 2020)}")
            media.write_video(other, folder / f"other_{code.lower()}_{number}.mp4")
        _stills(rng, folder, 4)

    sha1 = hashlib.sha1((folders["AU"] / video).read_bytes()).hexdigest()
    message = texts.message_es_es(rng)
    distractor_texts = texts.distractors(rng)
    posts = root / "AU" / "tables" / "reported-posts.csv"
    _write_posts(posts, rng, person, message, distractor_texts, video, sha1, title)
    board_tables = people.boards(rng, person)
    for number, rows in enumerate(board_tables.users.values()):
        _write_csv(root / "AU" / "tables" / f"board{number + 1}-users.csv", people.COLUMNS, rows)
    _write_csv(
        root / "AU" / "tables" / "social-users.csv", people.COLUMNS, board_tables.social_users
    )
    _write_csv(
        root / "AU" / "tables" / "social-contacts.csv",
        people.CONTACT_COLUMNS,
        board_tables.contacts,
    )
    return Scenario(
        seed=seed,
        root=root,
        person=person,
        title=title,
        message=message,
        video=video,
        video_sha1=sha1,
        be_copy=be_copy,
        fr_copy=fr_copy,
        near_misses=near,
        distractor_texts=distractor_texts,
    )


def _write_posts(
    path: Path,
    rng: random.Random,
    person: people.Planted,
    message: str,
    others: list[tuple[str, str]],
    video: str,
    sha1: str,
    title: str,
) -> None:
    """The platform's report: the post with the video, and other posts of other users."""
    day = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
    rows = [
        {
            "platform": person.platform,
            "post_id": str(rng.randint(10**7, 10**8)),
            "username": person.platform_user,
            "email": person.mailbox.upper(),
            "posted_at": f"{day}T{rng.randint(10, 22)}:{rng.randint(10, 59)}:00",
            "text": message,
            "file_name": video,
            "file_sha1": sha1,
            "title_card": title.replace("\n", " "),
            "title_surname": person.title_surname,
        }
    ]
    for number, (_, text) in enumerate(others):
        rows.append(
            {
                "platform": person.platform,
                "post_id": str(rng.randint(10**7, 10**8)),
                "username": f"{rng.choice(people.HANDLE_WORDS)}{rng.randint(10, 99)}x{number}",
                "email": "",
                "posted_at": f"{day}T0{number + 1}:{rng.randint(10, 59)}:00",
                "text": text,
                "file_name": "",
                "file_sha1": "",
                "title_card": "",
                "title_surname": "",
            }
        )
    _write_csv(path, POST_COLUMNS, rows)
