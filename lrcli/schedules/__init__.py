"""The schedule registry: one name -> one pure function, grouped by the framework family it mirrors.

Step convention: row `s` is the LR after `s` scheduler steps, i.e. the LR the optimizer uses for
update `s + 1` — the value `get_last_lr()` returns after `s` calls to `scheduler.step()`.
"""

from __future__ import annotations

import difflib
import math
import typing
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrcli.errors import LrcliError
from lrcli.metrics import MetricHistory
from lrcli.schedules import axolotl, deepspeed, hf, pytorch, pytorch_plateau, pytorch_sequential
from lrcli.schedules.types import REQUIRED, Factors, Schedule, Steps
from lrcli.values import coerce_number

SCHEDULES: dict[str, Schedule] = {
    **hf.SCHEDULES,
    **deepspeed.SCHEDULES,
    **axolotl.SCHEDULES,
    **pytorch.SCHEDULES,
    **pytorch_sequential.SCHEDULES,
    **pytorch_plateau.SCHEDULES,
}


def get_schedule(name: str) -> Schedule:
    """The registered schedule called `name`, or an LrcliError suggesting the closest names."""
    try:
        return SCHEDULES[name]
    except KeyError:
        pass
    folded = {key.lower(): key for key in SCHEDULES}
    guesses = difflib.get_close_matches(name.lower(), list(folded), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(folded[g]) for g in guesses)}? " if guesses else ""
    raise LrcliError(f"unknown schedule {name!r}; {hint}run `lrcli schedules` to list them")


def _check_kwarg_type(schedule: Schedule, key: str, value: Any, hint: Any) -> Any:
    allowed = set(typing.get_args(hint)) or {hint}
    if value is None and type(None) in allowed:
        return None
    literals = {arg for kind in allowed if typing.get_origin(kind) is typing.Literal for arg in typing.get_args(kind)}
    if isinstance(value, str) and value in literals:  # e.g. DeepSpeed's "auto"
        return value
    if float in allowed or int in allowed:
        value = coerce_number(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LrcliError(f"{schedule.name}: {key} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise LrcliError(f"{schedule.name}: {key} must be finite, got {value!r}")
        return value
    if str in allowed and not isinstance(value, str):
        raise LrcliError(f"{schedule.name}: {key} must be a string, got {value!r}")
    return value


def bind_kwargs(schedule: Schedule, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Check `kwargs` against the schedule's parameters the way Python would, with a readable message."""
    params = schedule.parameters()
    accepted = ", ".join(params) or "no keyword arguments"
    for key in kwargs:
        if key in ("num_warmup_steps", "num_training_steps"):
            raise LrcliError(
                f"{schedule.name}: {key} cannot go in the scheduler kwargs (transformers passes it itself and "
                "raises a duplicate-argument TypeError); set warmup/total steps with their own flags"
            )
        if key not in params:
            guesses = difflib.get_close_matches(key, list(params), n=1)
            hint = f"did you mean {guesses[0]!r}? " if guesses else ""
            raise LrcliError(f"{schedule.name} takes no {key!r}; {hint}it takes: {accepted}")
    missing = [name for name, default in params.items() if default is REQUIRED and name not in kwargs]
    if missing:
        raise LrcliError(
            f"{schedule.name} needs {', '.join(missing)}; pass it like --kw {missing[0]}=<value>"
        )
    hints = typing.get_type_hints(schedule.fn)
    renames = dict(schedule.aliases)  # framework kwarg -> fn parameter
    return {
        renames.get(key, key): _check_kwarg_type(schedule, key, value, hints.get(renames.get(key, key), Any))
        for key, value in kwargs.items()
    }


def evaluate(
    schedule: Schedule,
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    kwargs: Mapping[str, Any],
    metrics: MetricHistory | None = None,
) -> Factors:
    """The LR after each step in `steps`; raises LrcliError where the framework itself would refuse.

    `metrics` (the evaluation history) reaches only schedules that step on a metric (`needs_metrics`).
    """
    bound = bind_kwargs(schedule, kwargs)
    if schedule.needs_metrics:
        bound["metrics"] = metrics
    with np.errstate(all="ignore"):
        values = schedule.fn(steps, lr=lr, warmup=warmup, total=total, **bound)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise LrcliError(
            f"{schedule.name} gives a non-finite LR at step {int(steps[bad[0]])} with these settings "
            f"(the framework would fail there too); check its parameters {dict(bound)}"
        )
    return values


__all__ = ["REQUIRED", "SCHEDULES", "Schedule", "bind_kwargs", "evaluate", "get_schedule"]
