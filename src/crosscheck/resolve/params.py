"""The trained parameters of the resolution model, as our own versioned artifact.

The model itself (comparisons, levels, blocking) lives in ``comparisons.py``;
an artifact holds only what training learned — the share of matching pairs
and each level's m and u probabilities — keyed by comparison and level label,
so the same artifact drives Splink on DuckDB and on Spark. An artifact made
for another model version is refused: retrain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from crosscheck.exc import InvalidData
from crosscheck.resolve.comparisons import MODEL_NAME, MODEL_VERSION

FORMAT = "crosscheck-resolve-params"
FORMAT_VERSION = 1
DEFAULT = "people-accounts.json"


@dataclass(frozen=True)
class LevelParams:
    m: float | None
    u: float | None


@dataclass(frozen=True)
class Params:
    probability_two_random_records_match: float
    comparisons: dict[str, dict[str, LevelParams]]
    trained_on: str = ""
    trained_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    splink_version: str = ""

    @property
    def prior_match_weight(self) -> float:
        p = self.probability_two_random_records_match
        return math.log2(p / (1 - p))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "model": MODEL_NAME,
            "model_version": MODEL_VERSION,
            "splink_version": self.splink_version,
            "trained_at": self.trained_at,
            "trained_on": self.trained_on,
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "comparisons": {
                name: {label: {"m": lv.m, "u": lv.u} for label, lv in levels.items()}
                for name, levels in self.comparisons.items()
            },
        }

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(self.to_json(), option=orjson.OPT_INDENT_2) + b"\n")
        tmp.replace(path)


def from_json(data: Any, where: str = "parameters") -> Params:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidData(f"{where}: not a crosscheck resolution parameter file")
    if data.get("format_version") != FORMAT_VERSION:
        raise InvalidData(f"{where}: format version {data.get('format_version')!r} is not 1")
    if data.get("model") != MODEL_NAME or data.get("model_version") != MODEL_VERSION:
        raise InvalidData(
            f"{where}: made for model {data.get('model')!r} version {data.get('model_version')!r}, "
            f"this is {MODEL_NAME!r} version {MODEL_VERSION}: retrain"
        )
    try:
        prior = float(data["probability_two_random_records_match"])
        comparisons = {
            str(name): {
                str(label): LevelParams(
                    None if lv.get("m") is None else float(lv["m"]),
                    None if lv.get("u") is None else float(lv["u"]),
                )
                for label, lv in levels.items()
            }
            for name, levels in data["comparisons"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidData(f"{where}: malformed ({exc})") from exc
    if not 0 < prior < 1:
        raise InvalidData(f"{where}: probability_two_random_records_match must lie in (0, 1)")
    return Params(
        prior,
        comparisons,
        str(data.get("trained_on", "")),
        str(data.get("trained_at", "")),
        str(data.get("splink_version", "")),
    )


def load(path: Path | None = None) -> Params:
    """A parameter file, or the shipped default (trained on generated accounts)."""
    if path is None:
        raw = resources.files("crosscheck.resolve").joinpath("models", DEFAULT).read_bytes()
        return from_json(orjson.loads(raw), f"shipped {DEFAULT}")
    try:
        return from_json(orjson.loads(path.read_bytes()), str(path))
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InvalidData(f"{path}: cannot read parameters ({exc})") from exc
