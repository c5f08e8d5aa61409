"""Search of what a viewer may see: names, usernames, e-mails, phones, hashes, wallets.

Scoped through :mod:`crosscheck.service.access` (``visible_contributions``):
an agency finds only what it may see, never another agency's. The audit
records that a search was made and how many results it gave, never what was
searched for.

``search`` is the API's and the CLI's (values as typed and normalised, exact
hashes). ``find`` is the workbench's: the same, and besides an e-mail, phone
or wallet address in the query compared by its identity key
(``text/identity_keys.py``: ``J.Doe@gmail.com`` finds ``jdoe@gmail.com``,
``+34 612 345 678`` finds ``+34612345678``), and a pasted PDQ hash finds the
near-duplicates within the hub's PDQ threshold, with their distance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from crosscheck.exc import InvalidData
from crosscheck.model.keys import SEPARATOR
from crosscheck.service.access import audit_read, visible_contributions
from crosscheck.service.captions import captions
from crosscheck.service.near_duplicates import PDQ_THRESHOLD, near_duplicates
from crosscheck.store import CaseStore
from crosscheck.text.identifiers import (
    extract,
    normalise_email,
    normalise_phone,
    normalise_username,
)
from crosscheck.text.identity_keys import email_key, phone_key, wallet_key

MAX_QUERY = 200
MAX_RESULTS = 200
_HEX_HASH = re.compile(r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}")  # md5, sha1, sha256 or pdq
_PDQ_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Found:
    contribution: str
    entity: str
    schema: str  # the entity's schema, or the fingerprint's kind
    prop: str  # the property, or "fingerprint"
    value: str


def terms(query: str) -> tuple[list[str], list[str]]:
    """What to look for: value fragments (as typed, and normalised) and exact hashes."""
    text = query.strip()
    if not text:
        raise InvalidData("give something to search for")
    if len(text) > MAX_QUERY:
        raise InvalidData(f"a search is at most {MAX_QUERY} characters")
    values = [text]
    for normalised in (
        normalise_email(text),
        normalise_phone(text) if any(c.isdigit() for c in text) else None,
        normalise_username(text),
    ):
        if normalised and normalised not in values:
            values.append(normalised)
    hashes = [text.lower()] if _HEX_HASH.fullmatch(text.lower()) else []
    return values, hashes


def search(
    store: CaseStore,
    agency: str,
    query: str,
    actor: str | None = None,
    limit: int = MAX_RESULTS,
) -> list[Found]:
    """What ``agency``'s own contributions hold that matches ``query``, at most ``limit``."""
    values, hashes = terms(query)
    scope = visible_contributions(store, agency) or []
    rows = store.search(values, hashes, scope, max(1, min(limit, MAX_RESULTS)))
    found = list(dict.fromkeys(Found(*row) for row in rows))
    audit_read(store, agency, "search", {"count": len(found)}, actor)
    return found


# -- the workbench's search -------------------------------------------------------------------

# identifiers in a query compared by their key: (props holding them, the key)
IDENTITY_KEYS: dict[str, tuple[tuple[str, ...], Callable[[str], str | None]]] = {
    "email": (("email",), email_key),
    "phone": (("phone",), phone_key),
    "wallet": (("publicKey", "cryptoAddress"), wallet_key),
}
MATCHED_BY_PROP = {
    "email": "email",
    "phone": "phone",
    "username": "username",
    "publicKey": "wallet",
    "cryptoAddress": "wallet",
}


@dataclass(frozen=True)
class Result:
    """One thing found, as the workbench lists it."""

    entity: str
    contribution: str
    schema: str  # the entity's schema
    caption: str
    matched: str  # value, name, email, phone, username, wallet, hash, pdq
    prop: str  # the property, or the fingerprint's kind
    value: str
    distance: int | None = None  # pdq: the Hamming distance


def _matched(prop: str) -> str:
    if prop in MATCHED_BY_PROP:
        return MATCHED_BY_PROP[prop]
    return "name" if prop in ("name", "firstName", "lastName", "alias") else "value"


def _by_key(store: CaseStore, query: str, scope: list[str]) -> Iterable[Found]:
    """Values whose identity key equals that of an identifier in the query."""
    for item in extract(query):
        if item.type not in IDENTITY_KEYS:
            continue
        props, key = IDENTITY_KEYS[item.type]
        wanted = key(item.value)
        if not wanted:
            continue
        for contribution, entity, schema, prop, value in store.prop_values(props, scope):
            if key(value) == wanted:
                yield Found(contribution, entity, schema, prop, value)


def find(
    store: CaseStore,
    agency: str,
    query: str,
    actor: str | None = None,
    limit: int = MAX_RESULTS,
) -> list[Result]:
    """Everything ``agency`` may see that matches ``query``, at most ``limit`` results."""
    values, hashes = terms(query)
    scope = visible_contributions(store, agency) or []
    limit = max(1, min(limit, MAX_RESULTS))
    rows: list[tuple[Found, int | None]] = []
    text = query.strip().lower()
    if _PDQ_HEX.fullmatch(text):
        for near in near_duplicates(store, scope, text, PDQ_THRESHOLD):
            f = near.fingerprint
            rows.append((Found("", f.entity_id, f.kind.value, "pdq", f.value), near.distance))
    rows.extend((f, None) for f in _by_key(store, query.strip(), scope))
    rows.extend((Found(*row), None) for row in store.search(values, hashes, scope, limit))
    seen: dict[tuple[str, str, str], tuple[Found, int | None]] = {}
    for found, distance in rows:
        seen.setdefault((found.entity, found.prop, found.value), (found, distance))
    kept = list(seen.values())[:limit]
    known = captions(store, {found.entity for found, _ in kept})
    results = []
    for found, distance in kept:
        item = known.get(found.entity)
        if item is None:  # not held (erased meanwhile)
            continue
        if found.prop == "pdq":
            matched, prop = "pdq", found.schema
        elif found.prop == "fingerprint":
            matched, prop = "hash", found.schema
        else:
            matched, prop = _matched(found.prop), found.prop
        contribution = found.contribution or found.entity.split(SEPARATOR, 1)[0]
        results.append(
            Result(found.entity, contribution, item.schema, item.caption, matched, prop,
                   found.value, distance)
        )  # fmt: skip
    audit_read(store, agency, "search", {"count": len(results), "read": "workbench"}, actor)
    return results
