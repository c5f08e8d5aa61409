"""The case store: contributions, their statements and fingerprints, in one SQL code path.

Every public method runs on SQLite and on PostgreSQL alike; the few differences
live in :mod:`crosscheck.store.engine`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import count, groupby, islice
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.exc import InvalidData as FtMInvalidData
from sqlalchemy import Connection, Engine, and_, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from crosscheck.exc import BackendError, Conflict, InvalidData, NotFound, NotInitialised
from crosscheck.model import (
    Agency,
    Contribution,
    Evaluation,
    Fingerprint,
    Handling,
    assemble,
)
from crosscheck.model.keys import qualify, qualify_statements
from crosscheck.model.statements import BASE_ID, Statement, StatementEntity
from crosscheck.store import bulk_rows, index_feed, migrate
from crosscheck.store.bulk_rows import FingerprintRow
from crosscheck.store.engine import insert_ignoring_duplicates, transaction
from crosscheck.store.tables import (
    agency,
    contribution,
    fingerprint,
    handling_permission,
    hit,
    identifier_key,
    resolution_judgement,
    resolution_link,
    resolution_record,
    statement,
)

BATCH = 2000
CONTRIBUTION_ID_LENGTH = 64


@dataclass(frozen=True)
class ImportResult:
    contribution_id: str  # the id the hub holds it under
    created: bool
    statements: int
    fingerprints: int
    submitted_id: str = ""  # the id the provider's package carries
    assigned: bool = False  # the hub gave another id: the submitted one was taken


@dataclass(frozen=True)
class Stats:
    agencies: int
    contributions: int
    entities: int
    statements: int
    fingerprints: int
    entities_by_schema: dict[str, int] = field(default_factory=dict)
    fingerprints_by_kind: dict[str, int] = field(default_factory=dict)
    contributions_by_handling: dict[str, int] = field(default_factory=dict)
    contributions_by_agency: dict[str, int] = field(default_factory=dict)


def _batches(rows: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


STATEMENT_COLUMNS = (
    "id",
    "entity_id",
    "canonical_id",
    "prop",
    "schema",
    "value",
    "contribution_id",
    "lang",
    "original_value",
    "first_seen",
    "last_seen",
    "external",
    "origin",
)


def _statement_row(stmt: Statement) -> tuple[Any, ...]:
    """A statement as a row of ``STATEMENT_COLUMNS``."""
    return (
        stmt.id,
        stmt.entity_id,
        stmt.canonical_id,
        stmt.prop,
        stmt.schema,
        stmt.value,
        stmt.dataset,
        stmt.lang,
        stmt.original_value,
        stmt.first_seen,
        stmt.last_seen,
        stmt.external,
        stmt.origin,
    )


def _row_statement(row: Any) -> Statement:
    return Statement(
        id=row.id,
        entity_id=row.entity_id,
        canonical_id=row.canonical_id,
        prop=row.prop,
        schema=row.schema,
        value=row.value,
        dataset=row.contribution_id,
        lang=row.lang,
        original_value=row.original_value,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        external=row.external,
        origin=row.origin,
    )


def fingerprint_id(contribution_id: str, item: Fingerprint) -> str:
    return hashlib.sha1(f"{contribution_id}\x1f{item.key}".encode()).hexdigest()


class CaseStore:
    """Read and write the case store through one engine."""

    def __init__(self, engine: Engine, index_dir: Path | None = None) -> None:
        self.engine = engine
        # where the hub keeps its PDQ index (a cache derived from this store); None: in memory
        self.index_dir = index_dir

    # -- schema ---------------------------------------------------------------------------

    def initialise(self) -> None:
        """Create or upgrade the schema (idempotent)."""
        migrate.upgrade(self.engine)

    def require_schema(self) -> None:
        """Raise :class:`NotInitialised` unless the schema is at the current revision."""
        try:
            current = migrate.current_revision(self.engine)
        except SQLAlchemyError as exc:
            raise BackendError(f"cannot reach the database: {exc.__class__.__name__}") from exc
        head = migrate.head_revision(self.engine)
        if current != head:
            found = "no schema" if current is None else f"schema {current}"
            raise NotInitialised(f"the store has {found}, not {head}: run `crosscheck init`")

    # -- writing --------------------------------------------------------------------------

    def _agency_id(self, conn: Connection, provider: Agency, now: datetime) -> int:
        row = conn.execute(
            select(agency.c.id, agency.c.country).where(agency.c.name == provider.name)
        ).first()
        if row is not None:
            if row.country != provider.country:
                raise Conflict(
                    f"agency {provider.name!r} is held with country {row.country.upper()}, "
                    f"the package says {provider.country.upper()}"
                )
            return int(row.id)
        result = conn.execute(
            agency.insert().values(name=provider.name, country=provider.country, created_at=now)
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def _count(self, conn: Connection, table: Any, contribution_id: str) -> int:
        query = (
            select(func.count())
            .select_from(table)
            .where(table.c.contribution_id == contribution_id)
        )
        return int(conn.execute(query).scalar_one())

    def import_contribution(
        self,
        item: Contribution,
        *,
        format_version: int,
        members_digest: str,
        entities: Iterable[StatementEntity],
        fingerprints: Iterable[Fingerprint | FingerprintRow],
        on_stored: Callable[[Connection, Contribution, ImportResult], None] | None = None,
    ) -> ImportResult:
        """Store one contribution in one transaction.

        A contribution already held is left as it is when the new copy adds
        nothing to it; a copy that would add or change anything is refused
        with :class:`Conflict` and the transaction rolled back. ``on_stored``
        runs inside the same transaction once a new contribution is stored
        (its audit entry, its queued cross-check): all of it lands, or none.

        A new contribution's statements and fingerprints are written in bulk
        (``store/bulk_rows.py``: COPY on PostgreSQL); ``fingerprints`` may be
        :class:`Fingerprint` models or plain :class:`FingerprintRow` tuples (checked
        as they are written), the cheaper form for millions of hashes.
        """
        if item.received_at is None or item.review_date is None:
            raise ValueError("a contribution is stored once received (received_at, review_date)")
        read: list[bool] = []  # set once the records are being read: no retry after that

        def watched(records: Iterable[Any]) -> Iterator[Any]:
            read.append(True)
            yield from records

        try:
            for attempt in (1, 2):
                try:
                    with self.engine.begin() as conn:
                        result = self._import(
                            conn, item, format_version, members_digest,
                            watched(entities), watched(fingerprints),
                        )  # fmt: skip
                        if on_stored is not None and result.created:
                            on_stored(
                                conn, item.model_copy(update={"id": result.contribution_id}), result
                            )
                    if result.created and max(result.statements, result.fingerprints) >= (
                        bulk_rows.ANALYZE_ROWS
                    ):
                        bulk_rows.refresh_statistics(self.engine, [fingerprint, statement])
                    return result
                except IntegrityError:
                    # the same new contribution stored at the same moment by another request:
                    # rolled back; once more, and it is found held (or a conflict)
                    if attempt == 2 or read:
                        raise
            raise AssertionError("unreachable")  # pragma: no cover
        except SQLAlchemyError as exc:
            raise BackendError(
                f"storing contribution {item.id} failed: {exc.__class__.__name__}",
                statement=getattr(exc, "statement", None),
            ) from exc

    def _import(
        self,
        conn: Connection,
        item: Contribution,
        format_version: int,
        members_digest: str,
        entities: Iterable[StatementEntity],
        fingerprints: Iterable[Fingerprint | FingerprintRow],
    ) -> ImportResult:
        assert item.received_at is not None and item.review_date is not None
        agency_id = self._agency_id(conn, item.provider, item.received_at)
        # only this provider's own contribution of that id counts: another agency's is
        # never compared, so the answer cannot tell anything about its content
        existing = conn.execute(
            select(contribution.c.id, contribution.c.members_digest).where(
                contribution.c.agency_id == agency_id, contribution.c.submitted_id == item.id
            )
        ).first()
        held = existing is not None
        stored_id = str(existing.id) if existing is not None else self._free_id(conn, item.id)
        assigned = stored_id != item.id

        def result(created: bool, statements: int = 0, fingerprints: int = 0) -> ImportResult:
            return ImportResult(stored_id, created, statements, fingerprints, item.id, assigned)

        if existing is not None and existing.members_digest == members_digest:
            return result(False)
        before = (
            (self._count(conn, statement, stored_id), self._count(conn, fingerprint, stored_id))
            if held
            else (0, 0)
        )
        if not held:
            conn.execute(
                contribution.insert().values(
                    id=stored_id,
                    submitted_id=item.id,
                    agency_id=agency_id,
                    created_at=item.created_at,
                    received_at=item.received_at,
                    case_reference=item.case_reference,
                    purpose=item.purpose,
                    handling_code=item.handling.code.value,
                    handling_note=item.handling.note,
                    source_reliability=item.evaluation.source.value,
                    information_assessment=item.evaluation.information.value,
                    review_date=item.review_date,
                    format_version=format_version,
                    members_digest=members_digest,
                    entity_count=0,
                    fingerprint_count=0,
                )
            )
        schemata: dict[str, str] = {}

        def statement_rows() -> Iterator[tuple[Any, ...]]:
            for entity in entities:
                if entity.id is not None:
                    _merge_schema(schemata, entity.id, entity.schema.name)
                for stmt in qualify_statements(entity, stored_id):
                    yield _statement_row(stmt)

        fingerprint_rows = bulk_rows.fingerprint_rows(stored_id, fingerprints)
        if held:  # compared with what is held: a repeat is skipped, a new row shows as a change
            insert_statement = insert_ignoring_duplicates(self.engine, statement)
            statement_dicts = (
                dict(zip(STATEMENT_COLUMNS, row, strict=True)) for row in statement_rows()
            )
            for batch in _batches(statement_dicts):
                conn.execute(insert_statement, batch)
            insert_fingerprint = insert_ignoring_duplicates(self.engine, fingerprint)
            columns = bulk_rows.FINGERPRINT_COLUMNS
            as_dicts = (dict(zip(columns, row, strict=True)) for row in fingerprint_rows)
            for batch in _batches(as_dicts):
                conn.execute(insert_fingerprint, batch)
        else:  # a new contribution: its rows in bulk (COPY on PostgreSQL)
            bulk_rows.insert_new(conn, statement, STATEMENT_COLUMNS, statement_rows())
            columns = bulk_rows.FINGERPRINT_COLUMNS
            bulk_rows.insert_new(conn, fingerprint, columns, fingerprint_rows)
        after = (self._count(conn, statement, stored_id), self._count(conn, fingerprint, stored_id))
        if held:
            if after != before:
                raise Conflict(
                    f"contribution {item.id} is already held with other content; "
                    "a changed contribution needs a new id"
                )
            return result(False)
        conn.execute(
            contribution.update()
            .where(contribution.c.id == stored_id)
            .values(entity_count=len(schemata), fingerprint_count=after[1])
        )
        index_feed.write_identifier_keys(conn, stored_id)
        index_feed.record(conn, stored_id, agency_id, "add")  # last: it holds a lock to commit
        return result(True, after[0], after[1])

    def _free_id(self, conn: Connection, submitted: str) -> str:
        """The submitted id when no contribution has it, else the first free ``<id>_<n>``."""
        taken = select(contribution.c.id).where(contribution.c.id == submitted)
        if conn.execute(taken).first() is None:
            return submitted
        for n in count(2):
            suffix = f"_{n}"
            candidate = submitted[: CONTRIBUTION_ID_LENGTH - len(suffix)] + suffix
            query = select(contribution.c.id).where(contribution.c.id == candidate)
            if conn.execute(query).first() is None:
                return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    def submitted_id(self, contribution_id: str) -> str:
        """The id the provider's package gave the contribution held as ``contribution_id``."""
        query = select(contribution.c.submitted_id).where(contribution.c.id == contribution_id)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        if found is None:
            raise NotFound(f"no contribution {contribution_id!r} is held")
        return str(found)

    # -- retention --------------------------------------------------------------------------

    def due_for_review(self, as_of: date) -> list[Contribution]:
        query = self._contribution_query().where(contribution.c.review_date <= as_of)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(contribution.c.review_date, contribution.c.id))
            return [self._row_contribution(row) for row in rows]

    def set_review_date(
        self, contribution_id: str, review: date, *, conn: Connection | None = None
    ) -> None:
        """A new review date (in ``conn``'s transaction when given)."""
        with transaction(self.engine, conn) as conn:
            result = conn.execute(
                contribution.update()
                .where(contribution.c.id == contribution_id)
                .values(review_date=review)
            )
            if not result.rowcount:
                raise NotFound(f"no contribution {contribution_id!r} is held")

    def erase(self, contribution_id: str, *, conn: Connection | None = None) -> dict[str, int]:
        """Erase a contribution everywhere: hits on either side, fingerprints, statements.

        In ``conn``'s transaction when given (the erasure and its audit entry, or neither).
        """
        removed: dict[str, int] = {}
        with transaction(self.engine, conn) as conn:
            if (
                conn.execute(
                    select(contribution.c.id).where(contribution.c.id == contribution_id)
                ).first()
                is None
            ):
                raise NotFound(f"no contribution {contribution_id!r} is held")
            removed["hits"] = int(
                conn.execute(
                    hit.delete().where(
                        (hit.c.contribution_id == contribution_id)
                        | (hit.c.other_contribution_id == contribution_id)
                    )
                ).rowcount
                or 0
            )
            removed["resolution"] = _erase_resolution(conn, contribution_id)
            removed["permissions"] = int(
                conn.execute(
                    handling_permission.delete().where(
                        handling_permission.c.subject == contribution_id
                    )
                ).rowcount
                or 0
            )
            conn.execute(
                identifier_key.delete().where(identifier_key.c.contribution_id == contribution_id)
            )
            for name, table in (("fingerprints", fingerprint), ("statements", statement)):
                result = conn.execute(
                    table.delete().where(table.c.contribution_id == contribution_id)
                )
                removed[name] = int(result.rowcount or 0)
            agency_id = conn.execute(
                select(contribution.c.agency_id).where(contribution.c.id == contribution_id)
            ).scalar_one()
            conn.execute(contribution.delete().where(contribution.c.id == contribution_id))
            index_feed.record(conn, contribution_id, int(agency_id), "erase")
        return removed

    # -- reading --------------------------------------------------------------------------

    def _contribution_query(self) -> Any:
        return select(contribution, agency.c.name.label("agency_name"), agency.c.country).join(
            agency, agency.c.id == contribution.c.agency_id
        )

    @staticmethod
    def _row_contribution(row: Any) -> Contribution:
        return Contribution(
            id=row.id,
            provider=Agency(name=row.agency_name, country=row.country),
            created_at=row.created_at,
            received_at=row.received_at,
            case_reference=row.case_reference,
            purpose=row.purpose,
            handling=Handling(code=row.handling_code, note=row.handling_note),
            evaluation=Evaluation(
                source=row.source_reliability, information=row.information_assessment
            ),
            review_date=row.review_date,
        )

    def contribution(self, contribution_id: str) -> Contribution:
        query = self._contribution_query().where(contribution.c.id == contribution_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"no contribution {contribution_id!r} is held")
        return self._row_contribution(row)

    def agency_held(self, name: str) -> bool:
        """Whether an agency of this name is known here (registered, or a provider)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(agency.c.id).where(agency.c.name == name)).first()
        return found is not None

    def contributions(self, ids: Iterable[str] | None = None) -> list[Contribution]:
        query = self._contribution_query().order_by(contribution.c.received_at, contribution.c.id)
        if ids is not None:
            query = query.where(contribution.c.id.in_(sorted(set(ids))))
        with self.engine.connect() as conn:
            return [self._row_contribution(row) for row in conn.execute(query)]

    def contribution_counts(self) -> dict[str, tuple[int, int]]:
        """Entities and fingerprints each contribution brought, by contribution id."""
        query = select(
            contribution.c.id, contribution.c.entity_count, contribution.c.fingerprint_count
        )
        with self.engine.connect() as conn:
            return {
                row.id: (row.entity_count, row.fingerprint_count) for row in conn.execute(query)
            }

    def statements(
        self,
        *,
        contribution_id: str | None = None,
        entity_id: str | None = None,
        contribution_ids: Iterable[str] | None = None,
        entity_ids: Iterable[str] | None = None,
    ) -> Iterator[Statement]:
        """Statements in entity order, streamed (never all in memory)."""
        query = select(statement).order_by(statement.c.entity_id, statement.c.id)
        if entity_ids is not None:
            query = query.where(statement.c.entity_id.in_(sorted(set(entity_ids))))
        if contribution_id is not None:
            query = query.where(statement.c.contribution_id == contribution_id)
        if contribution_ids is not None:
            query = query.where(statement.c.contribution_id.in_(sorted(set(contribution_ids))))
        if entity_id is not None:
            query = query.where(statement.c.entity_id == entity_id)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=BATCH).execute(query)
            for row in result:
                yield _row_statement(row)

    def entities(
        self,
        *,
        contribution_id: str | None = None,
        schema: str | None = None,
        contribution_ids: Iterable[str] | None = None,
    ) -> Iterator[StatementEntity]:
        """Entities assembled from their statements: all, or only those of given contributions."""
        stream = self.statements(contribution_id=contribution_id, contribution_ids=contribution_ids)
        allowed = _schema_names(schema) if schema else None
        for _, group in groupby(stream, key=lambda stmt: stmt.entity_id):
            entity = assemble(group)
            if allowed is None or entity.schema.name in allowed:
                yield entity

    def entity(
        self, entity_id: str, contribution_ids: Iterable[str] | None = None
    ) -> tuple[StatementEntity, list[Statement]]:
        """One entity from its statements (only those of ``contribution_ids``, if given).

        An entity the given contributions do not hold is "not held", in the same words.
        """
        stmts = list(self.statements(entity_id=entity_id, contribution_ids=contribution_ids))
        if not stmts:
            raise NotFound(f"no entity {entity_id!r} is held")
        return assemble(stmts), stmts

    def entity_matches(
        self, entity_id: str, contribution_ids: Iterable[str] | None = None
    ) -> list[tuple[StatementEntity, list[Statement]]]:
        """The entity held as ``entity_id``, or else each ``<contribution>.<entity_id>``.

        An examiner types the id a package gave; every contribution (of
        ``contribution_ids``, if given) that holds an entity of that id answers.
        """
        exact = list(self.statements(entity_id=entity_id, contribution_ids=contribution_ids))
        if exact:
            return [(assemble(exact), exact)]
        if contribution_ids is None:
            with self.engine.connect() as conn:
                contribution_ids = [str(r[0]) for r in conn.execute(select(contribution.c.id))]
        candidates = sorted(
            {qualify(c, entity_id) for c in contribution_ids if len(c) + len(entity_id) < 1024}
        )
        found: list[tuple[StatementEntity, list[Statement]]] = []
        for start in range(0, len(candidates), 500):
            query = (
                select(statement)
                .where(statement.c.entity_id.in_(candidates[start : start + 500]))
                .order_by(statement.c.entity_id, statement.c.id)
            )
            with self.engine.connect() as conn:
                rows = [_row_statement(row) for row in conn.execute(query)]
            for _, group in groupby(rows, key=lambda stmt: stmt.entity_id):
                stmts = list(group)
                found.append((assemble(stmts), stmts))
        if not found:
            raise NotFound(f"no entity {entity_id!r} is held")
        return found

    def referring(
        self, entity_id: str, props: Iterable[str], contribution_ids: Iterable[str]
    ) -> list[Statement]:
        """Statements of ``contribution_ids`` whose ``props`` (references) name ``entity_id``."""
        scope, names = sorted(set(contribution_ids)), sorted(set(props))
        if not scope or not names:
            return []
        query = (
            select(statement)
            .where(
                statement.c.prop.in_(names),
                statement.c.value == entity_id,
                statement.c.contribution_id.in_(scope),
            )
            .order_by(statement.c.entity_id, statement.c.prop)
        )
        with self.engine.connect() as conn:
            return [_row_statement(row) for row in conn.execute(query)]

    def prop_values(
        self, props: Iterable[str], contribution_ids: Iterable[str]
    ) -> Iterator[tuple[str, str, str, str, str]]:
        """(contribution, entity, schema, prop, value) of ``props`` in ``contribution_ids``."""
        scope, names = sorted(set(contribution_ids)), sorted(set(props))
        if not scope or not names:
            return
        query = select(
            statement.c.contribution_id,
            statement.c.entity_id,
            statement.c.schema,
            statement.c.prop,
            statement.c.value,
        ).where(statement.c.prop.in_(names), statement.c.contribution_id.in_(scope))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=BATCH).execute(query):
                yield row.contribution_id, row.entity_id, row.schema, row.prop, row.value

    def fingerprints(
        self,
        *,
        contribution_id: str | None = None,
        entity_id: str | None = None,
        contribution_ids: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
    ) -> Iterator[Fingerprint]:
        query = select(fingerprint).order_by(
            fingerprint.c.entity_id,
            fingerprint.c.kind,
            fingerprint.c.frame,
            fingerprint.c.variant,
            fingerprint.c.value,
        )
        if contribution_id is not None:
            query = query.where(fingerprint.c.contribution_id == contribution_id)
        if entity_id is not None:
            query = query.where(fingerprint.c.entity_id == entity_id)
        if contribution_ids is not None:
            query = query.where(fingerprint.c.contribution_id.in_(sorted(set(contribution_ids))))
        if kinds is not None:
            query = query.where(fingerprint.c.kind.in_(sorted(set(kinds))))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=BATCH).execute(query):
                yield Fingerprint(
                    entity_id=row.entity_id,
                    kind=row.kind,
                    value=row.value,
                    quality=row.quality,
                    frame=row.frame,
                    ts=row.ts,
                    variant=row.variant,
                )

    def search(
        self,
        values: Sequence[str],
        hashes: Sequence[str],
        contribution_ids: Iterable[str],
        limit: int,
    ) -> list[tuple[str, str, str, str, str]]:
        """Statements whose value holds one of ``values`` (case-insensitive) and fingerprints
        whose value is one of ``hashes``, among ``contribution_ids`` only, at most ``limit``:
        (contribution, entity, schema or fingerprint kind, property or "fingerprint", value)."""
        scope = sorted(set(contribution_ids))
        if not scope:
            return []
        found: list[tuple[str, str, str, str, str]] = []
        with self.engine.connect() as conn:
            for value in values:
                pattern = "%" + value.lower().replace("\\", "\\\\").replace("%", "\\%")
                pattern = pattern.replace("_", "\\_") + "%"
                query = (
                    select(
                        statement.c.contribution_id,
                        statement.c.entity_id,
                        statement.c.schema,
                        statement.c.prop,
                        statement.c.value,
                    )
                    .where(
                        statement.c.contribution_id.in_(scope),
                        statement.c.prop != BASE_ID,
                        func.lower(statement.c.value).like(pattern, escape="\\"),
                    )
                    .order_by(statement.c.entity_id, statement.c.prop, statement.c.value)
                    .limit(limit - len(found))
                )
                found.extend(
                    (row.contribution_id, row.entity_id, row.schema, row.prop, row.value)
                    for row in conn.execute(query)
                )
                if len(found) >= limit:
                    return found[:limit]
            if hashes:
                query = (
                    select(
                        fingerprint.c.contribution_id,
                        fingerprint.c.entity_id,
                        fingerprint.c.kind,
                        fingerprint.c.value,
                    )
                    .where(
                        fingerprint.c.contribution_id.in_(scope),
                        fingerprint.c.value.in_(sorted(set(hashes))),
                    )
                    .order_by(fingerprint.c.entity_id, fingerprint.c.kind)
                    .limit(limit - len(found))
                )
                found.extend(
                    (row.contribution_id, row.entity_id, row.kind, "fingerprint", row.value)
                    for row in conn.execute(query)
                )
        return found[:limit]

    def stats(self) -> Stats:
        with self.engine.connect() as conn:

            def scalar(query: Any) -> int:
                return int(conn.execute(query).scalar_one())

            def grouped(column: Any, *where: Any, join: Any = None) -> dict[str, int]:
                query = select(column, func.count()).group_by(column).order_by(column)
                if join is not None:
                    query = query.select_from(join)
                if where:
                    query = query.where(and_(*where))
                return {str(key): int(n) for key, n in conn.execute(query)}

            by_schema = {
                str(name): int(n)
                for name, n in conn.execute(
                    select(statement.c.schema, func.count(func.distinct(statement.c.entity_id)))
                    .where(statement.c.prop == BASE_ID)
                    .group_by(statement.c.schema)
                    .order_by(statement.c.schema)
                )
            }
            return Stats(
                agencies=scalar(select(func.count()).select_from(agency)),
                contributions=scalar(select(func.count()).select_from(contribution)),
                entities=scalar(select(func.count(func.distinct(statement.c.entity_id)))),
                statements=scalar(select(func.count()).select_from(statement)),
                fingerprints=scalar(select(func.count()).select_from(fingerprint)),
                entities_by_schema=by_schema,
                fingerprints_by_kind=grouped(fingerprint.c.kind),
                contributions_by_handling=grouped(contribution.c.handling_code),
                contributions_by_agency=grouped(
                    agency.c.name,
                    join=contribution.join(agency, agency.c.id == contribution.c.agency_id),
                ),
            )


def _erase_resolution(conn: Connection, contribution_id: str) -> int:
    """Resolved records, links and judgements of the contribution's entities, in every scope.

    An entity also held elsewhere is resolved afresh on the next run.
    """
    ids = [
        str(r[0])
        for r in conn.execute(
            select(statement.c.entity_id)
            .where(statement.c.contribution_id == contribution_id)
            .distinct()
        )
    ]
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        count += int(
            conn.execute(
                resolution_record.delete().where(resolution_record.c.record_id.in_(chunk))
            ).rowcount
            or 0
        )
        for table in (resolution_link, resolution_judgement):
            conn.execute(
                table.delete().where(table.c.left_id.in_(chunk) | table.c.right_id.in_(chunk))
            )
    return count


def _merge_schema(schemata: dict[str, str], entity_id: str, name: str) -> None:
    """Fragments of one entity must merge by FtM's schema rules (LegalEntity into Person…)."""
    held = schemata.get(entity_id)
    if held is None or held == name:
        schemata[entity_id] = name
        return
    try:
        schemata[entity_id] = ftm_model.common_schema(held, name).name
    except FtMInvalidData as exc:
        raise InvalidData(f"entity {entity_id} is given two schemata, {held} and {name}") from exc


def _schema_names(name: str) -> set[str]:
    schema = ftm_model.get(name)
    if schema is None:
        raise NotFound(f"no schema {name!r} in the FollowTheMoney model")
    return {schema.name, *(s.name for s in schema.descendants)}


__all__: Sequence[str] = ["CaseStore", "ImportResult", "Stats", "fingerprint_id"]
