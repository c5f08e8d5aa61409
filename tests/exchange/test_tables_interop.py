"""Seized tables as they come: empty and hostile cells, national phone numbers, reports."""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

import pytest
from followthemoney import model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crosscheck.exc import InvalidData
from crosscheck.exchange.tables import Skipped, load_mapping, map_table, shipped_mappings
from crosscheck.model import parse_entity

FORUM = "id,source,name,username,email,phone,birth_date,country\n"
CONTACTS = "owner_username,network,contact_name,contact_username,contact_phone\n"


def _mapped(path: Path, mapping: str) -> tuple[list[dict[str, object]], list[Skipped]]:
    report: list[Skipped] = []
    entities = list(map_table(path, load_mapping(mapping), report=report))
    for entity in entities:  # every entity is valid FtM and passes our strict checks
        proxy = model.get_proxy(entity)
        assert proxy.id and proxy.id not in {
            v for p in proxy.iterprops() if p.type.name == "entity" for v in proxy.get(p)
        }
        parse_entity(entity, contribution_id="c_test")
    return entities, report


def test_forum_row_without_username_keeps_the_rest(tmp_path: Path) -> None:
    table = tmp_path / "users.csv"
    table.write_text(
        FORUM
        + "7,forum-a,Juan García,jg77,jg@mail.example,,,es\n8,forum-a,Ana,,ana@mail.example,,,\n",
        encoding="utf-8",
    )
    entities, _ = _mapped(table, "forum-users")
    people = [e for e in entities if e["schema"] == "Person"]
    assert sorted(p["properties"]["name"][0] for p in people) == ["Ana", "Juan García"]
    accounts = [e for e in entities if e["schema"] == "UserAccount"]
    assert [a["properties"]["username"] for a in accounts] == [["jg77"]]


def test_contact_without_username_keeps_the_rest(tmp_path: Path) -> None:
    table = tmp_path / "contacts.csv"
    table.write_text(
        CONTACTS + "jg77,social.example,Ana García,,+34600000001\n"
        "jg77,social.example,Luis,luis.p,+34600000002\n"
        ",social.example,Marta,marta.x,\n",
        encoding="utf-8",
    )
    entities, _ = _mapped(table, "contact-list")
    names = sorted(e["properties"]["name"][0] for e in entities if e["schema"] == "Person")
    assert names == ["Ana García", "Luis", "Marta"]
    links = [e for e in entities if e["schema"] == "UnknownLink"]
    assert len(links) == 1  # only the row with both accounts links them
    schema_of: dict[object, set[object]] = {}
    for entity in entities:  # the owner's account repeats over rows, but no id has two schemata
        schema_of.setdefault(entity["id"], set()).add(entity["schema"])
    assert all(len(s) == 1 for s in schema_of.values())


def test_a_row_ftm_refuses_is_skipped_and_reported(tmp_path: Path) -> None:
    mapping = tmp_path / "self.yml"  # a mapping whose entities collide when `b` is empty
    mapping.write_text(
        "entities:\n"
        "  p: {schema: Person, keys: [a], properties: {name: {column: a}}}\n"
        "  acc: {schema: UserAccount, keys: [a, b],"
        " properties: {username: {column: b}, owner: {entity: p}}}\n",
        encoding="utf-8",
    )
    table = tmp_path / "t.csv"
    table.write_text("a,b\nx,y\nz,\n", encoding="utf-8")
    report: list[Skipped] = []
    entities = list(map_table(table, load_mapping(str(mapping)), report=report))
    assert len(entities) == 2  # the first row's person and account
    assert [(r.line, r.kept) for r in report] == [(3, False)]
    assert "Self-relationship" in report[0].reason


def test_unreadable_table_is_bad_input_naming_the_line(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(FORUM.encode() + "7,forum-a,García,jg77,,,,\n".encode("latin-1"))
    with pytest.raises(InvalidData, match="line 2: not UTF-8"):
        list(map_table(latin, load_mapping("forum-users")))


def _columns(mapping: str) -> list[str]:
    columns: set[str] = set()
    data = load_mapping(mapping)
    for spec in data["entities"].values():
        columns.update(spec.get("keys", []))
        for prop in spec.get("properties", {}).values():
            if "column" in prop:
                columns.add(prop["column"])
    columns.update((data.get("filters") or {}).keys())
    return sorted(columns)


cells = st.one_of(
    st.just(""),
    st.sampled_from(["Claimed", "gb", "GB", "xx", "+44 20 7946 0958", "020", "=1+1", " "]),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=12),
)


@pytest.mark.parametrize("mapping", shipped_mappings())
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cells, min_size=10, max_size=10), min_size=1, max_size=4))
def test_fuzzed_rows_never_give_an_internal_error(
    tmp_path: Path, mapping: str, rows: list[list[str]]
) -> None:
    columns = _columns(mapping)
    table = tmp_path / f"{mapping}.csv"
    with table.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row[: len(columns)])
    with contextlib.suppress(InvalidData):  # bad input, said in one line, is allowed;
        _mapped(table, mapping)  # anything else (an internal error) fails the test


def test_national_phones_are_read_with_the_rows_country(tmp_path: Path) -> None:
    table = tmp_path / "users.csv"
    table.write_text(
        FORUM + "1,forum-a,Tom Reed,tomr,,020 7946 0958,,GB\n"
        "2,forum-a,Ana Lima,analima,,(11) 91234-5678,,Brazil\n"
        "3,forum-a,Jo Bloggs,jo,,12,,gb\n",
        encoding="utf-8",
    )
    entities, report = _mapped(table, "forum-users")
    phones = {
        e["properties"]["name"][0]: e["properties"].get("phone")
        for e in entities
        if e["schema"] == "Person"
    }
    assert phones == {"Tom Reed": ["+442079460958"], "Ana Lima": ["+5511912345678"],
                      "Jo Bloggs": None}  # fmt: skip
    accounts = [e["properties"].get("phone") for e in entities if e["schema"] == "UserAccount"]
    assert ["+442079460958"] in accounts  # the account has no country; the row has
    lost = [(r.line, r.kept) for r in report]
    assert lost == [(4, True), (4, True)]  # the person's and the account's phone, both kept out
    assert "phone" in report[0].reason and "'12'" in report[0].reason
