"""A bank's or the holding's hashes as plain rows, streamed, for bulk cross-matching."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from crosscheck.exc import BackendError
from crosscheck.store.tables import bank_entry, fingerprint

KINDS = ("md5", "sha1", "sha256", "pdq")  # what a cross-match compares (vPDQ frames are not)
STREAM = 10_000

Row = tuple[str, str, str]  # (id, kind, hex value)


def bank_rows(engine: Engine, bank_id: int) -> Iterator[Row]:
    """(entry ref, kind, value) for each hash of each entry of the bank."""
    columns = [getattr(bank_entry.c, kind) for kind in KINDS]
    query = select(bank_entry.c.ref, *columns).where(bank_entry.c.bank_id == bank_id)
    try:
        with engine.connect() as conn:
            for row in conn.execution_options(yield_per=STREAM).execute(query):
                for kind, value in zip(KINDS, row[1:], strict=True):
                    if value is not None:
                        yield str(row.ref), kind, str(value)
    except SQLAlchemyError as exc:
        raise BackendError(f"could not read bank {bank_id}: {exc}") from exc


def holding_rows(engine: Engine, contributions: Sequence[str] | None) -> Iterator[Row]:
    """(held entity id, kind, value) of every fingerprint of these contributions (None: all).

    PDQ variants (trimmed, mirrored, rotated) come too: each is one more chance to match.
    """
    query = select(fingerprint.c.entity_id, fingerprint.c.kind, fingerprint.c.value).where(
        fingerprint.c.kind.in_(KINDS)
    )
    if contributions is not None:
        if not contributions:
            return
        query = query.where(fingerprint.c.contribution_id.in_(list(contributions)))
    try:
        with engine.connect() as conn:
            for row in conn.execution_options(yield_per=STREAM).execute(query):
                yield str(row.entity_id), str(row.kind), str(row.value)
    except SQLAlchemyError as exc:
        raise BackendError(f"could not read the holding's fingerprints: {exc}") from exc
