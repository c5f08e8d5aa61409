"""Records of people and accounts, and the comparable fields made from them.

A record is a flat mapping: ``id`` and any of the fields in ``FIELDS`` (the
columns of a seized forum's user table, a contact list, FEBRL's data sets…).
Common spellings of the column names are understood (``given_name``,
``surname``, ``dob``, ``suburb``…). ``features`` turns one record into the row
Splink compares: normalised names, usernames and their stems, canonical
e-mail parts, E.164 phones, ISO birth dates, and flags that say when a
username or an e-mail's local part is only the person's name spelled again.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from multiprocessing import get_context
from typing import Any

import pandas as pd

from crosscheck.exc import InvalidData
from crosscheck.resolve import normalise

FIELDS = (
    "source",
    "name",
    "first_name",
    "last_name",
    "username",
    "service",
    "email",
    "phone",
    "birth_date",
    "place",
    "country",
    "address",
    "postcode",
    "national_id",
)
ALIASES = {
    "given_name": "first_name",
    "firstname": "first_name",
    "forename": "first_name",
    "surname": "last_name",
    "lastname": "last_name",
    "family_name": "last_name",
    "full_name": "name",
    "user": "username",
    "handle": "username",
    "login": "username",
    "screen_name": "username",
    "mail": "email",
    "e_mail": "email",
    "telephone": "phone",
    "phone_number": "phone",
    "mobile": "phone",
    "dob": "birth_date",
    "date_of_birth": "birth_date",
    "birthdate": "birth_date",
    "city": "place",
    "suburb": "place",
    "birth_place": "place",
    "town": "place",
    "soc_sec_id": "national_id",
    "id_number": "national_id",
    "zip": "postcode",
    "postal_code": "postcode",
    "site": "service",
    "platform": "service",
    "dataset": "source",
    "rec_id": "id",
    "unique_id": "id",
}
# the columns of the feature row, in order (every row has every column)
COLUMNS = (
    "unique_id",
    "source_dataset",
    "first_name",
    "last_name",
    "name_full",
    "first_initial",
    "username",
    "username_stem",
    "username_name_only",
    "username_stem_from_name",
    "service_username",
    "email",
    "email_local",
    "email_domain",
    "email_stem",
    "email_local_from_name",
    "phone",
    "birth_date",
    "birth_year",
    "place",
    "country",
    "address",
    "postcode",
    "national_id",
)


def canonical(record: Mapping[str, Any], where: str = "") -> dict[str, str]:
    """Field names unified, values as stripped strings, empty values dropped."""
    out: dict[str, str] = {}
    for key, value in record.items():
        name = _field(key)
        if name is None:
            continue
        if value is None or (isinstance(value, float) and value != value):  # NaN from pandas
            continue
        text = str(value).strip()
        if text and name not in out:
            out[name] = text
    if "id" not in out:
        raise InvalidData(f"{where}a record without an id: {dict(record)!r}"[:300])
    return out


@lru_cache(maxsize=4096)
def _field(key: object) -> str | None:
    """A column name as one of ours, or None for a column we do not compare."""
    name = str(key).strip().lower().replace(" ", "_").replace("-", "_")
    name = ALIASES.get(name, name)
    return name if name == "id" or name in FIELDS else None


def _split_name(record: Mapping[str, str]) -> tuple[str | None, str | None]:
    first = normalise.latin(record.get("first_name"))
    last = normalise.latin(record.get("last_name"))
    if (first or last) or not record.get("name"):
        return first, last
    tokens = normalise.name_tokens(record["name"])
    if len(tokens) == 1:
        return tokens[0], None
    return tokens[0], " ".join(tokens[1:]) if tokens else None


def _account(service: str | None, name: str | None) -> str | None:
    """One account on one service: the username as the service sees it (case folded only)."""
    if not service or not name or not name.strip().lstrip("@"):
        return None
    return f"{service}:{name.strip().lstrip('@').casefold()}"


_FLAGS = {"username_name_only", "username_stem_from_name", "email_local_from_name"}


def features(record: Mapping[str, str]) -> dict[str, Any]:
    """One canonical record → one row of ``COLUMNS``."""
    first, last = _split_name(record)
    tokens = " ".join(t for t in (first, last) if t).split()
    user = normalise.username(record.get("username"))
    stem = normalise.username_stem(record.get("username"))
    mail = normalise.email(record.get("email"))
    local: str | None = None
    domain: str | None = None
    if mail:
        local, domain = mail.split("@", 1)
    mail_stem = normalise.username_stem(local)
    country = (record.get("country") or "").strip().upper()[:2] or None
    born = normalise.birth_date(record.get("birth_date"))
    service = normalise.username(record.get("service"))
    return {
        "unique_id": record["id"],
        "source_dataset": record.get("source") or "",
        "first_name": first,
        "last_name": last,
        "name_full": " ".join(tokens) or None,
        "first_initial": first[0] if first else None,
        "username": user,
        "username_stem": stem if stem and len(stem) >= 3 else None,
        "username_name_only": normalise.made_from_name(user, tokens),
        "username_stem_from_name": normalise.made_from_name(stem, tokens),
        "service_username": _account(service, record.get("username")),
        "email": mail,
        "email_local": local,
        "email_domain": domain,
        "email_stem": mail_stem if mail_stem and len(mail_stem) >= 3 else None,
        "email_local_from_name": normalise.made_from_name(mail_stem, tokens),
        "phone": normalise.phone(record.get("phone"), country),
        "birth_date": born,
        "birth_year": born[:4] if born else None,
        "place": normalise.latin(record.get("place")),
        "country": country,
        "address": normalise.latin(record.get("address")),
        "postcode": normalise.alnum(record.get("postcode")),
        "national_id": normalise.alnum(record.get("national_id")),
    }


_CHUNK = 20_000


def _chunk(items: list[tuple[int, Mapping[str, Any]]], where: str) -> list[dict[str, Any]]:
    return [features(canonical(record, f"{where}record {n}: ")) for n, record in items]


def feature_rows(records: Iterable[Mapping[str, Any]], where: str = "") -> list[dict[str, Any]]:
    """Canonical feature rows; a repeated id is refused (it would merge silently)."""
    return _unique(_chunk(list(enumerate(records, start=1)), where), where)


def _chunk_frame(items: list[tuple[int, Mapping[str, Any]]], where: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(_chunk(items, where), columns=list(COLUMNS))
    # Arrow-backed strings: a fraction of the memory of Python str objects, and cheap to ship
    return frame.astype({c: "string[pyarrow]" for c in COLUMNS if c not in _FLAGS})


def feature_frame(
    records: Iterable[Mapping[str, Any]], where: str = "", workers: int = 1
) -> pd.DataFrame:
    """The feature rows as one frame, built chunk by chunk (large tables: less memory).

    ``records`` may be a stream (a file being read): it is consumed in chunks.
    """
    numbered = enumerate(records, start=1)
    chunks = iter(lambda: list(itertools.islice(numbered, _CHUNK)), [])
    if workers > 1 and not _small(records):
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            parts = list(pool.map(_chunk_frame, chunks, itertools.repeat(where)))
    else:
        parts = [_chunk_frame(chunk, where) for chunk in chunks]
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame.from_records([], columns=list(COLUMNS))
    )
    twice = frame["unique_id"].duplicated()
    if twice.any():
        number = int(twice.to_numpy().argmax()) + 1
        raise InvalidData(
            f"{where}record {number}: id {frame['unique_id'].iloc[number - 1]!r} appears twice"
        )
    return frame


def _small(records: Iterable[Mapping[str, Any]]) -> bool:
    """A list too short to be worth shipping to other processes."""
    return isinstance(records, Sequence) and len(records) < 2 * _CHUNK


def _unique(rows: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if row["unique_id"] in seen:
            raise InvalidData(f"{where}record {number}: id {row['unique_id']!r} appears twice")
        seen.add(row["unique_id"])
    return rows


def present(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """The feature columns that hold a value in at least one row."""
    found: set[str] = set()
    for row in rows:
        found.update(k for k, v in row.items() if v not in (None, "", False))
    return found
