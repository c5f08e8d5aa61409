"""`crosscheck audit show`: the operator reads the log, filtered, as a table or JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import run


def test_audit_show_filters_and_formats(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, country in (("BE police", "BE"), ("AU police", "AU")):
        key = tmp_path / f"{country}.key"
        assert (
            run(capsys, "agency", "add", name, "--country", country, "--key-out", str(key))[0] == 0
        )
    assert run(capsys, "agency", "revoke", "AU police")[0] == 0

    code, out, _ = run(capsys, "audit", "show", "--format", "jsonl")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [e["subject"] for e in lines] == ["BE police", "AU police", "AU police"]
    assert {"id", "at", "actor", "action", "subject", "detail"} <= set(lines[0])
    assert lines[2]["detail"]["revoked_keys"] == 1

    code, out, _ = run(capsys, "audit", "show")
    assert code == 0 and "revoked_keys" in out and "BE police" in out
    for header in ("id", "time", "actor", "action", "subject", "detail"):
        assert header in out

    code, out, _ = run(capsys, "audit", "show", "--action", "key", "--actor", "nobody")
    assert code == 0 and "BE police" not in out
    code, out, _ = run(capsys, "audit", "show", "--since", "2999-01-01", "--format", "jsonl")
    assert code == 0 and out.strip() == ""
    code, out, _ = run(capsys, "audit", "show", "--since", "2000-01-01T00:00", "-f", "jsonl")
    assert code == 0 and len(out.splitlines()) == 3

    code, _, err = run(capsys, "audit", "show", "--action", "nonsense")
    assert code == 2 and "audit action" in err
    code, _, err = run(capsys, "audit", "show", "--since", "yesterday")
    assert code == 2 and "--since" in err
