"""API tokens: a keyed hash (HMAC-SHA-256) stored, checked by one indexed query, never cached.

Issue 11, items 7 and 8, on both engines.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, event, select, text

from crosscheck.exc import Conflict, InvalidData, NotFound
from crosscheck.service import hub
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, access_store, make_engine
from crosscheck.store.access_store import AccessStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.migrate import upgrade
from crosscheck.store.tables import credential
from tests.conftest import snapshot

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KEY = bytes(range(32))


@pytest.fixture
def agencies(store: CaseStore, tmp_path: Path) -> None:
    for name, country in (("BE police", "BE"), ("AU police", "AU")):
        hub.add_agency(store, name, country, tmp_path / f"{country}.key")


def _two_processes(db_url: str) -> tuple[AccessStore, AccessStore]:
    """Two AccessStores on engines of their own, as two server processes of one hub have."""
    return AccessStore(make_engine(db_url), KEY), AccessStore(make_engine(db_url), KEY)


def test_a_revocation_by_another_process_is_refused_at_once(
    store: CaseStore, db_url: str, agencies: None
) -> None:
    one, other = _two_processes(db_url)
    try:
        admin = one.add_credential("admin", "agency_admin", "BE police", NOW)
        examiner = one.add_credential("examiner", "examiner", "BE police", NOW)
        operator = one.add_credential("op", "hub_operator", None, NOW)
        for token in (admin, examiner, operator):
            assert one.authenticate(token) is not None
        other.revoke_credential("admin", "BE police", NOW)
        assert one.authenticate(admin) is None  # the very next call
        assert one.authenticate(examiner) is not None
        with other.engine.begin() as conn:
            assert other.revoke_agency_credentials("BE police", NOW, conn) == 1
        assert one.authenticate(examiner) is None
        assert one.authenticate(operator) is not None
    finally:
        one.engine.dispose()
        other.engine.dispose()


def test_authentication_never_calls_argon2(
    store: CaseStore, agencies: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_: object, **__: object) -> None:
        raise AssertionError("argon2 was called for a token")

    for method in ("hash", "verify", "check_needs_rehash"):
        monkeypatch.setattr(PasswordHasher, method, refused)
    access = AccessStore(store.engine, KEY)
    token = access.add_credential("examiner", "examiner", "BE police", NOW)
    caller = access.authenticate(token)
    assert caller is not None and (caller.name, caller.agency) == ("examiner", "BE police")
    assert access.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert isinstance(access_store._hasher, PasswordHasher)  # kept for passwords (issue 13)


def test_the_store_holds_the_keyed_hash_not_the_token(store: CaseStore, agencies: None) -> None:
    access = AccessStore(store.engine, KEY)
    token = access.add_credential("examiner", "examiner", "BE police", NOW)
    _, number, secret = token.split("_", 2)
    assert len(secret) >= 43  # 256 bits, url-safe base64
    with store.engine.connect() as conn:
        row = conn.execute(select(credential).where(credential.c.id == int(number))).one()
    assert row.token_mac == hmac.new(KEY, secret.encode(), hashlib.sha256).hexdigest()
    assert secret not in repr(snapshot(store))
    # another key (another hub, or a lost key file) opens nothing
    assert AccessStore(store.engine, bytes(32)).authenticate(token) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "cc",
        "cc_1",
        "cc__x",
        "xx_1_secret",
        "cc_" + "9" * 30 + "_secret",  # over the database's integer: once a 500
        "cc_99999999999_secret",
        "cc_-1_secret",
        "cc_\u00b2_secret",  # a digit to str.isdigit, not to int()
        "cc_1_\udcff",
        "cc_1_" + "x" * 10000,
    ],
)
def test_malformed_tokens_are_refused_without_error(
    store: CaseStore, agencies: None, token: str
) -> None:
    access = AccessStore(store.engine, KEY)
    access.add_credential("examiner", "examiner", "BE police", NOW)
    assert access.authenticate(token) is None


def test_the_work_does_not_depend_on_whether_the_id_exists(
    store: CaseStore, agencies: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    access = AccessStore(store.engine, KEY)
    token = access.add_credential("examiner", "examiner", "BE police", NOW)
    _, number, secret = token.split("_", 2)
    macs: list[str] = []
    real = access_store.token_mac
    monkeypatch.setattr(access_store, "token_mac", lambda k, s: macs.append(s) or real(k, s))
    queries: list[str] = []

    def count(*args: Any) -> None:
        queries.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        work = {}
        for label, candidate in {
            "right": token,
            "wrong secret": f"cc_{number}_{secret[::-1]}",
            "missing id": f"cc_{int(number) + 1000}_{secret[::-1]}",
            "right secret, other id": f"cc_{int(number) + 1000}_{secret}",
        }.items():
            macs.clear()
            queries.clear()
            found = access.authenticate(candidate)
            assert (found is not None) == (label == "right"), label
            work[label] = (len(macs), len(queries))
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert set(work.values()) == {(1, 1)}, work  # one MAC, one query, whatever the token


def test_user_revoke_by_name_or_id_and_ambiguity(store: CaseStore, agencies: None) -> None:
    access = AccessStore(store.engine, KEY)
    first = access.add_credential("alice", "analyst", "BE police", NOW)
    second = access.add_credential("alice", "analyst", "BE police", NOW)
    au = access.add_credential("alice", "analyst", "AU police", NOW)
    before = snapshot(store)
    with pytest.raises(InvalidData, match="give the credential id"):
        access.revoke_credential("alice", "BE police", NOW)
    with pytest.raises(NotFound, match="no user 'bob'"):
        access.revoke_credential("bob", None, NOW)
    with pytest.raises(NotFound, match="no agency"):
        access.revoke_credential("alice", "XX police", NOW)
    assert snapshot(store) == before
    number = int(first.split("_", 2)[1])
    done = access.revoke_credential(str(number), None, NOW)
    assert (done.id, done.name, done.agency) == (number, "alice", "BE police")
    assert done.revoked_at == NOW
    with pytest.raises(Conflict, match="already revoked"):
        access.revoke_credential(str(number), None, NOW)
    # now one active "alice" in BE: the name is enough there, and AU's is untouched
    access.revoke_credential("alice", "BE police", NOW)
    assert access.authenticate(second) is None and access.authenticate(au) is not None
    listed = {(c.name, c.agency, c.revoked_at is not None) for c in access.credentials()}
    assert listed == {
        ("alice", "BE police", True),
        ("alice", "AU police", False),
    }
    assert [c.agency for c in access.credentials("AU police")] == ["AU police"]
    # a name that is also another credential's id is ambiguous
    access.add_credential(str(int(au.split("_", 2)[1])), "analyst", "AU police", NOW)
    with pytest.raises(InvalidData, match="2 active credentials"):
        access.revoke_credential(au.split("_", 2)[1], None, NOW)


def test_a_revoked_agency_gets_no_new_user_until_rekeyed(
    store: CaseStore, settings: Settings, tmp_path: Path, agencies: None
) -> None:
    hub.add_user(store, "old", "agency_admin", "BE police", tmp_path / "old.tok", settings=settings)
    old = (tmp_path / "old.tok").read_text().strip()
    done = hub.revoke_agency(store, "BE police")
    assert (done.keys, done.credentials) == (1, 1)
    before = snapshot(store)
    with pytest.raises(Conflict, match="revoked"):
        hub.add_user(store, "new", "examiner", "BE police", tmp_path / "new.tok", settings=settings)
    assert snapshot(store) == before and not (tmp_path / "new.tok").exists()
    hub.add_agency(store, "BE police", "BE", tmp_path / "BE2.key")
    hub.add_user(store, "new", "examiner", "BE police", tmp_path / "new.tok", settings=settings)
    access = AccessStore(store.engine, hub.token_key(settings))
    assert access.authenticate((tmp_path / "new.tok").read_text().strip()) is not None
    assert access.authenticate(old) is None  # a new key brings no old token back


def test_user_and_agency_changes_are_audited_in_their_transaction(
    store: CaseStore,
    settings: Settings,
    tmp_path: Path,
    agencies: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = AuditLog(store.engine)
    start = len(log.entries())
    number = hub.add_user(
        store, "u", "examiner", "BE police", tmp_path / "u.tok", settings=settings
    )
    hub.revoke_user(store, "u", "BE police")
    hub.add_user(store, "v", "examiner", "BE police", tmp_path / "v.tok", settings=settings)
    hub.revoke_agency(store, "BE police")
    added, revoked, _, agency = log.entries()[start:]
    assert {e["action"] for e in (added, revoked, agency)} == {"key"}
    assert '"credential":' + str(number) in added["detail"].replace(" ", "")
    assert '"revoked_user":"u"' in revoked["detail"].replace(" ", "")
    assert '"revoked_credentials":1' in agency["detail"].replace(" ", "")
    assert log.verify().ok
    token = (tmp_path / "u.tok").read_text()
    assert all(token.strip() not in repr(e) for e in log.entries())

    # no audit entry, no change
    hub.add_agency(store, "BE police", "BE", tmp_path / "BE2.key")
    hub.add_user(store, "w", "examiner", "BE police", tmp_path / "w.tok", settings=settings)
    before = snapshot(store)

    def broken(*_: Any, **__: Any) -> str:
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(AuditLog, "append", broken)
    for action in (
        lambda: hub.revoke_user(store, "w", "BE police"),
        lambda: hub.revoke_agency(store, "BE police"),
        lambda: hub.add_user(
            store, "x", "examiner", "BE police", tmp_path / "x.tok", settings=settings
        ),
    ):
        with pytest.raises(RuntimeError, match="audit log is down"):
            action()
        assert snapshot(store) == before
    assert not (tmp_path / "x.tok").exists()


def test_the_token_key_is_a_private_file_or_a_setting(tmp_path: Path) -> None:
    settings = Settings.from_env({"CROSSCHECK_HOME": str(tmp_path / "home")})
    key = hub.token_key(settings)
    path = tmp_path / "home" / "token.key"
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert hub.token_key(settings) == key  # made once, then read
    assert [p.name for p in path.parent.iterdir()] == ["token.key"]
    given = Settings.from_env(
        {"CROSSCHECK_HOME": str(tmp_path / "h2"), "CROSSCHECK_TOKEN_KEY": "QUJD" * 10 + "QUI="}
    )
    assert hub.token_key(given) == b"ABC" * 10 + b"AB"
    assert not (tmp_path / "h2").exists()
    for bad in ("not base64!", "QUJD"):
        with pytest.raises(InvalidData, match="must be 32 bytes"):
            hub.token_key(
                Settings.from_env({"CROSSCHECK_HOME": str(tmp_path), "CROSSCHECK_TOKEN_KEY": bad})
            )


def test_a_credential_made_before_token_macs_is_listed_and_refused(tmp_path: Path) -> None:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO credential (agency_id, name, role, token_hash, created_at) "
                "VALUES (NULL, 'op', 'hub_operator', '$argon2id$v=19$m=65536,t=3,p=4$x$y', "
                "'2026-11-30 00:00:00')"
            )
        )
    upgrade(engine)
    access = AccessStore(engine, KEY)
    (old,) = access.credentials()
    assert (old.name, old.usable, old.revoked_at) == ("op", False, None)
    assert access.authenticate("cc_1_anything") is None
    fresh = access.add_credential("op", "hub_operator", None, NOW)
    assert access.authenticate(fresh) is not None
    engine.dispose()
