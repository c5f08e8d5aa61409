"""The shipped variety models load lazily and without scikit-learn (issue 16's load target),
without timing them: the format and its oracle tests are in test_variety_format.py."""

from __future__ import annotations

from tests.helpers import fresh_python

HEAVY = ["sklearn", "joblib", "scipy"]


def test_models_load_only_when_a_text_needs_one() -> None:
    probe = (
        "import json, sys\n"
        "from crosscheck.text.analyse import analyse\n"
        "from crosscheck.text.variety import load_model\n"
        "first = load_model.cache_info().currsize\n"
        "analyse([('x', '12345 !!!')])\n"  # too short for a language: no variety model
        "second = load_model.cache_info().currsize\n"
        "analyse([('y', 'Vosotros habéis cogido el autobús demasiado tarde esta mañana.')])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps([first, second, load_model.cache_info().currsize, heavy]))"
    )
    assert fresh_python(probe) == [0, 0, 1, []]
