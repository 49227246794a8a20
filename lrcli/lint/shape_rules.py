"""LR0xx: the shape of the run — whether lrcli can compute it at all, and warmup, length and peak against T."""

from __future__ import annotations

import math
from collections.abc import Iterator

from lrcli.lint.finding import Hit, Rule
from lrcli.lint.keys import LR_KEYS, first_key, warmup_key
from lrcli.lint.target import Target

# Fewer optimizer steps than this is "a handful": a schedule over them is a smoke test, not a training run.
FEW_STEPS = 10


def run_fails(target: Target) -> Iterator[Hit]:
    """LR000: the run cannot be computed because the framework (or lrcli, repeating the framework's check) refuses
    a value; the message is the refusal itself. T that cannot be counted for want of N is LR010 instead."""
    for stage in ("settings", "plan", "curve"):
        text = target.errors.get(stage)
        if text is None or text.startswith("no total step count"):
            continue
        if stage == "plan" and target.lacking:
            continue  # LR401/LR402 say which key, and the other rules ran on the plan without it
        yield "error", None, f"the run as configured fails: {text}", "change the value the message names"
        return


def t_unknown(target: Target) -> Iterator[Hit]:
    """LR010: T could not be counted (the dataset's size is not known offline): the rules that need T were skipped."""
    text = target.errors.get("plan")
    if text is not None and text.startswith("no total step count") and target.plan is None:
        yield ("info", None, "T is not known without the dataset's size (not found offline; `lrcli steps` on this "
               "config says what was tried): the rules that need T were skipped",
               "give --samples N (or --total-steps T) to check them too")


def _steps(total: int) -> str:
    """5 % of T, as a warmup to suggest."""
    better = max(1, math.ceil(0.05 * total))
    return f"{better:,} step{'s' if better != 1 else ''}"


def launcher_config(target: Target) -> Iterator[Hit]:
    """LR011 (info): a named accelerate launcher config is not a training config; it sets the world size of one."""
    if "launcher" in target.errors:
        yield ("info", None, "an accelerate launcher config, not a training config: not checked on its own",
               f"give it with the training config it launches: --accelerate-config {target.path}")


def warmup_covers_run(target: Target) -> Iterator[Hit]:
    """LR001 (W ≥ T) and LR002 (W > T / 2)."""
    plan = target.plan
    if plan is None or plan.total < 1 or plan.warmup <= 0:
        return
    total, warmup = plan.total, plan.warmup
    if warmup >= total:
        yield ("error", warmup_key(target),
               f"warmup W = {warmup:,} steps is ≥ T = {total:,}: the whole run is warmup, the LR never reaches its "
               "peak nor decays", f"shorten the warmup (e.g. {_steps(total)}, 5% of T) or train longer")


def warmup_over_half(target: Target) -> Iterator[Hit]:
    plan = target.plan
    if plan is None or plan.total < 1 or not plan.total / 2 < plan.warmup < plan.total:
        return
    yield ("warning", warmup_key(target),
           f"warmup W = {plan.warmup:,} steps is more than half of T = {plan.total:,}: most of the run is spent "
           "ramping up", f"shorten the warmup (e.g. {_steps(plan.total)}, 5% of T), unless this is deliberate")


def few_steps(target: Target) -> Iterator[Hit]:
    """LR003: T below a handful of steps."""
    plan = target.plan
    if plan is not None and 1 <= plan.total < FEW_STEPS:
        yield ("warning", None,
               f"the run has only T = {plan.total} optimizer steps: the schedule barely exists",
               "check the dataset size, batch size, gradient accumulation and max_steps")


def zero_peak(target: Target) -> Iterator[Hit]:
    """LR004: the peak LR is 0, written as 0 or computed (a DeepSpeed warmup_max_lr of 0): nothing is learned."""
    for key in LR_KEYS:
        value = target.value(*key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
            yield "error", key, f"{'.'.join(map(str, key))} is 0: the peak LR is 0 and the run learns nothing", \
                "set the learning rate you mean (e.g. 2e-5)"
            return
    facts = target.facts
    if facts is not None and facts.peak_lr == 0:
        yield ("error", first_key(target, *LR_KEYS), "the LR is 0 at every step: the run learns nothing",
               "set the learning rate (and any warmup_max_lr) you mean")


def first_update_at_zero(target: Target) -> Iterator[Hit]:
    """LR005 (info): the first update runs at LR 0 (HF warmups start at 0; DeepSpeed's run one update behind)."""
    facts, plan = target.facts, target.plan
    if facts is None or plan is None or facts.leading_zeros == 0:
        return
    zeros = facts.leading_zeros
    updates = "the first update runs" if zeros == 1 else f"the first {zeros} updates run"
    if facts.one_update_behind:
        why = "DeepSpeed's warmup starts at warmup_min_lr (0) and its scheduler runs one update behind"
    else:
        why = "warmup starts at 0" + (" (transformers #34754)" if plan.transformers_version else "")
    yield ("info", warmup_key(target), f"{updates} at LR 0: {why}, so {'it changes' if zeros == 1 else 'they change'} "
           "nothing", "nothing to do, unless every step counts")


RULES = (
    Rule("LR000", "the run fails as configured (the framework refuses a value)", run_fails),
    Rule("LR001", "warmup W ≥ T: the run never leaves warmup", warmup_covers_run, noted="is longer than training"),
    Rule("LR002", "warmup longer than half the run", warmup_over_half),
    Rule("LR003", "T below a handful of steps", few_steps),
    Rule("LR004", "peak LR 0", zero_peak),
    Rule("LR005", "the first update runs at LR 0", first_update_at_zero, noted=True),
    Rule("LR010", "T unknown: the rules that need it were skipped", t_unknown),
    Rule("LR011", "an accelerate launcher config named on its own", launcher_config),
)
