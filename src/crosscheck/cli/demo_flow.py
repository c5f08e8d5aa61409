"""The operation replayed end to end: four agencies, a hub on loopback, the real commands.

Each agency has its own folder (CROSSCHECK_HOME: its store, its key, its users'
tokens and workbench passwords); the hub is ``crosscheck serve`` in a child
process with its own store. Agencies act through the same commands an examiner
types (`fingerprint`, `ingest-table`, `submit`, `hit release`, `message send`…,
run in this process with the agency's environment) and through the hub's API;
nothing is written to the hub's store except by the hub itself and by the
operator's and analyst's commands that run on it (`agency add`, `user add`,
`graph path`, `report`, `audit verify`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from crosscheck.cli import common
from crosscheck.cli.remote import Hub
from crosscheck.exc import CrosscheckError
from crosscheck.exchange.tables import load_mapping, map_table
from crosscheck.model.keys import qualify
from crosscheck.scenario import build

ROLES = ("examiner", "analyst", "agency_admin")
HANDLING = {"AU": ("H2", "B2"), "BE": ("H1", "A2"), "FR": ("H2", "B1")}
CASES = {"AU": "AU/2024/0917", "BE": "BE/2015/0042", "FR": "FR/2019/0311"}
SEIZED = {"AU": "2024", "BE": "2015", "FR": "2019"}


@dataclass
class Step:
    """One thing that happens, and the agency that acts."""

    number: int
    agency: str
    text: str


@dataclass
class DemoRun:
    """What the demo made and found: paths, the hub, the ids the findings rest on."""

    seed: int
    out: Path
    scenario: build.Scenario
    hub_home: Path
    url: str = ""
    process: subprocess.Popen[bytes] | None = None
    contributions: dict[str, list[str]] = field(default_factory=dict)
    video: str = ""  # AU's held id of the original
    message: str = ""
    accounts: list[str] = field(default_factory=list)  # held ids of the planted accounts
    people: list[str] = field(default_factory=list)  # held ids of the accounts' owners
    candidate: str = ""  # the account the case leads to (on the social network)
    contact: str = ""  # the social-network contact bearing the title's surname
    notices: dict[str, list[str]] = field(default_factory=dict)  # owner -> notice refs
    report_pdf: Path | None = None
    report_html: Path | None = None
    report_json: Path | None = None
    message_ref: str = ""
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # agency, user, password

    def folder(self, code: str) -> Path:
        return self.out / "agencies" / code

    def token(self, code: str, role: str) -> Path:
        return self.folder(code) / f"{role}.token"

    def key(self, code: str) -> Path:
        return self.folder(code) / "agency.key"

    def hub(self, code: str, role: str) -> Hub:
        return Hub(self.url, self.token(code, role).read_text(encoding="utf-8").strip())


Checkpoint = Callable[[str, DemoRun], None]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """CROSSCHECK_* and XDG_CONFIG_HOME as one agency (or the hub) has them; restored after."""
    names = (
        "CROSSCHECK_HOME",
        "CROSSCHECK_DB_URL",
        "CROSSCHECK_HUB",
        "CROSSCHECK_TOKEN_FILE",
        "CROSSCHECK_AGENCY",
        "CROSSCHECK_AGENCY_KEY",
        "XDG_CONFIG_HOME",
    )
    saved = {name: os.environ.get(name) for name in names}
    try:
        for name in names:
            os.environ.pop(name, None)
        os.environ["CROSSCHECK_DB_URL"] = ""
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Demo:
    """Runs the story; ``say`` prints progress, ``checkpoint`` lets a test look in between."""

    def __init__(
        self,
        run: DemoRun,
        say: Callable[[Step], None],
        detail: Callable[[str], None],
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.run = run
        self.say = say
        self.detail = detail
        self.checkpoint = checkpoint or (lambda _name, _run: None)
        self.steps = 0

    # -- helpers ---------------------------------------------------------------------------

    def step(self, agency: str, text: str) -> None:
        self.steps += 1
        self.say(Step(self.steps, agency, text))

    def cli(self, code: str, *args: str, cwd: Path | None = None) -> str:
        """Run one `crosscheck` command as agency ``code`` (or "hub"); its output, or an error.

        ``cwd``: the folder it runs in (file names are recorded as given, relative to it).
        """
        from crosscheck.cli.app import main  # the demo is itself a command of the app

        home = self.run.hub_home if code == "hub" else self.run.folder(code)
        printed = io.StringIO()
        with (
            environment(CROSSCHECK_HOME=str(home), XDG_CONFIG_HOME=str(self.run.out / "config")),
            contextlib.chdir(cwd or Path.cwd()),
            common.out.capture() as captured,
            contextlib.redirect_stderr(printed),
        ):
            result = main(list(args))
        text = captured.get().strip()
        if result != 0:
            raise CrosscheckError(
                f"demo step failed: crosscheck {' '.join(args[:2])}: {printed.getvalue().strip()}"
            )
        return text

    def submit(self, code: str, package: Path) -> str:
        line = self.cli(
            code,
            "submit",
            str(package),
            "--hub",
            self.run.url,
            "--agency-key",
            str(self.run.key(code)),
            "--agency",
            build.AGENCIES[code],
            "--token-file",
            str(self.run.token(code, "examiner")),
        )
        self.detail(line)
        # "<package>: stored as <id>; cross-check queued"
        held = line.split(" as ", 1)[1].split(";", 1)[0].strip()
        self.run.contributions.setdefault(code, []).append(held)
        return held

    # -- the story -------------------------------------------------------------------------

    def scenario(self) -> None:
        s = self.run.scenario
        self.step("all", f"scenario of seed {s.seed} written under {s.root}")
        self.detail(
            f"AU: the reported video {s.video} and the post with it; user tables of three "
            f"boards and a social network's export. BE (2015): {s.be_copy}, re-encoded smaller. "
            f"FR (2019): {s.fr_copy}, letterboxed with a logo. Near misses and other media in "
            "every seizure."
        )

    def hub_setup(self) -> None:
        self.step("hub", "the hub operator registers the agencies (Ed25519 keys) and their users")
        for code, name in build.AGENCIES.items():
            folder = self.run.folder(code)
            folder.mkdir(parents=True, exist_ok=True)
            key = str(self.run.key(code))
            self.detail(self.cli("hub", "agency", "add", name, "--country", code, "--key-out", key))
            for role in ROLES:
                user = f"{code} {role.replace('_', ' ')}"
                args = [
                    "user",
                    "add",
                    user,
                    "--agency",
                    name,
                    "--role",
                    role,
                    "--token-out",
                    str(self.run.token(code, role)),
                ]
                if role != "examiner":
                    password = folder / f"{role}.password"
                    args += ["--password-out", str(password)]
                self.cli("hub", *args)
                if role != "examiner":
                    self.run.logins.append((code, user, password.read_text().strip()))

    def start_hub(self) -> None:
        port = free_port()
        self.run.url = f"http://127.0.0.1:{port}"
        self.step("hub", f"the hub starts: crosscheck serve on {self.run.url}")
        env = {
            **os.environ,
            "CROSSCHECK_HOME": str(self.run.hub_home),
            "CROSSCHECK_DB_URL": "",
            "XDG_CONFIG_HOME": str(self.run.out / "config"),
        }
        with (self.run.out / "hub.log").open("wb") as log:  # the child keeps its own copy
            self.run.process = subprocess.Popen(  # noqa: S603 - our own CLI, no shell
                [
                    sys.executable,
                    "-m",
                    "crosscheck",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.run.process.poll() is not None:
                raise CrosscheckError(f"the hub stopped at start; see {self.run.out / 'hub.log'}")
            try:
                if httpx.get(f"{self.run.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise CrosscheckError(f"the hub did not answer in time; see {self.run.out / 'hub.log'}")

    def seizure(self, code: str) -> None:
        s = self.run.scenario
        handling, grade = HANDLING[code]
        package = self.run.folder(code) / f"{code.lower()}_seizure.zip"
        self.step(code, f"fingerprints its seizure ({handling}, {grade}); media stay here")
        self.detail(
            self.cli(
                code,
                "fingerprint",
                "seizure",
                "--out",
                str(package),
                "--agency",
                build.AGENCIES[code],
                "--country",
                code,
                "--case",
                CASES[code],
                "--handling",
                handling,
                "--evaluation",
                grade,
                "--purpose",
                f"Seizure of {SEIZED[code]}",
                "--contribution-id",
                f"{code.lower()}_seizure_{SEIZED[code]}",
                cwd=s.root / code,
            ).splitlines()[-1]
        )
        self.step(code, "signs and submits the package to the hub over HTTP")
        held = self.submit(code, package)
        if code == "AU":
            self.run.video = qualify(held, f"sha256-{_sha256(s.seizure('AU') / s.video)}")

    def tables(self) -> None:
        """AU: the report of the post, the three boards' users, the social network's export."""
        s = self.run.scenario
        handling, grade = HANDLING["AU"]
        planted = set(s.person.accounts())
        for name, mapping in (
            ("reported-posts.csv", "reported-posts"),
            ("board1-users.csv", "forum-users"),
            ("board2-users.csv", "forum-users"),
            ("board3-users.csv", "forum-users"),
            ("social-users.csv", "forum-users"),
            ("social-contacts.csv", "contact-list"),
        ):
            table = s.tables("AU") / name
            package = self.run.folder("AU") / f"au_{table.stem}.zip"
            self.step("AU", f"ingests {name} with the shipped mapping {mapping} and submits it")
            self.detail(
                self.cli(
                    "AU",
                    "ingest-table",
                    str(table),
                    "--mapping",
                    mapping,
                    "--agency",
                    build.AGENCIES["AU"],
                    "--country",
                    "AU",
                    "--case",
                    CASES["AU"],
                    "--handling",
                    handling,
                    "--evaluation",
                    grade,
                    "--purpose",
                    f"Seized table {name}",
                    "--contribution-id",
                    f"au_{table.stem.replace('-', '_')}",
                    "--out",
                    str(package),
                )
            )
            held = self.submit("AU", package)
            for entity in map_table(table, load_mapping(mapping)):
                props = entity["properties"]
                if entity["schema"] == "UserAccount":
                    key = (props.get("service", [""])[0], props.get("username", [""])[0])
                    if key in planted:
                        self.run.accounts.append(qualify(held, entity["id"]))
                        self.run.people.extend(qualify(held, o) for o in props.get("owner", []))
                        if mapping == "contact-list":  # connected to the title's surname
                            self.run.candidate = qualify(held, entity["id"])
                elif entity["schema"] == "Message" and s.message in props.get("bodyText", []):
                    self.run.message = qualify(held, entity["id"])
                elif entity["schema"] == "Person" and props.get("name") == [s.person.contact_name]:
                    self.run.contact = qualify(held, entity["id"])
        self.run.accounts = sorted(set(self.run.accounts))

    def wait_for_hits(self) -> None:
        self.step("hub", "cross-checks each new contribution against every other agency's")
        analyst = self.run.hub("AU", "analyst")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            owners = {n["other_agency"] for n in analyst.get("/notices")}
            if {build.AGENCIES["BE"], build.AGENCIES["FR"]} <= owners:
                break
            time.sleep(0.5)
        else:
            raise CrosscheckError("the hub found no hit with BE and FR in time")
        time.sleep(1.0)  # let the worker finish the queue
        for notice in analyst.get("/notices"):
            items = ", ".join(
                f"{'+'.join(i['signals'])} d={i['distance']}" for i in notice["items"]
            )
            self.detail(
                f"AU's {notice.get('own_caption')}: hit with {notice['other_agency']} "
                f"({items}); their item: not released"
            )

    def release(self, code: str) -> None:
        admin = self.run.hub(code, "agency_admin")
        inbox = admin.get("/notices/inbox")
        self.step(code, f"finds {len(inbox)} notice(s) in its inbox and releases them")
        for notice in inbox:
            self.run.notices.setdefault(code, []).append(notice["ref"])
            self.detail(
                self.cli(
                    code,
                    "hit",
                    "release",
                    notice["ref"],
                    "--hub",
                    self.run.url,
                    "--token-file",
                    str(self.run.token(code, "agency_admin")),
                )
            )

    def au_sees(self) -> None:
        self.step("AU", "its analyst sees the released items")
        for notice in self.run.hub("AU", "analyst").get("/notices"):
            for item in notice["items"]:
                self.detail(
                    f"{notice['other_agency']}: {item.get('caption') or '(not released)'} "
                    f"({'+'.join(item['signals'])} d={item['distance']}, {item['status']})"
                )

    def analysis(self) -> None:
        s = self.run.scenario
        self.step("AU", "analyses the message posted with the video (crosscheck text analyse)")
        posts = self.run.folder("AU") / "message.jsonl"
        posts.write_text(json.dumps({"id": "post", "text": s.message}) + "\n", encoding="utf-8")
        self.detail(self.cli("AU", "text", "analyse", str(posts), "--format", "table"))
        self.step("hub", "resolves AU's people and accounts (the hub's resolution API)")
        rows = self.run.hub("AU", "analyst").post("/resolution")
        clusters = {r["cluster"] for r in rows if r["id"] in self.run.accounts}
        members = [r for r in rows if r["cluster"] in clusters]
        self.detail(
            f"{len(rows)} records resolved; the planted accounts fall in {len(clusters)} "
            f"cluster(s) of {len(members)} record(s): "
            + ", ".join(sorted(str(r["caption"]) for r in members))
        )
        self.step("AU", "finds the path from the video to the account (crosscheck graph path)")
        self.detail(
            self.cli(
                "hub",
                "graph",
                "path",
                self.run.video,
                self.run.candidate,
                "--token-file",
                str(self.run.token("AU", "analyst")),
            )
        )

    def report(self) -> None:
        folder = self.run.out / "report"
        folder.mkdir(parents=True, exist_ok=True)
        self.run.report_pdf = folder / "lead-ES.pdf"
        self.run.report_html = folder / "lead-ES.html"
        self.run.report_json = folder / "lead-ES.json"
        self.step("AU", "writes the lead report for ES (HTML and PDF): crosscheck report --for ES")
        hits = [n["ref"] for n in self.run.hub("AU", "analyst").get("/notices")]
        entities = [self.run.message, *self.run.accounts, self.run.contact]
        self.cli(
            "hub",
            "report",
            "--hits",
            *hits,
            "--entities",
            *entities,
            "--out",
            str(self.run.report_pdf),
            "--html",
            str(self.run.report_html),
            "--json",
            str(self.run.report_json),
            "--for",
            "ES",
            "--token-file",
            str(self.run.token("AU", "analyst")),
        )
        self.detail(f"wrote {self.run.report_pdf} and {self.run.report_html}")

    def send_report(self) -> None:
        assert self.run.report_pdf is not None
        self.step("AU", "sends the lead to ES as a secure message, the PDF attached")
        line = self.cli(
            "AU",
            "message",
            "send",
            "--to",
            build.AGENCIES["ES"],
            "--subject",
            f"Lead: {CASES['AU']}",
            "--body",
            "Lead report attached: media hits with BE and FR, the message's variety, "
            "the resolved accounts and the path.",
            "--handling",
            "H2",
            "--evaluation",
            "B2",
            "--case",
            CASES["AU"],
            "--attach",
            str(self.run.report_pdf),
            "--hub",
            self.run.url,
            "--token-file",
            str(self.run.token("AU", "analyst")),
        )
        self.detail(line)
        listed = self.run.hub("ES", "analyst").get("/messages")
        self.run.message_ref = str(listed[0]["ref"]) if listed else ""
        self.step("ES", "reads the lead in its inbox (reading acknowledges receipt)")
        shown = self.cli(
            "ES",
            "message",
            "show",
            self.run.message_ref,
            "--hub",
            self.run.url,
            "--token-file",
            str(self.run.token("ES", "analyst")),
            "--save-attachments",
            str(self.run.folder("ES") / "received"),
        )
        self.detail(shown.splitlines()[0] if shown else "")

    def audit(self) -> None:
        self.step("hub", "the operator verifies the audit log's hash chain")
        self.detail(self.cli("hub", "audit", "verify"))

    def stop(self) -> None:
        process = self.run.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def play(
    seed: int,
    out: Path,
    say: Callable[[Step], None],
    detail: Callable[[str], None],
    *,
    keep: bool = False,
    checkpoint: Checkpoint | None = None,
) -> DemoRun:
    """The whole story; the hub is stopped at the end unless ``keep``."""
    ftm_log = logging.getLogger("followthemoney")
    level = ftm_log.level
    ftm_log.setLevel(logging.ERROR)  # not "skipping entity" for each table row
    out.mkdir(parents=True, exist_ok=True)
    scenario = build.write(out / "scenario", seed)
    run = DemoRun(seed, out, scenario, out / "hub")
    demo = Demo(run, say, detail, checkpoint)
    try:
        demo.scenario()
        demo.hub_setup()
        demo.start_hub()
        for code in ("BE", "FR", "AU"):
            demo.seizure(code)
        demo.tables()
        demo.wait_for_hits()
        demo.checkpoint("before release", run)
        demo.release("BE")
        demo.checkpoint("BE released", run)
        demo.release("FR")
        demo.au_sees()
        demo.analysis()
        demo.report()
        demo.send_report()
        demo.audit()
        demo.checkpoint("done", run)
    except BaseException:
        demo.stop()
        raise
    finally:
        ftm_log.setLevel(level)
    if not keep:
        demo.stop()
    return run


__all__ = ["DemoRun", "Step", "environment", "free_port", "play"]
