"""`user add`, `user list`, `user revoke` and `agency revoke` on the command line (both engines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.access_store import AccessStore
from crosscheck.store.audit_log import AuditLog
from tests.cli.conftest import run


def _authenticates(token_file: Path) -> bool:
    settings = Settings.from_env()
    store = open_store(settings)
    try:
        access = AccessStore(store.engine, hub.token_key(settings))
        return access.authenticate(token_file.read_text().strip()) is not None
    finally:
        store.engine.dispose()


def test_users_listed_revoked_and_gone_with_their_agency(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, country in (("BE police", "BE"), ("AU police", "AU")):
        code, _, err = run(
            capsys,
            "agency",
            "add",
            name,
            "--country",
            country,
            "--key-out",
            str(tmp_path / country),
        )
        assert code == 0, err
    tokens = {who: tmp_path / f"{who}.token" for who in ("admin", "ex", "ex2", "au", "op")}
    for who, role, agency in (
        ("admin", "agency_admin", "BE police"),
        ("ex", "examiner", "BE police"),
        ("ex2", "examiner", "BE police"),
        ("au", "analyst", "AU police"),
        ("op", "hub_operator", None),
    ):
        argv = ["user", "add", who, "--role", role, "--token-out", str(tokens[who])]
        code, out, err = run(capsys, *argv, *(["--agency", agency] if agency else []))
        assert code == 0 and "credential" in out, err
        assert tokens[who].stat().st_mode & 0o777 == 0o600
    assert (env / "token.key").stat().st_mode & 0o777 == 0o600
    assert all(_authenticates(path) for path in tokens.values())

    code, out, _ = run(capsys, "user", "list")
    assert code == 0
    for who, role in (("admin", "agency_admin"), ("au", "analyst"), ("op", "hub_operator")):
        assert any(who in line and role in line for line in out.splitlines()), (who, out)
    secrets = [path.read_text().strip().split("_", 2)[2] for path in tokens.values()]
    assert not any(secret in out for secret in secrets)
    code, out, _ = run(capsys, "user", "list", "--agency", "AU police")
    assert "au" in out and "BE police" not in out and "admin" not in out
    code, _, err = run(capsys, "user", "list", "--agency", "XX police")
    assert code == 2 and "no agency" in err

    # by name; an ambiguous name is refused; then by credential id
    code, out, err = run(capsys, "user", "revoke", "ex", "--agency", "BE police")
    assert code == 0 and "revoked" in out, err
    assert not _authenticates(tokens["ex"]) and _authenticates(tokens["ex2"])
    again = tmp_path / "ex2-again.token"
    run(capsys, "user", "add", "ex2", "--role", "examiner", "--agency", "BE police",
        "--token-out", str(again))  # fmt: skip
    code, _, err = run(capsys, "user", "revoke", "ex2")
    assert code == 2 and "give the credential id" in err
    assert _authenticates(tokens["ex2"]) and _authenticates(again)
    number = again.read_text().strip().split("_", 2)[1]
    assert run(capsys, "user", "revoke", number)[0] == 0
    assert _authenticates(tokens["ex2"]) and not _authenticates(again)
    code, _, err = run(capsys, "user", "revoke", "nobody")
    assert code == 2 and "no user" in err

    # the agency: its keys and every user's token, audited
    code, out, err = run(capsys, "agency", "revoke", "BE police")
    assert code == 0 and "1 key(s) and 2 user token(s) revoked" in out, err
    assert not _authenticates(tokens["admin"]) and not _authenticates(tokens["ex2"])
    assert _authenticates(tokens["au"]) and _authenticates(tokens["op"])
    code, out, _ = run(capsys, "user", "list", "--agency", "BE police")
    assert out.count("BE police") == 4 and out.count(" - ") == 0
    code, _, err = run(capsys, "user", "add", "late", "--role", "examiner", "--agency",
                       "BE police", "--token-out", str(tmp_path / "late.token"))  # fmt: skip
    assert code == 2 and "agency add" in err and not (tmp_path / "late.token").exists()

    store = open_store(Settings.from_env())
    entries = [e for e in AuditLog(store.engine).entries() if e["action"] == "key"]
    store.engine.dispose()
    assert '"revoked_credentials":2' in entries[-1]["detail"].replace(" ", "")
    assert sum('"revoked_user"' in e["detail"] for e in entries) == 2
