"""Identifier extraction and normalisation; published test vectors for the checksums."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.text.identifiers import (
    extract,
    normalise_email,
    normalise_ip,
    normalise_phone,
    normalise_url,
    normalise_username,
)
from crosscheck.text.wallets import (
    check_base58check,
    check_bech32,
    check_ethereum,
    check_monero,
    check_onion_v3,
)

ONION = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
XMR = (
    "4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5Uzqt"
    "ReoS44qo9mtmXCqY45DJ852K5Jv2684Rge"
)


def found(text: str, region: str | None = None) -> set[tuple[str, str | None, str]]:
    return {(i.type, i.service, i.normalised) for i in extract(text, region)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("juan.perez at gmail dot com", "juan.perez@gmail.com"),
        ("JUAN [at] Proton [dot] me", "juan@proton.me"),
        ("a.b+tag(at)mail(dot)co(dot)uk", "a.b+tag@mail.co.uk"),
        ("Alex@Example.ORG", "alex@example.org"),
    ],
)
def test_emails_also_obfuscated(text: str, expected: str) -> None:
    assert ("email", None, expected) in found(f"write to {text} please")


def test_phones_with_and_without_a_default_region() -> None:
    assert ("phone", None, "+34612345678") in found("llámame al 612 345 678", "ES")
    assert not any(t == "phone" for t, _, _ in found("llámame al 612 345 678"))
    assert ("phone", None, "+541145678901") in found("whatsapp +54 11 4567-8901")


def test_urls_handles_and_profiles() -> None:
    result = found("perfil https://www.Instagram.com/Juan_P/ y @juanp_2015; telegram: juanito99.")
    assert ("url", None, "https://www.instagram.com/Juan_P") in result
    assert ("username", "instagram", "juan_p") in result
    assert ("username", None, "juanp_2015") in result
    assert ("username", "telegram", "juanito99") in result


def test_wallets_with_checksums() -> None:
    valid = {
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2": check_base58check,
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq": check_bech32,
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0": check_bech32,
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed": check_ethereum,
        XMR: check_monero,
        ONION: check_onion_v3,
    }
    for address, check in valid.items():
        assert check(address), address
        broken = address[:-3] + ("x" if address[-3] != "x" else "y") + address[-2:]
        assert check(broken) is None, broken
    assert (
        check_ethereum("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed") is None
    )  # EIP-55 case broken
    assert check_ethereum("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")  # all lower: no checksum
    text = " ".join(valid) + " 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"
    wallets = {n for t, s, n in found(text) if t == "wallet"}
    assert len(wallets) == 5  # the altered bitcoin address is not taken


def test_onion_inside_a_url_and_legacy_v2() -> None:
    result = found(f"http://{ONION}/forum and expyuzz4wqqyqhjn.onion")
    assert ("onion", "tor-v3", ONION) in result
    assert ("onion", "tor-v2", "expyuzz4wqqyqhjn.onion") in result
    assert any(t == "url" for t, _, _ in result)


def test_ips() -> None:
    assert found("from 192.168.001.010 and 2001:DB8::1") >= {
        ("ip", None, "2001:db8::1"),
    }
    assert ("ip", None, "10.0.0.1") in found("host 10.0.0.1 was seen")
    assert not any(t == "ip" for t, _, _ in found("version 999.1.2.3"))


def test_spans_point_at_the_text() -> None:
    text = "mail: Ana@Example.org now"
    [item] = extract(text)
    assert text[item.span[0] : item.span[1]] == item.value == "Ana@Example.org"


NORMALISERS = [
    normalise_email,
    normalise_url,
    normalise_username,
    normalise_ip,
    lambda v: normalise_phone(v, "ES"),
]


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_normalisers_never_crash_and_are_idempotent(value: str) -> None:
    for normalise in NORMALISERS:
        once = normalise(value)
        if once is not None:
            assert normalise(once) == once, (normalise, value, once)


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                ["@x_y", " at ", " dot ", "+34 600 111 222", "http://a.b/c", ONION, "1.2.3.4"]
            ),
        ),
        max_size=8,
    ).map("".join)
)
def test_extract_never_crashes_and_spans_are_exact(text: str) -> None:
    for item in extract(text, "ES"):
        assert text[item.span[0] : item.span[1]] == item.value
