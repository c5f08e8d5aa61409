"""Identifiers in free text, normalised to the form the cross-checker matches on.

E-mail (also written "name at domain dot com" or "[at]"), phone numbers (E.164,
with a default region), URLs, usernames and handles with their service where
the text says it, Tor onion addresses (v3 checked, v2 recognised), Bitcoin,
Ethereum and Monero addresses (checksums checked) and IP addresses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import phonenumbers

from crosscheck.text.wallets import (
    check_base58check,
    check_bech32,
    check_ethereum,
    check_monero,
    check_onion_v3,
)


@dataclass(frozen=True)
class Identifier:
    type: str
    value: str  # as written
    normalised: str
    span: tuple[int, int]
    service: str | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "type": self.type,
            "value": self.value,
            "normalised": self.normalised,
            "span": list(self.span),
        }
        if self.service:
            data["service"] = self.service
        return data


_AT = r"(?:@|\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+)"
_DOT = r"(?:\.|\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+)"
EMAIL = re.compile(
    rf"(?<![\w.+-])([\w.+-]{{1,64}}){_AT}((?:[a-z0-9-]{{1,63}}{_DOT})+[a-z]{{2,24}})(?![\w-])",
    re.IGNORECASE,
)
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
ONION = re.compile(r"\b([a-z2-7]{56}|[a-z2-7]{16})\.onion\b", re.IGNORECASE)
BTC_BASE58 = re.compile(r"(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9A-Za-z])")
BTC_BECH32 = re.compile(
    r"(?<![0-9A-Za-z])(?:bc|BC|tb|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}(?![0-9A-Za-z])"
)
ETH = re.compile(r"(?<![0-9A-Za-z])0[xX][0-9a-fA-F]{40}(?![0-9A-Za-z])")
XMR = re.compile(
    r"(?<![0-9A-Za-z])[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?(?![0-9A-Za-z])"
)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")
HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)\b")
SERVICE_HANDLE = re.compile(
    r"\b(telegram|tg|instagram|insta|ig|twitter|x|tiktok|snapchat|snap|kik|discord|wickr|"
    r"session|skype|threema|signal|whatsapp|reddit)\s*(?:id|user(?:name)?|handle)?\s*[:=]\s*"
    r"@?([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,30}[A-Za-z0-9_])?)",
    re.IGNORECASE,
)
SERVICE_NAMES = {
    "tg": "telegram", "insta": "instagram", "ig": "instagram", "x": "twitter", "snap": "snapchat",
}  # fmt: skip
PROFILE_HOSTS = {
    "twitter.com": "twitter", "x.com": "twitter", "instagram.com": "instagram",
    "t.me": "telegram", "telegram.me": "telegram", "tiktok.com": "tiktok",
    "facebook.com": "facebook", "reddit.com": "reddit", "github.com": "github",
    "youtube.com": "youtube", "vk.com": "vk",
}  # fmt: skip
_NOT_PROFILES = {"share", "intent", "home", "search", "explore", "watch", "p", "r", "hashtag"}


def normalise_email(value: str) -> str | None:
    """Deobfuscated, cleaned by FtM, local part and domain lower-cased."""
    match = EMAIL.fullmatch(value.strip())
    if match is None:
        return None
    local, domain = match.group(1), re.sub(_DOT, ".", match.group(2), flags=re.IGNORECASE)
    from followthemoney.types import registry  # here: FtM takes a second to import

    cleaned = registry.email.clean(f"{local}@{domain}")
    return cleaned.lower() if cleaned else None


def normalise_phone(value: str, region: str | None = None) -> str | None:
    """E.164, or None when it is not a valid number (for ``region`` when it has no +code)."""
    try:
        number = phonenumbers.parse(value, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_url(value: str) -> str | None:
    text = value.strip().rstrip(".,;:!?")
    if text.lower().startswith("www."):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "." not in host:
        return None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, ""))


def normalise_username(value: str) -> str | None:
    text = value.strip().lstrip("@").casefold()
    return text if re.fullmatch(r"[\w.-]{1,64}", text) else None


def normalise_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _profile(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    service = PROFILE_HOSTS.get(host)
    segments = [s for s in parts.path.split("/") if s]
    if service is None or not segments:
        return None
    name = segments[1] if segments[0] in ("u", "user") and len(segments) > 1 else segments[0]
    name = name.lstrip("@")
    if name.lower() in _NOT_PROFILES:
        return None
    user = normalise_username(name)
    return (service, user) if user else None


# found inside another identifier, these are usually a part of it (digits of a
# wallet read as a phone, an e-mail's domain read as a handle), not one of their own
_WEAK = frozenset({"phone", "ip", "handle"})


def extract(text: str, default_region: str | None = None) -> list[Identifier]:
    """Every identifier found, in text order.

    Finds of one type do not overlap (the longest wins); a URL may hold an onion
    address or a profile name, which are kept as identifiers of their own.
    """
    found = sorted(_find(text, default_region), key=lambda i: (i.span[0], i.span[0] - i.span[1]))
    kept: list[Identifier] = []
    for item in found:
        kind = "handle" if item.type == "username" and item.service is None else item.type
        clash = [
            other
            for other in kept
            if other.span[0] < item.span[1]
            and item.span[0] < other.span[1]
            and (other.type == item.type or kind in _WEAK)
        ]
        if not clash:
            kept.append(item)
    return kept


def _find(text: str, region: str | None) -> Iterator[Identifier]:
    for match in EMAIL.finditer(text):
        value = normalise_email(match.group(0))
        if value:
            yield Identifier("email", match.group(0), value, match.span())
    for match in URL.finditer(text):
        raw = match.group(0).rstrip(".,;:!?")
        value = normalise_url(raw)
        if value is None:
            continue
        span = (match.start(), match.start() + len(raw))
        yield Identifier("url", raw, value, span)
        profile = _profile(value)
        if profile:
            yield Identifier("username", raw, profile[1], span, service=profile[0])
    for match in ONION.finditer(text):
        label = match.group(1)
        if len(label) == 56:
            checked = check_onion_v3(match.group(0))
            if checked:
                yield Identifier("onion", match.group(0), checked, match.span(), service="tor-v3")
        else:
            yield Identifier(
                "onion", match.group(0), match.group(0).lower(), match.span(), service="tor-v2"
            )
    for pattern, check, coin in (
        (BTC_BASE58, check_base58check, "bitcoin"),
        (BTC_BECH32, check_bech32, "bitcoin"),
        (ETH, check_ethereum, "ethereum"),
        (XMR, check_monero, "monero"),
    ):
        for match in pattern.finditer(text):
            value = check(match.group(0))
            if value:
                yield Identifier("wallet", match.group(0), value, match.span(), service=coin)
    for pattern in (IPV4, IPV6):
        for match in pattern.finditer(text):
            value = normalise_ip(match.group(0))
            if value:
                yield Identifier("ip", match.group(0), value, match.span())
    for phone in phonenumbers.PhoneNumberMatcher(text, region.upper() if region else None):
        e164 = phonenumbers.format_number(phone.number, phonenumbers.PhoneNumberFormat.E164)
        yield Identifier("phone", phone.raw_string, e164, (phone.start, phone.end))
    for match in SERVICE_HANDLE.finditer(text):
        service = match.group(1).lower()
        user = normalise_username(match.group(2))
        if user:
            yield Identifier(
                "username",
                match.group(0),
                user,
                match.span(),
                service=SERVICE_NAMES.get(service, service),
            )
    for match in HANDLE.finditer(text):
        user = normalise_username(match.group(1))
        if user:
            yield Identifier("username", match.group(0), user, match.span())
