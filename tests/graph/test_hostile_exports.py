"""Exports that cannot be turned against their reader: formula cells, ill-formed XML."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx
import pytest

from crosscheck.graph.export import export
from crosscheck.graph.safe_text import csv_cell, xml_text
from crosscheck.graph.types import Graph

# what each hostile value must read back as: XML-illegal characters become a visible escape
HOSTILE = {
    "ctl\x00\x01\x0b\x1f-id": "ctl\\x00\\x01\\x0b\\x1f-id",
    "<b>&amp; ]]> \"q\" 'a'": "<b>&amp; ]]> \"q\" 'a'",
    "rtl \u202eevil\u200f mark": "rtl \u202eevil\u200f mark",
    '=HYPERLINK("http://x.invalid")': '=HYPERLINK("http://x.invalid")',
    "@SUM(1+1)": "@SUM(1+1)",
    "not\ufffe\uffffchars": "not\\ufffe\\uffffchars",
    "lone\ud800surrogate": "lone\\ud800surrogate",
    "esc\x1b[31mred": "esc\\x1b[31mred",
}


def hostile_graph() -> Graph:
    graph: Graph = nx.MultiDiGraph()
    names = list(HOSTILE)
    for name in names:
        graph.add_node(
            name,
            kind="entity",
            schema="Person",
            label=name,
            contributions=name,
            agencies="ES police",
            handling="H2",
            evaluation="B2",
        )
    for source, target in itertools.pairwise(names):
        graph.add_edge(
            source, target, label=source, contributions=target, handling="H1", evaluation="A1"
        )
    return graph


def test_xml_text_escapes_only_what_xml_forbids() -> None:
    for raw, expected in HOSTILE.items():
        assert xml_text(raw) == expected
    assert xml_text("tab\tnew\nline\rcr") == "tab\tnew\nline\rcr"
    assert xml_text("\U0001f600 ok") == "\U0001f600 ok"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x.invalid","click")', '\'=HYPERLINK("http://x.invalid","click")'),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_csv_cell(value: str, cell: str) -> None:
    assert csv_cell(value) == cell


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    export(hostile_graph(), "csv", path)
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], rows[1:]
    assert header[0] == "source" and len(body) == len(HOSTILE) - 1
    cells = [cell for row in body for cell in row]
    assert '\'=HYPERLINK("http://x.invalid")' in cells and "'@SUM(1+1)" in cells
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell


def _graph_values(graph: nx.Graph[Any]) -> set[str]:
    values = {str(n) for n in graph.nodes}
    for _, data in graph.nodes(data=True):
        values.update(str(v) for v in data.values())
    for *_, data in graph.edges(data=True):
        values.update(str(v) for v in data.values())
    return values


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_gexf_and_graphml_parse_back_with_hostile_values(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"g.{fmt}"
    export(hostile_graph(), fmt, path)
    ET.parse(path)  # well-formed XML
    back = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    assert set(back.nodes) == set(HOSTILE.values())
    assert set(HOSTILE.values()) <= _graph_values(back)
    assert back.number_of_edges() == len(HOSTILE) - 1


def test_anx_parses_back_with_hostile_values(tmp_path: Path) -> None:
    path = tmp_path / "g.anx"
    export(hostile_graph(), "anx", path)
    chart = ET.parse(path).getroot()
    labels = {item.get("Label") for item in chart.iter("ChartItem")}
    ids = {entity.get("EntityId") for entity in chart.iter("Entity")}
    values = {a.get("Value") for a in chart.iter("Attribute")}
    ends = {link.get("End1Id") for link in chart.iter("Link")}
    expected = set(HOSTILE.values())
    assert ids == expected and expected <= labels and expected <= values
    assert ends <= ids and len(ends) == len(HOSTILE) - 1
