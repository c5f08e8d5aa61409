"""Use cases on one agency's case store: import, export, look up, summarise."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from crosscheck.exc import InvalidPackage
from crosscheck.exchange import Manifest, PackageLimits, PackageReader, write_package
from crosscheck.exchange.manifest import MANIFEST
from crosscheck.model import Contribution, entity_dict
from crosscheck.model.keys import unqualify_entity, unqualify_fingerprint
from crosscheck.model.records import add_years
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, ImportResult, make_engine
from crosscheck.store.audit_log import AuditLog

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def open_store(settings: Settings, *, create: bool = False) -> CaseStore:
    """The case store the settings name; ``create`` sets up or upgrades its schema."""
    store = CaseStore(make_engine(settings.db_url), index_dir=pdq_index_dir(settings))
    if create:
        store.initialise()
    else:
        store.require_schema()
    return store


def index_home(settings: Settings) -> Path:
    """The store's index caches: one folder per database, so two stores never share one."""
    database = hashlib.sha1(settings.db_url.encode()).hexdigest()[:12]
    return settings.home / "index" / database


def pdq_index_dir(settings: Settings) -> Path:
    """Where the hub's PDQ index of everything held lives (``service/pdq_holding.py``)."""
    return index_home(settings) / "pdq"


@dataclass(frozen=True)
class Imported:
    manifest: Manifest
    result: ImportResult


def import_package(
    store: CaseStore,
    path: Path,
    settings: Settings,
    clock: Clock = _now,
    on_stored: Callable[[Connection, Contribution, ImportResult], None] | None = None,
    label: str | None = None,
) -> Imported:
    """Check a package whole (digests, schema, counts), then store it in one transaction.

    ``label`` names the package in errors (default: its path; the hub says "the package").
    """
    limits = PackageLimits(
        max_package_bytes=settings.max_package_bytes, max_line_bytes=settings.max_line_bytes
    )
    reader = PackageReader(path, limits, label=label)
    manifest = reader.manifest
    first_seen = manifest.contribution.created_at.isoformat()
    reader.check(first_seen)  # a small package's records are kept: read once, not twice
    contribution = manifest.contribution.received(clock(), settings.review_years)
    _check_review_date(contribution, settings.review_years, reader.name)
    result = store.import_contribution(
        contribution,
        format_version=manifest.format_version,
        members_digest=manifest.members_digest,
        entities=reader.entities(first_seen=first_seen),
        fingerprints=reader.fingerprints(),
        on_stored=on_stored,
    )
    return Imported(manifest, result)


def _check_review_date(item: Contribution, years: int, label: str) -> None:
    """A provider's review date is at most ``years`` after receipt: longer needs a justification."""
    assert item.received_at is not None and item.review_date is not None
    cap = add_years(item.received_at.date(), years)
    if item.review_date > cap:
        raise InvalidPackage(
            label,
            f"review date {item.review_date} is more than {years} years after receipt "
            f"(at most {cap}, CROSSCHECK_REVIEW_YEARS); to keep data longer, an administrator "
            "records the reason with `crosscheck retention justify` after receipt",
            MANIFEST,
        )


def export_contribution(store: CaseStore, contribution_id: str, out: Path) -> Manifest:
    """Write what is held of one contribution as a package at ``out``."""
    held = store.contribution(contribution_id)
    # the package carries the provider's own ids: its contribution id and entity ids
    as_submitted = held.model_copy(update={"id": store.submitted_id(contribution_id)})
    entities = (
        unqualify_entity(entity_dict(e), contribution_id)
        for e in store.entities(contribution_id=contribution_id)
    )
    fingerprints = (
        unqualify_fingerprint(fp, contribution_id)
        for fp in store.fingerprints(contribution_id=contribution_id)
    )
    manifest = write_package(out, as_submitted, entities, fingerprints)
    try:  # the package stands only with its audit entry (short: the log's lock is shared)
        AuditLog(store.engine).append(
            held.provider.name, "disclosure", contribution_id, {"exported_to": str(out)}
        )
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return manifest


__all__ = ["Imported", "export_contribution", "import_package", "open_store"]
