"""lrcli's HF schedules against values stepped by transformers 5.25 itself (tests/data/hf_golden.json,
written by tools/gen_hf_golden.py over torch 2.15.0's LambdaLR; 5.24.0 over 2.13.0 gave the same values)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from conftest import hf_golden

from lrcli.errors import LrcliError
from lrcli.schedules import SCHEDULES, evaluate, get_schedule

CASES = hf_golden()["cases"]
VALUE_CASES = [c for c in CASES if "values" in c]
ERROR_CASES = [c for c in CASES if "error" in c]


def _id(case):
    return f"{case['name']}-T{case['total']}-W{case['warmup']}-{case['kwargs']}"


def _lrcli(case) -> np.ndarray:
    steps = np.arange(case["total"] + 1, dtype=np.int64)
    schedule = get_schedule(case["name"])
    return evaluate(schedule, steps, lr=case["lr"], warmup=case["warmup"], total=case["total"], kwargs=case["kwargs"])


def test_golden_covers_every_hf_schedule():
    hf_names = {name for name, s in SCHEDULES.items() if s.family == "Hugging Face transformers" and not s.needs_metrics}
    # metric-driven ones (reduce_lr_on_plateau, greedy) are covered by tests/data/torch_golden.json
    assert hf_names <= {c["name"] for c in VALUE_CASES}
    assert hf_golden()["transformers"] == "5.25.0"
    assert hf_golden()["torch_lr_scheduler"] == "2.15.0"  # tools/torch_release_scheduler.py: the LambdaLR of 2.15.0


@pytest.mark.parametrize("case", VALUE_CASES, ids=_id)
def test_matches_transformers(case):
    expected = np.array(case["values"])
    got = _lrcli(case)
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) <= 1e-12 * case["lr"]


@pytest.mark.parametrize("case", ERROR_CASES, ids=_id)
def test_refuses_what_transformers_refuses(case):
    with pytest.raises(LrcliError):
        _lrcli(case)


@pytest.mark.parametrize(
    "case",
    [c for c in VALUE_CASES if (c["total"], c["warmup"]) == (1000, 100)],
    ids=_id,
)
def test_cli_csv_matches_transformers(cli, tmp_path, case):
    """The Done-when check: `lrcli plot ... -o out.csv` equals transformers at every step."""
    out = tmp_path / "out.csv"
    args = ["plot", "--schedule", case["name"], "--lr", repr(case["lr"]), "--total-steps", str(case["total"])]
    args += ["--warmup-steps", str(case["warmup"]), "-o", str(out)]
    for key, value in case["kwargs"].items():
        args += ["--kw", f"{key}={value}"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["step", "lr"]
    assert [int(r[0]) for r in rows[1:]] == list(range(case["total"] + 1))
    got = np.array([float(r[1]) for r in rows[1:]])
    assert np.max(np.abs(got - np.array(case["values"]))) <= 1e-12 * case["lr"]
