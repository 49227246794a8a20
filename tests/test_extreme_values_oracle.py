"""Extreme numbers against the real libraries (issue 11): where the framework raises, lrcli gives that error as its
one line; where the framework runs, lrcli computes the same values — or, for a whole number beyond 2^53 or a curve
the framework fills with inf, says in one line why it cannot.

Each case runs the framework's own code (torch 2.13.0, transformers 5.24.0, DeepSpeed 0.19.8's lr_schedules.py,
the HF Trainer's step count) on the value, then `lrcli plot`/`lrcli steps` on the same value. What lrcli is expected
to do is declared per case ("same" or "declines"), and the framework's behaviour is checked against the
declaration: a "declines" case must be one the framework runs (else lrcli should be giving the framework's error).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_one_error_line, oracle_import

ROOT = Path(__file__).resolve().parents[1]
BIG = 99999999999999999999999  # beyond int64
LR = 5e-5
DECLINED = ("beyond any run lrcli can count exactly", "non-finite LR")


@dataclass(frozen=True)
class Extreme:
    family: str  # torch | hf | deepspeed | hf_steps
    schedule: str
    kwargs: dict[str, Any] = field(default_factory=dict)  # as the framework takes them (derived ones spelled out)
    expect: str = "same"  # lrcli gives the framework's values or its error; "declines": one line saying why not
    warmup: Any = 0  # the --warmup-steps text lrcli gets; the framework gets int(float(it)) as HF does
    total: int = 10
    steps_flags: tuple[str, ...] = ()  # hf_steps: the `lrcli steps` flags

    def __str__(self) -> str:
        shown = {k: (f"{str(v)[:6]}…" if isinstance(v, int) and abs(v) > 10**15 else v) for k, v in self.kwargs.items()}
        return f"{self.family}-{self.schedule}-{shown}-W{str(self.warmup)[:6]}"


CASES = [
    # torch.optim.lr_scheduler (lrcli fills max_lr / T_max / total_steps from --lr and T: spelled out here)
    Extreme("torch", "StepLR", {"step_size": BIG}, "declines"),
    Extreme("torch", "StepLR", {"step_size": 0}),
    Extreme("torch", "StepLR", {"step_size": 2.5}),
    Extreme("torch", "StepLR", {"step_size": 1e-308}),
    Extreme("torch", "CosineAnnealingWarmRestarts", {"T_0": BIG}, "declines"),
    Extreme("torch", "OneCycleLR", {"max_lr": LR, "total_steps": BIG}, "declines"),
    Extreme("torch", "OneCycleLR", {"max_lr": LR, "total_steps": 10, "final_div_factor": 0}),
    Extreme("torch", "OneCycleLR", {"max_lr": LR, "total_steps": 10, "div_factor": 1e-308}),
    Extreme("torch", "OneCycleLR", {"max_lr": LR, "total_steps": 10, "final_div_factor": 1e-308}),
    Extreme("torch", "CosineAnnealingLR", {"T_max": 1e-308}),
    Extreme("torch", "CosineAnnealingLR", {"T_max": BIG}, "declines"),
    Extreme("torch", "CosineAnnealingLR", {"T_max": 1e308}),
    Extreme("torch", "CyclicLR", {"base_lr": 1e-6, "max_lr": LR, "step_size_up": 1e-308}),
    Extreme("torch", "CyclicLR", {"base_lr": 1e-6, "max_lr": LR, "step_size_up": 1e308}),
    Extreme("torch", "CyclicLR", {"base_lr": 1e-6, "max_lr": LR, "step_size_up": BIG}, "declines"),
    Extreme("torch", "PolynomialLR", {"total_iters": 10, "power": -1e308}),
    Extreme("torch", "PolynomialLR", {"total_iters": 10, "power": 1e308}),
    Extreme("torch", "PolynomialLR", {"total_iters": BIG}, "declines"),
    Extreme("torch", "MultiStepLR", {"milestones": [BIG]}, "declines"),
    Extreme("torch", "ConstantLR", {"total_iters": BIG}, "declines"),
    Extreme("torch", "LinearLR", {"total_iters": BIG}, "declines"),
    Extreme("torch", "LinearLR", {"total_iters": 1e-308}),
    Extreme("torch", "ExponentialLR", {"gamma": 1e308}, "declines"),
    Extreme("torch", "ExponentialLR", {"gamma": 1e-308}),
    # transformers' schedules (get_scheduler), including a warmup beyond 2^53 (--warmup-steps 1e308)
    *(Extreme("hf", name, kwargs, "declines", warmup="1e308") for name, kwargs in (
        ("linear", {}), ("cosine", {}), ("cosine_with_restarts", {}), ("polynomial", {}), ("constant_with_warmup", {}),
        ("inverse_sqrt", {}), ("cosine_with_min_lr", {"min_lr_rate": 0.1}),
        ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1}), ("warmup_stable_decay", {"num_decay_steps": 2}),
    )),
    Extreme("hf", "inverse_sqrt", {"timescale": BIG}, "declines"),
    Extreme("hf", "inverse_sqrt", {"timescale": 1e-308}),
    Extreme("hf", "inverse_sqrt", {"timescale": 1e308}),
    Extreme("hf", "warmup_stable_decay", {"num_decay_steps": BIG}, "declines"),
    Extreme("hf", "warmup_stable_decay", {"num_decay_steps": 2, "num_stable_steps": BIG}, "declines"),
    Extreme("hf", "warmup_stable_decay", {"num_decay_steps": 1e308}),
    Extreme("hf", "cosine", {"num_cycles": 1e308}),
    Extreme("hf", "cosine_with_restarts", {"num_cycles": 1e308}),
    Extreme("hf", "polynomial", {"power": -1e308}),
    Extreme("hf", "polynomial", {"power": 1e308}),
    Extreme("hf", "cosine", {}, warmup="9007199254740992", total=10),
    # DeepSpeed runtime/lr_schedules.py
    Extreme("deepspeed", "WarmupDecayLR", {"total_num_steps": BIG}, "declines"),
    Extreme("deepspeed", "WarmupDecayLR", {"total_num_steps": 1e308}),
    Extreme("deepspeed", "WarmupLR", {"warmup_num_steps": BIG}, "declines"),
    Extreme("deepspeed", "WarmupCosineLR", {"total_num_steps": BIG}, "declines"),
    Extreme("deepspeed", "WarmupCosineLR", {"total_num_steps": 100, "warmup_num_steps": BIG}, "declines"),
    Extreme("deepspeed", "WarmupLR", {"last_batch_iteration": -1e308}),
    Extreme("deepspeed", "WarmupLR", {"last_batch_iteration": 1e308}),
    Extreme("deepspeed", "WarmupLR", {"last_batch_iteration": -BIG}, "declines"),
    Extreme("deepspeed", "OneCycle", {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_stair_count": BIG},
            "declines"),
    Extreme("deepspeed", "OneCycle", {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_stair_count": 1e23}),
    Extreme("deepspeed", "OneCycle", {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 1e308}),
    Extreme("deepspeed", "OneCycle", {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 1e-308}),
    Extreme("deepspeed", "OneCycle", {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "decay_step_size": 1e-308,
                                      "decay_lr_rate": 1.0, "cycle_first_step_size": 2}),
    Extreme("deepspeed", "LRRangeTest", {"lr_range_test_step_size": BIG}, "declines"),
    Extreme("deepspeed", "LRRangeTest", {"lr_range_test_step_rate": 1e308}),
    # the HF Trainer's step count (`lrcli steps`)
    Extreme("hf_steps", "epochs", steps_flags=("--samples", "1000000", "--epochs", "1e308")),
    Extreme("hf_steps", "epochs", steps_flags=("--samples", "1000000", "--epochs", "1e300"), expect="declines"),
    Extreme("hf_steps", "world_size", steps_flags=("--samples", "100", "--world-size", str(BIG)), expect="declines"),
]


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def frameworks() -> dict[str, Any]:
    oracle_import("torch")
    oracle_import("transformers")
    sys.path.insert(0, str(ROOT / "tools"))
    gen = _load("gen_golden_extremes", ROOT / "tools" / "gen_deepspeed_axolotl_golden.py")
    ds_dir, _ = gen.default_dirs()
    ds_module, log = gen.load_deepspeed(ds_dir)
    import hf_reference
    import hf_steps_oracle
    import torch_reference

    return {"gen": gen, "ds": ds_module, "log": log, "torch": torch_reference, "hf": hf_reference,
            "steps": hf_steps_oracle}


def _framework(case: Extreme, fw: dict[str, Any]) -> dict[str, Any]:
    """{"values": [...]} (LRs after 0 … T steps, or the Trainer's T and W) or {"raises": "ExceptionType"}."""
    import warnings

    warnings.simplefilter("ignore")
    try:
        if case.family == "torch":
            return {"values": fw["torch"].torch_curve(case.schedule, lr=LR, n=case.total, kwargs=dict(case.kwargs))}
        if case.family == "hf":
            warmup = int(float(case.warmup))  # TrainingArguments.get_warmup_steps: int(ws) for ws ≥ 1
            return {"values": fw["hf"].hf_curve(case.schedule, lr=LR, warmup=warmup, total=case.total,
                                                kwargs=dict(case.kwargs))}
        if case.family == "deepspeed":
            run = fw["gen"].run_deepspeed(fw["ds"], fw["log"], {
                "schedule": case.schedule, "kwargs": dict(case.kwargs), "lr": LR, "warmup": 0, "total": case.total,
                "rows": case.total + 1, "optimizer": "sgd",
            })
            return {"raises": run["raises"]} if "raises" in run else {"values": run["values"]}
        flags = dict(zip(case.steps_flags[::2], case.steps_flags[1::2], strict=True))
        result = fw["steps"].hf_steps(
            samples=int(flags.get("--samples", 1000)), batch=8, grad_accum=1, epochs=float(flags.get("--epochs", 3)),
            world_size=int(flags.get("--world-size", 1)), drop_last=False, max_steps=-1, warmup_steps=0,
        )
        if "error" in result:
            return {"raises": result["error"].partition(":")[0]}
        return {"values": [result["total_steps"], result["warmup_steps"]]}
    except Exception as exc:  # the framework's own failure is the reference
        return {"raises": type(exc).__name__}


def _lrcli(case: Extreme, cli: Any, tmp_path: Path) -> tuple[Any, list[float] | None]:
    if case.family == "hf_steps":
        result = cli("steps", *case.steps_flags, "--json")
        if result.exit_code != 0:
            return result, None
        plan = json.loads(result.stdout)
        return result, [plan["total_steps"], plan["warmup_steps"]]
    out = tmp_path / "curve.csv"
    result = cli(
        "plot", "--schedule", case.schedule, "--lr", str(LR), "--total-steps", str(case.total),
        "--warmup-steps", str(case.warmup), "--scheduler-kwargs", json.dumps(case.kwargs), "-o", str(out),
    )
    if result.exit_code != 0:
        return result, None
    return result, [float(row["lr"]) for row in csv.DictReader(io.StringIO(out.read_text()))]


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=str)
def test_extreme_value_does_what_the_framework_does(case: Extreme, frameworks: dict[str, Any], cli: Any,
                                                     tmp_path: Path) -> None:
    reference = _framework(case, frameworks)
    result, values = _lrcli(case, cli, tmp_path)
    if "raises" in reference:
        assert case.expect == "same", f"the framework raises {reference['raises']}: lrcli must give that error"
        line = assert_one_error_line(result)
        assert reference["raises"] in line, line
        return
    if case.expect == "declines":
        line = assert_one_error_line(result)
        assert any(reason in line for reason in DECLINED), line
        return
    assert result.exit_code == 0, result.stderr
    expected = reference["values"]
    assert len(values) == len(expected)
    peak = max(abs(v) for v in expected) or 1.0
    assert max(abs(a - b) for a, b in zip(values, expected, strict=True)) <= 1e-12 * peak, (values, expected)
