"""Normalisers: known cases, and Hypothesis for idempotence and crash-freedom on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.resolve import normalise
from crosscheck.resolve.features import canonical, features


def test_names_are_transliterated() -> None:
    assert normalise.latin("Мария Гарсия") == "maria garsia"
    assert normalise.latin("Γιώργος Παπαδόπουλος") == "giorgos papadopoulos"
    assert normalise.latin("José García-López") == "jose garcia lopez"
    assert normalise.latin("Vasil'ev") == "vasilev"
    assert normalise.latin("محمد") and normalise.latin("محمد").isascii()  # type: ignore[union-attr]
    assert normalise.latin("  ") is None


def test_usernames_and_stems() -> None:
    assert normalise.username("@Maria_Garcia.84") == "mariagarcia84"
    assert normalise.username_stem("M4ria_G4rcia84") == "mariagarcia"
    assert normalise.username_stem("anna1985") == "anna"
    assert normalise.username_stem("12345") == "12345"


def test_emails_follow_their_provider() -> None:
    assert normalise.email("Maria.Garcia+forum@GoogleMail.com") == "mariagarcia@gmail.com"
    assert normalise.email("maria.garcia+x@proton.me") == "mariagarcia@proton.me"
    assert normalise.email("maria.garcia+x@yahoo.com") == "maria.garcia+x@yahoo.com"  # kept
    assert normalise.email("maria.garcia+x@outlook.com") == "maria.garcia@outlook.com"
    assert normalise.email("not an address") is None


def test_dates_and_phones() -> None:
    assert normalise.birth_date("19151111") == "1915-11-11"
    assert normalise.birth_date("11.11.1915") == "1915-11-11"
    assert normalise.birth_date("1915-02-30") is None
    assert normalise.phone("600 111 222", "ES") == "+34600111222"
    assert normalise.phone("nonsense") is None


def test_made_from_name() -> None:
    tokens = ["maria", "garcia"]
    for stem in ("mariagarcia", "mgarcia", "garciamaria", "garcia", "mariagarca"):
        assert normalise.made_from_name(stem, tokens), stem
    for stem in ("darkwolf", "shadowgarcia", ""):
        assert not normalise.made_from_name(stem, tokens), stem
    assert normalise.made_from_name("aleksandrvasilev", ["a", "vasilev"])  # an initial only


def test_feature_row_flags_name_only_usernames() -> None:
    row = features(canonical({"id": "1", "name": "María García", "username": "maria_garcia"}))
    assert row["username_name_only"] and row["username_stem_from_name"]
    row = features(canonical({"id": "2", "name": "María García", "username": "mgarcia_84"}))
    assert not row["username_name_only"] and row["username_stem_from_name"]
    row = features(canonical({"given_name": "Ana", "surname": "Ruiz", "rec_id": "r1"}))
    assert (row["unique_id"], row["first_name"], row["last_name"]) == ("r1", "ana", "ruiz")


text = st.text(max_size=40)


@settings(deadline=None)  # the first call loads ICU and FtM's cleaners
@given(text)
def test_normalisers_are_idempotent(value: str) -> None:
    for fn in (normalise.latin, normalise.username, normalise.alnum):
        once = fn(value)
        assert once is None or fn(once) == once, fn.__name__
    stem = normalise.username_stem(value)
    assert stem is None or normalise.username_stem(stem) == stem
    mail = normalise.email(value)
    assert mail is None or normalise.email(mail) == mail
    born = normalise.birth_date(value)
    assert born is None or normalise.birth_date(born) == born


@given(st.emails())
def test_every_valid_address_has_a_mailbox(value: str) -> None:
    mail = normalise.email(value)
    assert mail is None or (mail.count("@") == 1 and normalise.email(mail) == mail)


@given(text, st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), max_size=3))
def test_made_from_name_never_crashes(stem: str, tokens: list[str]) -> None:
    normalise.made_from_name(stem, tokens)


def test_a_feature_frame_holds_the_feature_rows() -> None:
    import pandas as pd

    from crosscheck.resolve import synthetic
    from crosscheck.resolve.features import COLUMNS, feature_frame, feature_rows

    records = [{k: v for k, v in r.items() if k != "person"} for r in synthetic.records(200, 8)]
    frame = feature_frame(iter(records))  # a stream, as a file being read
    rows = feature_rows(records)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == len(rows)
    for row, (_, got) in zip(rows, frame.iterrows(), strict=True):
        assert {k: (None if pd.isna(v) else v) for k, v in got.items()} == row
    parallel = feature_frame(iter(records), workers=2)  # a stream goes to the processes
    assert parallel.equals(frame)
