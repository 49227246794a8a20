"""compute(config) -> Curve: where the config, the step plan and the schedule meet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.schedules import evaluate, get_schedule
from lrcli.steps import StepPlan, plan_steps


@dataclass(frozen=True)
class Curve:
    """The LR after each of the steps 0 … T, with everything that produced it."""

    label: str
    schedule: str
    peak_lr: float
    kwargs: Mapping[str, Any]
    plan: StepPlan
    steps: NDArray[np.int64]
    lr: NDArray[np.float64]
    notes: tuple[str, ...]

    @property
    def final_lr(self) -> float:
        return float(self.lr[-1])


def compute(config: TrainConfig) -> Curve:
    """Resolve the steps of `config`, then evaluate its schedule at every step 0 … T."""
    schedule = get_schedule(config.lr_scheduler_type)
    plan = plan_steps(config)
    if plan.total < 1:
        raise LrcliError(f"the run has {plan.total} optimizer steps: there is no curve to draw")
    notes = list(plan.notes)
    kwargs = dict(config.lr_scheduler_kwargs)
    if schedule.ignores_kwargs and kwargs:
        notes.append(f"{schedule.name} ignores scheduler kwargs {kwargs} (transformers drops them silently)")
        kwargs = {}
    steps = np.arange(plan.total + 1, dtype=np.int64)
    lr = evaluate(schedule, steps, lr=config.learning_rate, warmup=plan.warmup, total=plan.total, kwargs=kwargs)
    return Curve(
        label=config.label or schedule.name,
        schedule=schedule.name,
        peak_lr=config.learning_rate,
        kwargs=kwargs,
        plan=plan,
        steps=steps,
        lr=lr,
        notes=tuple(notes),
    )
