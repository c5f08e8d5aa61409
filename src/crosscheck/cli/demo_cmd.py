"""`crosscheck demo`: the main job on the embedded default, end to end on benign sample data.

1. import a sample contribution from Belgium (people, accounts, a message, media digests);
2. fingerprint a generated French "seizure" into a contribution package and import it:
   it is cross-checked against the Belgian holdings, and a shared file is a hit;
3. show the hit as each side may see it: hit/no-hit for France, a notice for Belgium;
4. build a bank of known material and triage the seizure's package against it;
5. resolve the people and accounts held, each link with its evidence;
6. print the case summary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.table import Table

from crosscheck.cli import common
from crosscheck.cli.stats_cmd import print_summary
from crosscheck.fingerprints.hasher import HashOptions
from crosscheck.model import Agency, Contribution, Evaluation, Handling, HandlingCode
from crosscheck.model.banks import BankEntry
from crosscheck.service.banks import bank_store, matcher, records_from_package
from crosscheck.service.hub import ingest, notice_inbox_for, notices_for
from crosscheck.service.resolution import ResolveOptions, resolve_store
from crosscheck.service.sample import write_sample_package, write_sample_seizure
from crosscheck.service.seizure import fingerprint_paths, write_seizure_package
from crosscheck.service.triage import MatchOptions

DEMO_BANK = "demo-known"


def _seizure_contribution() -> Contribution:
    return Contribution.model_validate(
        {
            "id": "fr_ocrvp_demo_seizure",
            "provider": Agency(name="OCRVP (sample)", country="FR"),
            "created_at": datetime(2019, 3, 1, 10, tzinfo=UTC),
            "case_reference": "FR/2019/DEMO",
            "purpose": "Fingerprints of a seized drive (benign demo files)",
            "handling": Handling(code=HandlingCode.H2),
            "evaluation": Evaluation.model_validate({"source": "A", "information": "2"}),
        }
    )


def demo() -> None:
    """Run the main job on benign sample data: import, fingerprint, triage, summarise."""
    settings = common.settings()
    case_store = common.store(create=True)
    samples = settings.home / "samples"

    path = samples / "sample-contribution.zip"
    write_sample_package(path)
    done = ingest(case_store, path, settings, require_signature=False).imported
    state = "imported" if done.result.created else "already held"
    common.out.print(f"1. sample contribution {state}: {done.result.contribution_id}")

    folder = samples / "seizure"
    known = write_sample_seizure(folder)
    package = samples / "seizure-contribution.zip"
    records = fingerprint_paths([folder], HashOptions(dihedral=True), workers=1)
    _, summary = write_seizure_package(records, package, _seizure_contribution(), _ignore)
    seized = ingest(case_store, package, settings, require_signature=False)
    done = seized.imported
    common.out.print(
        f"2. fingerprinted {summary.files} files ({summary.errors} with errors) into {package}; "
        f"{'imported' if done.result.created else 'already held'}: {done.result.contribution_id}; "
        f"{seized.hits} new cross-border hits"
    )
    hits = Table(
        "notice", "French item", "held by", "hits", "strongest", "their item",
        title="3. What France sees (one notice per own item and owning agency)",
    )  # fmt: skip
    for notice in notices_for(case_store, "OCRVP (sample)"):
        hits.add_row(
            notice.ref,
            f"{notice.own_caption} ({notice.own_schema})",
            notice.other_agency,
            str(notice.hits),
            f"{notice.signal} d={notice.distance}",
            "\n".join(i.caption or "(not released)" for i in notice.items),
        )
    common.out.print(hits)
    notices = Table(
        "notice", "requested by", "status", "Belgian items, strongest first",
        title="   Belgium's inbox: release or decline a notice (N-…) or an item (HIT-…)",
    )  # fmt: skip
    for notice in notice_inbox_for(case_store, "Federal Computer Crime Unit (sample)"):
        items = "\n".join(
            f"{i.ref} {'+'.join(i.signals)} d={i.distance} {i.caption} ({i.schema}) {i.status}"
            for i in notice.items
        )
        notices.add_row(notice.ref, notice.other_agency, notice.status, items)
    common.out.print(notices)

    banks = bank_store(case_store)
    if DEMO_BANK not in {b.name for b in banks.banks()}:
        [reference] = fingerprint_paths([known["known"]], workers=1)
        entry = BankEntry(ref="known-1", md5=reference.md5, pdq=reference.pdq, category="1")
        banks.import_entries(DEMO_BANK, "pdq-text", [entry], datetime.now(UTC))
    bank_matcher = matcher(case_store, DEMO_BANK, settings, MatchOptions())
    table = Table("item", "bank item", "signal", "distance", title="4. Triage against a bank")
    for row in bank_matcher.match(records_from_package(package)):
        signal = f"{row.signal} ({row.variant})" if row.variant else row.signal
        table.add_row(Path(row.item).name, row.bank_item, signal, str(row.distance))
    common.out.print(table)
    resolved = resolve_store(case_store, ResolveOptions())
    who = Table("record", "kind", "cluster", "p", "evidence", title="5. Who is who (resolution)")
    for record in resolved.rows:
        explanation = record["explanation"] or {}
        evidence = explanation.get("rule") or ", ".join(
            f"{f['field']} {f['level']}" for f in explanation.get("fields", [])[:2]
        )
        if explanation and not explanation.get("linked"):
            evidence = f"not linked: best candidate {explanation['linked_to']} ({evidence})"
        who.add_row(
            f"{record.get('caption') or ''}\n{record['id']}".strip(),
            record["schema"],
            record["cluster"],
            f"{record['match_probability']:.3f}",
            evidence,
        )
    common.out.print(who)
    print_summary(case_store)


def _ignore(_record: object) -> None:
    return None
