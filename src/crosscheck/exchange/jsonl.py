"""JSON lines files as records: one JSON object a line, blank lines skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from crosscheck.exc import InvalidData


def json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; anything else is an error naming the line."""
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InvalidData(f"{path}: line {number}: not valid JSON ({exc})") from exc
            if not isinstance(row, dict):
                raise InvalidData(f"{path}: line {number}: a record is a JSON object")
            yield number, row
