"""Issue 16: sources by genre and deduplicated, calibration measures, pooled decisions explained."""

from __future__ import annotations

import pytest

from crosscheck.text.analyse import analyse, analyse_author
from crosscheck.text.corpora import Split, capped, load_splits, normalise
from crosscheck.text.variety import MODELS, load_model, reliability
from tests.media import SHARED_MEDIA

LANG = SHARED_MEDIA.parent / "lang"  # CROSSCHECK_SHARED_DATA, else ../shared/data


@pytest.fixture(scope="module")
def split() -> Split:
    if not LANG.is_dir():
        pytest.skip("shared corpora not available")
    return load_splits(LANG)


def test_every_genre_and_source_is_read_and_deduplicated(split: Split) -> None:
    genres = {(e.language, e.genre) for e in split.train}
    assert {("es", "news"), ("es", "dialogue"), ("es", "speech"), ("pt", "social")} <= genres
    assert {e.label for e in split.train if e.language == "fr"} == {"fr-FR", "fr-CA"}
    assert "es-MX" in {e.label for e in split.train if e.genre == "news"}
    train_keys = [normalise(e.text) for e in split.train]
    assert len(train_keys) == len(set(train_keys)), "a sentence twice in training"
    held_out = {normalise(e.text) for e in (*split.dev, *split.test)}
    assert not held_out & set(train_keys)
    users = {
        part: {e.group for e in examples if e.source == "dslcc3-tweets"}
        for part, examples in (("train", split.train), ("dev", split.dev), ("test", split.test))
    }
    assert all(users.values())
    assert not users["train"] & users["test"] and not users["dev"] & users["test"]
    assert not users["train"] & users["dev"]


def test_large_sources_are_capped_per_variety(split: Split) -> None:
    kept = capped([e for e in split.train if e.language == "pt"], 1000)
    per = {}
    for e in kept:
        per[(e.source, e.label)] = per.get((e.source, e.label), 0) + 1
    assert max(per.values()) == 1000 and per[("mac-morpho", "pt-BR")] == 1000


def test_expected_calibration_error_by_hand() -> None:
    # bin 0.9: confidence 0.93, 1 right of 2 -> gap 0.43; bin 0.6: 0.65 confident, right -> 0.35
    error, rows = reliability([0.93, 0.93, 0.65], [True, False, True])
    assert error == pytest.approx((2 * 0.43 + 1 * 0.35) / 3)
    assert [(round(low, 1), n) for low, _, _, n in rows] == [(0.6, 1), (0.9, 2)]
    assert reliability([0.8] * 10, [True] * 8 + [False] * 2)[0] == pytest.approx(0.0)


def test_shipped_models_are_calibrated_small_and_cover_french() -> None:
    sizes = [p.stat().st_size for p in MODELS.glob("variety-*.npz")]
    assert len(sizes) >= 4 and sum(sizes) < 15_000_000
    for language in ("es", "pt", "fr"):
        model = load_model(language)
        assert model is not None and model.temperature != 1.0 and 0.5 <= model.threshold < 1.0
    model = load_model("fr")
    assert model is not None and set(model.classes) == {"fr-FR", "fr-CA"}


def test_quebec_french_with_its_evidence_words() -> None:
    [result] = analyse(
        [("q", "Je vais magasiner en fin de semaine, envoie-moi un courriel présentement.")]
    )
    assert result.language == "fr" and result.variety == "fr-CA"
    assert {"magasiner", "courriel"} <= {e.text.lower() for e in result.evidence}


def test_pooled_decision_says_what_it_rests_on_and_what_disagrees() -> None:
    lines = [
        "Vosotros habéis dejado el coche aparcado, ¿vale?",
        "Mañana voy al curro en el coche de mi tío, qué guay.",
        "Che, vos sabés que el laburo está re lindo, boludo.",
        "¿Os apetece quedar esta tarde? Traed vuestras cosas.",
    ]
    pooled = analyse_author("a", lines, ids=["p1", "p2", "p3", "p4"])
    assert pooled.variety == "es-ES" and pooled.texts_used == 4
    assert [t["id"] for t in pooled.points_other_way] == ["p3"]
    assert pooled.points_other_way[0]["leaning"] < 0
    assert pooled.weighed_most and all(t["leaning"] > 0 for t in pooled.weighed_most)
    assert "p3" not in {t["id"] for t in pooled.weighed_most}
    row = pooled.to_json()
    assert row["texts_used"] == 4 and row["points_other_way"][0]["text"] == lines[2]
