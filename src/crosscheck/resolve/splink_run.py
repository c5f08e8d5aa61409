"""Running the model with Splink on the engine it is handed (DuckDB here, Spark at scale).

``train`` estimates the parameters without labels — the share of matches from
deterministic rules, u by random sampling, m by expectation maximisation in
sessions that each block on other columns — and returns them as ``Params``.
``score`` predicts pairwise match probabilities with given parameters and
returns each pair with its evidence: the prior and, per comparison, the level
reached and the match weight it added or took away (Splink's waterfall data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence, Sized
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import pandas as pd
import splink
from splink import Linker, SettingsCreator
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.blocking_rule_library import And, CustomRule
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.exceptions import EMTrainingException

from crosscheck.exc import InvalidData
from crosscheck.resolve.comparisons import (
    blocking_rules,
    comparisons_for,
    deterministic_rules,
    stem_blocks,
    training_blocks,
)
from crosscheck.resolve.features import COLUMNS, present
from crosscheck.resolve.params import LevelParams, Params

MIN_TRAINING_RECORDS = 200
# Below this many records a table is "small": the frequency of a value in it says nothing
# about the population (in a 2-record table every name is held by half the records), so
# names are weighed by the shipped parameters alone (no term-frequency adjustment), and
# every pair compared keeps its evidence (see docs/resolution.md).
SMALL_TABLE = 1000


def is_small(rows: Sized) -> bool:
    """Whether a table is small (:data:`SMALL_TABLE`): scored without term frequencies."""
    return len(rows) < SMALL_TABLE


def _without_term_frequencies(model: dict[str, Any]) -> None:
    """Weigh exact agreement by the level's trained u-probability, not the table's frequencies."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)


LinkType = Literal["dedupe_only", "link_only", "link_and_dedupe"]
ApiFactory = Callable[[], DatabaseAPISubClass]


def duckdb_api() -> DatabaseAPISubClass:
    from splink import DuckDBAPI

    return DuckDBAPI()


@dataclass(frozen=True)
class Evidence:
    comparison: str
    level: str
    match_weight: float

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.comparison,
            "level": self.level,
            "match_weight": round(self.match_weight, 3),
        }


class _Evidence:
    """The per-comparison columns of one prediction table, shared by its pairs."""

    def __init__(self, frame: pd.DataFrame, labels: dict[str, dict[int, str]]) -> None:
        self.labels = labels
        self.gammas = {n: frame[f"gamma_{n}"].to_numpy() for n in labels}
        self.weights = {
            n: frame[f"mw_{n}"].fillna(0.0).to_numpy()
            + (frame[f"mw_tf_adj_{n}"].fillna(0.0).to_numpy() if f"mw_tf_adj_{n}" in frame else 0.0)
            for n in labels
        }

    def of(self, index: int) -> tuple[Evidence, ...]:
        found = [
            Evidence(name, self.labels[name].get(int(g), str(g)), float(self.weights[name][index]))
            for name in self.labels
            if (g := int(self.gammas[name][index])) != -1
        ]
        found.sort(key=lambda e: -abs(e.match_weight))
        return tuple(found)


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    match_probability: float
    match_weight: float
    prior_match_weight: float
    _table: _Evidence
    _index: int

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Per comparison: the level reached and the match weight it added (waterfall data)."""
        return self._table.of(self._index)

    def explanation(self) -> dict[str, object]:
        return {
            "match_weight": round(self.match_weight, 3),
            "prior_match_weight": round(self.prior_match_weight, 3),
            "fields": [e.to_json() for e in self.evidence],
        }


Rows: TypeAlias = Sequence[dict[str, Any]] | pd.DataFrame  # feature rows, or a frame of them


def _frame(rows: Rows) -> pd.DataFrame:
    """The rows Splink reads, with the stem blocking keys (rare stems only) added."""
    if isinstance(rows, pd.DataFrame):
        frame = rows.copy(deep=False)
    else:
        frame = pd.DataFrame.from_records(list(rows), columns=list(COLUMNS))
    stems = pd.concat([frame["username_stem"], frame["email_stem"]]).dropna().value_counts()
    counts = stems.to_dict()
    for column in ("username_stem", "email_stem"):
        frame[f"{column}_block"] = frame[column].map(
            lambda v: stem_blocks(counts, v if isinstance(v, str) else None)
        )
    return frame


def _present(rows: Rows) -> set[str]:
    if not isinstance(rows, pd.DataFrame):
        return present(rows)
    found = set()
    for column in rows.columns:
        values = rows[column]
        if values.dtype == bool:
            if values.any():
                found.add(column)
        elif (values.notna() & (values != "")).any():
            found.add(column)
    return found


def _settings(
    columns: Collection[str],
    link_type: LinkType,
    prior: float,
    only: Collection[str] | None = None,
    extra_rule: str | None = None,
) -> SettingsCreator:
    specs = [s for s in comparisons_for(columns) if only is None or s.name in only]
    rules: list[BlockingRuleCreator | dict[str, Any]] = list(blocking_rules(columns))
    if extra_rule:
        rules = [And(rule, CustomRule(extra_rule)) for rule in blocking_rules(columns)]
    return SettingsCreator(
        link_type=link_type,
        comparisons=[s.creator() for s in specs],
        blocking_rules_to_generate_predictions=rules,
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=50,
    )


def _linker(
    api: DatabaseAPISubClass,
    rows: Rows,
    settings: SettingsCreator | dict[str, Any],
) -> Linker:
    table = api.register(_frame(rows), dataset_display_name="records")
    return Linker(table, settings, log_level=None)


def train(
    rows: Rows,
    *,
    description: str,
    link_type: LinkType = "dedupe_only",
    api_factory: ApiFactory = duckdb_api,
    u_pairs: float = 2e6,
    recall: float = 0.7,
    seed: int = 17,
) -> Params:
    """Unsupervised estimation on these rows: no labels are read."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    if len(rows) < MIN_TRAINING_RECORDS:
        raise InvalidData(
            f"{len(rows)} records are too few to train on (at least {MIN_TRAINING_RECORDS}); "
            "use the shipped parameters or --params"
        )
    columns = _present(rows)
    linker = _linker(api_factory(), rows, _settings(columns, link_type, 1e-4))
    rules: list[str | BlockingRuleCreator] = list(deterministic_rules(columns))
    if rules:
        linker.training.estimate_probability_two_random_records_match(rules, recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    _floor_levels(linker)
    sample = min(1.0, 300_000 / max(len(rows), 1))
    sessions = 0
    for rule in training_blocks(columns):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=sample
            )
            sessions += 1
            _floor_levels(linker)
        except (EMTrainingException, ValueError):
            # no pairs agree on this rule here, or (small data) a level's m underflowed
            # to 0 inside Splink's EM: the other sessions train those fields
            continue
    if not sessions:
        raise InvalidData("no training session found pairs to learn from in these records")
    return params_of(linker, description)


def _floor_levels(linker: Linker) -> None:
    """Lift probabilities a small sample estimated as 0 to the floor, so the next session runs.

    Splink refuses 0 when it reads settings; it reaches into the linker's
    settings object, Splink's only handle on trained values between sessions.
    """
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            for name in ("m_probability", "u_probability"):
                value = getattr(level, name)
                if value is not None and value < PROBABILITY_FLOOR:
                    setattr(level, name, PROBABILITY_FLOOR)


def params_of(linker: Linker, description: str) -> Params:
    model = linker.misc.save_model_to_json()
    comparisons: dict[str, dict[str, LevelParams]] = {}
    for comparison in model["comparisons"]:
        levels: dict[str, LevelParams] = {}
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            levels[level["label_for_charts"]] = LevelParams(
                _floor(level.get("m_probability")), _floor(level.get("u_probability"))
            )
        comparisons[comparison["output_column_name"]] = levels
    return Params(
        float(model["probability_two_random_records_match"]),
        comparisons,
        description,
        splink_version=splink.__version__,
    )


PROBABILITY_FLOOR = 1e-12  # a level never seen in training: very unlikely, not impossible


def _floor(value: float | None) -> float | None:
    return None if value is None else max(float(value), PROBABILITY_FLOOR)


def _apply(settings: SettingsCreator, params: Params, dialect: str) -> dict[str, Any]:
    model: dict[str, Any] = settings.get_settings(dialect).as_dict()  # type: ignore[no-untyped-call]
    model["probability_two_random_records_match"] = params.probability_two_random_records_match
    for comparison in model["comparisons"]:
        trained = params.comparisons.get(comparison["output_column_name"], {})
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            found = trained.get(level["label_for_charts"])
            if found is not None:
                if found.m is not None:
                    level["m_probability"] = _floor(found.m)
                if found.u is not None:
                    level["u_probability"] = _floor(found.u)
    return model


def splink_input(rows: Rows) -> pd.DataFrame:
    """The table Splink reads: the feature rows with their stem blocking keys."""
    return _frame(rows)


def splink_settings(
    params: Params,
    link_type: LinkType = "dedupe_only",
    dialect: str = "duckdb",
    *,
    term_frequencies: bool = True,
) -> dict[str, Any]:
    """A complete Splink settings dict (comparisons, blocking rules, trained m and u).

    Plain Splink loads it (``Linker(table, settings)``) and scores a table of
    ``splink_input`` rows as ``score`` does: every comparison the parameters
    train and every blocking rule, so a column the table leaves empty only
    falls to its null level (weight 0) and blocks nothing. ``score`` leaves out
    term-frequency adjustment on a small table (:func:`is_small`): settings for
    such a table are made with ``term_frequencies=False``.
    """
    settings = _settings(
        COLUMNS, link_type, params.probability_two_random_records_match, only=params.comparisons
    )
    applied = _apply(settings, params, dialect)
    if not term_frequencies:
        _without_term_frequencies(applied)
    return applied


def score(
    rows: Rows,
    params: Params,
    *,
    threshold: float = 0.5,
    link_type: LinkType = "dedupe_only",
    api_factory: ApiFactory = duckdb_api,
    only_new: bool = False,
    term_frequencies: bool | None = None,
) -> list[Pair]:
    """Scored pairs at or above ``threshold``; ``only_new``: pairs with a row whose ``is_new``.

    With ``only_new``, rows carry an ``is_new`` flag and only pairs touching a
    new row are formed: new records join what was resolved before without
    scoring the old pairs again. ``term_frequencies`` (default: unless the
    table is small, :func:`is_small`) adjusts exact name and place agreement by
    how common the value is in this table.
    """
    logging.getLogger("splink").setLevel(logging.ERROR)
    if len(rows) < 2:
        return []
    columns = _present(rows) - {"is_new"}
    api = api_factory()
    settings = _settings(
        columns,
        link_type,
        params.probability_two_random_records_match,
        only=params.comparisons.keys(),
        extra_rule="(l.is_new OR r.is_new)" if only_new else None,
    )
    model = _apply(settings, params, api.sql_dialect.sql_dialect_str)
    if not (term_frequencies if term_frequencies is not None else not is_small(rows)):
        _without_term_frequencies(model)
    frame = _frame(rows)
    if only_new and not isinstance(rows, pd.DataFrame):
        frame["is_new"] = [bool(r.get("is_new")) for r in rows]
    table = api.register(frame, dataset_display_name="records")
    linker = Linker(table, model, log_level=None)
    labels = _level_labels(model)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    frame_out = _fetch(predictions, labels)
    predictions.drop_table_from_database_and_remove_from_cache()
    table_evidence = _Evidence(frame_out, labels)
    prior = params.prior_match_weight
    lefts = frame_out["unique_id_l"].astype(str).to_numpy()
    rights = frame_out["unique_id_r"].astype(str).to_numpy()
    probabilities = frame_out["match_probability"].to_numpy(dtype=float)
    weights = frame_out["match_weight"].to_numpy(dtype=float)
    return [
        Pair(min(a, b), max(a, b), float(p), float(w), prior, table_evidence, i)
        for i, (a, b, p, w) in enumerate(zip(lefts, rights, probabilities, weights, strict=True))
    ]


def _fetch(predictions: Any, labels: dict[str, dict[int, str]]) -> pd.DataFrame:
    """Only the columns the pairs and their evidence need (DuckDB: selected in SQL)."""
    wanted = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    for name in labels:
        wanted += [f"gamma_{name}", f"mw_{name}"]
    if hasattr(predictions, "as_duckdbpyrelation"):
        relation = predictions.as_duckdbpyrelation()
        present = set(relation.columns)
        wanted += [f"mw_tf_adj_{n}" for n in labels if f"mw_tf_adj_{n}" in present]
        return relation.select(*wanted).df()
    frame = predictions.as_pandas_dataframe()
    keep = wanted + [f"mw_tf_adj_{n}" for n in labels if f"mw_tf_adj_{n}" in frame]
    return frame[keep]


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        count = len(levels)
        labels[comparison["output_column_name"]] = {
            count - 1 - index: str(level["label_for_charts"]) for index, level in enumerate(levels)
        }
    return labels
