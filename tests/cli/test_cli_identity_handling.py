"""Identity on a hub store (credentials, the operator, the real actor) and the handling codes.

A store the hub also serves (it holds an API credential or an agency key): an
agency-scoped command acts for an agency only with that agency's token; without
one it is the operator, who sees metadata and counts, not content. Handling
codes: H1 marked in every export and left out for judicial use unless
permitted; H2 never leaves the provider before release or permission; H3's
restriction travels with the item and is acknowledged before the item shows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from crosscheck.exchange import write_package
from crosscheck.graph.export import FORMATS
from crosscheck.model import Fingerprint, Handling, HandlingCode
from crosscheck.model.records import HANDLING_MEANINGS
from crosscheck.service import hub
from crosscheck.service.casework import open_store
from crosscheck.settings import Settings
from crosscheck.store.audit_log import AuditLog
from tests.cli.conftest import run
from tests.helpers import contribution

SHA = "a" * 64
H1_TEXT = HANDLING_MEANINGS[HandlingCode.H1]
RESTRICTION = "Only for the Lyon investigation team; no onward sharing to third countries"


def package(tmp_path: Path, tag: str, agency: str, handling: Handling) -> Path:
    path = tmp_path / f"{tag}.zip"
    write_package(
        path,
        contribution(f"{tag}_contrib", provider={"name": agency, "country": tag.upper()},
                     handling=handling),
        [{"id": f"{tag}-img", "schema": "Image", "properties": {"fileName": [f"{tag}.jpg"]}},
         {"id": f"{tag}-person", "schema": "Person",
          "properties": {"name": [f"Secretname{tag.capitalize()} Doe"]}}],
        [Fingerprint(entity_id=f"{tag}-img", kind="sha256", value=SHA)],
    )  # fmt: skip
    return path


@pytest.fixture
def hubstore(env: Path, tmp_path: Path) -> dict[str, Path]:
    """A hub store: BE (H0), FR (H3), AU (H2) share one file; a token file per agency and role."""
    settings = Settings.from_env()
    store = open_store(settings, create=True)
    tokens: dict[str, Path] = {}
    handling = {  # in this order: BE, last, is the requester of hits on FR's and AU's items
        "fr": ("FR police", Handling(code=HandlingCode.H3, note=RESTRICTION)),
        "au": ("AU police", Handling(code=HandlingCode.H2)),
        "be": ("BE police", Handling(code=HandlingCode.H0)),
    }
    for tag, (agency, code) in handling.items():
        hub.add_agency(store, agency, tag.upper(), tmp_path / f"{tag}.key")
        for role in ("analyst", "agency_admin"):
            tokens[f"{tag}/{role}"] = tmp_path / f"{tag}-{role}.token"
            hub.add_user(
                store,
                f"{tag}-{role}-user",
                role,
                agency,
                tokens[f"{tag}/{role}"],
                settings=settings,
            )
        hub.ingest(store, package(tmp_path, tag, agency, code), settings, require_signature=False)
    tokens["operator"] = tmp_path / "operator.token"
    hub.add_user(store, "op", "hub_operator", None, tokens["operator"], settings=settings)
    store.engine.dispose()
    return tokens


def refs(out: str) -> list[str]:
    return sorted({w for w in out.split() if w.startswith("HIT-")})


# -- item 3: identity on the command line ----------------------------------------------------


def test_agency_scoped_commands_on_a_hub_store_need_the_agencys_token(
    hubstore: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["hits", "--agency", "AU police"],
        ["inbox", "--agency", "BE police"],
        ["hit", "release", "HIT-X", "--agency", "BE police"],
        ["message", "list", "--agency", "AU police"],
        ["entities", "--as", "AU police"],
        ["entities"],
        ["show", "au-person"],
        ["export", "--contribution", "au_contrib", "--out", str(tmp_path / "x.zip")],
        ["graph", "components"],
        ["graph", "export", "--format", "csv", "--out", str(tmp_path / "x.csv")],
        ["resolve", "--store"],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2, (argv, out, err)
        assert "--token-file" in err and len(err.strip().splitlines()) == 1, argv
        assert "Secretname" not in out
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.csv").exists()
    # the operator keeps metadata and counts
    for argv in (["stats"], ["audit", "verify"], ["agency", "list"]):
        code, _, err = run(capsys, *argv)
        assert code == 0, (argv, err)
    # another agency's token, or the operator's, does not act for an agency
    au = str(hubstore["au/analyst"])
    code, _, err = run(capsys, "hits", "--agency", "BE police", "--token-file", au)
    assert code == 2 and "AU police" in err
    code, _, err = run(capsys, "entities", "--token-file", str(hubstore["operator"]))
    assert code == 2
    # an analyst may not release (the API's role rule)
    code, out, err = run(capsys, "inbox", "--token-file", str(hubstore["fr/analyst"]))
    assert code == 0, err
    [ref, *_] = refs(out)
    code, _, err = run(capsys, "hit", "release", ref, "--token-file", str(hubstore["fr/analyst"]))
    assert code == 2 and "agency_admin" in err


def test_with_the_token_the_agency_is_inferred_and_the_audit_names_the_user(
    hubstore: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "entities", "--token-file", str(hubstore["au/analyst"]))
    assert code == 0, err
    assert "SecretnameAu" in out and "SecretnameBe" not in out and "SecretnameFr" not in out
    monkeypatch.setenv("CROSSCHECK_TOKEN_FILE", str(hubstore["fr/agency_admin"]))
    code, out, err = run(capsys, "inbox")
    assert code == 0, err
    notices = refs(out)
    assert notices
    code, out, err = run(capsys, "hit", "release", notices[0], "--agency", "FR police")
    assert code == 0, err
    store = open_store(Settings.from_env())
    entries = AuditLog(store.engine).entries()
    store.engine.dispose()
    [release] = [e for e in entries if e["subject"] == notices[0] and e["action"] == "disclosure"]
    assert release["actor"] == "fr-agency_admin-user@FR police"


def test_a_store_no_hub_serves_is_unchanged(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_env()
    store = open_store(settings, create=True)
    hub.ingest(store, package(tmp_path, "be", "BE police", Handling(code=HandlingCode.H0)),
               settings, require_signature=False)  # fmt: skip
    store.engine.dispose()
    code, out, err = run(capsys, "entities")
    assert code == 0 and "SecretnameBe" in out, err
    code, out, err = run(capsys, "hits", "--agency", "BE police")
    assert code == 0, err


# -- item 4: handling codes ------------------------------------------------------------------


def test_h3_restriction_shows_and_the_item_waits_for_acknowledgement(
    hubstore: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    fr, be = str(hubstore["fr/agency_admin"]), str(hubstore["be/agency_admin"])
    code, out, _ = run(capsys, "inbox", "--token-file", fr)
    for ref in refs(out):
        assert run(capsys, "hit", "release", ref, "--token-file", fr)[0] == 0
    code, out, err = run(capsys, "hits", "--token-file", be, "--format", "json")
    assert code == 0, err
    from_fr = [h for h in json.loads(out) if h["other_agency"] == "FR police"]
    assert from_fr and all(h["status"] == "released" for h in from_fr)
    assert all(h["other_entity"] is None for h in from_fr)  # withheld until acknowledged
    assert all(RESTRICTION in (h["restriction"] or "") for h in from_fr)
    for hit in from_fr:
        code, _, err = run(capsys, "hit", "acknowledge", hit["ref"], "--token-file", be)
        assert code == 0, err
    code, out, _ = run(capsys, "hits", "--token-file", be, "--format", "json")
    shown = [h for h in json.loads(out) if h["other_agency"] == "FR police"]
    assert all(h["other_entity"] and "fr-img" in h["other_entity"] for h in shown)
    assert all(RESTRICTION in h["restriction"] for h in shown)  # still travels with the item
    # the owner cannot acknowledge for the requester, nor anyone a hit that is not theirs
    code, _, _ = run(capsys, "hit", "acknowledge", shown[0]["ref"], "--token-file",
                     str(hubstore["au/agency_admin"]))  # fmt: skip
    assert code == 2


def test_h2_item_shows_only_after_release(
    hubstore: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    be, au = str(hubstore["be/agency_admin"]), str(hubstore["au/agency_admin"])
    code, out, _ = run(capsys, "hits", "--token-file", be, "--format", "json")
    from_au = [h for h in json.loads(out) if h["other_agency"] == "AU police"]
    assert from_au and all(h["other_entity"] is None for h in from_au)
    for hit in from_au:
        assert run(capsys, "hit", "release", hit["ref"], "--token-file", au)[0] == 0
    code, out, _ = run(capsys, "hits", "--token-file", be, "--format", "json")
    assert code == 0
    shown = [h for h in json.loads(out) if h["other_agency"] == "AU police"]
    assert shown and all("au-img" in h["other_entity"] for h in shown)
    assert all("H2" in h["other_handling"] for h in shown)


def test_h2_message_is_not_passed_on_to_a_third_agency_without_permission(
    hubstore: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    au, be, fr = (str(hubstore[f"{t}/agency_admin"]) for t in ("au", "be", "fr"))
    code, out, err = run(
        capsys, "message", "send", "--token-file", au, "--to", "BE police",
        "--subject", "Lead", "--body", "Account SecretnameAu is active", "--handling", "H2",
        "--evaluation", "B2",
    )  # fmt: skip
    assert code == 0, err
    ref = out.split()[1]
    forward = ["message", "send", "--token-file", be, "--to", "FR police", "--thread", ref,
               "--subject", "Fwd", "--body", "see below", "--handling", "H0",
               "--evaluation", "B2"]  # fmt: skip
    code, _, err = run(capsys, *forward)
    assert code == 2 and "H2" in err
    # a reply to the provider is fine
    code, _, err = run(capsys, "message", "send", "--token-file", be, "--to", "AU police",
                       "--thread", ref, "--subject", "Re", "--body", "thanks",
                       "--handling", "H0", "--evaluation", "B2")  # fmt: skip
    assert code == 0, err
    # only the provider may permit; then it goes
    code, _, _ = run(capsys, "handling", "permit", ref, "--kind", "dissemination", "--to",
                     "FR police", "--token-file", be)  # fmt: skip
    assert code == 2
    code, _, err = run(capsys, "handling", "permit", ref, "--kind", "dissemination", "--to",
                       "FR police", "--token-file", au)  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, *forward)
    assert code == 0, err
    code, out, _ = run(capsys, "message", "show", ref, "--token-file", fr)
    assert code == 2  # the permission lets B send its own message, not read A's
    code, out, _ = run(capsys, "handling", "list", "--token-file", au)
    assert ref in out and "dissemination" in out and "FR police" in out


def _local_store_with_h1(tmp_path: Path) -> None:
    settings = Settings.from_env()
    store = open_store(settings, create=True)
    for tag, agency, code in (("be", "BE police", HandlingCode.H0),
                              ("fr", "FR police", HandlingCode.H1)):  # fmt: skip
        hub.ingest(store, package(tmp_path, tag, agency, Handling(code=code)), settings,
                   require_signature=False)  # fmt: skip
    store.engine.dispose()


def test_h1_is_marked_in_every_graph_export(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _local_store_with_h1(tmp_path)
    for fmt in FORMATS:
        target = tmp_path / f"graph.{fmt}"
        code, _, err = run(capsys, "graph", "export", "--format", fmt, "--out", str(target))
        assert code == 0, (fmt, err)
        text = target.read_text(encoding="utf-8")
        assert H1_TEXT in text, fmt
    with (tmp_path / "graph.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:  # per item: H1 items carry the meaning, others do not
        assert (H1_TEXT in row["marking"]) == ("fr_contrib" in row["contributions"]), row
    code, out, _ = run(capsys, "export", "--contribution", "fr_contrib",
                       "--out", str(tmp_path / "fr.zip"))  # fmt: skip
    assert code == 0 and H1_TEXT in out


def test_judicial_purpose_leaves_h1_out_unless_permitted(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _local_store_with_h1(tmp_path)
    target = tmp_path / "court.ftm"
    argv = ["graph", "export", "--format", "ftm", "--out", str(target), "--purpose", "judicial"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "SecretnameBe" in text and "SecretnameFr" not in text
    assert "fr_contrib" in out  # says what it left out
    code, _, err = run(capsys, "handling", "permit", "fr_contrib", "--kind", "judicial",
                       "--note", "letter of 3 May")  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert "SecretnameFr" in target.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "handling", "list")
    assert "fr_contrib" in out and "judicial" in out
