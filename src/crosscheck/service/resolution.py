"""Entity resolution use cases: a standalone table of records, or everything held.

``resolve_file`` resolves a seized table (CSV or JSON lines) on its own.
``resolve_store`` resolves the people and accounts held — Person entities,
and UserAccount entities with their owner's name and birth date — for the
whole store or for what one agency may see, incrementally: only records that
are new or changed since the last run are scored, against everything; the
clusters keep their ids. Analyst judgements from the store apply to both.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterable, Mapping, Sized
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from crosscheck.exc import InvalidData, NotFound
from crosscheck.exchange.jsonl import json_objects
from crosscheck.model.statements import StatementEntity
from crosscheck.resolve import params as params_io
from crosscheck.resolve.cluster import (
    DEFAULT_MAX_SIZE,
    DEFAULT_THRESHOLD,
    Cluster,
    Link,
    best_links,
    cluster,
    deterministic_links,
    links_from_pairs,
    record_rows,
)
from crosscheck.resolve.features import feature_frame, feature_rows
from crosscheck.resolve.judgements import VERDICTS, Judgement, Verdict
from crosscheck.resolve.params import Params
from crosscheck.resolve.splink_run import Rows, is_small, score, train
from crosscheck.service.access import visible_contributions
from crosscheck.store import CaseStore
from crosscheck.store.audit_log import AuditLog
from crosscheck.store.resolution_store import ResolutionStore

EVIDENCE_THRESHOLD = 0.5  # pairs kept as evidence; clusters form at the (higher) threshold


def evidence_threshold(rows: Sized) -> float:
    """Pairs kept as evidence: on a small table every pair compared, however low it scored
    (a record alone still shows why); on a large one those of 0.5 or more."""
    return 0.0 if is_small(rows) else EVIDENCE_THRESHOLD


_MAX_CELL = 10_000


@dataclass(frozen=True)
class ResolveOptions:
    threshold: float = DEFAULT_THRESHOLD
    max_size: int = DEFAULT_MAX_SIZE
    params_path: Path | None = None
    train: bool = False  # estimate parameters on the data itself (unsupervised)
    save_params: Path | None = None


@dataclass
class Resolution:
    rows: list[dict[str, Any]]
    clusters: list[Cluster]
    params: Params
    scored_pairs: int = 0
    new_records: int = 0


def read_records(path: Path) -> list[dict[str, Any]]:
    """A CSV file with a header, or JSON lines; refused with the line that is wrong."""
    if not path.is_file():
        raise InvalidData(f"{path}: no such file")
    with path.open("rb") as probe:
        head = probe.read(4096).lstrip()
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"} or head.startswith(b"{"):
        return [row for _, row in json_objects(path)]
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            if not reader.fieldnames:
                raise InvalidData(f"{path}: no header line")
            rows: list[dict[str, Any]] = []
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise InvalidData(f"{path}: line {number}: more cells than the header has")
                if any(len(v or "") > _MAX_CELL for v in row.values()):
                    raise InvalidData(f"{path}: line {number}: a cell over {_MAX_CELL} characters")
                rows.append(row)
            return rows
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise InvalidData(f"{path}: not a CSV file ({exc})") from exc


def _params(options: ResolveOptions, rows: Rows, what: str) -> Params:
    if options.train:
        trained = train(rows, description=f"{what}, unsupervised, {len(rows)} records")
        if options.save_params:
            trained.save(options.save_params)
        return trained
    return params_io.load(options.params_path)


def _resolve(
    rows: Rows,
    params: Params,
    options: ResolveOptions,
    judgements: Iterable[Judgement],
    extra_links: Iterable[Link] = (),
) -> Resolution:
    links = links_from_pairs(score(rows, params, threshold=evidence_threshold(rows)))
    links += deterministic_links(rows) + list(extra_links)
    ids = (
        rows["unique_id"].tolist()
        if isinstance(rows, pd.DataFrame)
        else [r["unique_id"] for r in rows]
    )
    clusters = cluster(
        ids,
        links,
        threshold=options.threshold,
        judgements=judgements,
        max_size=options.max_size,
    )
    return Resolution(record_rows(clusters, best_links(links)), clusters, params, len(links))


def resolve_file(
    path: Path, options: ResolveOptions, judgements: Iterable[Judgement] = ()
) -> Resolution:
    rows = feature_frame(read_records(path), f"{path}: ", workers=os.cpu_count() or 1)
    if len(rows) == 0:
        raise InvalidData(f"{path}: no records")
    return _resolve(rows, _params(options, rows, str(path.name)), options, judgements)


# -- everything held ---------------------------------------------------------------------

_PERSON = {
    "name": "name",
    "firstName": "first_name",
    "lastName": "last_name",
    "birthDate": "birth_date",
    "birthPlace": "place",
    "email": "email",
    "phone": "phone",
    "idNumber": "national_id",
    "address": "address",
}
_ACCOUNT = {"username": "username", "service": "service", "email": "email", "phone": "phone"}


def _first(entity: StatementEntity, prop: str) -> str | None:
    if prop not in entity.schema.properties:
        return None
    values = sorted(entity.get(prop))
    return values[0] if values else None


def records_of(entities: Iterable[StatementEntity]) -> tuple[list[dict[str, Any]], list[Link]]:
    """People and accounts as records; an account's owner, when held, lends it name and birth date.

    The ownership itself is returned as a link (the data say it, no model needed).
    """
    people: dict[str, StatementEntity] = {}
    accounts: list[StatementEntity] = []
    for entity in entities:
        if entity.id is None:
            continue
        if entity.schema.is_a("Person"):
            people[entity.id] = entity
        elif entity.schema.is_a("UserAccount"):
            accounts.append(entity)
    records: list[dict[str, Any]] = []
    for pid, person in people.items():
        record: dict[str, Any] = {"id": pid, "source": ";".join(sorted(person.datasets))}
        for prop, column in _PERSON.items():
            record[column] = _first(person, prop)
        record["country"] = _first(person, "country") or _first(person, "nationality")
        records.append(record)
    owned: list[Link] = []
    for account in accounts:
        assert account.id is not None
        record = {"id": account.id, "source": ";".join(sorted(account.datasets))}
        for prop, column in _ACCOUNT.items():
            record[column] = _first(account, prop)
        owner_id = _first(account, "owner")
        owner = people.get(owner_id or "")
        if owner is not None and owner_id is not None:
            for prop in ("name", "firstName", "lastName", "birthDate", "country"):
                column = _PERSON.get(prop, "country")
                record.setdefault(column, None)
                record[column] = record[column] or _first(owner, prop)
            left, right = sorted((account.id, owner_id))
            owned.append(
                Link(left, right, 1.0, {"rule": "account owned by the person", "field": "owner"})
            )
        records.append(record)
    return records, owned


def _digest(row: Mapping[str, Any]) -> str:
    return hashlib.sha1(orjson.dumps(row, option=orjson.OPT_SORT_KEYS)).hexdigest()


def resolve_store(
    store: CaseStore, options: ResolveOptions, viewer: str | None = None
) -> Resolution:
    """Resolve what is held (``viewer``: only what that agency may see), incrementally."""
    scope = viewer or ""
    visible = visible_contributions(store, viewer)
    entities = [] if visible == [] else list(store.entities(contribution_ids=visible))
    records, owned = records_of(entities)
    rows = feature_rows(records)
    resolutions = ResolutionStore(store.engine)
    held = resolutions.records(scope)
    params = _params(options, rows, "everything held" if viewer is None else f"seen by {viewer}")
    # a record's digest covers its features and the parameters that scored it: other
    # parameters (a new file, --train) score everything again, and drop the old links
    model = _digest(
        {
            "p": params.probability_two_random_records_match,
            "c": params.to_json()["comparisons"],
            "small": is_small(rows),  # scored without term frequencies: all again once it grows
        }
    )
    digests = {r["unique_id"]: _digest({"row": r, "model": model}) for r in rows}
    new = {rid for rid, d in digests.items() if rid not in held or held[rid].digest != d}
    pairs = []
    if new and len(rows) >= 2:
        flagged = [{**r, "is_new": r["unique_id"] in new} for r in rows]
        pairs = score(
            flagged, params, threshold=evidence_threshold(rows), only_new=len(new) < len(rows)
        )
    fresh = links_from_pairs(pairs) + deterministic_links(rows) + owned
    changed = new & set(held)
    kept = [
        link
        for link in resolutions.links(scope)
        if link.left in digests
        and link.right in digests
        and link.left not in changed
        and link.right not in changed
    ]
    clusters = cluster(
        list(digests),
        kept + fresh,
        threshold=options.threshold,
        judgements=resolutions.judgements(scope),
        previous={rid: r.cluster_id for rid, r in held.items()},
        max_size=options.max_size,
    )
    assignment = {m: c.id for c in clusters for m in c.members}
    with store.engine.begin() as conn:  # the resolution and its audit entry, or neither
        resolutions.save(scope, digests, assignment, fresh, changed, conn=conn)
        if viewer is not None:
            AuditLog(store.engine).append(
                viewer,
                "combination",
                "resolution",
                {"records": len(rows), "new": len(new)},
                conn=conn,
            )
    result = Resolution(
        record_rows(clusters, best_links(kept + fresh)), clusters, params, len(pairs), len(new)
    )
    _describe(result, entities)
    return result


def _describe(result: Resolution, entities: Iterable[StatementEntity]) -> None:
    labels = {e.id: (e.schema.name, e.caption) for e in entities if e.id}
    for row in result.rows:
        schema, caption = labels.get(row["id"], ("", ""))
        row["schema"], row["caption"] = schema, caption


MAX_JUDGE_NAME = 200  # the judgement's and the audit log's column


def judge(
    store: CaseStore,
    left: str,
    right: str | None,
    verdict: str,
    by: str,
    note: str = "",
    cluster_id: str | None = None,
    scope: str = "",
) -> list[Judgement]:
    """Judge a pair, or (``cluster_id``) a record's membership of a cluster as it stands now."""
    if verdict not in VERDICTS:
        raise InvalidData(f"a verdict is one of {', '.join(VERDICTS)}, got {verdict!r}")
    if not by.strip():
        raise InvalidData("say who judges (--by)")
    if len(by) > MAX_JUDGE_NAME:
        raise InvalidData(f"who judges (--by) has at most {MAX_JUDGE_NAME} characters")
    resolutions = ResolutionStore(store.engine)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    checked: Verdict = verdict
    if cluster_id is not None:
        members = [
            r.record_id for r in resolutions.records(scope).values() if r.cluster_id == cluster_id
        ]
        if not members:
            raise NotFound(f"no cluster {cluster_id!r} in the last resolution")
        others = [m for m in members if m != left]
        if not others:
            raise InvalidData(f"{left!r} is the only member of {cluster_id!r}")
        made = [Judgement(left, m, checked, by, now, note, cluster_id) for m in others]
    else:
        if right is None or right == left:
            raise InvalidData("a pair judgement needs two different record ids")
        made = [Judgement(left, right, checked, by, now, note)]
    with store.engine.begin() as conn:  # the judgements and their audit entry, or neither
        resolutions.add_judgements(made, scope, conn=conn)
        AuditLog(store.engine).append(
            by,
            "alteration",
            "resolution judgement",
            {"verdict": verdict, "pairs": len(made)},
            conn=conn,
        )
    return made
