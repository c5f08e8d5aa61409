"""The lead report's wording on its own (no store): hostile text stays text, dates in the locale."""

from __future__ import annotations

from datetime import UTC, datetime

from crosscheck.service.report import (
    Footnote,
    Highlight,
    LeadReport,
    Marking,
    MediaHit,
    PathStep,
    TextFinding,
    render_html,
)
from crosscheck.service.report_svg import path_svg

HOSTILE = '<script>alert(1)</script><img src="http://example.invalid/x.png">'


def _report() -> LeadReport:
    note = Footnote(1, "au_case", "AU police", "AU", "H3", "B2",
                    "H3: restricted by the provider: only for the Lyon team",
                    datetime(2024, 3, 5, tzinfo=UTC))  # fmt: skip
    steps = [
        PathStep("au_case.img", HOSTILE, "Image", "entity", None, 1),
        PathStep("au_case.msg", "msg", "Message", "entity", "parent", 1),
        PathStep("au_case.p", "Ana", "Person", "entity", None, 1),  # not linked: a new segment
    ]
    return LeadReport(
        "ES", datetime(2026, 12, 2, 10, 0, tzinfo=UTC), "AU analyst@AU police", "AU police",
        [MediaHit("HIT-1", ["HIT-1"], "pdq", 4, "AU police", "BE police", "requester",
                  "pending", "au_case.img", HOSTILE, 1)],
        [TextFinding("au_case.msg", "msg", "es", "es-ES", 0.9, ["vosotros"], ["os"], 1, 1,
                     [[Highlight("ya ", None), Highlight("vosotros", "marker"),
                       Highlight(HOSTILE, None)]])],
        None, steps, [], [note], [Marking("au_case.img", "H3", note.marking)],
    )  # fmt: skip


def test_the_picture_escapes_its_text_and_marks_a_new_segment() -> None:
    drawn = path_svg(_report().path, "How <linked>", "not linked")
    assert drawn.startswith("<svg") and drawn.count("<rect") == 3
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn
    assert drawn.count("stroke-dasharray") == 1  # the gap before "Ana"
    assert ">parent<" in drawn and "How &lt;linked&gt;" in drawn
    assert path_svg([], "t", "n") == ""


def test_the_page_is_self_contained_and_hostile_text_stays_text() -> None:
    page = render_html(_report(), "en")
    assert "<script" not in page and "<img" not in page  # as text, never as elements
    assert "&lt;script&gt;" in page and "<style>" in page and "<svg" in page
    assert '<mark class="marker">vosotros</mark>' in page
    assert "only for the Lyon team" in page  # the H3 restriction beside the item
    assert "December 2, 2026" in page and "Mar 5, 2024" in page


def test_spanish_words_and_dates() -> None:
    page = render_html(_report(), "es")
    assert 'lang="es"' in page and "Coincidencias de material entre organismos" in page
    assert "2 de diciembre de 2026" in page and "5 mar 2024" in page
