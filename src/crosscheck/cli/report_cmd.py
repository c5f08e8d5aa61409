"""`crosscheck report --hits REF... --entities ID... --out lead.pdf`: the explained lead report.

Runs on the hub's store (CROSSCHECK_HOME / CROSSCHECK_DB_URL) as the token's
user (``--token-file``), or on a store no hub serves for the agency named
(``--agency``). ``--hits`` and ``--entities`` take several values after one
flag, the flag repeated, or comma-separated lists. ``--out`` ending in .html
writes the HTML page instead of the PDF; ``--html`` and ``--json`` write the page
and the facts beside it. The files are readable by their owner only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from typer.core import TyperCommand

from crosscheck.cli import common
from crosscheck.cli.hub_cmd import ActingAgency
from crosscheck.exc import InvalidData
from crosscheck.service import report as lead

LISTS = ("--hits", "--entities")


class ReportCommand(TyperCommand):
    """Takes ``--hits A B C`` as ``--hits A --hits B --hits C`` (and so for ``--entities``)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        spread: list[str] = []
        current: str | None = None
        for arg in args:
            if arg.startswith("-"):
                name, _, value = arg.partition("=")
                current = name if name in LISTS and not value else None
                spread.append(arg)
            elif current is not None and spread[-1] != current:
                spread += [current, arg]
            else:
                spread.append(arg)
        parsed: list[str] = super().parse_args(ctx, spread)
        return parsed


def _values(given: list[str] | None) -> list[str]:
    found = [part.strip() for value in given or [] for part in value.split(",")]
    return list(dict.fromkeys(p for p in found if p))


def _write(path: Path, data: bytes) -> None:
    """The report holds case data: written readable by its owner only."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise InvalidData(f"{path}: cannot write the report ({exc.strerror})") from exc
    os.fchmod(handle, 0o600)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)


def report(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The report: a PDF, or HTML when it ends in .html")
    ],
    hits: Annotated[
        list[str] | None,
        typer.Option(
            "--hits",
            help="Hit (HIT-…) or notice (N-…) references you may see: several after the flag, "
            "the flag repeated, or comma-separated",
        ),
    ] = None,
    entities: Annotated[
        list[str] | None,
        typer.Option(
            "--entities",
            help="Entity ids (as `show` takes them): people, accounts, messages; as --hits",
        ),
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML page")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the facts as JSON")
    ] = None,
    competent: Annotated[
        str | None, typer.Option("--for", help="The competent country, e.g. ES")
    ] = None,
    language: Annotated[
        str, typer.Option("--language", "--lang", help="en or es: the report's language")
    ] = "en",
    agency: ActingAgency = None,
    token_file: common.TokenFile = None,
) -> None:
    """The explained lead report for the competent country: media hits across agencies,
    the variety of the texts with their evidence words, the resolved identity with the
    evidence per link, the link path drawn, shared values; every claim footnoted
    (contribution, agency, handling code, evaluation), handling codes respected."""
    case_store = common.store()
    who = common.acting(case_store, "hits", agency, token_file, needs_agency=True)
    made = lead.build_report(
        case_store, who, _values(hits), _values(entities), competent=competent,
        settings=common.settings(),
    )  # fmt: skip
    page = lead.render_html(made, language)
    if out.suffix.lower() in (".html", ".htm"):
        _write(out, page.encode())
    else:
        _write(out, lead.render_pdf(page))
    if html is not None:
        _write(html, page.encode())
    if json_out is not None:
        _write(json_out, orjson.dumps(lead.report_data(made), option=orjson.OPT_INDENT_2))
    common.err.print(
        f"lead report{f' for {made.competent}' if made.competent else ''}: "
        f"{len(made.media_hits)} media hits, {len(made.texts)} texts, "
        f"{len(made.identity.members) if made.identity else 0} resolved records, "
        f"{len(made.path)} path steps, {len(made.footnotes)} sources -> {out}"
    )
