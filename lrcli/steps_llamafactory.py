"""LLaMA-Factory's dataset size before the HF Trainer counts steps (0.9.5 `data/loader.py`, `data/data_utils.py`),
and its v1 trainer (`v1/core/base_trainer.py`).

`max_samples` cuts each dataset to its first max_samples rows; `val_size` then splits off rows for evaluation:
> 1 is a count (`int(val_size)`), otherwise `datasets.train_test_split(test_size=val_size)`, which keeps
n − ceil(val_size · n) for training. The HF Trainer's arithmetic follows on what is left.
"""

from __future__ import annotations

import math
from dataclasses import replace

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps import Stage, StepPlan, plan_hf_steps


def training_rows(config: TrainConfig) -> tuple[int | None, list[Stage]]:
    n = config.dataset_size
    stages: list[Stage] = []
    if n is None:
        return None, stages
    if config.max_samples is not None and config.max_samples < n:
        n = config.max_samples
        stages.append(("samples after max_samples", f"min(N, max_samples) = min({config.dataset_size}, {n})", n))
    val = config.val_size
    if val is not None and val > 1e-6:
        if val > 1:
            held = int(val)
            stages.append(("training samples", f"N − int(val_size) = {n} − {held}", n - held))
        else:
            held = math.ceil(val * n)
            stages.append(("training samples", f"N − ceil(val_size · N) = {n} − ceil({val!r} · {n})", n - held))
        n -= held
        if n < 1:
            raise LrcliError(f"val_size {val!r} leaves no training samples out of {config.dataset_size}")
    return n, stages


def plan_llamafactory_steps(config: TrainConfig) -> StepPlan:
    n, stages = training_rows(config)
    plan = plan_hf_steps(replace(config, dataset_size=n))
    return replace(plan, stages=tuple(stages) + plan.stages)


def plan_llamafactory_v1_steps(config: TrainConfig) -> StepPlan:
    """v1: T = max_steps when > 0 (else num_train_epochs · len(batch_generator), not modelled), no warmup."""
    if config.total_steps is not None:
        total, how = config.total_steps, "--total-steps"
    elif config.max_steps > 0:
        total, how = config.max_steps, "max_steps"
    else:
        raise LrcliError(
            "LLaMA-Factory v1 counts epochs with its own batch generator, which lrcli does not model: "
            "give max_steps in the config or --total-steps"
        )
    return StepPlan(total=total, warmup=0, stages=(("total steps T", how, total),))
