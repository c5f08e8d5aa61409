"""The explained lead report (issue 13 item 9), on both engines.

The facts come from ``report_data``; the wording from ``pdftotext`` of the PDF.
AU writes the report for Spain: its image hit a near duplicate BE released, an
H3 item BE released (restriction not yet acknowledged) and FR's unreleased H2
copy; its message is in Spanish from Spain; its accounts resolve to one person.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from crosscheck.exc import Forbidden, NotFound
from crosscheck.service import handling, report_delivery
from crosscheck.service.access import Acting
from crosscheck.service.report import build_report, render_html, render_pdf, report_data
from crosscheck.settings import Settings
from crosscheck.store import CaseStore
from crosscheck.store.access_store import Caller
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.message_store import MessageStore
from tests.service.report_case import RESTRICTION, SECRETS, Case, build

JUDICIAL = "not to be disclosed in judicial proceedings without the provider's permission"


@pytest.fixture
def case(store: CaseStore, settings: Settings, tmp_path: Path) -> Case:
    return build(store, settings, tmp_path)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: run scripts/install"
    path = tmp_path / "lead.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())  # words, whatever the line breaks


def test_the_facts_lay_out_the_chain_of_evidence(store: CaseStore, case: Case) -> None:
    made = build_report(
        store, case.au, [case.near, case.restricted, case.notice], ["msg-1", "acc-chat"],
        competent="es",
    )  # fmt: skip
    data = report_data(made)
    assert data["competent"] == "ES" and data["by"] == "AU analyst@AU police"
    notes = {n["n"]: n for n in data["footnotes"]}
    hits = {h["ref"]: h for h in data["media_hits"]}
    assert set(hits) == {case.near, case.restricted, case.exact}  # the notice brings FR's hit
    near = hits[case.near]
    assert (near["signal"], near["distance"], near["owner"]) == ("pdq", 6, "BE police")
    assert near["caption"] == "DCIM/IMG_0412.jpg" and near["other_caption"] == "seized/be-near.jpg"
    assert notes[near["footnote"]]["contribution"] == "au_case"
    other = notes[near["other_footnote"]]
    assert (other["contribution"], other["agency"], other["handling"], other["evaluation"]) == (
        "be_open",
        "BE police",
        "H0",
        "A1",
    )
    restricted = hits[case.restricted]
    assert restricted["restriction"] == RESTRICTION and restricted["other_item"] is None
    exact = hits[case.exact]
    assert (exact["signal"], exact["status"], exact["other_item"]) == ("sha256", "pending", None)
    # the text: Spanish from Spain, with its evidence words
    [text] = data["texts"]
    assert text["entity"] == "au_case.msg-1" and text["variety"] == "es-ES"
    # móvil is no marker since stop 20 (Latin American texts use it too: eval/eval_markers.py)
    assert {"ordenador", "vosotros", "coche"} <= {m.casefold() for m in text["markers"]}
    assert text["ngrams"] and notes[text["footnote"]]["handling"] == "H1"
    # the identity: both accounts and their owner, each link with its evidence
    identity = data["identity"]
    members = {m["entity"] for m in identity["members"]}
    assert members == {"au_case.acc-forum", "au_case.acc-chat", "au_case.person-1"}
    assert identity["links"] and all(link["evidence"] for link in identity["links"])
    # the path: the hits, the image, the message it came with, the account that sent it
    path = [step["entity"] for step in data["path"]]
    assert path[:4] == ["hits:au_case.img-1", "au_case.img-1", "au_case.msg-1",
                        "au_case.acc-forum"]  # fmt: skip
    assert "au_case.acc-chat" in path
    assert {"lobo.gris@mail.example"} <= {v["value"] for v in data["shared"]}
    # H1 items carry the marking; no other agency's unreleased detail shows anywhere
    assert {m["handling"] for m in data["markings"]} == {"H1"}
    assert all(JUDICIAL in m["text"] for m in data["markings"])
    shown = json.dumps(data, ensure_ascii=False)
    assert not [s for s in SECRETS if s in shown]
    assert "FR police" in shown  # hit/no-hit: the owner is named, nothing of its item


def test_the_pdf_names_hits_variety_evidence_and_markings(
    store: CaseStore, case: Case, tmp_path: Path
) -> None:
    made = build_report(
        store, case.au, [case.near, case.restricted, case.exact], ["msg-1"], competent="ES"
    )
    text = pdf_text(render_pdf(render_html(made)), tmp_path)
    for expected in (case.near, case.restricted, case.exact, "seized/be-near.jpg", "es-ES",
                     "ordenador", "Vosotros", JUDICIAL, RESTRICTION, "competent authorities of ES",
                     "au_case", "be_open", "lobo_gris"):  # fmt: skip
        assert expected in text, expected
    assert not [s for s in SECRETS if s in text]
    spanish = pdf_text(render_pdf(render_html(made, "es")), tmp_path)
    assert "Informe" in spanish and "es-ES" in spanish and case.near in spanish
    assert "no divulgar en procedimientos judiciales sin el permiso del proveedor" in spanish


def test_after_acknowledging_the_restriction_the_h3_item_shows_beside_it(
    store: CaseStore, case: Case
) -> None:
    handling.acknowledge(store, case.restricted, Acting("AU police", "AU analyst"))
    data = report_data(build_report(store, case.au, [case.restricted], []))
    [hit] = data["media_hits"]
    assert hit["other_caption"] == "be-restricted-photo.jpg"
    assert hit["restriction"] == RESTRICTION
    marked = {(m["item"], m["handling"]) for m in data["markings"]}
    assert ("be_restricted.be-r", "H3") in marked


def test_what_the_caller_may_not_see_is_refused(store: CaseStore, case: Case) -> None:
    with pytest.raises(NotFound):
        build_report(store, case.be, [case.exact], [])  # AU's hit on FR: not BE's
    with pytest.raises(NotFound):
        build_report(store, case.au, ["HIT-000000000000"], [])
    with pytest.raises(NotFound):
        build_report(store, case.au, [], ["fr_hidden.fr-x"])  # another agency's entity
    with pytest.raises(NotFound):
        build_report(store, case.be, [], ["msg-1"])
    with pytest.raises(Forbidden):
        build_report(store, Caller(9, "operator", "hub_operator", None), [case.near], [])
    # the owner's view of the same hit: its own item, never the requester's
    data = report_data(build_report(store, case.be, [case.near], []))
    [hit] = data["media_hits"]
    assert (hit["side"], hit["item"], hit["other_item"]) == ("owner", "be_open.be-near", None)
    assert "IMG_0412" not in json.dumps(data) and "au_case" not in json.dumps(data)


def test_the_generation_is_audited_without_content(store: CaseStore, case: Case) -> None:
    build_report(store, case.au, [case.near], ["msg-1"], competent="ES")
    [entry] = [e for e in AuditLog(store.engine).entries() if e["subject"] == "lead report"]
    assert entry["actor"] == "AU analyst@AU police" and entry["action"] == "disclosure"
    detail = json.loads(entry["detail"])
    assert detail["to"] == "ES" and detail["hits"] == [case.near]
    assert detail["contributions"] == ["au_case", "be_open"]
    assert "Vosotros" not in entry["detail"] and "IMG_0412" not in entry["detail"]


def test_the_pdf_goes_to_the_competent_country_as_a_secure_message(
    store: CaseStore, settings: Settings, case: Case, tmp_path: Path
) -> None:
    from crosscheck.service import hub

    hub.add_agency(store, "ES police", "ES", tmp_path / "es.key")
    made = build_report(store, case.au, [case.near], ["msg-1"], competent="ES")
    pdf = render_pdf(render_html(made))
    acting = Acting("AU police", "AU analyst")
    ref = report_delivery.send(
        store, settings, acting, made, pdf, subject="Lead report", body="See the PDF."
    )
    [sent] = MessageStore(store.engine).visible_to("ES police", ref)
    assert sent.sender == "AU police" and list(sent.recipients) == ["ES police"]
    assert sent.handling_code == "H1"  # the strictest code the report cites
    assert len(sent.attachments) == 1


def test_the_identity_links_name_the_accounts_not_their_held_ids(
    store: CaseStore, case: Case
) -> None:
    """A link reads "lobogris84 — lobo_gris", as the members above it, never ``au_case.acc-…``."""
    made = build_report(store, case.au, [case.near], ["msg-1"], competent="ES")
    page = render_html(made)
    table = page[page.index('id="identity-title"') : page.index('aria-labelledby="path-title"')]
    assert made.identity is not None and made.identity.links
    for link in made.identity.links:
        assert link.left not in table and link.right not in table
    assert "lobo_gris" in table
