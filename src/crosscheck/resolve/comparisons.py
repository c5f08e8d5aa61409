"""The resolution model, in code: what is compared, at which levels, and how pairs are found.

Each comparison is a Splink ``CustomComparison`` of levels built from Splink's
level library, so the same model writes SQL for DuckDB and for Spark. A
comparison is used only when the data hold its columns. Levels that would
count the person's name a second time — a username or e-mail local part that
is only the name spelled again — are levels of their own, so their weight is
learned apart from the distinctive matches (``mariagarcia`` is shared by
every María García; ``m4ria_84`` is not).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.blocking_rule_library import CustomRule
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

MODEL_NAME = "people-accounts"
MODEL_VERSION = 1


def _null(column: str) -> ComparisonLevelCreator:
    return cll.NullLevel(column)


def _sql(condition: str, label: str) -> ComparisonLevelCreator:
    return cll.CustomLevel(condition, label_for_charts=label)


def _name_only(condition: str) -> ComparisonLevelCreator:
    """Agreement that is only the person's name spelled again: no evidence of its own.

    A null level (Bayes factor 1, left out of training), so the name is
    counted once, by the name comparisons.
    """
    return _sql(condition, "agrees, but only by the name").configure(is_null_level=True)


def _either(flag: str) -> str:
    return f"({flag}_l OR {flag}_r)"


def _name(column: str, reversed_with: str | None) -> list[ComparisonLevelCreator]:
    levels = [
        _null(column),
        cll.ExactMatchLevel(column, term_frequency_adjustments=True).configure(
            label_for_charts="exact"
        ),
    ]
    if reversed_with:
        levels.append(
            cll.ColumnsReversedLevel(column, reversed_with).configure(
                label_for_charts="swapped with last name"
            )
        )
    levels += [
        cll.JaroWinklerLevel(column, 0.92).configure(label_for_charts="jaro-winkler ≥ 0.92"),
        cll.JaroWinklerLevel(column, 0.80).configure(label_for_charts="jaro-winkler ≥ 0.80"),
        cll.ElseLevel(),
    ]
    return levels


def _first_name() -> list[ComparisonLevelCreator]:
    levels = _name("first_name", "last_name")
    initial = _sql(
        "(length(first_name_l) = 1 OR length(first_name_r) = 1) "
        "AND substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)",
        "initial agrees",
    )
    return [levels[0], initial, *levels[1:]]  # an initial is weak, even when the same


def _birth_date() -> list[ComparisonLevelCreator]:
    return [
        _null("birth_date"),
        cll.ExactMatchLevel("birth_date").configure(label_for_charts="exact"),
        cll.DamerauLevenshteinLevel("birth_date", 1).configure(label_for_charts="one digit off"),
        _sql("substr(birth_date_l, 1, 7) = substr(birth_date_r, 1, 7)", "same month"),
        _sql("birth_year_l = birth_year_r", "same year"),
        cll.ElseLevel(),
    ]


def _email() -> list[ComparisonLevelCreator]:
    name_only = _either("email_local_from_name")
    return [
        _null("email_local"),
        cll.ExactMatchLevel("email").configure(label_for_charts="same mailbox"),
        _sql(f"email_local_l = email_local_r AND NOT {name_only}", "same local part"),
        _sql(f"email_stem_l = email_stem_r AND NOT {name_only}", "same local stem"),
        _name_only(f"email_stem_l = email_stem_r AND {name_only}"),
        cll.ElseLevel(),
    ]


def _username() -> list[ComparisonLevelCreator]:
    name_only = _either("username_name_only")
    stem_name = _either("username_stem_from_name")
    return [
        _sql(
            "(username_l IS NULL OR username_r IS NULL) AND "
            "(username_stem_l IS NULL OR email_stem_r IS NULL) AND "
            "(email_stem_l IS NULL OR username_stem_r IS NULL)",
            "null",
        ).configure(is_null_level=True),
        _sql(f"username_l = username_r AND NOT {name_only}", "same username"),
        _sql(f"username_stem_l = username_stem_r AND NOT {stem_name}", "same stem"),
        _sql(
            "(username_stem_l = email_stem_r OR email_stem_l = username_stem_r) "
            f"AND NOT ({stem_name} OR {_either('email_local_from_name')})",
            "username is the other's e-mail local part",
        ),
        _name_only(
            f"(username_l = username_r AND {name_only}) OR "
            f"(username_stem_l = username_stem_r AND {stem_name})"
        ),
        cll.And(
            cll.LevenshteinLevel("username", 2),
            cll.CustomLevel("length(username_l) >= 6 AND length(username_r) >= 6"),
        ).configure(label_for_charts="edit distance ≤ 2"),
        cll.ElseLevel(),
    ]


def _phone() -> list[ComparisonLevelCreator]:
    return [
        _null("phone"),
        cll.ExactMatchLevel("phone").configure(label_for_charts="exact"),
        _sql("substr(phone_l, -7) = substr(phone_r, -7)", "last 7 digits"),
        cll.ElseLevel(),
    ]


def _place() -> list[ComparisonLevelCreator]:
    return [
        _sql(
            "(place_l IS NULL OR place_r IS NULL) AND (country_l IS NULL OR country_r IS NULL)",
            "null",
        ).configure(is_null_level=True),
        cll.ExactMatchLevel("place", term_frequency_adjustments=True).configure(
            label_for_charts="same place"
        ),
        cll.JaroWinklerLevel("place", 0.9).configure(label_for_charts="place jaro-winkler ≥ 0.9"),
        _sql("country_l = country_r", "same country"),
        cll.ElseLevel(),
    ]


def _exact_fuzzy(column: str, distance: int) -> list[ComparisonLevelCreator]:
    return [
        _null(column),
        cll.ExactMatchLevel(column).configure(label_for_charts="exact"),
        cll.DamerauLevenshteinLevel(column, distance).configure(
            label_for_charts=f"edit distance ≤ {distance}"
        ),
        cll.ElseLevel(),
    ]


def _address() -> list[ComparisonLevelCreator]:
    return [
        _null("address"),
        cll.ExactMatchLevel("address").configure(label_for_charts="exact"),
        cll.JaroWinklerLevel("address", 0.9).configure(label_for_charts="jaro-winkler ≥ 0.9"),
        cll.JaroWinklerLevel("address", 0.75).configure(label_for_charts="jaro-winkler ≥ 0.75"),
        cll.ElseLevel(),
    ]


@dataclass(frozen=True)
class ComparisonSpec:
    name: str
    needs: tuple[str, ...]  # feature columns; the comparison is used if any holds a value
    levels: Callable[[], list[ComparisonLevelCreator]]

    def creator(self) -> ComparisonCreator:
        from splink.comparison_library import CustomComparison

        levels: list[ComparisonLevelCreator | dict[str, Any]] = list(self.levels())
        return CustomComparison(levels, output_column_name=self.name)


COMPARISONS: tuple[ComparisonSpec, ...] = (
    ComparisonSpec("first_name", ("first_name",), _first_name),
    ComparisonSpec("last_name", ("last_name",), lambda: _name("last_name", None)),
    ComparisonSpec("birth_date", ("birth_date",), _birth_date),
    ComparisonSpec("email", ("email",), _email),
    ComparisonSpec("username", ("username",), _username),
    ComparisonSpec("phone", ("phone",), _phone),
    ComparisonSpec("place", ("place", "country"), _place),
    ComparisonSpec("address", ("address",), _address),
    ComparisonSpec("postcode", ("postcode",), lambda: _exact_fuzzy("postcode", 1)),
    ComparisonSpec("national_id", ("national_id",), lambda: _exact_fuzzy("national_id", 1)),
)


def comparisons_for(columns: Collection[str]) -> list[ComparisonSpec]:
    return [c for c in COMPARISONS if any(n in columns for n in c.needs)]


# pairs are only scored when they agree on one of these (blocking); each rule is used
# when the data hold its columns
_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("email",),
    ("phone",),
    ("service_username",),
    ("username",),
    ("national_id",),
    ("last_name", "birth_date"),
    ("first_name", "birth_date"),
    ("first_name", "last_name", "birth_year"),
    ("first_name", "last_name", "place"),
    ("last_name", "postcode"),
    ("address",),
    ("birth_date", "postcode"),
    ("birth_date", "place"),
    ("first_initial", "birth_date", "place"),
)


def blocking_rules(columns: Collection[str]) -> list[BlockingRuleCreator]:
    rules: list[BlockingRuleCreator] = [
        block_on(*cols) for cols in _BLOCKS if all(c in columns for c in cols)
    ]
    # stems block only where they say more than the name (the name rules cover the rest),
    # and only stems few records hold (``stem_blocks``): "shadowwolf" is everybody's
    for left, right, flag in (
        ("username_stem", "username_stem", "username_stem_from_name"),
        ("email_stem", "email_stem", "email_local_from_name"),
        ("username_stem", "email_stem", None),
    ):
        if left in columns and right in columns:
            condition = f"l.{left}_block = r.{right}_block"
            if flag:
                condition += f" AND NOT l.{flag}"
            else:
                condition += " AND NOT l.username_stem_from_name AND NOT r.email_local_from_name"
            rules.append(CustomRule(condition))
    return rules


def training_blocks(columns: Collection[str]) -> list[BlockingRuleCreator]:
    """EM sessions: each leaves out the columns it blocks on; together they train all."""
    candidates = (
        ("birth_date",),
        ("first_name", "last_name"),
        ("email",),
        ("username_stem",),
        ("postcode",),
    )
    return [block_on(*cols) for cols in candidates if all(c in columns for c in cols)]


def deterministic_rules(columns: Collection[str]) -> list[str]:
    """Rules that almost only true pairs meet: to estimate the share of matches."""
    rules = [
        f"l.{c} = r.{c}"
        for c in ("email", "phone", "service_username", "national_id")
        if c in columns
    ]
    if {"first_name", "last_name", "birth_date"} <= set(columns):
        rules.append(
            "l.first_name = r.first_name AND l.last_name = r.last_name "
            "AND l.birth_date = r.birth_date"
        )
    return rules


STEM_BLOCK_MAX = 50  # a stem more records hold than this is no blocking key


def stem_blocks(stems: Mapping[str, int], value: str | None) -> str | None:
    """The stem as a blocking key, or None where too many records hold it."""
    if not value or stems.get(value, 0) > STEM_BLOCK_MAX:
        return None
    return value
