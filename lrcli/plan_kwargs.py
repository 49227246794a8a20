"""Scheduler kwargs that frameworks derive from T and W once the step count is known, and the DeepSpeed values the
HF integration checks against T and W. Pure: config and plan in, kwargs (and errors) out.

Rules (TrainConfig.derive_kwargs):
- "axolotl_one_cycle": pct_start = W / T unless given (axolotl `SchedulerMixin.create_scheduler`).
- "llamafactory_wsd": warmup_stable_decay gets num_stable_steps = (T − W) // 3 and num_decay_steps = the rest,
  each unless given (LLaMA-Factory `create_custom_scheduler`).
"""

from __future__ import annotations

from typing import Any

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps import StepPlan
from lrcli.versions import parse_version


def derived_kwargs(config: TrainConfig, plan: StepPlan) -> dict[str, Any]:
    kwargs = dict(config.lr_scheduler_kwargs)
    rule = config.derive_kwargs
    if rule == "axolotl_one_cycle" and config.lr_scheduler_type == "OneCycleLR":
        kwargs.setdefault("pct_start", plan.warmup / plan.total)
    elif rule == "llamafactory_wsd" and config.lr_scheduler_type == "warmup_stable_decay":
        remaining = plan.total - plan.warmup
        kwargs.setdefault("num_stable_steps", remaining // 3)
        kwargs.setdefault("num_decay_steps", remaining - remaining // 3)
    check_deepspeed_values(config, plan)
    return kwargs


def check_deepspeed_values(config: TrainConfig, plan: StepPlan) -> None:
    """transformers `HfTrainerDeepSpeedConfig.fill_match`: an explicit DeepSpeed value (not "auto") that differs
    from the Trainer's raises ValueError listing every mismatch. warmup_num_steps is compared with max(1, W) from
    transformers 5.18, with W before."""
    given = config.deepspeed_values
    if not given:
        return
    b, ga, w = config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size
    warmup = max(1, plan.warmup) if parse_version(config.transformers_version) >= (5, 18, 0) else plan.warmup
    expected = {
        "train_micro_batch_size_per_gpu": (b, "per_device_train_batch_size"),
        "gradient_accumulation_steps": (ga, "gradient_accumulation_steps"),
        "train_batch_size": (w * b * ga, "train_batch_size (calculated)"),
        "optimizer.params.lr": (config.learning_rate, "learning_rate"),
        "scheduler.params.warmup_max_lr": (config.learning_rate, "learning_rate"),
        "scheduler.params.total_num_steps": (plan.total, "num_training_steps (calculated)"),
        "scheduler.params.warmup_num_steps": (warmup, "warmup_steps"),
    }
    mismatches = [
        f"ds {key}={value} vs hf {expected[key][1]}={expected[key][0]}"
        for key, value in given.items()
        if key in expected and value != expected[key][0]
    ]
    if mismatches:
        raise LrcliError(
            "the DeepSpeed config values mismatch the Trainer's, which transformers rejects (ValueError): "
            + "; ".join(mismatches) + '. Set them to "auto" or make them agree'
        )
