"""transformers' DeepSpeed integration (`integrations/deepspeed.py` `HfTrainerDeepSpeedConfig`): how it fills a
DeepSpeed file's "auto" warmup from the Trainer's W, and the explicit values it checks against the Trainer's own
(`fill_match`). Used by every planner that hands a DeepSpeed file to the HF Trainer (hf, axolotl, LLaMA-Factory)."""

from __future__ import annotations

from typing import Any

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.schedules.deepspeed import SCHEDULES as DEEPSPEED_SCHEDULES
from lrcli.schedules.deepspeed import fill_auto
from lrcli.steps.hf_versions import parse_version
from lrcli.steps.plan import StepPlan

# DeepSpeed's schedulers with a warmup_num_steps parameter (0.19.8 `runtime/lr_schedules.py`).
DEEPSPEED_WARMUPS = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR")


def check_deepspeed_auto_warmup(config: TrainConfig, warmup: int) -> None:
    """Refuse a DeepSpeed warmup schedule with `warmup_num_steps: "auto"` when W = 0 under a transformers that
    hands DeepSpeed that 0.

    transformers' `HfTrainerDeepSpeedConfig.trainer_config_finalize` fills it with `args.get_warmup_steps(T)`
    itself up to 5.17 and with max(1, W) from 5.18 (checked in the 5.16.0/5.17.0/5.18.0 sources,
    tools/gen_deepspeed_auto_fill.py); DeepSpeed 0.19.8 `WarmupLR.__init__` raises ValueError for a
    warmup_num_steps ≤ 0. Applies to every planner that hands the DeepSpeed file to the HF Trainer, with the
    transformers version in force (`--transformers-version`, or the framework's pin)."""
    kwargs = config.lr_scheduler_kwargs
    if kwargs.get("warmup_num_steps") != "auto" or warmup > 0 or config.lr_scheduler_type not in DEEPSPEED_WARMUPS:
        return
    if parse_version(config.transformers_version) >= (5, 18, 0):
        return
    pinned = config.sources.get("transformers_version")
    version = f"{config.transformers_version} [{pinned}]" if pinned else config.transformers_version
    raise LrcliError(
        f'DeepSpeed {config.lr_scheduler_type}: transformers {version} fills warmup_num_steps "auto" '
        "with W = 0 (5.18+ fills max(1, W)), and DeepSpeed 0.19.8 raises ValueError (warmup_num_steps must be a "
        "positive integer); set warmup_num_steps to a number ≥ 1 in the DeepSpeed file, or give a warmup"
    )


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


def fill_deepspeed_auto(
    config: TrainConfig, plan: StepPlan, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A DeepSpeed schedule's params with each `"auto"` filled as transformers fills it, and for each filled key the
    Trainer value it took: `HfTrainerDeepSpeedConfig.trainer_config_process` (warmup_min_lr: 0 by `fill_only`,
    warmup_max_lr: learning_rate) and `trainer_config_finalize` (total_num_steps: num_training_steps T,
    warmup_num_steps: max(1, get_warmup_steps(T)) from 5.18, get_warmup_steps(T) before; a 0 there is refused by
    `check_deepspeed_auto_warmup` first, so the two agree wherever a curve is drawn). Other schedules: unchanged."""
    if config.lr_scheduler_type not in DEEPSPEED_SCHEDULES:
        return kwargs, {}
    five_18 = parse_version(config.transformers_version) >= (5, 18, 0)
    took = {
        "warmup_min_lr": "0 (transformers' fill_only: not a Trainer setting)",
        "warmup_max_lr": f"learning_rate {config.learning_rate:g}",
        "total_num_steps": f"T = {plan.total}, the Trainer's num_training_steps",
        "warmup_num_steps": f"max(1, W), W = {plan.warmup} (transformers ≥ 5.18)" if five_18
        else f"W = {plan.warmup}, the Trainer's warmup steps (transformers < 5.18)",
    }
    filled = fill_auto(kwargs, lr=config.learning_rate, warmup=plan.warmup, total=plan.total)
    sources = {
        key: f"filled by transformers {config.transformers_version} with {took[key]}"
        for key, value in kwargs.items()
        if value == "auto" and key in took
    }
    return filled, sources
