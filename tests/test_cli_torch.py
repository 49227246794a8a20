"""The torch family from the command line: --metrics, --step-unit, compare, `schedules`, and the error contract."""

from __future__ import annotations

import csv
import io
import json
from functools import cache

import numpy as np
import pytest
from conftest import DATA, assert_one_error_line, run_json

from lrcli.config import resolve
from lrcli.curve import compute
from lrcli.errors import LrcliError
from lrcli.schedules import evaluate, get_schedule
from lrcli.schedules.pytorch import scheduler_from_config
from lrcli.steps import PLANNERS, StepPlan


@cache
def _golden(name: str, **match):
    cases = json.loads((DATA / "torch_golden.json").read_text())["cases"]
    return next(c for c in cases if c["name"] == name and all(c.get(k) == v for k, v in match.items()))


def _csv_lrs(text: str) -> np.ndarray:
    rows = list(csv.reader(io.StringIO(text)))
    return np.array([[float(x) for x in row[1:]] for row in rows[1:]])


@pytest.mark.parametrize("name", ["ReduceLROnPlateau", "reduce_lr_on_plateau"])
def test_trainer_state_drives_plateau_to_torchs_lrs(cli, name):
    case = _golden(name, trainer_state="trainer_state_plateau.json")
    result = cli(
        "plot", "--schedule", name, "--lr", "0.1", "--total-steps", "1000", "--kw", "patience=2", "--kw", "factor=0.5",
        "--metrics", str(DATA / case["trainer_state"]), "-o", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    got = _csv_lrs(result.stdout)[:, 0]
    assert np.max(np.abs(got - np.array(case["values"]))) <= 1e-12 * 0.1
    assert len(set(case["values"])) > 1  # the history does trigger cuts


def test_csv_metrics_give_the_same_lrs(cli, tmp_path):
    case = _golden("ReduceLROnPlateau", trainer_state="trainer_state_plateau.json")
    path = tmp_path / "metrics.csv"  # Lightning CSVLogger layout: empty cells for the other metric
    lines = ["epoch,step,train_loss,val_loss"] + [f"0,{s},,{v!r}" for s, v in case["evals"]] + ["0,7,1.0,"]
    path.write_text("\n".join(lines) + "\n")
    result = cli("plot", "--schedule", "ReduceLROnPlateau", "--lr", "0.1", "--total-steps", "1000",
                 "--kw", "patience=2", "--kw", "factor=0.5", "--metrics", str(path), "-o", "-")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert np.max(np.abs(_csv_lrs(result.stdout)[:, 0] - np.array(case["values"]))) <= 1e-12 * 0.1


def test_plateau_without_metrics_is_one_line_exit_2(cli):
    line = assert_one_error_line(cli("plot", "--schedule", "ReduceLROnPlateau", "--total-steps", "100", "-o", "-"))
    assert "--metrics" in line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        # pytorch #38170: OneCycleLR "Tried to step N+1 times" when total_steps < the steps actually taken
        (["--schedule", "OneCycleLR", "--total-steps", "100", "--kw", "total_steps=50"], "total_steps"),
        (["--schedule", "OneCycleLR", "--total-steps", "10", "--kw", "pct_start=0"], "pct_start"),
        (["--schedule", "StepLR", "--total-steps", "10"], "step_size"),
        (["--schedule", "StepLR", "--total-steps", "10", "--kw", "step_size=0"], "ZeroDivisionError"),
        (["--schedule", "CosineAnnealingLR", "--total-steps", "10", "--kw", "T_maxx=3"], "T_max"),
        (["--schedule", "ReduceLROnPlateau", "--total-steps", "10", "--metrics", "/nonexistent.csv"], "nonexistent"),
        (["--schedule", "StepLR", "--total-steps", "10", "--kw", "step_size=2", "--step-unit", "epoch"], "per epoch"),
        (["--schedule", "StepLR", "--total-steps", "10", "--kw", "step_size=2", "--step-unit", "hour"], "hour"),
        (
            [
                "--schedule",
                "SequentialLR",
                "--total-steps",
                "10",
                "--scheduler-kwargs",
                '{"schedulers": [{"name": "StepLR", "step_size": 2}, {"name": "ReduceLROnPlateau"}], '
                '"milestones": [5]}',
            ],
            "ReduceLROnPlateau",
        ),  # fmt: skip
    ],
)
def test_bad_torch_input_is_one_line_exit_2(cli, tmp_path, args, fragment):
    out = tmp_path / "out.csv"
    line = assert_one_error_line(cli("plot", *args, "-o", str(out)))
    assert fragment in line
    assert not out.exists()


def test_warmup_plus_x_is_the_hand_written_sequential_lr():
    """SequentialLR with one scheduler and no milestones = LinearLR warmup over W, then it (T-derived from T − W)."""
    written = _golden("SequentialLR", n=100)  # LinearLR(0.01, 10) then CosineAnnealingLR(T_max=90), milestones [10]
    shorthand = {"schedulers": [{"name": "CosineAnnealingLR"}], "warmup_start_factor": 0.01}
    got = evaluate(get_schedule("SequentialLR"), np.arange(101), lr=0.1, warmup=10, total=100, kwargs=shorthand)
    assert np.max(np.abs(got - np.array(written["values"]))) <= 1e-12 * 0.1


def test_lightning_and_torchtune_blocks_name_the_same_schedule():
    lightning = {"class_path": "torch.optim.lr_scheduler.OneCycleLR", "init_args": {"max_lr": 0.1, "last_epoch": -1}}
    torchtune = {"_component_": "torch.optim.lr_scheduler.OneCycleLR", "max_lr": 0.1}
    assert scheduler_from_config(lightning, "a.yaml") == ("OneCycleLR", {"max_lr": 0.1})
    assert scheduler_from_config(torchtune, "b.yaml") == ("OneCycleLR", {"max_lr": 0.1})
    with pytest.raises(LrcliError, match="last_epoch"):
        scheduler_from_config({"_component_": "torch.optim.lr_scheduler.StepLR", "last_epoch": 5}, "c.yaml")


def test_sequential_accepts_lightning_sub_schedulers():
    case = _golden("SequentialLR", n=100)
    subs = [{"class_path": f"torch.optim.lr_scheduler.{s['name']}", "init_args": {k: s[k] for k in s if k != "name"}}
            for s in case["kwargs"]["schedulers"]]  # fmt: skip
    kwargs = {"schedulers": subs, "milestones": case["kwargs"]["milestones"]}
    got = evaluate(get_schedule("SequentialLR"), np.arange(101), lr=0.1, warmup=0, total=100, kwargs=kwargs)
    assert np.max(np.abs(got - np.array(case["values"]))) <= 1e-12 * 0.1


def test_epoch_step_unit_steps_once_per_epoch(monkeypatch):
    """Lightning interval="epoch": the scheduler steps after every U updates, so row s holds torch's value after
    ⌊s/U⌋ steps; T-derived parameters see ⌈T/U⌉ epochs."""
    monkeypatch.setitem(PLANNERS, "hf", lambda config: StepPlan(total=200, warmup=0, update_steps_per_epoch=10))
    step = _golden("StepLR", n=20)  # StepLR(step_size=1, gamma=0.9) stepped 20 times by torch
    config = resolve([({"lr_scheduler_type": "StepLR", "step_unit": "epoch", "learning_rate": 0.1,
                        "lr_scheduler_kwargs": step["kwargs"]}, "--x")])  # fmt: skip
    curve = compute(config)
    assert np.array_equal(curve.lr, np.array(step["values"])[np.arange(201) // 10])
    cosine = _golden("CosineAnnealingLR", n=100)  # T_max=100, derived from 1000 updates / 10 per epoch
    monkeypatch.setitem(PLANNERS, "hf", lambda config: StepPlan(total=1000, warmup=0, update_steps_per_epoch=10))
    curve = compute(
        resolve([({"lr_scheduler_type": "CosineAnnealingLR", "step_unit": "epoch", "learning_rate": 0.1}, "--x")])
    )
    assert np.max(np.abs(curve.lr - np.array(cosine["values"])[np.arange(1001) // 10])) <= 1e-12 * 0.1


def test_step_sized_one_cycle_stepped_per_epoch_never_leaves_warmup(monkeypatch):
    """Lightning PR #19774 / #20436: OneCycleLR(total_steps=<optimizer steps>) with interval="epoch" is stepped only
    once per epoch, so the run ends early in its warmup; lrcli shows exactly torch's first T/U values."""
    monkeypatch.setitem(PLANNERS, "hf", lambda config: StepPlan(total=1000, warmup=0, update_steps_per_epoch=10))
    cases = json.loads((DATA / "torch_golden.json").read_text())["cases"]
    one_cycle = next(c for c in cases if c["name"] == "OneCycleLR" and c["kwargs"].get("total_steps") == 1000)
    kwargs = {"total_steps": 1000}  # the step-sized horizon, as in the Lightning docs bug; torch stepped it 100 times
    config = {"lr_scheduler_type": "OneCycleLR", "learning_rate": 0.1, "lr_scheduler_kwargs": kwargs}
    per_update = compute(resolve([(config, "--x")]))
    per_epoch = compute(resolve([({**config, "step_unit": "epoch"}, "--x")]))
    assert np.array_equal(per_epoch.lr, np.array(one_cycle["values"])[np.arange(1001) // 10])
    assert per_epoch.lr.max() < 0.5 * per_update.lr.max()


def test_compare_overlays_torch_and_hf(cli):
    result = cli(
        "compare", "CosineAnnealingLR", "cosine", "OneCycleLR", "--lr", "0.1", "--total-steps", "100", "-o", "-"
    )
    assert result.exit_code == 0, result.stderr
    table = _csv_lrs(result.stdout)
    assert table.shape == (101, 3)
    torch_cosine = _golden("CosineAnnealingLR", n=100)  # T_max = 100 = T, derived
    assert np.max(np.abs(table[:, 0] - np.array(torch_cosine["values"]))) <= 1e-12 * 0.1
    one_cycle = _golden("OneCycleLR", n=100)
    assert np.max(np.abs(table[:, 2] - np.array(one_cycle["values"]))) <= 1e-12 * 0.1


def test_schedules_lists_the_torch_family_together(cli):
    result = cli("schedules")
    assert result.exit_code == 0
    block = result.stdout.split("PyTorch torch.optim.lr_scheduler:")[1]
    for name in ("StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR",
                 "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "SequentialLR",
                 "ReduceLROnPlateau"):  # fmt: skip
        assert f"  {name} " in block
    assert "T_max=None means T" in block


def test_epoch_step_unit_from_the_step_flags(cli):
    """End to end: U = 10 updates per epoch from --samples/--batch; torch's StepLR stepped once per epoch."""
    step = _golden("StepLR", n=20)  # StepLR(step_size=1, gamma=0.9) stepped 20 times by torch
    result = cli("plot", "--schedule", "StepLR", "--lr", "0.1", "--scheduler-kwargs", json.dumps(step["kwargs"]),
                 "--samples", "100", "--batch", "10", "--epochs", "20", "--step-unit", "epoch", "-o", "-")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert np.array_equal(_csv_lrs(result.stdout)[:, 0], np.array(step["values"])[np.arange(201) // 10])



PEAK_CASES = [
    case
    for case in json.loads((DATA / "torch_golden.json").read_text())["cases"]
    if "values" in case and case["name"] in {"ExponentialLR", "CyclicLR"} and max(case["values"]) != case["lr"]
][:4]


@pytest.mark.parametrize("case", PEAK_CASES, ids=lambda c: f"{c['name']}-{c['n']}")
def test_peak_is_the_curves_maximum_not_the_optimizer_lr(cli, tmp_path, case):
    """ExponentialLR with γ > 1 climbs past the optimizer's lr and CyclicLR exp_range never reaches max_lr: the
    reported peak is the highest LR torch produced (golden values); the optimizer's lr stays as base_lr."""
    out = tmp_path / "curve.json"
    result = cli(
        "plot", "--schedule", case["name"], "--lr", repr(case["lr"]), "--total-steps", str(case["n"]),
        "--scheduler-kwargs", json.dumps(case["kwargs"]), "-o", str(out),
    )
    assert result.exit_code == 0, result.stderr
    torch_values = case["values"][: case["n"] + 1]
    peak = max(torch_values)
    record = run_json(out.read_text())
    summary = record["curve"]["summary"]
    assert (summary["peak_lr"], summary["peak_step"], record["scheduler"]["lr"]) == (
        peak, torch_values.index(peak), case["lr"])
    assert f"peak LR {peak:.6g} at step {torch_values.index(peak)}" in result.stderr


def test_sequential_lr_with_milestones_says_the_warmup_is_not_added(cli):
    spec = json.dumps({
        "schedulers": [
            {"class_path": "torch.optim.lr_scheduler.ConstantLR", "init_args": {"factor": 0.5, "total_iters": 3}},
            {"class_path": "torch.optim.lr_scheduler.ExponentialLR", "init_args": {"gamma": 0.9}},
        ],
        "milestones": [3],
    })
    base = ("plot", "--schedule", "SequentialLR", "--lr", "0.1", "--total-steps", "30", "--scheduler-kwargs", spec)
    with_warmup, without = cli(*base, "--warmup-steps", "5", "-o", "-"), cli(*base, "-o", "-")
    assert with_warmup.exit_code == without.exit_code == 0
    assert with_warmup.stdout == without.stdout
    assert "lrcli: warning: SequentialLR with milestones is used as written: the 5 warmup steps" in with_warmup.stderr
    assert "warning" not in without.stderr
