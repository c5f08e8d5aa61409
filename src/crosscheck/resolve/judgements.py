"""Analyst judgements on proposed links, and the port through which they are kept.

A judgement says of two records that they are the same (confirm), are not
(reject), or that the analyst is unsure. Every later run respects them: a
rejected pair never ends in one cluster, a confirmed pair always does. A
judgement on a record's membership of a cluster is recorded as judgements on
the record and each member the cluster had when the analyst looked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

Verdict = Literal["confirm", "reject", "unsure"]
VERDICTS: tuple[Verdict, ...] = ("confirm", "reject", "unsure")


@dataclass(frozen=True)
class Judgement:
    left: str
    right: str
    verdict: Verdict
    by: str
    at: str  # ISO 8601, UTC
    note: str = ""
    cluster: str = ""  # set when the judgement was made on a cluster membership

    @property
    def key(self) -> tuple[str, str]:
        return pair_key(self.left, self.right)

    def to_json(self) -> dict[str, str]:
        data = {"left": self.left, "right": self.right, "verdict": self.verdict}
        data.update(by=self.by, at=self.at)
        if self.note:
            data["note"] = self.note
        if self.cluster:
            data["cluster"] = self.cluster
        return data


def pair_key(left: str, right: str) -> tuple[str, str]:
    return (left, right) if left <= right else (right, left)


def latest(judgements: Iterable[Judgement]) -> dict[tuple[str, str], Judgement]:
    """The last word on each pair (judgements in the order they were made)."""
    out: dict[tuple[str, str], Judgement] = {}
    for judgement in judgements:
        out[judgement.key] = judgement
    return out


class JudgementStore(Protocol):
    """Where judgements are kept (the case store implements it)."""

    def add_judgements(self, judgements: Iterable[Judgement], scope: str = "") -> None: ...

    def judgements(self, scope: str | None = None) -> list[Judgement]: ...
