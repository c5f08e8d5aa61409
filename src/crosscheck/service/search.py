"""Search of an agency's own holdings: names, usernames, e-mails, phones, hashes, wallets.

Scoped through :mod:`crosscheck.service.access`: an agency finds only what its
own contributions hold, never another agency's. The audit records that a
search was made and how many results it gave, never what was searched for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crosscheck.exc import InvalidData
from crosscheck.service.access import audit_read, visible_contributions
from crosscheck.store import CaseStore
from crosscheck.text.identifiers import normalise_email, normalise_phone, normalise_username

MAX_QUERY = 200
MAX_RESULTS = 200
_HEX_HASH = re.compile(r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}")  # md5, sha1, sha256 or pdq


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
