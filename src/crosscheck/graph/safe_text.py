"""Values made safe for the files we write: spreadsheet cells and XML 1.0 text.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by spreadsheet programs; we prefix it with a single
quote (OWASP's rule). XML 1.0 cannot carry C0 controls other than tab, newline
and carriage return, U+FFFE/U+FFFF or lone surrogates; we write each such
character as a visible escape (``\\x1b``, ``\\ufffe``), so that distinct ids stay
distinct and the reader sees that something was there.
"""

from __future__ import annotations

import re
from typing import Any

from crosscheck.graph.types import Graph

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_row(values: list[Any]) -> list[str]:
    return [csv_cell(value) for value in values]


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(value: Any) -> Any:
    """``value`` with every character XML 1.0 forbids written as a visible escape."""
    return _NOT_XML.sub(_escape, value) if isinstance(value, str) else value


def xml_safe(graph: Graph) -> Graph:
    """A copy of ``graph`` whose node ids, attribute names and values are all XML-safe."""
    safe: Graph = graph.__class__()
    safe.graph.update({xml_text(k): xml_text(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        safe.add_node(xml_text(node), **{xml_text(k): xml_text(v) for k, v in data.items()})
    for source, target, data in graph.edges(data=True):
        safe.add_edge(
            xml_text(source),
            xml_text(target),
            **{xml_text(k): xml_text(v) for k, v in data.items()},
        )
    return safe
