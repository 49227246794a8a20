"""Write tests/data/torch_golden.json: torch.optim.lr_scheduler classes (and HF GreedyLR) stepped by torch itself.

Run from the repository root, in an environment with the oracle versions:
    pip install torch==2.13.0 transformers==5.25.0
    python tools/torch_release_scheduler.py 2.15.0 tools/gen_torch_golden.py   # torch 2.15.0's lr_scheduler.py
The committed file is that run (`torch_lr_scheduler`: 2.15.0); torch 2.13.0's own module with transformers 5.24.0
gave the same cases (2.15.0's lr_scheduler.py differs from 2.13.0's in one docstring).
Each case records the inputs (lr, number of steps n, the constructor kwargs exactly as torch got them, and for
metric-driven schedulers the (step, metric) evaluations) and either the lr after s = 0 … n steps, or the exception
torch raised (lrcli must then refuse the same input). Long runs store every `stride`-th value plus the last one.
Review the diff of the JSON like code.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_reference import torch_curve  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "torch_golden.json"
LR = 0.1

# (name, n, kwargs): ordinary settings, then the edges each class documents in lrcli/schedules/pytorch.py.
CASES: list[tuple[str, int, dict[str, Any]]] = [
    ("StepLR", 100, {"step_size": 30}),
    ("StepLR", 50, {"step_size": 7, "gamma": 0.5}),
    ("StepLR", 20, {"step_size": 1, "gamma": 0.9}),
    ("StepLR", 10, {"step_size": 0}),  # ZeroDivisionError
    ("MultiStepLR", 100, {"milestones": [30, 80]}),
    ("MultiStepLR", 40, {"milestones": [20, 5, 20, 0, -3], "gamma": 0.5}),  # unsorted, duplicate, 0, negative
    ("ConstantLR", 20, {}),
    ("ConstantLR", 20, {"factor": 0.1, "total_iters": 8}),
    ("ConstantLR", 10, {"factor": 0.5, "total_iters": 0}),  # stuck at B·factor
    ("ConstantLR", 10, {"factor": 0.0, "total_iters": 3}),  # ZeroDivisionError at t=3
    ("ConstantLR", 10, {"factor": 1.5}),  # ValueError
    ("LinearLR", 20, {}),
    ("LinearLR", 120, {"start_factor": 0.01, "total_iters": 100}),
    ("LinearLR", 60, {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 50}),
    ("LinearLR", 10, {"start_factor": 0.25, "total_iters": 0}),  # stuck at B·start_factor
    ("LinearLR", 10, {"start_factor": 0.0}),  # ValueError
    ("ExponentialLR", 100, {"gamma": 0.95}),
    ("ExponentialLR", 30, {"gamma": 1.05}),
    ("PolynomialLR", 20, {"total_iters": 20}),
    ("PolynomialLR", 120, {"total_iters": 100, "power": 2.0}),
    ("PolynomialLR", 50, {"total_iters": 40, "power": 0.5}),
    ("PolynomialLR", 10, {"total_iters": 0}),  # stays at B
    ("PolynomialLR", 10, {"total_iters": 5, "power": -1.0}),  # ZeroDivisionError at t=5
    ("CosineAnnealingLR", 100, {"T_max": 100}),
    ("CosineAnnealingLR", 300, {"T_max": 40, "eta_min": 0.001}),  # periodic, affine recursion
    ("CosineAnnealingLR", 10, {"T_max": 0}),  # ZeroDivisionError
    ("CosineAnnealingWarmRestarts", 100, {"T_0": 10}),
    ("CosineAnnealingWarmRestarts", 200, {"T_0": 5, "T_mult": 2, "eta_min": 1e-4}),
    ("CosineAnnealingWarmRestarts", 130, {"T_0": 1, "T_mult": 10}),  # restarts at 1, 11, 111 exactly
    ("CosineAnnealingWarmRestarts", 10, {"T_0": 0}),  # ValueError
    ("CosineAnnealingWarmRestarts", 10, {"T_0": 5, "T_mult": 0}),  # ValueError
    ("CyclicLR", 100, {"base_lr": 0.001, "max_lr": LR, "step_size_up": 10}),
    ("CyclicLR", 100, {"base_lr": 0.001, "max_lr": LR, "step_size_up": 5, "step_size_down": 15, "mode": "triangular2"}),
    ("CyclicLR", 100, {"base_lr": 0.001, "max_lr": LR, "step_size_up": 8, "mode": "exp_range", "gamma": 0.97}),
    ("CyclicLR", 30, {"base_lr": 0.001, "max_lr": LR, "step_size_up": 4, "step_size_down": 0}),
    ("CyclicLR", 10, {"base_lr": 0.001, "max_lr": LR, "step_size_up": 0, "step_size_down": 4}),  # ZeroDivisionError
    ("OneCycleLR", 100, {"max_lr": LR, "total_steps": 100}),
    ("OneCycleLR", 100, {"max_lr": LR, "total_steps": 100, "anneal_strategy": "linear", "pct_start": 0.25}),
    ("OneCycleLR", 100, {"max_lr": LR, "total_steps": 100, "three_phase": True, "div_factor": 10.0}),
    ("OneCycleLR", 60, {"max_lr": LR, "epochs": 6, "steps_per_epoch": 10, "final_div_factor": 100.0}),
    ("OneCycleLR", 10, {"max_lr": LR, "total_steps": 10, "anneal_strategy": "linear"}),  # t=N extrapolates below min
    ("OneCycleLR", 100, {"max_lr": LR, "total_steps": 1000}),  # step-sized horizon stepped per epoch (Lightning #19774)
    ("OneCycleLR", 11, {"max_lr": LR, "total_steps": 10}),  # ValueError: stepped past the end
    ("OneCycleLR", 10, {"max_lr": LR, "total_steps": 10, "pct_start": 0.1}),  # pct·N = 1: ZeroDivisionError
    ("OneCycleLR", 10, {"max_lr": LR, "total_steps": 10, "pct_start": 0}),  # int pct_start: ValueError
    ("OneCycleLR", 10, {"max_lr": LR, "total_steps": 10, "pct_start": 0.05}),  # pct·N < 1: phase 1 skipped
    (
        "SequentialLR",
        100,
        {
            "schedulers": [
                {"name": "LinearLR", "start_factor": 0.01, "total_iters": 10},
                {"name": "CosineAnnealingLR", "T_max": 90},
            ],
            "milestones": [10],
        },
    ),
    (
        "SequentialLR",
        60,
        {
            "schedulers": [
                {"name": "ConstantLR", "factor": 0.5, "total_iters": 100},
                {"name": "ExponentialLR", "gamma": 0.9},
                {"name": "StepLR", "step_size": 5, "gamma": 0.5},
            ],
            "milestones": [10, 30],
        },
    ),
    (
        "SequentialLR",
        40,
        {
            "schedulers": [
                {"name": "LinearLR", "start_factor": 0.1, "total_iters": 5},
                {"name": "OneCycleLR", "max_lr": 0.5, "total_steps": 35},
            ],
            "milestones": [5],
        },
    ),  # OneCycleLR overwrites initial_lr: the LinearLR phase runs from max_lr/div_factor
    (
        "SequentialLR",
        30,
        {
            "schedulers": [
                {"name": "ConstantLR", "factor": 0.1, "total_iters": 3},
                {"name": "ConstantLR", "factor": 0.5, "total_iters": 0},
                {"name": "CosineAnnealingWarmRestarts", "T_0": 4, "eta_min": 0.01},
            ],
            "milestones": [0, 10],
        },
    ),  # milestone 0 (pytorch#185872); restart with total_iters=0
    (
        "SequentialLR",
        30,
        {
            "schedulers": [
                {"name": "CyclicLR", "base_lr": 0.01, "max_lr": LR, "step_size_up": 3},
                {"name": "CosineAnnealingLR", "T_max": 10, "eta_min": 0.001},
            ],
            "milestones": [12],
        },
    ),  # CyclicLR first sets initial_lr to its base_lr
    (
        "SequentialLR",
        20,
        {
            "schedulers": [{"name": "StepLR", "step_size": 2}, {"name": "LinearLR", "total_iters": 0}],
            "milestones": [5],
        },
    ),  # ZeroDivisionError in LinearLR's closed form at the milestone
]

# Long runs, where torch's chainable steps drift from the closed form (stored with a stride).
LONG_CASES: list[tuple[str, int, dict[str, Any], int]] = [
    ("CosineAnnealingLR", 100_000, {"T_max": 10}, 997),
    ("CosineAnnealingLR", 100_000, {"T_max": 1000, "eta_min": 1e-5}, 997),
    ("LinearLR", 100_000, {"start_factor": 0.001, "total_iters": 100_000}, 997),
    ("ExponentialLR", 100_000, {"gamma": 0.99995}, 997),
]


def _evals(seed: int, count: int, every: int, *, negative: bool = False) -> list[tuple[int, float]]:
    rng = random.Random(seed)
    loss, out = 2.0, []
    for i in range(1, count + 1):
        loss = loss * rng.choice([0.9, 0.99, 1.0, 1.0, 1.02]) + rng.uniform(-1e-4, 1e-4)
        out.append((i * every, -loss if negative else loss))
    return out


METRIC_CASES: list[tuple[str, int, dict[str, Any], list[tuple[int, float]]]] = [
    ("ReduceLROnPlateau", 500, {}, _evals(1, 50, 10)),
    ("ReduceLROnPlateau", 500, {"patience": 2, "factor": 0.5, "cooldown": 3, "min_lr": 0.01}, _evals(2, 50, 10)),
    (
        "ReduceLROnPlateau",
        300,
        {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 1},
        _evals(3, 30, 10, negative=True),
    ),  # fmt: skip
    ("ReduceLROnPlateau", 300, {"patience": 0, "eps": 0.05}, _evals(4, 30, 10)),  # eps blocks small cuts
    ("ReduceLROnPlateau", 100, {"patience": 1}, [(10, -1.0), (20, -0.95), (30, math.nan), (40, -0.9), (50, -0.9)]),
    ("ReduceLROnPlateau", 10, {"factor": 1.0}, [(5, 1.0)]),  # ValueError
    ("greedy", 600, {"patience": 2, "min_lr": 0.01}, _evals(5, 60, 10)),
    (
        "greedy",
        600,
        {"patience": 1, "factor": 0.5, "min_lr": 0.02, "reset_start": 3, "cooldown": 1, "warmup": 2},
        _evals(6, 60, 10),
    ),  # fmt: skip
    (
        "greedy",
        400,
        {"smooth": True, "window_size": 4, "patience": 1, "threshold_mode": "rel", "threshold": 0.001},
        _evals(7, 40, 10),
    ),  # fmt: skip
]


# A trainer_state.json as transformers writes it (train-loss logs, eval logs), for the CLI --metrics check.
TRAINER_STATE = "trainer_state_plateau.json"
TRAINER_EVALS = _evals(8, 20, 50)


def _trainer_state() -> dict[str, Any]:
    log: list[dict[str, Any]] = []
    evals = dict(TRAINER_EVALS)
    for step in range(10, 1001, 10):
        log.append(
            {"epoch": step / 250, "grad_norm": 1.0, "learning_rate": 0.0, "loss": 2.5 - step / 1000, "step": step}
        )
        if step in evals:
            log.append({"epoch": step / 250, "eval_loss": evals[step], "eval_runtime": 1.5,
                        "eval_samples_per_second": 100.0, "eval_steps_per_second": 12.5, "step": step})  # fmt: skip
    return {"global_step": 1000, "max_steps": 1000, "log_history": log}


def _case(name: str, n: int, kwargs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    case: dict[str, Any] = {"name": name, "lr": LR, "n": n, "kwargs": kwargs}
    stride = extra.pop("stride", 1)
    case.update(extra)
    try:
        values = torch_curve(name, lr=LR, n=n, kwargs=kwargs, evals=extra.get("evals"))
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
        case["error"] = type(exc).__name__
        return case
    if stride > 1:
        case["stride"] = stride
        case["at"] = sorted(set(range(0, n + 1, stride)) | {n})
        values = [values[i] for i in case["at"]]
    case["values"] = values
    return case


def main() -> None:
    import torch
    import transformers
    from torch.optim import lr_scheduler
    from torch_release_scheduler import release_of

    cases = [_case(name, n, kw) for name, n, kw in CASES]
    cases += [_case(name, n, kw, stride=stride) for name, n, kw, stride in LONG_CASES]
    cases += [_case(name, n, kw, evals=evals) for name, n, kw, evals in METRIC_CASES]
    for name in ("ReduceLROnPlateau", "reduce_lr_on_plateau"):
        reference = "ReduceLROnPlateau"  # transformers' reduce_lr_on_plateau constructs exactly this class
        case = _case(reference, 1000, {"patience": 2, "factor": 0.5}, evals=TRAINER_EVALS, trainer_state=TRAINER_STATE)
        cases.append(dict(case, name=name))
    (OUT.parent / TRAINER_STATE).write_text(json.dumps(_trainer_state(), indent=2) + "\n")
    payload = {
        "torch": torch.__version__,
        # whose lr_scheduler.py stepped the cases: the installed torch's, or tools/torch_release_scheduler.py's swap
        "torch_lr_scheduler": release_of(lr_scheduler, torch.__version__),
        "transformers": transformers.__version__,
        "generator": "tools/gen_torch_golden.py",
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, separators=(",", ":")) + "\n")  # NaN metrics: Python json reads them
    errors = sum("error" in c for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases ({errors} where torch raises)")


if __name__ == "__main__":
    main()
