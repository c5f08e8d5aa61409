"""One key per identifier, shared by the hub's cross-check, resolution and the graph."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.graph.build import value_key
from crosscheck.resolve import normalise
from crosscheck.text.identity_keys import (
    account_key,
    email_key,
    entity_keys,
    onion_key,
    phone_key,
    wallet_key,
)

ONE_MAILBOX = ("lobo.madrid@gmail.com", "lobomadrid+x@gmail.com")


def test_the_issues_two_addresses_are_one_mailbox_everywhere() -> None:
    keys = {email_key(a) for a in ONE_MAILBOX}
    assert keys == {"lobomadrid@gmail.com"}
    assert {normalise.email(a) for a in ONE_MAILBOX} == keys
    assert len({value_key("email", a) for a in ONE_MAILBOX}) == 1
    # the hub's identifier keys (identifier_key rows) are entity_keys
    assert entity_keys([("email", ONE_MAILBOX[0])]) == entity_keys([("email", ONE_MAILBOX[1])])


def test_phones_are_one_rule_everywhere() -> None:
    # possible but not a valid allocation: one answer in the hub, resolution and the graph
    number = "+34 500 000 000"
    key = phone_key(number)
    assert key == "+34500000000"
    assert normalise.phone(number) == key
    assert entity_keys([("phone", number)]) == {("phone", key)}
    assert value_key("phone", number) == value_key("phone", "+34500000000") == f"phone:{key}"
    assert phone_key("600 111 222", "ES") == "+34600111222"
    assert phone_key("nonsense") is None


def test_providers_differ() -> None:
    assert email_key("Maria.Garcia+forum@GoogleMail.com") == "mariagarcia@gmail.com"
    assert email_key("maria.garcia+x@yahoo.com") == "maria.garcia+x@yahoo.com"
    assert email_key("maria.garcia+x@outlook.com") == "maria.garcia@outlook.com"
    assert email_key("maria [at] example [dot] org") == "maria@example.org"
    assert email_key("not an address") is None
    assert email_key("+x@gmail.com") is None
    assert email_key("Ol'ga.Smirnov@GMX.de") == "ol'ga.smirnov@gmx.de"  # RFC 5322 allows '


def test_accounts_onions_and_wallets() -> None:
    assert account_key("Telegram", "@Lobo_Madrid") == "telegram:lobo_madrid"
    assert account_key("tg", "lobo_madrid") == "telegram:lobo_madrid"
    assert account_key("", "lobo") is None
    assert account_key("telegram", "not a name") is None
    eth = "0x52908400098527886E0F7030069857D2E4169EE7"
    assert wallet_key(eth) == wallet_key(eth.lower()) == eth.lower()
    bech = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    assert wallet_key(bech.upper()) == bech
    base58 = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert wallet_key(f" {base58} ") == base58  # case matters in base58
    v3 = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
    assert onion_key(f"http://{v3.upper()}/forum") == v3
    assert onion_key("example.com") is None
    hub = entity_keys([("username", "@Lobo_Madrid"), ("service", "tg"), ("cryptoAddress", eth)])
    assert hub == {("account", "telegram:lobo_madrid"), ("wallet", eth.lower())}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, "ES", "FR", "GB"]))
def test_every_key_is_idempotent(value: str, region: str | None) -> None:
    for key in (email_key, onion_key, wallet_key):
        once = key(value)
        assert once is None or key(once) == once
    phone = phone_key(value, region)
    assert phone is None or (phone_key(phone) == phone and phone.startswith("+"))
    account = account_key("Telegram", value)
    assert account is None or account_key(*account.split(":", 1)) == account


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9._+-]{1,20}", fullmatch=True),
    st.sampled_from(["gmail.com", "GoogleMail.com", "proton.me", "outlook.com", "example.org"]),
)
def test_generated_addresses_are_idempotent_and_agree_with_resolution(
    local: str, domain: str
) -> None:
    address = f"{local}@{domain}"
    key = email_key(address)
    assert key is None or email_key(key) == key
    assert normalise.email(address) == key
