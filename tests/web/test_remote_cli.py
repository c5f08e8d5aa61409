"""The CLI against a real `crosscheck serve` from "another machine": no local store at all.

An examiner logs in (the profile), submits, reads hits, releases, sends and reads
messages over HTTP; flags beat the environment, which beats the profile; a bad
token and an unreachable hub are one line and exit 2.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from crosscheck.cli.app import main
from crosscheck.exchange import write_package
from crosscheck.model import Fingerprint
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from tests.helpers import contribution
from tests.web.test_live_server import free_port

pytestmark = pytest.mark.slow
SHARED = "ab" * 32  # both agencies hold this file: a hit


def package(path: Path, agency: str, country: str, cid: str, name: str) -> Path:
    entities = [
        {"id": f"{cid}-p", "schema": "Person", "properties": {"name": [name]}},
        {"id": f"{cid}-i", "schema": "Image", "properties": {"fileName": ["x.jpg"]}},
    ]
    prints = [Fingerprint(entity_id=f"{cid}-i", kind="sha256", value=SHARED)]
    write_package(
        path, contribution(cid, provider={"name": agency, "country": country}), entities, prints
    )
    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "hub"
    settings = Settings.from_env({"CROSSCHECK_HOME": str(home)})
    store = open_store(settings, create=True)
    for name, country in (("BE police", "BE"), ("FR police", "FR")):
        hub.add_agency(store, name, country, tmp_path / f"{country}.key")
        for role in ("examiner", "agency_admin"):
            out = tmp_path / f"{country}-{role}.token"
            hub.add_user(store, f"{country} {role}", role, name, out, settings=settings)
    store.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crosscheck", "serve", "--port", str(port)],
        env=env | {"CROSSCHECK_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and server.poll() is None, "no hub"
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.kill()
        server.wait(timeout=10)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Ran]:
    """`crosscheck ARGS` on "the examiner's machine": its own (empty) home and config."""

    def run(*args: str, **env: str) -> Ran:
        capfd.readouterr()
        with monkeypatch.context() as patch:
            for name in [k for k in os.environ if k.startswith("CROSSCHECK_")]:
                patch.delenv(name)
            patch.setenv("CROSSCHECK_HOME", str(tmp_path / "desk"))
            patch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
            for name, value in env.items():
                patch.setenv(name, value)
            code = main(list(args))
        out, err = capfd.readouterr()
        return Ran(code, out, err)

    return run


def test_remote_examiner_with_a_profile(
    served: str, tmp_path: Path, cli: Callable[..., Ran]
) -> None:
    url = served
    be_token, fr_token = tmp_path / "BE-agency_admin.token", tmp_path / "FR-examiner.token"
    login = cli(
        "login", "--hub", url, "--agency", "BE police",
        "--token-file", str(be_token), "--agency-key", str(tmp_path / "BE.key"),
    )  # fmt: skip
    assert login.returncode == 0, login.stderr
    written = tmp_path / "cfg" / "crosscheck" / "profile.toml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert be_token.read_text().strip() not in written.read_text()  # a path, never the secret
    assert str(be_token.resolve()) in written.read_text()

    # BE submits with the profile alone; FR with flags
    be_pkg = package(tmp_path / "be.zip", "BE police", "BE", "be_case", "Remotename Bejaard")
    done = cli("submit", str(be_pkg))
    assert done.returncode == 0 and "stored as be_case" in done.stdout, done.stderr

    def fr_submits(name: str, cid: str, person: str, key: str = "FR.key") -> tuple[Path, Ran]:
        pkg = package(tmp_path / name, "FR police", "FR", cid, person)
        flags = ["--agency", "FR police", "--agency-key", str(tmp_path / key)]
        return pkg, cli("submit", str(pkg), *flags, "--token-file", str(fr_token))

    _, done = fr_submits("fr.zip", "fr_case", "Remotename Francois")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "desk").exists() or not any((tmp_path / "desk").glob("*.db"))

    headers = {"Authorization": f"Bearer {be_token.read_text().strip()}"}
    deadline = time.monotonic() + 30
    while not httpx.get(f"{url}/api/v1/inbox", headers=headers).json():
        assert time.monotonic() < deadline, "the cross-check did not run"
        time.sleep(0.3)

    inbox = cli("inbox")
    assert inbox.returncode == 0, inbox.stderr
    assert "FR police" in inbox.stdout and "pending" in inbox.stdout
    rows = json.loads(cli("inbox", "--format", "json").stdout)
    ref = rows[0]["ref"]
    fr_env = {"CROSSCHECK_TOKEN_FILE": str(fr_token)}
    hits = cli("hits", "--format", "json", **fr_env)  # the environment beats the profile
    assert hits.returncode == 0, hits.stderr
    assert [(h["ref"], h["other_entity"]) for h in json.loads(hits.stdout)] == [(ref, None)]
    assert "BE police" in cli("hits", **fr_env).stdout  # the table of the local command
    released = cli("hit", "release", ref)
    assert released.returncode == 0 and "released to FR police" in released.stdout, released.stdout
    hits = cli("hits", "--format", "json", **fr_env)
    assert [h["other_entity"] for h in json.loads(hits.stdout)] == ["be_case.be_case-i"]

    # a second request from FR: BE declines the whole notice (N-…) over HTTP
    _, done = fr_submits("fr2.zip", "fr_more", "Remotename Autre")
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 30
    while True:
        notices = json.loads(cli("inbox", "--view", "notices", "-f", "json").stdout)
        pending = [n for n in notices if n["status"] == "pending"]
        if pending:
            break
        assert time.monotonic() < deadline, "the second cross-check did not run"
        time.sleep(0.3)
    [notice] = pending
    assert notice["ref"].startswith("N-") and notice["other_agency"] == "FR police"
    declined = cli("hit", "decline", notice["ref"])
    assert declined.returncode == 0, declined.stderr
    assert "1 of 1 item(s) declined for FR police; notice declined" in declined.stdout
    seen = json.loads(cli("hits", "--view", "notices", "-f", "json", **fr_env).stdout)
    assert sorted(n["status"] for n in seen) == ["declined", "released"]
    table = cli("hits", **fr_env).stdout
    assert notice["ref"] in table and "declined" in table and "(declined)" in table

    # the hub refuses a package signed with another agency's key: one line, exit 2,
    # in the caller's terms, and no path on the hub's machine
    forged, refused = fr_submits("fr3.zip", "fr_forged", "Remotename Faux", key="BE.key")
    assert refused.returncode == 2, refused.stderr
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith(f"crosscheck: error: {forged}: the hub refused it (4"), line
    assert str(tmp_path / "hub") not in line and "Traceback" not in refused.stderr

    # messages: BE (profile) to FR (environment), with an attachment
    note = tmp_path / "note.txt"
    note.write_bytes(b"benign note\n")
    sent = cli(
        "message", "send", "--to", "FR police", "--subject", "About the hit",
        "--handling", "H2", "--evaluation", "B2", "--body", "Call us.", "--attach", str(note),
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    msg = sent.stdout.split()[1]
    listed = cli("message", "list", **fr_env)
    assert msg in listed.stdout and "FR police: no" in listed.stdout, listed.stderr
    shown = cli("message", "show", msg, "--save-attachments", str(tmp_path / "got"), **fr_env)
    assert shown.returncode == 0, shown.stderr
    assert "Call us." in shown.stdout and "attachment: note.txt (12 bytes)" in shown.stdout
    assert (tmp_path / "got" / "note.txt").read_bytes() == b"benign note\n"
    assert "FR police: yes" in cli("message", "list").stdout  # BE sees the receipt

    # precedence: a flag beats the environment, which beats the profile
    mine = cli("search", "remotename")  # the profile: BE
    assert "Remotename Bejaard" in mine.stdout and "Francois" not in mine.stdout, mine.stderr
    env_wins = cli("search", "remotename", **fr_env)
    assert "Francois" in env_wins.stdout and "Bejaard" not in env_wins.stdout, env_wins.stderr
    flag_wins = cli("search", "remotename", "--token-file", str(be_token), **fr_env)
    assert "Bejaard" in flag_wins.stdout and "Francois" not in flag_wins.stdout
    shown_profile = cli("profile", **fr_env)
    assert f"token_file: {fr_token} (environment)" in shown_profile.stdout
    assert f"hub: {url} (profile)" in shown_profile.stdout

    # errors: one line, exit 2, no traceback
    bad = tmp_path / "bad.token"
    bad.write_text("cc_1_not-a-token")
    refused = cli("hits", "--token-file", str(bad))
    assert refused.returncode == 2 and "401" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    wrong = cli("hits", "--agency", "FR police")  # the profile's BE token
    assert wrong.returncode == 2 and "not of FR police" in wrong.stderr
    gone = cli("message", "list", "--hub", f"http://127.0.0.1:{free_port()}")
    assert gone.returncode == 2, gone.stderr
    assert gone.stderr.startswith("crosscheck: error: cannot reach the hub at http://127.0.0.1:")
    assert len(gone.stderr.strip().splitlines()) == 1 and "Traceback" not in gone.stderr

    assert cli("logout").returncode == 0 and not written.exists()
