"""Step real torch.optim.lr_scheduler classes (and transformers' GreedyLR) the way a training loop does.

Used by tools/gen_torch_golden.py and the oracle tests (tests/test_parity_torch_oracle.py). Needs torch (2.13.0) and,
for `greedy`, transformers (5.25.0). Every kwarg is passed to the torch constructor as given: callers spell out the
parameters lrcli derives (max_lr, T_max, total_steps, ...), so this module never restates lrcli's defaults.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch.optim import lr_scheduler

METRIC_DRIVEN = ("ReduceLROnPlateau", "greedy")


def _optimizer(lr: float) -> torch.optim.Optimizer:
    # SGD with momentum: CyclicLR and OneCycleLR cycle momentum by default and need an optimizer that has it.
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=0.9)


def _build(optimizer: torch.optim.Optimizer, name: str, kwargs: dict[str, Any]) -> Any:
    if name == "SequentialLR":
        subs = [_build(optimizer, spec["name"], {k: v for k, v in spec.items() if k != "name"})
                for spec in kwargs["schedulers"]]  # fmt: skip
        return lr_scheduler.SequentialLR(optimizer, subs, milestones=kwargs["milestones"])
    if name == "greedy":
        from transformers.optimization import GreedyLR

        return GreedyLR(optimizer, **kwargs)
    return getattr(lr_scheduler, name)(optimizer, **kwargs)


def torch_curve(
    name: str,
    *,
    lr: float,
    n: int,
    kwargs: dict[str, Any],
    evals: list[tuple[int, float]] | None = None,
) -> list[float]:
    """The optimizer's lr after 0 … n `scheduler.step()` calls (one per optimizer update).

    Metric-driven schedulers instead step with `(step, metric)` from `evals` right after update `step`, as the HF
    Trainer does; entry s is then the lr after every evaluation at a step ≤ s.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = _optimizer(lr)
        scheduler = _build(optimizer, name, kwargs)
        if name in METRIC_DRIVEN:
            after: dict[int, float] = {}
            for step, metric in evals or []:
                scheduler.step(metric)
                after[step] = float(optimizer.param_groups[0]["lr"])
            values, current = [], lr
            for s in range(n + 1):
                current = after.get(s, current)
                values.append(current)
            return values
        values = [optimizer.param_groups[0]["lr"]]
        optimizer.step()  # once, so torch sees the documented call order; the parameter update itself is irrelevant
        for _ in range(n):
            scheduler.step()
            values.append(optimizer.param_groups[0]["lr"])
    return [float(v) for v in values]
