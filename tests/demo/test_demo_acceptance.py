"""The acceptance test of issue 14: `crosscheck demo` replays the case end to end, two seeds.

Each finding is asserted from the hub's stored data and the report's data
(`report_data` JSON), never from wording; BE's unreleased item is looked for
in AU's view (API and pages) before BE releases it, and found after.
"""

from __future__ import annotations

import json
import re
import socket
from typing import Any

import httpx
import pytest

from crosscheck.cli.demo_flow import DemoRun, Step, environment, play
from crosscheck.scenario import build
from crosscheck.service import hub, open_store
from crosscheck.settings import Settings
from crosscheck.store.hub_store import HubStore

SEEDS = (3, 8)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _au_view(run: DemoRun) -> str:
    """Everything AU's analyst gets from the API and the workbench's pages, as one text."""
    au = run.hub("AU", "analyst")
    seen = [json.dumps(au.get(path)) for path in ("/notices", "/hits", "/contributions")]
    seen.append(json.dumps(au.get("/search", {"q": run.scenario.be_copy})))
    user, password = next((u, p) for code, u, p in run.logins if code == "AU" and "analyst" in u)
    with httpx.Client(base_url=run.url, follow_redirects=True, timeout=30) as browser:
        form = browser.get("/login")
        token = CSRF.search(form.text)
        assert token is not None
        done = browser.post(
            "/login", data={"user": user, "password": password, "csrf_token": token.group(1)}
        )
        assert done.status_code == 200 and "/login" not in str(done.url)
        seen.append(done.text)
        for page in ("/", "/contributions"):
            seen.append(browser.get(page).text)
    return "\n".join(seen)


class Watch:
    """The checkpoints: AU's view before BE releases, and after."""

    def __init__(self) -> None:
        self.before: str = ""
        self.after: str = ""

    def __call__(self, name: str, run: DemoRun) -> None:
        if name == "before release":
            self.before = _au_view(run)
        elif name == "BE released":
            self.after = _au_view(run)


@pytest.fixture(scope="module", params=SEEDS)
def played(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    seed = int(request.param)
    out = tmp_path_factory.mktemp(f"demo-{seed}")
    watch = Watch()
    steps: list[Step] = []
    run = play(seed, out, steps.append, lambda _text: None, checkpoint=watch)
    return run, watch, steps


def _store(run: DemoRun) -> Any:
    with environment(CROSSCHECK_HOME=str(run.hub_home)):
        return open_store(Settings.from_env())


def _report(run: DemoRun) -> dict[str, Any]:
    assert run.report_json is not None and run.report_json.is_file(), "no lead report written"
    assert run.report_pdf is not None and run.report_pdf.read_bytes().startswith(b"%PDF")
    assert run.report_html is not None and "<html" in run.report_html.read_text().lower()
    data: dict[str, Any] = json.loads(run.report_json.read_text(encoding="utf-8"))
    return data


def test_media_hits_between_au_be_and_fr(played: Any) -> None:
    run, _, _ = played
    store = _store(run)
    stored = HubStore(store.engine).hits(requester=build.AGENCIES["AU"])
    by_owner = {(h.other_agency, h.signal) for h in stored if h.entity_id == run.video}
    assert (build.AGENCIES["BE"], "vpdq") in by_owner  # re-encoded, smaller, lower bit rate
    assert (build.AGENCIES["FR"], "vpdq") in by_owner  # letterboxed, with a logo
    # the near misses (same shapes, other motion) hit nothing
    near = {n for names in run.scenario.near_misses.values() for n in names}
    captions = {h.other_entity_id for h in stored}
    assert all(not any(n in c for n in near) for c in captions)
    hits = _report(run)["media_hits"]
    owners = {(h["owner"], h["signal"]) for h in hits}
    assert {(build.AGENCIES["BE"], "vpdq"), (build.AGENCIES["FR"], "vpdq")} <= owners


def test_the_message_is_spanish_of_spain_with_marker_evidence(played: Any) -> None:
    run, _, _ = played
    [text] = [t for t in _report(run)["texts"] if t["entity"] == run.message]
    assert (text["language"], text["variety"]) == ("es", "es-ES")
    assert text["markers"], "no marker evidence"


def test_the_cluster_holds_every_planted_account_and_no_distractor(played: Any) -> None:
    run, _, _ = played
    identity = _report(run)["identity"]
    members = {m["entity"] for m in identity["members"]}
    assert len(run.accounts) >= 6
    assert set(run.accounts) <= members
    assert members <= set(run.accounts) | set(run.people)  # no namesake, no other user


def test_surname_link_and_path_from_the_video_to_the_candidate(played: Any) -> None:
    run, _, _ = played
    data = _report(run)
    surname = run.scenario.person.title_surname.casefold()
    # the contact bears the surname the examiner read on the video's title card
    [shared] = [s for s in data["shared"] if (s["kind"], s["value"]) == ("surname", surname)]
    assert run.contact in shared["entities"] and len(shared["entities"]) >= 2
    steps = [step for step in data["path"] if step["kind"] != "hit"]  # the hits, then the video
    path = [step["entity"] for step in steps]
    assert path[0] == run.video and run.candidate in path
    # one unbroken chain from the video to the candidate account: each step says its link
    assert all(step["via"] for step in steps[1 : path.index(run.candidate) + 1])


def test_markings_and_need_to_know(played: Any) -> None:
    run, watch, _ = played
    data = _report(run)
    assert {"H1", "H2"} <= {m["handling"] for m in data["markings"]}  # BE's H1, AU's and FR's H2
    # BE's details, before BE released: its file's name, its contribution, its item's id
    assert run.scenario.be_copy not in watch.before
    assert run.contributions["BE"][0] not in watch.before
    assert run.scenario.be_copy in watch.after  # and after: the check can fail


def test_the_audit_log_verifies_and_records_each_disclosure(played: Any) -> None:
    run, _, _ = played
    store = _store(run)
    _, ok, problem, _ = hub.verify_audit(store)
    assert ok, problem
    disclosed = hub.audit_entries(store, action="disclosure")
    released = [e for e in disclosed if e.subject.startswith("HIT-")]
    assert len(released) >= sum(len(refs) for refs in run.notices.values())
    assert any(e.subject == "lead report" for e in disclosed)


def test_es_read_the_lead_and_nothing_is_left_listening(played: Any) -> None:
    run, _, steps = played
    assert run.message_ref and (run.folder("ES") / "received").is_dir()
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    assert run.process is not None and run.process.poll() is not None
    port = int(run.url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
