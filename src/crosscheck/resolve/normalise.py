"""Normalisers for the fields people and accounts are resolved on.

Names are transliterated to Latin letters (Cyrillic, Greek, Arabic… through
ICU, by way of FtM's ``normality``), diacritics dropped, lower-cased.
Usernames lose case and separators; their *stem* also undoes leet spelling
and drops digits. E-mail addresses are canonicalised where the provider
ignores dots or ``+tags`` and phones made E.164, by the keys the hub and the
graph use too (``text/identity_keys.py``). Every function returns ``None`` for a value that
holds nothing to compare, and each is idempotent (Hypothesis checks both).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from normality import ascii_text
from rapidfuzz.distance import Levenshtein

from crosscheck.text.identity_keys import email_key, phone_key

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_ALPHA = re.compile(r"[^a-z]+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})


@lru_cache(maxsize=200_000)
def latin(value: str | None) -> str | None:
    """Latin letters and digits, lower-case, words split by one space."""
    if not value:
        return None
    text = (ascii_text(value) or "").replace("'", "").replace("`", "")
    words = [w for w in _NON_ALNUM.split(text.lower()) if w]
    return " ".join(words) or None


def name_tokens(value: str | None) -> list[str]:
    """The words of a name, transliterated; one-letter words kept (initials)."""
    text = latin(value)
    return text.split() if text else []


@lru_cache(maxsize=200_000)
def username(value: str | None) -> str | None:
    """Case and separators dropped: 'Maria_Garcia.84' → 'mariagarcia84'."""
    if not value:
        return None
    text = latin(value.lstrip("@"))
    return _NON_ALNUM.sub("", text) if text else None


@lru_cache(maxsize=200_000)
def username_stem(value: str | None) -> str | None:
    """Leet undone, a trailing number dropped: 'M4ria_G4rcia84' → 'mariagarcia'."""
    text = username(value)
    if not text or not any(c.isalpha() for c in text):
        return text  # digits only: they are all there is
    core = text.rstrip("0123456789")
    return _NON_ALPHA.sub("", core.translate(_LEET)) or None


def email(value: str | None) -> str | None:
    """The mailbox a message to this address reaches: the shared key (text/identity_keys.py)."""
    return email_key(value)


def phone(value: str | None, region: str | None = None) -> str | None:
    """E.164, with the record's country as the default region: the shared key."""
    return phone_key(value, region)


_DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})[./](?P<m>\d{1,2})[./](?P<d>\d{1,2})$"),
)


@lru_cache(maxsize=200_000)
def birth_date(value: str | None) -> str | None:
    """ISO 8601 (YYYY-MM-DD) from the usual spellings; an impossible date is None."""
    if not value:
        return None
    text = value.strip()[:10] if "T" in value else value.strip()
    for pattern in _DATE_FORMATS:
        found = pattern.match(text)
        if found:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
            except ValueError:
                return None
    return None


def alnum(value: str | None) -> str | None:
    """Letters and digits only (postcodes, ID numbers)."""
    text = latin(value)
    return text.replace(" ", "") if text else None


def made_from_name(stem: str | None, tokens: list[str]) -> bool:
    """Whether a username or local-part stem is spelled from the person's name.

    'mariagarcia', 'mgarcia', 'garciam', 'maria' for María García: the stem
    tells nothing the name does not, so it must not count as new evidence.
    A name written with a typo still counts ('mariagarcia' for 'Maria Garca').
    """
    return _made_from_name(stem, tuple(tokens))


@lru_cache(maxsize=200_000)
def _made_from_name(stem: str | None, tokens: tuple[str, ...]) -> bool:
    if not stem or not tokens:
        return False
    words = [t for t in tokens if len(t) > 1]
    if not words:
        return False
    pieces = set(words) | {t[0] for t in tokens}
    if _covered(stem, pieces) and any(w in stem for w in words):
        return True
    return _near_name(stem, tokens, words)


def _near_name(stem: str, tokens: tuple[str, ...], words: list[str]) -> bool:
    """The stem is the name's words (or initial + surname) concatenated, up to small typos."""
    if len(tokens[0]) == 1 and len(words) >= 1:  # 'A. Vasilev': a word from the initial + surname
        last = words[-1]
        for part in (stem.removesuffix(last), stem.removeprefix(last)):
            if part != stem and len(part) >= 1 and part[0] == tokens[0]:
                return True
    first, rest = words[0], "".join(words[1:])
    candidates = {first + rest, rest + first, first[0] + rest, rest + first[0]} if rest else set()
    return any(len(c) >= 5 and edit_distance(stem, c) <= max(1, len(c) // 6) for c in candidates)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (rapidfuzz)."""
    return int(Levenshtein.distance(a, b))


def _covered(text: str, pieces: set[str]) -> bool:
    """Whether ``text`` is a concatenation of ``pieces`` (each used any number of times)."""
    return _pieces_pattern(frozenset(pieces)).fullmatch(text) is not None


@lru_cache(maxsize=100_000)
def _pieces_pattern(pieces: frozenset[str]) -> re.Pattern[str]:
    ordered = sorted(pieces, key=lambda p: (-len(p), p))
    return re.compile("(?:" + "|".join(re.escape(p) for p in ordered) + ")+")
