"""What every command shares: settings, the store, output helpers and exit codes."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from crosscheck.exc import InvalidData
from crosscheck.model import Contribution
from crosscheck.service import open_store
from crosscheck.settings import Settings
from crosscheck.store import CaseStore


class ReturnCode(IntEnum):
    OK = 0
    INTERNAL = 1
    BAD_INPUT = 2


class TableOrJsonl(StrEnum):
    table = "table"
    jsonl = "jsonl"


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


# options that `fingerprint` and `match` share
Viewer = Annotated[
    str | None,
    typer.Option("--as", help="See only what this agency may see (hub); default: all held"),
]
Workers = Annotated[int | None, typer.Option(help="Processes (default: every core)", min=1)]
VideoInterval = Annotated[
    float, typer.Option(help="Seconds between hashed video frames; 0 = every frame", min=0)
]
Dihedral = Annotated[
    bool, typer.Option("--dihedral", help="Also hash/match the 7 rotated and mirrored versions")
]

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:
    out.width = max(out.width, 160)  # piped to a file or a pager: no need to squeeze tables
err = Console(stderr=True, highlight=False)


def settings() -> Settings:
    return Settings.from_env()


_opened: list[CaseStore] = []


def store(*, create: bool = False) -> CaseStore:
    """The case store of this run; :func:`close_stores` releases it when the command ends."""
    case_store = open_store(settings(), create=create)
    _opened.append(case_store)
    return case_store


def close_stores() -> None:
    while _opened:
        _opened.pop().engine.dispose()


def write_json_lines(records: Iterable[Any]) -> None:
    stream = sys.stdout.buffer
    for record in records:
        stream.write(orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS) + b"\n")
    stream.flush()


def write_json(record: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def provenance(item: Contribution) -> str:
    """One short line: which agency, which handling code, which evaluation."""
    agency = f"{item.provider.name} ({item.provider.country.upper()})"
    return f"{agency}, {item.handling}, {item.evaluation}"


def contribution_from_options(
    agency: str | None,
    country: str | None,
    case: str | None,
    handling: str | None,
    handling_note: str | None,
    evaluation: str | None,
    purpose: str,
    contribution_id: str | None,
) -> Contribution:
    """A new contribution from command-line options, each missing one named in the error."""
    missing = [
        flag
        for flag, value in (
            ("--agency", agency),
            ("--country", country),
            ("--case", case),
            ("--handling", handling),
            ("--evaluation", evaluation),
        )
        if not value
    ]
    if missing:
        raise InvalidData(f"--out writes a contribution: also give {', '.join(missing)}")
    assert evaluation is not None and case is not None and country is not None
    if len(evaluation) != 2:
        raise InvalidData(f"--evaluation is source and information, e.g. B2; got {evaluation!r}")
    now = datetime.now(UTC)
    slug = re.sub(r"[^a-z0-9]+", "_", f"{country}_{case}".lower()).strip("_")[:40]
    try:
        return Contribution.model_validate(
            {
                "id": contribution_id or f"{slug}_{now:%Y%m%d%H%M%S}",
                "provider": {"name": agency, "country": country},
                "created_at": now,
                "case_reference": case,
                "purpose": purpose,
                "handling": {"code": handling, "note": handling_note},
                "evaluation": {"source": evaluation[0].upper(), "information": evaluation[1]},
            }
        )
    except ValueError as exc:
        raise InvalidData(f"contribution options: {exc}") from exc
