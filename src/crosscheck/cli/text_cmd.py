"""`crosscheck text analyse [FILE|-] [--format table|json|jsonl] [--author-pool]`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from crosscheck.cli import common
from crosscheck.exc import InvalidData
from crosscheck.text.analyse import Analysis, analyse, analyse_author
from crosscheck.text.language import DEFAULT_LANGUAGES

text_app = typer.Typer(
    help="Text intelligence: identifiers, language, regional variety.", no_args_is_help=True
)
BATCH = 512


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        raise InvalidData(f"{source}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{source}: not UTF-8 text ({exc.reason})") from exc


def _records(source: str, raw: str) -> Iterator[tuple[str, str, str | None]]:
    """(id, text, author) per line: plain text, or {"id","text","author"}."""
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InvalidData(f"{source}: line {number}: not valid JSON ({exc})") from exc
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise InvalidData(f'{source}: line {number}: a JSON line needs a "text" string')
            author = data.get("author")
            yield str(data.get("id", number)), data["text"], None if author is None else str(author)
        else:
            yield str(number), line, None


@text_app.command("analyse")
def analyse_cmd(
    source: Annotated[str, typer.Argument(help="A text file, or - for standard input")] = "-",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table: one text a line, read as a table (the default in a terminal); "
            "json: the whole input is one text (the default otherwise); jsonl: one text a line "
            "(the default otherwise for a .jsonl file and with --author-pool)",
        ),
    ] = None,
    author_pool: Annotated[
        bool,
        typer.Option("--author-pool", help="jsonl: one decision per `author` from all their texts"),
    ] = False,
    region: Annotated[
        str | None, typer.Option(help="Default country for phone numbers without +code, e.g. ES")
    ] = None,
    languages: Annotated[
        str, typer.Option(help="Comma-separated ISO 639-1 codes lingua may choose from")
    ] = ",".join(DEFAULT_LANGUAGES),
    threshold: Annotated[
        float | None,
        typer.Option(help="Abstain under this confidence (default: the model's)", min=0, max=1),
    ] = None,
) -> None:
    """Language, regional variety with the words that show it, and identifiers of texts.

    Input: plain text, or JSON lines with the fields "text" (required), "id" (default:
    the line number) and "author" (for --author-pool; default: the id).
    """
    if fmt is None:
        lines = author_pool or source.lower().endswith(".jsonl")
        fmt = "table" if common.out.is_terminal else "jsonl" if lines else "json"
    if fmt not in ("table", "json", "jsonl"):
        raise InvalidData(f"--format takes table, json or jsonl, got {fmt!r}")
    if author_pool and fmt == "json":
        raise InvalidData(
            "--author-pool needs texts one a line (--format jsonl or table); "
            "--format json reads the whole input as one text"
        )
    codes = [c.strip() for c in languages.split(",") if c.strip()]
    raw = _read(source)
    if fmt == "json":
        [result] = analyse([("1", raw)], languages=codes, region=region, threshold=threshold)
        common.write_json(result.to_json())
        return
    records = list(_records(source, raw))
    if author_pool:
        by_author: dict[str, list[tuple[str, str]]] = {}
        for item_id, text, author in records:
            by_author.setdefault(author or item_id, []).append((item_id, text))
        pooled = (
            analyse_author(
                name,
                [text for _, text in items],
                languages=codes,
                region=region,
                threshold=threshold,
                ids=[item_id for item_id, _ in items],
            )
            for name, items in by_author.items()
        )
        if fmt == "table":
            _print_table(pooled, "author")
        else:
            common.write_json_lines(a.to_json() for a in pooled)
        return
    for start in range(0, len(records), BATCH):
        chunk = [(item_id, text) for item_id, text, _ in records[start : start + BATCH]]
        results = analyse(chunk, languages=codes, region=region, threshold=threshold)
        if fmt == "table":
            _print_table(results, "id")
        else:
            common.write_json_lines(r.to_json() for r in results)


def _print_table(results: Iterable[Analysis], first: str) -> None:
    """One row a text (or author): language, variety or abstention, evidence, identifiers."""
    table = Table(first, "language", "variety", "evidence", "identifiers")
    for item in results:
        variety = (
            "abstained"
            if item.abstained or item.variety is None
            else f"{item.variety} ({item.variety_confidence:.2f})"
        )
        table.add_row(
            item.id + (f" ({item.texts} texts)" if item.texts != 1 else ""),
            f"{item.language} ({item.language_confidence:.2f})",
            variety,
            ", ".join(f"{e.text} → {e.points_to}" for e in item.evidence[:4]),
            ", ".join(f"{i.type}: {i.normalised or i.value}" for i in item.identifiers[:6]),
        )
    common.out.print(table)
