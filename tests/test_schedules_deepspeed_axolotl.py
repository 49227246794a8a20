"""DeepSpeed and axolotl schedules through the registry and the CLI: the user-visible cases from user-pain.md, each
checked against golden values from the real code (tools/gen_deepspeed_axolotl_golden.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from lrcli.cli import app
from lrcli.errors import LrcliError
from lrcli.schedules import axolotl, bind_kwargs, deepspeed, evaluate, get_schedule

GOLDEN = json.loads((Path(__file__).parent / "data" / "deepspeed_axolotl_golden.json").read_text())["cases"]


def _golden(schedule: str, kwargs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return next(
        c
        for c in GOLDEN
        if c["schedule"] == schedule and c["kwargs"] == kwargs and all(c[k] == v for k, v in fields.items())
    )


def _lrcli(case: dict[str, Any], rows: int | None = None) -> np.ndarray:
    steps = np.arange(rows if rows is not None else case["rows"], dtype=np.int64)
    schedule = get_schedule(case["schedule"])
    return evaluate(schedule, steps, lr=case["lr"], warmup=case["warmup"], total=case["total"], kwargs=case["kwargs"])


def test_registry_holds_both_families_under_framework_names():
    assert set(deepspeed.SCHEDULES) == {"WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest"}
    assert {s.family for s in deepspeed.SCHEDULES.values()} == {"DeepSpeed runtime/lr_schedules.py"}
    assert {s.family for s in axolotl.SCHEDULES.values()} == {"axolotl"}
    for name in [*deepspeed.SCHEDULES, *axolotl.SCHEDULES]:
        assert get_schedule(name).name == name


def test_auto_only_where_transformers_fills_it():
    # HF fills warmup_min_lr, warmup_max_lr, total_num_steps and warmup_num_steps; any other "auto" reaches
    # DeepSpeed as a string and fails there.
    bound = bind_kwargs(get_schedule("WarmupCosineLR"), {"total_num_steps": "auto", "warmup_num_steps": "auto"})
    assert bound == {"total_num_steps": "auto", "warmup_num_steps": "auto"}
    with pytest.raises(LrcliError, match="cos_min_ratio must be a number"):
        bind_kwargs(get_schedule("WarmupCosineLR"), {"total_num_steps": 10, "cos_min_ratio": "auto"})
    with pytest.raises(LrcliError, match="cycle_max_lr must be a number"):
        bind_kwargs(get_schedule("OneCycle"), {"cycle_min_lr": 1e-5, "cycle_max_lr": "auto"})


def test_auto_warmup_lr_never_decays_transformers_15508():
    # transformers #15508: WarmupLR with "auto" warms up to --learning_rate and then stays there to the end.
    case = _golden(
        "WarmupLR",
        {"warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto", "warmup_type": "linear"},
    )
    values = _lrcli(case)
    np.testing.assert_array_equal(values, case["values"])
    assert values[-1] == case["lr"] and values[case["total"]] == case["lr"]


def test_default_peak_is_optimizer_lr_for_warmup_lr_but_0_001_for_warmup_decay_lr_deepspeed_7303():
    # DeepSpeed #7303: WarmupLR's warmup_max_lr default was 0.001; since 0.17.2 it is the optimizer's lr.
    # WarmupDecayLR still passes 0.001 explicitly, so lr is ignored there.
    warmup_lr = _golden("WarmupLR", {"warmup_num_steps": 5}, lr=1e-4)
    decay_lr = _golden("WarmupDecayLR", {"total_num_steps": 20, "warmup_num_steps": 4}, lr=7e-5)
    for case in (warmup_lr, decay_lr):
        np.testing.assert_array_equal(_lrcli(case), case["values"])
    assert max(warmup_lr["values"]) == warmup_lr["lr"]
    assert max(decay_lr["values"]) != decay_lr["lr"]


def test_deepspeed_log_warmup_spends_two_updates_at_min_transformers_34754():
    # transformers #34754 ("LR is 0 at the first step"), worse under DeepSpeed: row 0 is the value at construction
    # and log warmup gives ln(1) = 0 at the first step, so updates 1 and 2 both run at warmup_min_lr.
    case = _golden(
        "WarmupDecayLR",
        {"total_num_steps": "auto", "warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto"},
    )
    values = _lrcli(case)
    np.testing.assert_array_equal(values, case["values"])
    assert values[0] == values[1] == 0 < values[2]


def test_rex_runs_one_step_ahead_of_hf():
    # RexLR's constructor already steps once: row 0 is lr/W, not 0, and the floor arrives at row T − 1.
    case = _golden("axolotl_rex", {}, warmup=5, total=5)
    values = _lrcli(case)
    np.testing.assert_array_equal(values, case["values"])
    assert values[0] > 0 and values[case["warmup"] - 1] == case["lr"]


def test_plot_csv_of_an_auto_deepspeed_schedule_matches_deepspeed(tmp_path):
    case = _golden("WarmupCosineLR", {"total_num_steps": "auto", "warmup_num_steps": "auto", "warmup_type": "linear"})
    out = tmp_path / "ds.csv"
    args = [
        "plot",
        "--schedule",
        "WarmupCosineLR",
        "--lr",
        repr(case["lr"]),
        "--total-steps",
        str(case["total"]),
        "--warmup-steps",
        str(case["warmup"]),
        "--kw",
        "total_num_steps=auto",
        "--kw",
        "warmup_num_steps=auto",
        "--kw",
        "warmup_type=linear",
        "-o",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    got = np.array([float(row["lr"]) for row in rows])
    np.testing.assert_array_equal(got, case["values"][: case["total"] + 1])


def test_invalid_deepspeed_value_is_one_line_exit_2(tmp_path):
    out = tmp_path / "x.csv"
    args = ["plot", "--schedule", "WarmupLR", "--total-steps", "10", "--kw", "warmup_num_steps=0", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("lrcli: error: WarmupLR: warmup_num_steps")
    assert not out.exists()


def test_schedules_command_lists_both_families():
    result = CliRunner().invoke(app, ["schedules"])
    assert result.exit_code == 0
    assert "DeepSpeed runtime/lr_schedules.py:" in result.output and "axolotl:" in result.output
    assert "WarmupCosineLR" in result.output and "axolotl_cosine_min_lr_constant" in result.output
