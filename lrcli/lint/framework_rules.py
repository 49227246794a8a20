"""LR7xx: what a framework's own config validation (or its recipe's set-up) refuses, each read in its source (file, function, version)."""

from __future__ import annotations

from collections.abc import Iterator

from lrcli.lint.finding import Hit, Rule
from lrcli.lint.target import Target


def _axolotl(target: Target) -> bool:
    """An axolotl config, even when lrcli could not resolve it (its refusals are what stopped it)."""
    if target.dialect is not None:
        return target.dialect == "axolotl"
    return "micro_batch_size" in target.raw and ("base_model" in target.raw or "datasets" in target.raw)


def axolotl_batch_and_accumulation(target: Target) -> Iterator[Hit]:
    """LR701: axolotl 0.19.0 utils/schemas/validation.py `check_gas_bsz`: gradient_accumulation_steps and
    batch_size both truthy -> ValueError("please set only one of gradient_accumulation_steps or batch_size")."""
    if _axolotl(target) and target.raw.get("gradient_accumulation_steps") and target.raw.get("batch_size"):
        yield ("error", ("batch_size",), "axolotl refuses gradient_accumulation_steps together with batch_size "
               "(ValueError: please set only one of gradient_accumulation_steps or batch_size)",
               "keep one: batch_size = micro_batch_size × gradient_accumulation_steps")


def axolotl_both_warmups(target: Target) -> Iterator[Hit]:
    """LR702: axolotl 0.19.0 utils/schemas/validation.py `check_warmup`: warmup_steps and warmup_ratio both truthy
    -> ValueError("warmup_steps and warmup_ratio are mutually exclusive"); a 0 in either passes."""
    if _axolotl(target) and target.raw.get("warmup_steps") and target.raw.get("warmup_ratio"):
        yield ("error", ("warmup_ratio",), "axolotl refuses warmup_steps together with warmup_ratio (ValueError: "
               "warmup_steps and warmup_ratio are mutually exclusive)", "keep one of them")


def axolotl_min_lr_ratio_range(target: Target) -> Iterator[Hit]:
    """LR703: axolotl 0.19.0 core/trainers/mixins/scheduler.py `SchedulerMixin.create_scheduler` asserts
    `0 <= cosine_min_lr_ratio <= 1.0` (and the same for cosine_constant_lr_ratio) when it builds the cosine floor."""
    if not _axolotl(target) or (target.raw.get("lr_scheduler") or "cosine") not in ("cosine", "rex"):
        return
    for key in ("cosine_min_lr_ratio", "cosine_constant_lr_ratio"):
        value = target.raw.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 <= value <= 1:
            yield ("error", (key,), f"{key}: {value:g} is outside [0, 1]: axolotl's scheduler set-up fails its "
                   f"assertion ({key} must be between 0.0 and 1.0)", f"set {key} between 0 and 1")


def torchtune_accumulation_in_backward(target: Target) -> Iterator[Hit]:
    """LR704: torchtune 0.6.1 recipes/full_finetune_single_device.py and full_finetune_distributed.py
    `FullFinetuneRecipe*.__init__`: `optimizer_in_bwd: True` with gradient_accumulation_steps > 1 raises
    RuntimeError("Gradient accumulation is not supported with optimizer in bwd.")."""
    if target.dialect != "torchtune" or target.raw.get("optimizer_in_bwd") is not True:
        return
    accumulation = target.raw.get("gradient_accumulation_steps")
    if isinstance(accumulation, int) and not isinstance(accumulation, bool) and accumulation > 1:
        yield ("error", ("gradient_accumulation_steps",),
               f"gradient_accumulation_steps: {accumulation} with optimizer_in_bwd: True: torchtune's full-finetune "
               "recipes raise RuntimeError (gradient accumulation is not supported with optimizer in bwd)",
               "set gradient_accumulation_steps: 1, or optimizer_in_bwd: False")


RULES = (
    Rule("LR701", "axolotl: gradient_accumulation_steps with batch_size", axolotl_batch_and_accumulation),
    Rule("LR702", "axolotl: warmup_steps with warmup_ratio", axolotl_both_warmups),
    Rule("LR703", "axolotl: a cosine ratio outside [0, 1]", axolotl_min_lr_ratio_range),
    Rule("LR704", "torchtune: gradient accumulation with optimizer_in_bwd", torchtune_accumulation_in_backward),
)
