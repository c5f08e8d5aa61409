"""Use cases on one agency's case store: import, export, look up, summarise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from crosscheck.exchange import Manifest, PackageLimits, PackageReader, write_package
from crosscheck.model import Contribution, entity_dict
from crosscheck.settings import Settings
from crosscheck.store import CaseStore, ImportResult, make_engine
from crosscheck.store.audit_log import AuditLog

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def open_store(settings: Settings, *, create: bool = False) -> CaseStore:
    """The case store the settings name; ``create`` sets up or upgrades its schema."""
    store = CaseStore(make_engine(settings.db_url))
    if create:
        store.initialise()
    else:
        store.require_schema()
    return store


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
) -> Imported:
    """Check a package whole (digests, schema, counts), then store it in one transaction."""
    limits = PackageLimits(
        max_package_bytes=settings.max_package_bytes, max_line_bytes=settings.max_line_bytes
    )
    reader = PackageReader(path, limits)
    reader.check()
    manifest = reader.manifest
    contribution = manifest.contribution.received(clock(), settings.review_years)
    first_seen = contribution.created_at.isoformat()
    result = store.import_contribution(
        contribution,
        format_version=manifest.format_version,
        members_digest=manifest.members_digest,
        entities=reader.entities(first_seen=first_seen),
        fingerprints=reader.fingerprints(),
        on_stored=on_stored,
    )
    return Imported(manifest, result)


def export_contribution(store: CaseStore, contribution_id: str, out: Path) -> Manifest:
    """Write what is held of one contribution as a package at ``out``."""
    held = store.contribution(contribution_id)
    entities = (entity_dict(e) for e in store.entities(contribution_id=contribution_id))
    manifest = write_package(
        out, held, entities, store.fingerprints(contribution_id=contribution_id)
    )
    AuditLog(store.engine).append(
        held.provider.name, "disclosure", contribution_id, {"exported_to": str(out)}
    )
    return manifest


__all__ = ["Imported", "export_contribution", "import_package", "open_store"]
