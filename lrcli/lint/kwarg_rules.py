"""LR1xx: scheduler arguments — ignored, not taken, or a floor at or above the peak."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lrcli.errors import LrcliError
from lrcli.lint.finding import Hit, Rule
from lrcli.lint.foreign import FOREIGN_KWARGS
from lrcli.lint.keys import MIN_LR_KEYS, field_key, kwarg_key
from lrcli.lint.target import Target
from lrcli.schedules import Schedule, get_schedule


def _schedule(target: Target) -> Schedule | None:
    if target.config is None:
        return None
    try:
        return get_schedule(target.config.lr_scheduler_type)
    except LrcliError:
        return None


def ignored_kwargs(target: Target) -> Iterator[Hit]:
    """LR101: a constant schedule (transformers `constant`, `constant_with_warmup`) with scheduler kwargs, which
    transformers' `get_scheduler` (optimization.py, 5.24) does not pass to it: whatever they ask for (a floor,
    cycles, a decay), the LR stays at its peak after warmup."""
    schedule = _schedule(target)
    config = target.config
    if schedule is None or config is None or not schedule.ignores_kwargs or not config.lr_scheduler_kwargs:
        return
    names = ", ".join(config.lr_scheduler_kwargs)
    yield ("warning", field_key(target, "lr_scheduler_kwargs"),
           f"{schedule.name} never decays and ignores lr_scheduler_kwargs ({names}): transformers drops them "
           "without a word", "pick the schedule those arguments belong to (e.g. cosine_with_min_lr for min_lr), "
           "or remove lr_scheduler_kwargs")


def unknown_kwargs(target: Target) -> Iterator[Hit]:
    """LR102: a scheduler argument the schedule does not take: transformers' `get_scheduler` passes
    `scheduler_specific_kwargs` to the schedule function, which raises TypeError (unexpected keyword argument).
    Keys of another framework are LR301, with the key this one uses."""
    schedule = _schedule(target)
    config = target.config
    if schedule is None or config is None or schedule.ignores_kwargs:
        return
    taken = schedule.parameters()
    for name in config.lr_scheduler_kwargs:
        if name in taken or (name in FOREIGN_KWARGS and "lr_scheduler_kwargs" in target.raw):
            continue
        yield ("error", kwarg_key(target, name) or field_key(target, "lr_scheduler_kwargs"),
               f"{schedule.name} takes no argument {name!r}: building the scheduler raises TypeError",
               f"remove {name}; {schedule.name} takes: {', '.join(taken) or 'no arguments'}")


def axolotl_ignored_min_lr(target: Target) -> Iterator[Hit]:
    """LR103: axolotl's cosine_min_lr_ratio / cosine_constant_lr_ratio apply only to `lr_scheduler: cosine` without
    lr_quadratic_warmup (axolotl 0.19.0 core/trainers/mixins/scheduler.py SchedulerMixin.create_scheduler:
    `use_cosine_min_lr = lr_scheduler_type == "cosine" and cosine_min_lr_ratio is not None`; `rex` also reads the
    floor); with any other scheduler they are silently unused."""
    if target.dialect != "axolotl":
        return
    name = target.raw.get("lr_scheduler") or "cosine"
    for key in ("cosine_min_lr_ratio", "cosine_constant_lr_ratio"):
        if target.raw.get(key) is None:
            continue
        if name == "cosine" and target.raw.get("lr_quadratic_warmup") is True:
            why = "lr_quadratic_warmup: true takes precedence (axolotl logs 'Using quadratic warmup')"
        elif name == "cosine" and key == "cosine_constant_lr_ratio" and not target.raw.get("cosine_min_lr_ratio"):
            why = "it applies only together with cosine_min_lr_ratio"
        elif name == "cosine" or (name == "rex" and key == "cosine_min_lr_ratio"):
            continue
        else:
            why = f"axolotl reads it only for lr_scheduler: cosine, not {name}"
        yield ("warning", (key,), f"{key} is ignored: {why}; the LR does not stop at that floor",
               f"use lr_scheduler: cosine, or remove {key}")


def floor_at_peak(target: Target) -> Iterator[Hit]:
    """LR105: a minimum-LR argument at or above the peak: the schedule is constant after warmup (or rises)."""
    config, facts = target.config, target.facts
    if config is None:
        return
    kwargs: dict[str, Any] = dict(target.kwargs or config.lr_scheduler_kwargs)
    if target.dialect == "axolotl" and target.raw.get("cosine_min_lr_ratio") is not None:
        kwargs.setdefault("cosine_min_lr_ratio", target.raw.get("cosine_min_lr_ratio"))
    peak = next((kwargs[key] for key in ("warmup_max_lr", "cycle_max_lr", "max_lr") if key in kwargs),
                config.learning_rate)
    for name, kind in MIN_LR_KEYS.items():
        value = kwargs.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(peak, (int, float)):
            continue
        at_or_above = value >= 1 if kind == "ratio" else value >= peak
        if not at_or_above or (facts is not None and facts.final_lr < facts.peak_lr):
            continue
        bound = "1 (the peak)" if kind == "ratio" else f"the peak LR {peak:g}"
        yield ("warning", kwarg_key(target, name),
               f"{name} = {value:g} is ≥ {bound}: the LR never decays below its peak",
               f"set {name} below {'1' if kind == 'ratio' else f'{peak:g}'} (e.g. {'0.1' if kind == 'ratio' else f'{peak / 10:g}'})")
        return


def restarts_without_restarts(target: Target) -> Iterator[Hit]:
    """LR106: `cosine_with_restarts` with num_cycles 1 (its default in transformers'
    `get_cosine_with_hard_restarts_schedule_with_warmup`) is plain `cosine`: no restart happens (transformers
    #20552, #29852)."""
    config = target.config
    if config is None or config.lr_scheduler_type != "cosine_with_restarts":
        return
    cycles = config.lr_scheduler_kwargs.get("num_cycles", 1)
    if isinstance(cycles, (int, float)) and not isinstance(cycles, bool) and cycles == 1:
        key = kwarg_key(target, "num_cycles") or field_key(target, "lr_scheduler_type")
        given = "num_cycles: 1" if "num_cycles" in config.lr_scheduler_kwargs else "no num_cycles (default 1)"
        yield ("warning", key, f"cosine_with_restarts with {given} never restarts: it is plain cosine",
               "set lr_scheduler_kwargs num_cycles to the number of cosine cycles you want (e.g. 3), or use cosine")


RULES = (
    Rule("LR101", "a constant schedule with decay arguments it ignores", ignored_kwargs, noted=True),
    Rule("LR102", "a scheduler argument the schedule does not take", unknown_kwargs),
    Rule("LR103", "axolotl min-LR keys its scheduler ignores", axolotl_ignored_min_lr),
    Rule("LR105", "a minimum LR at or above the peak", floor_at_peak),
    Rule("LR106", "cosine_with_restarts that never restarts", restarts_without_restarts),
)
