"""LR6xx: the units a schedule's length is counted in (optimizer updates or epochs) against how often it steps,
and the short last accumulation window of each epoch."""

from __future__ import annotations

import math
from collections.abc import Iterator

from lrcli.lint.finding import Hit, Rule
from lrcli.lint.keys import kwarg_key
from lrcli.lint.target import Target

# torch schedulers' length argument: stepped that many times, the schedule has run its course.
LENGTH_KWARGS = {
    "OneCycleLR": "total_steps", "CosineAnnealingLR": "T_max", "LinearLR": "total_iters",
    "PolynomialLR": "total_iters", "ConstantLR": "total_iters", "CosineAnnealingWarmRestarts": "T_0",
}  # fmt: skip


def _length(target: Target) -> tuple[str, int] | None:
    config = target.config
    if config is None:
        return None
    name = LENGTH_KWARGS.get(config.lr_scheduler_type)
    value = config.lr_scheduler_kwargs.get(name) if name else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1:
        return None
    return name, int(value)


def epoch_stepped_in_updates(target: Target) -> Iterator[Hit]:
    """LR601: a scheduler stepped once per epoch (Lightning's default interval "epoch") whose length is counted in
    optimizer updates: it takes only one step per epoch, so it covers E of its L steps — a OneCycleLR never leaves
    its warmup (Lightning PR #19774, #20436)."""
    config, plan, found = target.config, target.plan, _length(target)
    if config is None or plan is None or found is None or config.step_unit != "epoch":
        return
    per_epoch = plan.update_steps_per_epoch
    if not per_epoch or per_epoch < 2:
        return
    name, length = found
    epochs = math.ceil(plan.total / per_epoch)
    if length > 2 * epochs and length * 2 >= plan.total:
        yield ("error", kwarg_key(target, name),
               f"{config.lr_scheduler_type} {name} = {length:,} looks counted in optimizer updates (T = "
               f"{plan.total:,}), but the scheduler steps once per epoch: it takes {epochs} steps and covers "
               f"{epochs / length:.1%} of its schedule", f"set {name} to the epochs ({epochs}), or step the scheduler "
               "every update (interval: step in configure_optimizers; lrcli --step-unit step)")


def update_stepped_in_epochs(target: Target) -> Iterator[Hit]:
    """LR602: a scheduler stepped every update whose length is at most the epoch count: it was counted in epochs,
    so it has run its course (or, for a cosine, cycled) after a few updates."""
    config, plan, found = target.config, target.plan, _length(target)
    if config is None or plan is None or found is None or config.step_unit != "step":
        return
    name, length = found
    epochs = math.ceil(config.num_train_epochs)
    if plan.total >= 20 * length and length <= max(epochs, 1) * 2:
        yield ("warning", kwarg_key(target, name),
               f"{config.lr_scheduler_type} {name} = {length} looks counted in epochs, but the scheduler steps "
               f"every optimizer update (T = {plan.total:,}): its schedule is over after {length} updates",
               f"set {name} to T = {plan.total:,}, or step the scheduler once per epoch")


def short_last_window(target: Target) -> Iterator[Hit]:
    """LR603 (info): each epoch's batches per process L are not a multiple of GA, so the epoch's last update
    accumulates fewer micro-batches (the HF Trainer and Lightning step on the partial window)."""
    config, plan = target.config, target.plan
    if config is None or plan is None or plan.batches_per_epoch is None:
        return
    batches, accumulation = plan.batches_per_epoch, config.gradient_accumulation_steps
    rest = batches % accumulation
    if accumulation < 2 or rest == 0 or config.framework not in ("hf", "trl", "llamafactory", "lightning"):
        return
    yield ("info", None,
           f"each epoch has {batches:,} micro-batches per process, not a multiple of gradient accumulation "
           f"{accumulation}: its last update accumulates {rest} of {accumulation}",
           "nothing to do, unless every update should see the same number of samples")


RULES = (
    Rule("LR601", "an epoch-stepped scheduler whose length counts updates", epoch_stepped_in_updates),
    Rule("LR602", "an update-stepped scheduler whose length counts epochs", update_stepped_in_epochs),
    Rule("LR603", "the last accumulation window of each epoch is short", short_last_window),
)
