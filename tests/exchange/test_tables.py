"""Tables into entities with FtM mappings: the shipped mappings, filters, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import model

from crosscheck.exc import InvalidData
from crosscheck.exchange.tables import load_mapping, map_table, shipped_mappings
from crosscheck.model import parse_entity


def test_shipped_mappings_are_valid() -> None:
    names = shipped_mappings()
    assert set(names) >= {"forum-users", "contact-list", "username-search"}
    for name in names:  # FtM parses each one: schemata, properties, links between entities
        mapping = load_mapping(name)
        query = model.make_mapping({**mapping, "csv_url": "unused.csv"})
        assert query.entities, name


def test_forum_user_table(tmp_path: Path) -> None:
    table = tmp_path / "users.csv"
    table.write_text(
        "id,source,name,username,email,phone,birth_date,country\n"
        "7,forum-a,Juan García,jg77,JG@mail.example,+34600111222,1980-02-03,es\n"
        "8,forum-a,,anon,,,,\n",
        encoding="utf-8",
    )
    entities = list(map_table(table, load_mapping("forum-users")))
    schemas = sorted(e["schema"] for e in entities)
    assert schemas == ["Person", "Person", "UserAccount", "UserAccount"]
    account = next(e for e in entities if e["properties"].get("username") == ["jg77"])
    person = next(e for e in entities if e["schema"] == "Person")
    assert account["properties"]["owner"] == [person["id"]]
    for entity in entities:  # every mapped entity passes our own strict checks
        parse_entity(entity, contribution_id="c_test")
    again = list(map_table(table, load_mapping("forum-users")))
    assert [e["id"] for e in again] == [e["id"] for e in entities]  # stable ids


def test_jsonl_contact_list_and_username_search(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.jsonl"
    contacts.write_text(
        '{"owner_username": "jg77", "network": "social.example", "contact_name": "Ana García",'
        ' "contact_username": "ana.g", "contact_phone": "+34600000001"}\n',
        encoding="utf-8",
    )
    schemas = sorted(e["schema"] for e in map_table(contacts, load_mapping("contact-list")))
    assert schemas == ["Person", "UnknownLink", "UserAccount", "UserAccount"]
    found = tmp_path / "sherlock.csv"
    found.write_text(
        "username,name,url_main,url_user,exists,http_status,response_time_s\n"
        "jg77,GitHub,https://github.com,https://github.com/jg77,Claimed,200,0.1\n"
        "jg77,Reddit,https://reddit.com,https://reddit.com/u/jg77,Available,404,0.1\n",
        encoding="utf-8",
    )
    accounts = list(map_table(found, load_mapping("username-search")))
    assert [a["properties"]["service"] for a in accounts] == [["GitHub"]]  # only what exists


def test_bad_mapping_and_table(tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="shipped"):
        load_mapping("no-such-mapping")
    broken = tmp_path / "m.yml"
    broken.write_text("entities: {x: {schema: Starship, keys: [id]}}\n")
    table = tmp_path / "t.csv"
    table.write_text("id\n1\n")
    with pytest.raises(InvalidData, match="mapping"):
        list(map_table(table, load_mapping(str(broken))))
    lines = tmp_path / "bad.jsonl"
    lines.write_text("[1, 2]\n")
    with pytest.raises(InvalidData, match="line 1"):
        list(map_table(lines, load_mapping("forum-users")))


def test_reported_posts_link_the_file_its_title_surname_and_the_poster(tmp_path: Path) -> None:
    table = tmp_path / "posts.csv"
    table.write_text(
        "platform,post_id,username,email,posted_at,text,file_name,file_sha1,title_card,"
        "title_surname\n"
        "clips.example,11,lunar84,L.U@gmail.com,2024-05-01T10:00:00,¡Hola!,up_1.mp4,"
        f"{'ab' * 20},Verano 2014 familia Ortega,Ortega\n"
        "clips.example,12,otter7,,2024-05-01T11:00:00,Oi gente,,,,\n",
        encoding="utf-8",
    )
    found = list(map_table(table, load_mapping("reported-posts")))
    by_schema: dict[str, list[dict[str, object]]] = {}
    for item in found:
        by_schema.setdefault(str(item["schema"]), []).append(item)
    assert sorted(by_schema) == ["Message", "Person", "UnknownLink", "UserAccount", "Video"]
    assert len(by_schema["Message"]) == 2 and len(by_schema["UserAccount"]) == 2
    [video], [named], [card] = by_schema["Video"], by_schema["Person"], by_schema["UnknownLink"]
    first = next(m for m in by_schema["Message"] if m["properties"]["bodyText"] == ["¡Hola!"])  # type: ignore[index]
    assert first["properties"]["subject"] == ["post 11 on clips.example"]  # type: ignore[index]
    assert video["properties"]["parent"] == [first["id"]]  # type: ignore[index]
    assert video["properties"]["contentHash"] == ["ab" * 20]  # type: ignore[index]
    assert named["properties"]["lastName"] == ["Ortega"]  # type: ignore[index]
    assert card["properties"]["subject"] == [video["id"]]  # type: ignore[index]
    assert card["properties"]["object"] == [named["id"]]  # type: ignore[index]
    for item in found:  # each one an entity our importer accepts
        parse_entity(item, contribution_id="t")
