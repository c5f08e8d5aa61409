"""`crosscheck demo`: the main job on the embedded default, end to end on benign sample data.

1. import a sample contribution (people, accounts, a message, media digests);
2. fingerprint a generated "seizure" into a contribution package and import it;
3. build a bank of known material and triage the seizure's package against it;
4. print the matches and the case summary.
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
from crosscheck.service import import_package
from crosscheck.service.banks import bank_store, matcher, records_from_package
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
    done = import_package(case_store, path, settings)
    state = "imported" if done.result.created else "already held"
    common.out.print(f"1. sample contribution {state}: {done.manifest.contribution.id}")

    folder = samples / "seizure"
    known = write_sample_seizure(folder)
    package = samples / "seizure-contribution.zip"
    records = fingerprint_paths([folder], HashOptions(dihedral=True), workers=1)
    manifest, summary = write_seizure_package(records, package, _seizure_contribution(), _ignore)
    done = import_package(case_store, package, settings)
    common.out.print(
        f"2. fingerprinted {summary.files} files ({summary.errors} with errors) into {package}; "
        f"{'imported' if done.result.created else 'already held'}: {manifest.contribution.id}"
    )

    banks = bank_store(case_store)
    if DEMO_BANK not in {b.name for b in banks.banks()}:
        [reference] = fingerprint_paths([known["known"]], workers=1)
        entry = BankEntry(ref="known-1", md5=reference.md5, pdq=reference.pdq, category="1")
        banks.import_entries(DEMO_BANK, "pdq-text", [entry], datetime.now(UTC))
    bank_matcher = matcher(case_store, DEMO_BANK, settings, MatchOptions())
    table = Table("item", "bank item", "signal", "distance", title="3. Triage against a bank")
    for row in bank_matcher.match(records_from_package(package)):
        signal = f"{row.signal} ({row.variant})" if row.variant else row.signal
        table.add_row(Path(row.item).name, row.bank_item, signal, str(row.distance))
    common.out.print(table)
    print_summary(case_store)


def _ignore(_record: object) -> None:
    return None
