"""One key per identifier kind: the form two values must share to be "the same".

Used by the hub's cross-check (``service/hub.py``), resolution
(``resolve/normalise.py`` delegates) and the link graph (``graph/build.py``),
so a mailbox, a number or an account is one thing to all three:

- e-mail: deobfuscated and cleaned (``normalise_email``), lower-case, provider
  aliases folded (googlemail.com → gmail.com), ``+tags`` dropped where the
  provider delivers them to the plain mailbox, dots dropped where it ignores them;
- phone: E.164 when the number is *possible* (right length for its country), so a
  range the metadata does not list yet still matches; free-text extraction
  (``text/identifiers.py``) is stricter because prose is full of digit runs;
- account: ``service:username``, the service's short names folded (tg → telegram);
- onion: the host, lower-case, v3 checksum checked;
- wallet: Ethereum and bech32 lower-case (case-insensitive), base58 and Monero as
  written (case is part of the address).

Every key function is idempotent (Hypothesis-tested) and returns None for a
value that is not of its kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

from crosscheck.text.identifiers import (
    BTC_BECH32,
    ETH,
    ONION,
    SERVICE_NAMES,
    normalise_email,
    normalise_username,
)
from crosscheck.text.wallets import check_onion_v3

# providers that deliver "first.last+tag@" to "firstlast@"; aliases of one domain
DOTS_IGNORED = frozenset({"gmail.com", "protonmail.com", "proton.me", "pm.me"})
PLUS_TAGS = DOTS_IGNORED | {
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "fastmail.com",
    "yandex.ru",
}
DOMAIN_ALIASES = {
    "googlemail.com": "gmail.com",
    "protonmail.ch": "protonmail.com",
    "yandex.com": "yandex.ru",
}
_SERVICE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


@lru_cache(maxsize=200_000)
def email_key(value: str | None) -> str | None:
    """The mailbox a message to this address reaches, as far as the provider says."""
    if not value:
        return None
    # deobfuscated and cleaned; else (an apostrophe, say: RFC 5322 allows it) as written
    cleaned = normalise_email(value) or value.strip().lower()
    if cleaned.count("@") != 1 or any(c.isspace() for c in cleaned):
        return None
    local, domain = cleaned.split("@")
    domain = domain.strip(".")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local = local.replace(".", "")
    if not local or "." not in domain:
        return None
    return f"{local}@{domain}"


@lru_cache(maxsize=100_000)
def phone_key(value: str | None, region: str | None = None) -> str | None:
    """E.164; ``region`` (ISO 3166 alpha-2) for numbers written without +code."""
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def service_key(value: str | None) -> str | None:
    """A service name, lower-case, short names folded: 'TG' → 'telegram'."""
    text = (value or "").strip().casefold()
    text = SERVICE_NAMES.get(text, text)
    return text if _SERVICE.fullmatch(text) else None


def account_key(service: str | None, username: str | None) -> str | None:
    """``service:username`` for an account on a service, or None."""
    name = normalise_username(username or "")
    svc = service_key(service)
    return f"{svc}:{name}" if name and svc else None


def onion_key(value: str | None) -> str | None:
    """An onion host (scheme and path dropped), lower-case; v3 addresses checksum-checked."""
    text = (value or "").strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    match = ONION.fullmatch(text)
    if match is None:
        return None
    if len(match.group(1)) == 56:
        return check_onion_v3(text)
    return text


def wallet_key(value: str | None) -> str | None:
    """A wallet address as compared: case folded where the format ignores case."""
    text = (value or "").strip()
    if not text or any(c.isspace() for c in text):
        return None
    if ETH.fullmatch(text) or BTC_BECH32.fullmatch(text):
        return text.lower()
    return text


# the FtM properties that carry an identifier the hub cross-checks
IDENTIFIER_PROPS = ("email", "phone", "username", "service", "publicKey", "cryptoAddress")


def entity_keys(values: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(kind, key) of one entity's identifiers, from its (property, value) pairs.

    Kinds: email, phone, wallet, and account (a username with a service on the same entity).
    """
    keys: set[tuple[str, str]] = set()
    users: set[str] = set()
    services: set[str] = set()
    for prop, value in values:
        if prop == "email" and (email := email_key(value)):
            keys.add(("email", email))
        elif prop == "phone" and (phone := phone_key(value)):
            keys.add(("phone", phone))
        elif prop == "username":
            users.add(value)
        elif prop == "service":
            services.add(value)
        elif prop in ("publicKey", "cryptoAddress") and (wallet := wallet_key(value)):
            keys.add(("wallet", wallet))
    keys.update(
        ("account", account)
        for service in services
        for name in users
        if (account := account_key(service, name))
    )
    return keys
