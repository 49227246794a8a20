"""lrcli's torch schedulers against values stepped by torch itself (tests/data/torch_golden.json, written by
tools/gen_torch_golden.py with torch 2.15.0's lr_scheduler.py over torch 2.13.0; 2.13.0's own gave the same values),
including 1e5-step runs where torch's chainable steps drift from the closed form."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from typing import Any

import numpy as np
import pytest
from conftest import DATA

from lrcli.errors import LrcliError
from lrcli.metrics import MetricHistory
from lrcli.schedules import SCHEDULES, evaluate, get_schedule


@cache
def torch_golden() -> dict[str, Any]:
    return json.loads((DATA / "torch_golden.json").read_text())


CASES = torch_golden()["cases"]
VALUE_CASES = [c for c in CASES if "values" in c]
ERROR_CASES = [c for c in CASES if "error" in c]


def _id(case):
    return f"{case['name']}-n{case['n']}-{json.dumps(case['kwargs'])[:80]}"


def _lrcli(case) -> np.ndarray:
    steps = np.arange(case["n"] + 1, dtype=np.int64)
    metrics = None
    if "evals" in case:
        metrics = MetricHistory(
            "eval_loss", tuple(s for s, _ in case["evals"]), tuple(v for _, v in case["evals"]), "golden"
        )
    got = evaluate(
        get_schedule(case["name"]),
        steps,
        lr=case["lr"],
        warmup=0,
        total=case["n"],
        kwargs=case["kwargs"],
        metrics=metrics,
    )
    return got[case["at"]] if "at" in case else got


def test_golden_covers_every_torch_schedule_and_the_versions():
    torch_names = {n for n, s in SCHEDULES.items() if s.family == "PyTorch torch.optim.lr_scheduler"}
    assert torch_names | {"greedy"} <= {c["name"] for c in VALUE_CASES}
    assert torch_golden()["torch"].startswith("2.13.0")
    assert torch_golden()["torch_lr_scheduler"] == "2.15.0"  # tools/torch_release_scheduler.py
    assert torch_golden()["transformers"] == "5.25.0"


@pytest.mark.parametrize("case", VALUE_CASES, ids=_id)
def test_matches_torch(case):
    expected = np.array(case["values"])
    got = _lrcli(case)
    assert got.shape == expected.shape
    peak = max(case["lr"], float(np.max(np.abs(expected))))
    assert np.max(np.abs(got - expected)) <= 1e-12 * peak


@pytest.mark.parametrize("case", [c for c in VALUE_CASES if "at" in c], ids=_id)
def test_long_runs_follow_torch_not_the_closed_form(case):
    """The replay is bit-for-bit torch's chainable sequence, so it keeps matching where the closed form drifts."""
    expected = np.array(case["values"])
    assert np.array_equal(_lrcli(case), expected)
    if case["name"] == "CosineAnnealingLR":  # the case discriminates: the textbook formula misses by > 1e-12 × B
        t, kwargs, base = np.array(case["at"]), case["kwargs"], case["lr"]
        eta = kwargs.get("eta_min", 0.0)
        closed = eta + (base - eta) * (1 + np.cos(np.pi * t / kwargs["T_max"])) / 2
        assert np.max(np.abs(closed - expected)) > 1e-12 * base


@pytest.mark.parametrize("case", ERROR_CASES, ids=_id)
def test_refuses_what_torch_refuses(case):
    with pytest.raises(LrcliError):
        _lrcli(case)


@pytest.mark.parametrize(
    "case", [c for c in VALUE_CASES if c["name"] in ("OneCycleLR", "SequentialLR", "CyclicLR")][:6], ids=_id
)
def test_cli_csv_matches_torch(cli, tmp_path, case):
    """The Done-when check from the command line: `lrcli plot --schedule <torch class> ... -o out.csv`."""
    out = tmp_path / "out.csv"
    args = ["plot", "--schedule", case["name"], "--lr", repr(case["lr"]), "--total-steps", str(case["n"])]
    args += ["--scheduler-kwargs", json.dumps(case["kwargs"]), "-o", str(out)]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))[1:]
    got = np.array([float(r[1]) for r in rows])
    assert np.max(np.abs(got - np.array(case["values"]))) <= 1e-12 * max(case["lr"], max(case["values"]))


DERIVED = {"PolynomialLR": "total_iters", "CosineAnnealingLR": "T_max", "OneCycleLR": "total_steps"}


def _without_derived(case) -> dict[str, Any] | None:
    """The case's kwargs minus what lrcli derives (T, --lr), when torch got exactly the derived values."""
    kwargs = dict(case["kwargs"])
    key = DERIVED.get(case["name"])
    if key is None or kwargs.get(key) != case["n"]:
        return None
    del kwargs[key]
    if kwargs.get("max_lr") == case["lr"]:
        del kwargs["max_lr"]
    return kwargs


@pytest.mark.parametrize("case", [c for c in VALUE_CASES if _without_derived(c) is not None], ids=_id)
def test_derived_parameters_come_from_t_and_lr(case):
    """T_max / total_iters / total_steps default to T and max_lr to --lr; torch got those values explicitly."""
    derived = dict(case, kwargs=_without_derived(case))
    expected = np.array(case["values"])
    assert np.max(np.abs(_lrcli(derived) - expected)) <= 1e-12 * max(case["lr"], float(np.max(expected)))
