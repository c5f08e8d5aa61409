"""What every command shares: settings, the store, output helpers and exit codes."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.text import Text

from crosscheck.exc import InvalidData

if TYPE_CHECKING:  # imported where used: every command imports this module, few need a store
    from pydantic import ValidationError

    from crosscheck.model import Contribution, Evaluation
    from crosscheck.service.access import Acting
    from crosscheck.settings import Settings
    from crosscheck.store import CaseStore
    from crosscheck.store.access_store import Caller


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
TokenFile = Annotated[
    Path | None,
    typer.Option(
        "--token-file",
        envvar="CROSSCHECK_TOKEN_FILE",
        help="Your API token (a store the hub serves): act for its agency as its user",
    ),
]
Workers = Annotated[int | None, typer.Option(help="Processes (default: every core)", min=1)]
VideoInterval = Annotated[
    float, typer.Option(help="Seconds between hashed video frames; 0 = every frame", min=0)
]
Dihedral = Annotated[
    bool, typer.Option("--dihedral", help="Also hash/match the 7 rotated and mirrored versions")
]

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with control characters (but tab and newline) shown as ``\\x1b``, not obeyed."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class TextConsole(Console):
    """A console that prints every string as text: user data (subjects, names, ids) may hold
    ``[/x]`` or ``[link=...]``, which must not be read as markup, nor ANSI escapes obeyed.
    Style comes only from :class:`rich.text.Text` objects built in code (see :func:`styled`)."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text), **options)


def styled(text: str, style: str) -> Text:
    """User text in a style, still never read as markup."""
    return Text(visible(text), style=style)


out = TextConsole(highlight=False, soft_wrap=True, markup=False, emoji=False)
if not out.is_terminal:
    out.width = max(out.width, 160)  # piped to a file or a pager: no need to squeeze tables
err = TextConsole(stderr=True, highlight=False, markup=False, emoji=False)


def settings() -> Settings:
    from crosscheck.settings import Settings

    return Settings.from_env()


_opened: list[CaseStore] = []


def store(*, create: bool = False) -> CaseStore:
    """The case store of this run; :func:`close_stores` releases it when the command ends."""
    from crosscheck.service import open_store

    case_store = open_store(settings(), create=create)
    _opened.append(case_store)
    return case_store


def acting(
    case_store: CaseStore,
    action: str,
    agency: str | None,
    token_file: Path | None,
    *,
    needs_agency: bool = False,
    content: bool = True,
) -> Acting:
    """Who this command acts for (see :func:`crosscheck.service.access.act_for`)."""
    from crosscheck.service.access import act_for
    from crosscheck.service.hub import token_key
    from crosscheck.store.access_store import AccessStore

    token = None
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InvalidData(f"{token_file}: cannot read the token file ({exc.strerror})") from exc

    def authenticate(text: str) -> Caller | None:
        return AccessStore(case_store.engine, token_key(settings())).authenticate(text)

    return act_for(
        case_store,
        action,
        agency,
        token,
        authenticate=authenticate,
        needs_agency=needs_agency,
        content=content,
    )


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
    from pydantic import ValidationError

    from crosscheck.model import Contribution

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
    grade = evaluation_option(evaluation)
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
                "evaluation": grade.model_dump(),
            }
        )
    except ValidationError as exc:
        raise InvalidData(validation_line(exc, _CONTRIBUTION_OPTIONS)) from exc


_CONTRIBUTION_OPTIONS = {
    "id": "--contribution-id",
    "provider.name": "--agency",
    "provider.country": "--country",
    "case_reference": "--case",
    "purpose": "--purpose",
    "handling.code": "--handling",
    "handling": "--handling",
    "handling.note": "--handling-note",
}


def validation_line(exc: ValidationError, options: dict[str, str]) -> str:
    """A pydantic error as one line in the caller's terms: ``--country: not an ISO ... code``."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        name = options.get(where) or options.get(where.split(".")[0]) or where
        parts.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def evaluation_option(text: str) -> Evaluation:
    """``--evaluation B2``: source reliability A/B/C/X and information assessment 1-4."""
    from crosscheck.model import Evaluation, InformationAssessment, SourceReliability

    sources = "".join(item.value for item in SourceReliability)
    grades = "".join(item.value for item in InformationAssessment)
    if len(text) != 2 or text[0].upper() not in sources or text[1] not in grades:
        raise InvalidData(
            f"--evaluation is the source's reliability ({', '.join(sources)}) and the "
            f"information's assessment ({', '.join(grades)}), e.g. B2; got {text!r}"
        )
    return Evaluation.model_validate({"source": text[0].upper(), "information": text[1]})
