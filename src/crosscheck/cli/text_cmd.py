"""`crosscheck text analyse [FILE|-] [--format json|jsonl] [--author-pool]`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import orjson
import typer

from crosscheck.cli import common
from crosscheck.exc import InvalidData
from crosscheck.text.analyse import analyse, analyse_author
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
        str,
        typer.Option(
            "--format", "-f", help="json: the whole input is one text; jsonl: one text a line"
        ),
    ] = "json",
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
    """Language, regional variety with the words that show it, and identifiers of texts."""
    if fmt not in ("json", "jsonl"):
        raise InvalidData(f"--format takes json or jsonl, got {fmt!r}")
    codes = [c.strip() for c in languages.split(",") if c.strip()]
    raw = _read(source)
    if fmt == "json":
        [result] = analyse([("1", raw)], languages=codes, region=region, threshold=threshold)
        common.write_json(result.to_json())
        return
    records = list(_records(source, raw))
    if author_pool:
        by_author: dict[str, list[str]] = {}
        for item_id, text, author in records:
            by_author.setdefault(author or item_id, []).append(text)
        common.write_json_lines(
            analyse_author(
                name, texts, languages=codes, region=region, threshold=threshold
            ).to_json()
            for name, texts in by_author.items()
        )
        return
    for start in range(0, len(records), BATCH):
        chunk = [(item_id, text) for item_id, text, _ in records[start : start + BATCH]]
        results = analyse(chunk, languages=codes, region=region, threshold=threshold)
        common.write_json_lines(r.to_json() for r in results)
