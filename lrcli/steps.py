"""StepPlan: the total number of optimizer steps T and the warmup W, with how they were reached."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError


@dataclass(frozen=True)
class StepPlan:
    """T (`total`) optimizer steps, of which the first W (`warmup`) warm up; `notes` are warnings for the user."""

    total: int
    warmup: int
    notes: tuple[str, ...] = ()
    update_steps_per_epoch: int | None = None


def hf_warmup_steps(total: int, warmup_steps: float, warmup_ratio: float | None) -> tuple[int, tuple[str, ...]]:
    """W as transformers 5.x `TrainingArguments.get_warmup_steps(T)`: int(ws) if ws >= 1 else ceil(T · ws).

    `warmup_ratio` (removed in 5.15) is read as the ratio the user meant, as 5.0–5.14 did: it replaces
    `warmup_steps`.
    """
    notes: tuple[str, ...] = ()
    if warmup_ratio is not None:
        if warmup_steps:
            notes = (f"warmup_ratio {warmup_ratio} overrides warmup_steps {warmup_steps:g}, as in transformers 5.0–5.14",)
        warmup_steps = warmup_ratio
    if warmup_steps >= 1:
        return int(warmup_steps), notes
    return math.ceil(total * warmup_steps), notes


def plan_hf_steps(config: TrainConfig) -> StepPlan:
    """The Hugging Face Trainer's plan; today T comes from `--total-steps` only."""
    if config.total_steps is None:
        raise LrcliError("no total step count: add --total-steps N")
    total = config.total_steps
    warmup, notes = hf_warmup_steps(total, config.warmup_steps, config.warmup_ratio)
    if warmup > total:
        notes += (f"warmup ({warmup} steps) is longer than training ({total} steps): the LR never reaches its peak",)
    return StepPlan(total=total, warmup=warmup, notes=notes)


# framework -> its step arithmetic; a framework with its own rules (axolotl, torchtune, …) adds its planner here.
PLANNERS: dict[str, Callable[[TrainConfig], StepPlan]] = {"hf": plan_hf_steps}


def plan_steps(config: TrainConfig) -> StepPlan:
    """T and W for `config`, by the rules of the framework that will run it."""
    return PLANNERS[config.framework](config)
