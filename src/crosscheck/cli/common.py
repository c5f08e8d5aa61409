"""What every command shares: settings, the store, output helpers and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from enum import IntEnum, StrEnum
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

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
