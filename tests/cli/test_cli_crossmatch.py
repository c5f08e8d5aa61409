"""`crosscheck crossmatch`: two banks in, matching pairs out as Parquet; bad sides refused."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.cli.conftest import run

A = "0f" * 32
NEAR_A = "0e" + "0f" * 31  # one bit away
FAR = "f0" * 32


def _bank(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_two_pdq_banks_give_their_pairs(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    left = _bank(tmp_path / "left.txt", [A, FAR])
    right = _bank(tmp_path / "right.txt", [NEAR_A])
    assert run(capsys, "bank", "import", str(left), "--name", "seized", "-f", "pdq-text")[0] == 0
    assert run(capsys, "bank", "import", str(right), "--name", "known", "-f", "pdq-text")[0] == 0
    out = tmp_path / "matches.parquet"
    code, printed, err = run(
        capsys, "crossmatch", "--left", "seized", "--right", "known", "--out", str(out)
    )
    assert code == 0, err
    assert "1 matching pairs (1 pdq)" in printed
    rows = pq.read_table(out).to_pylist()
    assert [(r["signal"], r["distance"]) for r in rows] == [("pdq", 1)]
    code, printed, _ = run(
        capsys, "crossmatch", "--left", "seized", "--right", "known", "--out", str(out),
        "-t", "0", "-f", "json",
    )  # fmt: skip
    summary = json.loads(printed)
    assert code == 0 and summary["matches"] == 0 and summary["left"]["pdq"] == 2


def test_unknown_side_and_bad_threshold_are_one_line_errors(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.parquet"
    code, _, err = run(
        capsys, "crossmatch", "--left", "nope", "--right", "holding", "--out", str(out)
    )
    assert code == 2 and "nope" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(
        capsys, "crossmatch", "--left", "holding", "--right", "holding", "--out", str(out),
        "-t", "99",
    )  # fmt: skip
    assert code == 2 and "threshold" in err
    code, _, err = run(
        capsys, "crossmatch", "--left", "holding:Nobody", "--right", "holding", "--out", str(out)
    )
    assert code == 2 and "Nobody" in err
    assert not out.exists()
