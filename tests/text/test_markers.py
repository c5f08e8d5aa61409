"""The marker lexicon fires on what tells the varieties apart, not on forms both share.

Each case here was found by ``eval/eval_markers.py`` on the training split: a marker
that fired on words written the same way in both varieties.
"""

from __future__ import annotations

import pytest

from crosscheck.text.markers import find_markers


def pointing(text: str, language: str) -> set[str]:
    return {hit.marker.points_to for hit in find_markers(text, language)}


@pytest.mark.parametrize(
    "text",
    [
        "¿Sabes dónde está?",  # tú sabes: every variety
        "Lo haces muy bien.",
        "Debes irte ya.",
    ],
)
def test_voseo_needs_the_stressed_ending(text: str) -> None:
    assert "es-AR" not in pointing(text, "es")


@pytest.mark.parametrize("text", ["¿Sabés dónde está?", "Vos tenés razón.", "Sos muy bueno."])
def test_voseo_forms_still_point_to_the_river_plate(text: str) -> None:
    assert "es-AR" in pointing(text, "es")


@pytest.mark.parametrize(
    "text",
    [
        "Eles têm razão e vêm amanhã.",  # têm/vêm: the same in Portugal and Brazil
        "A agência e a conferência da presidência.",  # -ência: the same in both
    ],
)
def test_circumflex_shared_by_both_is_not_brazilian(text: str) -> None:
    assert "pt-BR" not in pointing(text, "pt")


@pytest.mark.parametrize("text", ["O Antônio é econômico.", "Um gênero de prêmio."])
def test_brazilian_circumflex_before_m_or_n_still_points_to_brazil(text: str) -> None:
    assert "pt-BR" in pointing(text, "pt")


def test_an_unaccented_name_is_no_portuguese_spelling() -> None:
    assert "pt-PT" not in pointing("O Antonio chegou.", "pt")
    assert "pt-PT" in pointing("O António chegou.", "pt")


def test_day_to_day_is_no_enclisis() -> None:
    assert "pt-PT" not in pointing("O dia-a-dia da cidade.", "pt")
    assert "pt-PT" in pointing("Disse-me que sim.", "pt")
