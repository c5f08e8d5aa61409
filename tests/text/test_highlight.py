"""Where the variety evidence lies in a text: markers and n-grams found, overlaps merged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crosscheck.text.analyse import analyse
from crosscheck.text.highlight import chosen, segments, spans
from crosscheck.text.variety import Evidence


def marker(text: str, weight: float = 2.0) -> Evidence:
    return Evidence("marker", text, "es-AR", weight)


def word(text: str, weight: float = 1.0) -> Evidence:
    return Evidence("word", text, "es-AR", weight)


def test_markers_and_words_are_found_whole_and_case_insensitively() -> None:
    text = "Che, vos sabés? VOS no. Vosotros tampoco."
    found = [(text[s:e], [x.text for x in items]) for s, e, items in spans(text, [marker("vos")])]
    assert found == [("vos", ["vos"]), ("VOS", ["vos"])]  # not inside "Vosotros"
    pieces = segments(text, [marker("Che,"), word("no")])
    assert "".join(p.text for p in pieces) == text
    assert [p.text for p in pieces if p.marked] == ["Che,", "no"]


def test_overlapping_evidence_merges_into_one_mark() -> None:
    text = "esta tarde vamos"
    pieces = segments(text, [word("esta tarde", 0.4), word("tarde", 0.2), marker("tarde")])
    marked = [p for p in pieces if p.marked]
    assert [p.text for p in marked] == ["esta tarde"]
    assert {e.text for e in marked[0].evidence} == {"esta tarde", "tarde"}


def test_only_the_strongest_ngrams_and_every_marker() -> None:
    items = [word(f"w{i}", float(i)) for i in range(10)] + [marker("m", 0.1)]
    kept = chosen(items, ngrams=3)
    assert [e.text for e in kept] == ["m", "w9", "w8", "w7"]


def test_character_ngrams_need_two_characters_and_are_found_inside_words() -> None:
    text = "querés"
    assert spans(text, [Evidence("ngram", " q", "es-AR", 1.0)]) == []
    [(start, end, _)] = spans(text, [Evidence("ngram", "és", "es-AR", 1.0)])
    assert text[start:end] == "és"


def test_a_real_analysis_marks_its_markers() -> None:
    text = "Che boludo, ¿vos querés venir mañana?"
    [result] = analyse([("m", text)])
    assert result.variety == "es-AR"
    marked = [p.text for p in segments(text, result.evidence) if p.marked]
    assert {"Che", "boludo", "vos", "querés"} <= set(marked)


@given(
    st.text(max_size=200),
    st.lists(st.tuples(st.sampled_from(["marker", "word", "ngram"]), st.text(max_size=8))),
)
def test_segments_always_give_the_text_back(text: str, found: list[tuple[str, str]]) -> None:
    evidence = [Evidence(kind, needle, "es-ES", 1.0) for kind, needle in found]
    pieces = segments(text, evidence)
    assert "".join(p.text for p in pieces) == text
    assert all(p.text for p in pieces)
