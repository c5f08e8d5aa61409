"""i2 Analyst's Notebook chart (ANX XML) with source and information grades.

Entities become chart entities with an icon for their schema, links become
chart links; every item carries its provenance as attributes. Grades follow
the 4x4 evaluation scheme: grade one is the source evaluation
(A/B/C/X), grade two the information evaluation (1 to 4), grade three the
handling code (H0 to H3). An item held from several contributions gets the
weakest evaluation and the strictest handling code among them.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from crosscheck.graph.types import Graph

SOURCE_GRADES = (
    ("A", "A - completely reliable"),
    ("B", "B - usually reliable"),
    ("C", "C - not usually reliable"),
    ("X", "X - cannot be assessed"),
)
INFORMATION_GRADES = (
    ("1", "1 - accuracy not in doubt"),
    ("2", "2 - known personally to the source, not to the official passing it on"),
    ("3", "3 - not known personally to the source, but corroborated"),
    ("4", "4 - cannot be corroborated"),
)
HANDLING_GRADES = (
    ("H0", "H0 - use to prevent and combat crime"),
    ("H1", "H1 - not in judicial proceedings without the provider's permission"),
    ("H2", "H2 - not to be disseminated without the provider's permission"),
    ("H3", "H3 - other restrictions"),
)
ICONS = {
    "Person": "Person",
    "UserAccount": "Internet Account",
    "Message": "Email",
    "Image": "Photograph",
    "Video": "Video Tape",
    "CryptoWallet": "Bank Account",
    "email": "Email",
    "phone": "Phone",
    "surname": "Person",
    "wallet": "Bank Account",
    "serial": "Mobile Phone",
    "Hit": "Alert",
}
ATTRIBUTES = ("contributions", "agencies", "handling", "marking", "evaluation")


def _grades(data: dict[str, object]) -> tuple[int, int, int]:
    evaluations = [e for e in str(data.get("evaluation", "")).split(";") if len(e) == 2]
    # "H3 (restriction text)" grades as H3
    handling = [h.split(" ", 1)[0] for h in str(data.get("handling", "")).split(";") if h]
    source_codes = [c for c, _ in SOURCE_GRADES]
    info_codes = [c for c, _ in INFORMATION_GRADES]
    handling_codes = [c for c, _ in HANDLING_GRADES]
    source = max((source_codes.index(e[0]) for e in evaluations if e[0] in source_codes), default=3)
    info = max((info_codes.index(e[1]) for e in evaluations if e[1] in info_codes), default=3)
    code = max((handling_codes.index(h) for h in handling if h in handling_codes), default=0)
    return source, info, code


def _grade_collection(root: ET.Element, tag: str, grades: tuple[tuple[str, str], ...]) -> None:
    strings = ET.SubElement(ET.SubElement(root, tag), "StringCollection")
    for _, text in grades:
        ET.SubElement(strings, "String", Text=text)


def _item(parent: ET.Element, label: str, data: dict[str, object]) -> ET.Element:
    source, info, code = _grades(data)
    return ET.SubElement(
        parent,
        "ChartItem",
        Label=label,
        GradeOneIndex=str(source),
        GradeTwoIndex=str(info),
        GradeThreeIndex=str(code),
    )


def _attributes(item: ET.Element, data: dict[str, object]) -> None:
    collection = ET.SubElement(item, "AttributeCollection")
    for name in ATTRIBUTES:
        value = str(data.get(name, ""))
        if value:
            ET.SubElement(collection, "Attribute", AttributeClass=name, Value=value)


def write_anx(graph: Graph, path: Path) -> None:
    chart = ET.Element("Chart", IdReferenceLinking="false", Rigorous="true")
    _grade_collection(chart, "GradeOne", SOURCE_GRADES)
    _grade_collection(chart, "GradeTwo", INFORMATION_GRADES)
    _grade_collection(chart, "GradeThree", HANDLING_GRADES)
    classes = ET.SubElement(chart, "AttributeClassCollection")
    for name in ATTRIBUTES:
        ET.SubElement(classes, "AttributeClass", Name=name, Type="AttText", ShowValue="false")
    types = ET.SubElement(chart, "EntityTypeCollection")
    schemas = sorted({str(d.get("schema") or "Entity") for _, d in graph.nodes(data=True)})
    for schema in schemas:
        ET.SubElement(types, "EntityType", Name=schema, IconFile=ICONS.get(schema, "General"))
    items = ET.SubElement(chart, "ChartItemCollection")
    nodes: list[tuple[str, dict[str, object]]] = []
    for name, attrs in graph.nodes(data=True):
        nodes.append((name, dict(attrs)))
    nodes.sort(key=lambda item: item[0])
    for index, (node, data) in enumerate(nodes):
        item = _item(items, str(data.get("label") or node), data)
        end = ET.SubElement(item, "End", X=str(150 * (index % 20)), Y=str(150 * (index // 20)))
        entity = ET.SubElement(end, "Entity", EntityId=node, Identity=node)
        icon = ET.SubElement(entity, "Icon")
        ET.SubElement(icon, "IconStyle", Type=str(data.get("schema") or "Entity"))
        _attributes(item, data)
    for source, target, edge in graph.edges(data=True):
        link_data: dict[str, object] = dict(edge)
        item = _item(items, str(link_data.get("label", "")), link_data)
        link = ET.SubElement(item, "Link", End1Id=source, End2Id=target)
        ET.SubElement(link, "LinkStyle", ArrowStyle="ArrowNone", Type="Link")
        _attributes(item, link_data)
    ET.ElementTree(chart).write(path, encoding="utf-8", xml_declaration=True)
