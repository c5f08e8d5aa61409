"""The hub's CLI: agencies, signing, signed import, hits, inbox, release, audit verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from tests.cli.conftest import run
from tests.helpers import contribution


def make(tmp_path: Path, name: str, agency: str, country: str, cid: str) -> Path:
    path = tmp_path / f"{name}.zip"
    entities = [{"id": f"{name}-img", "schema": "Image", "properties": {"fileName": ["x.jpg"]}}]
    prints = [Fingerprint(entity_id=f"{name}-img", kind="sha256", value="a" * 64)]
    write_package(
        path, contribution(cid, provider={"name": agency, "country": country}), entities, prints
    )
    return path


def test_two_agencies_a_hit_and_its_release(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    be_key, au_key = tmp_path / "be.key", tmp_path / "au.key"
    assert (
        run(capsys, "agency", "add", "BE police", "--country", "BE", "--key-out", str(be_key))[0]
        == 0
    )
    assert be_key.stat().st_mode & 0o777 == 0o600
    code, _, err = run(capsys, "agency", "add", "XX", "--country", "BE", "--key-out", str(be_key))
    assert code == 2 and "never overwritten" in err
    run(capsys, "agency", "add", "AU police", "--country", "AU", "--key-out", str(au_key))
    code, out, _ = run(capsys, "agency", "list")
    assert "BE police" in out and "active" in out

    be, au = (
        make(tmp_path, "be", "BE police", "BE", "be_1"),
        make(tmp_path, "au", "AU police", "AU", "au_1"),
    )
    code, _, err = run(capsys, "import", str(be), "--require-signature")
    assert code == 2 and "not signed" in err
    run(capsys, "sign", str(be), "--agency-key", str(be_key), "--agency", "BE police")
    run(capsys, "sign", str(au), "--agency-key", str(au_key), "--agency", "AU police")
    be, au = be.with_name("be.signed.zip"), au.with_name("au.signed.zip")  # signed copies
    assert run(capsys, "import", str(be), "--require-signature")[0] == 0
    code, out, _ = run(capsys, "import", str(au), "--require-signature")
    assert code == 0 and "1 new hits" in out and "signed with key" in out

    # a store the hub serves: each agency acts with its own token
    tok = {a: str(tmp_path / f"{a[:2]}.token") for a in ("BE police", "AU police")}
    for agency, path in tok.items():
        run(capsys, "user", "add", f"{agency} admin", "--role", "agency_admin", "--agency", agency,
            "--token-out", path)  # fmt: skip
    code, out, _ = run(capsys, "hits", "--agency", "AU police", "--token-file", tok["AU police"])
    assert "BE police" in out and "(not released)" in out and "be-img" not in out
    code, out, _ = run(capsys, "inbox", "--agency", "BE police", "--token-file", tok["BE police"])
    ref = next(word for word in out.split() if word.startswith("HIT-"))
    code, _, err = run(capsys, "hit", "release", ref, "--token-file", tok["AU police"])
    assert code == 2 and "no hit" in err
    assert run(capsys, "hit", "release", ref, "--token-file", tok["BE police"])[0] == 0
    code, out, _ = run(capsys, "hits", "--token-file", tok["AU police"])
    assert "be-img" in out and "released" in out
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "audit log intact" in out


def test_messages_and_retention_from_the_cli(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, country in (("ES police", "ES"), ("AU police", "AU")):
        run(
            capsys,
            "agency",
            "add",
            name,
            "--country",
            country,
            "--key-out",
            str(tmp_path / f"{country}.key"),
        )
    tok = {a: str(tmp_path / f"{a[:2]}.token") for a in ("ES police", "AU police")}
    for agency, path in tok.items():
        run(capsys, "user", "add", f"{agency} analyst", "--role", "analyst", "--agency", agency,
            "--token-out", path)  # fmt: skip
    code, out, err = run(
        capsys, "message", "send", "--token-file", tok["AU police"], "--to", "ES police",
        "--subject", "Lead", "--body", "See the attached report.",
        "--handling", "H1", "--evaluation", "B2",
    )  # fmt: skip
    assert code == 0, err
    ref = out.split()[1]
    code, out, _ = run(capsys, "message", "show", ref, "--token-file", tok["ES police"])
    assert code == 0 and "See the attached report." in out and "H1, B2" in out
    code, _, err = run(capsys, "message", "show", ref, "--agency", "Nobody")
    assert code == 2
    code, out, _ = run(capsys, "message", "list", "--agency", "AU police",
                       "--token-file", tok["AU police"])  # fmt: skip
    assert "ES police: yes" in out
    code, out, _ = run(capsys, "retention", "review", "--as-of", "2099-01-01")
    assert code == 0
    code, out, _ = run(capsys, "retention", "erase", "--as-of", "2000-01-01", "--yes")
    assert code == 0 and "nothing is due" in out


def test_ingest_table_into_a_contribution(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "users.csv"
    table.write_text("id,source,name,username,email\n7,forum-a,Juan García,jg77,jg@mail.example\n")
    code, out, err = run(
        capsys, "ingest-table", str(table), "--mapping", "forum-users", "--agency", "ES police",
        "--country", "ES", "--case", "ES/1", "--handling", "H2", "--evaluation", "B2",
    )  # fmt: skip
    assert code == 0, err
    assert "2 entities" in out and "imported" in out
    code, out, _ = run(capsys, "entities", "--schema", "UserAccount", "--format", "jsonl")
    assert "jg77" in out
