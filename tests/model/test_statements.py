from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crosscheck.exc import InvalidData
from crosscheck.model import assemble, entity_dict, parse_entity, statements_of
from crosscheck.model.statements import BASE_ID


def person(**props: list[str]) -> dict[str, Any]:
    return {"id": "p1", "schema": "Person", "properties": props}


def test_values_become_statements_of_the_contribution() -> None:
    entity = parse_entity(
        person(name=["Ana Ruiz"], email=["Ana@Example.ORG"]), contribution_id="c_one"
    )
    stmts = statements_of(entity)
    assert {s.dataset for s in stmts} == {"c_one"}
    email = next(s for s in stmts if s.prop == "email")
    assert email.value == "Ana@example.org"  # FtM cleans the domain, keeps the local part
    assert email.original_value == "Ana@Example.ORG"
    marker = next(s for s in stmts if s.prop == BASE_ID)
    assert marker.value == "Person"


def test_statement_ids_are_deterministic_and_differ_by_contribution() -> None:
    a = {s.id for s in statements_of(parse_entity(person(name=["X"]), contribution_id="c_a"))}
    again = {s.id for s in statements_of(parse_entity(person(name=["X"]), contribution_id="c_a"))}
    other = {s.id for s in statements_of(parse_entity(person(name=["X"]), contribution_id="c_b"))}
    assert a == again
    assert not a & other


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "x", "schema": "Spaceship"}, "unknown schema"),
        ({"id": "x", "schema": "Thing"}, "abstract"),
        ({"schema": "Person"}, "non-empty string id"),
        ({"id": "x", "schema": "Person", "properties": {"wingspan": ["3"]}}, "no property"),
        ({"id": "x", "schema": "Person", "properties": {"associates": ["y"]}}, "reverse"),
        ({"id": "x", "schema": "Person", "properties": {"birthDate": ["yesterday"]}}, "valid date"),
        ({"id": "x", "schema": "Person", "properties": {"name": [3]}}, "not a string"),
        ({"id": "x", "schema": "Person", "properties": ["name"]}, "must be an object"),
        ({"id": "x", "schema": "Person", "colour": "red"}, "unknown fields"),
        (["not", "an", "object"], "JSON object"),
    ],
)
def test_bad_entities_are_refused_not_dropped(data: Any, message: str) -> None:
    with pytest.raises(InvalidData, match=message):
        parse_entity(data, contribution_id="c_x")


def test_entity_assembles_across_contributions() -> None:
    one = statements_of(parse_entity(person(name=["Ana Ruiz"]), contribution_id="c_be"))
    two = statements_of(
        parse_entity(person(name=["Ana Ruiz"], phone=["+34 600 000 000"]), contribution_id="c_es")
    )
    entity = assemble(one + two)
    assert entity.get("name") == ["Ana Ruiz"]
    assert entity.get("phone") == ["+34600000000"]
    assert entity.datasets == {"c_be", "c_es"}
    assert {s.dataset for s in entity.get_statements("name")} == {"c_be", "c_es"}


def test_entity_dict_round_trips_through_statements() -> None:
    entity = parse_entity(person(name=["B", "A"], email=["a@b.org"]), contribution_id="c_x")
    data = entity_dict(assemble(statements_of(entity)))
    assert data == {
        "id": "p1",
        "schema": "Person",
        "properties": {"email": ["a@b.org"], "name": ["A", "B"]},
    }
    again = parse_entity(data, contribution_id="c_x")
    assert {s.id for s in statements_of(again)} == {s.id for s in statements_of(entity)}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(["id", "schema", "properties", "caption", "x"]), json_values, max_size=5
    )
    | st.fixed_dictionaries(
        {
            "id": st.text(min_size=1, max_size=20),
            "schema": st.sampled_from(["Person", "UserAccount", "Image", "Nope"]),
            "properties": st.dictionaries(
                st.sampled_from(["name", "email", "phone", "birthDate", "username", "bogus"]),
                st.lists(st.text(max_size=30), max_size=3),
                max_size=4,
            ),
        }
    )
)
def test_parse_entity_never_fails_any_other_way(data: Any) -> None:
    try:
        entity = parse_entity(data, contribution_id="c_fuzz")
    except InvalidData:
        return
    # whatever it accepts survives a round trip through statements unchanged
    rebuilt = entity_dict(assemble(statements_of(entity)))
    assert rebuilt == entity_dict(entity)
