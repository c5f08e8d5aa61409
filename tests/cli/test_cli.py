"""The CLI contract: commands, output formats and exit codes (0 ok, 2 bad input, 1 internal)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck.cli import app as cli_app
from crosscheck.model.keys import qualify
from tests.cli.conftest import run
from tests.helpers import make_package


def test_import_export_show_entities_stats(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = make_package(tmp_path / "p.zip")
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(capsys, "import", str(package))
    assert code == 0
    assert "imported fr_ocrvp_2019_0007" in out and "H2, A1" in out
    code, out, _ = run(capsys, "import", str(package))
    assert (code, "already held" in out) == (0, True)

    code, out, _ = run(capsys, "entities", "--format", "jsonl", "--schema", "Person")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [qualify("fr_ocrvp_2019_0007", "p-1")]
    assert rows[0]["contributions"] == ["fr_ocrvp_2019_0007"]

    code, out, _ = run(capsys, "entities")
    assert code == 0 and "acc-1" in out and "UserAccount" in out

    code, out, _ = run(capsys, "show", "p-1", "--format", "json")
    shown = json.loads(out)
    email = next(v for v in shown["values"] if v["prop"] == "email")
    assert email["contribution"] == "fr_ocrvp_2019_0007"
    assert email["handling_code"] == "H2" and email["evaluation"] == "A1"
    assert email["agency"] == "OCRVP (test)"

    code, out, _ = run(capsys, "show", "vid-1")
    assert code == 0 and "vpdq-frame" in out and "OCRVP (test) (FR), H2, A1" in out

    code, out, _ = run(capsys, "stats", "--format", "json")
    stats = json.loads(out)
    assert stats["contributions"] == 1 and stats["fingerprints"] == 4

    out_path = tmp_path / "exported.zip"
    code, out, _ = run(
        capsys, "export", "--contribution", "fr_ocrvp_2019_0007", "--out", str(out_path)
    )
    assert code == 0 and out_path.exists()


def test_bad_input_exits_2_with_one_line_naming_the_file(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    code, out, err = run(capsys, "import", str(junk))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(junk) in lines[0] and "not a readable zip" in lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ("show", "nobody"),
        ("export", "--contribution", "nothing", "--out", "x.zip"),
        ("entities", "--schema", "Starship"),
        ("entities", "--format", "xml"),
        ("no-such-command",),
    ],
)
def test_other_bad_input_exits_2(
    env: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    run(capsys, "init")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.strip()


def test_reading_before_init_says_what_to_do(
    env: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL test database is migrated once per session")
    Path(db_url.removeprefix("sqlite:///")).unlink()
    code, _, err = run(capsys, "stats")
    assert code == 2 and "crosscheck init" in err


def test_internal_error_exits_1(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(cli_app.typer.main, "get_command", broken)
    code, _, err = run(capsys, "stats")
    assert code == 1 and "internal error: RuntimeError: simulated fault" in err


def test_demo_refuses_a_folder_that_is_not_empty(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the demo itself, end to end, is the acceptance test in tests/demo
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "kept.txt").write_text("mine", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--out", str(folder))
    assert code == 2 and "not empty" in err
    assert [p.name for p in folder.iterdir()] == ["kept.txt"]


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = shutil.which("crosscheck") or str(Path(sys.executable).parent / "crosscheck")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"\0" * 100)
    env = {**os.environ, "CROSSCHECK_HOME": str(tmp_path / "h"), "CROSSCHECK_DB_URL": ""}
    done = subprocess.run(
        [script, "import", str(junk)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and str(junk) in done.stderr
    version = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("crosscheck ")
