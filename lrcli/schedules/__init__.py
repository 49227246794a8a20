"""The schedule registry: one name -> one pure function, grouped by the framework family it mirrors.

Step convention: row `s` is the LR after `s` scheduler steps, i.e. the LR the optimizer uses for
update `s + 1` — the value `get_last_lr()` returns after `s` calls to `scheduler.step()`.
"""

from __future__ import annotations

import difflib
import inspect
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrcli.errors import LrcliError
from lrcli.schedules import hf
from lrcli.schedules.types import Factors, ScheduleFn, Steps
from lrcli.values import coerce_number

_FIXED = ("steps", "lr", "warmup", "total")
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Schedule:
    """A registered schedule: its function plus what `lrcli schedules` and the version checks need."""

    name: str
    family: str
    fn: ScheduleFn
    summary: str
    added_in: str | None = None  # first transformers version with this lr_scheduler_type (HF family)
    ignores_kwargs: bool = False  # the framework drops lr_scheduler_kwargs without a word

    def parameters(self) -> dict[str, Any]:
        """Keyword name -> default (`REQUIRED` when there is none), in signature order."""
        return {
            name: param.default
            for name, param in inspect.signature(self.fn).parameters.items()
            if name not in _FIXED
        }


HF = "Hugging Face transformers"

SCHEDULES: dict[str, Schedule] = {
    "linear": Schedule("linear", HF, hf.linear, "linear warmup, then linear decay to 0 at T"),
    "cosine": Schedule("cosine", HF, hf.cosine, "linear warmup, then half-cosine decay to 0 at T"),
    "cosine_with_restarts": Schedule(
        "cosine_with_restarts", HF, hf.cosine_with_restarts, "linear warmup, then num_cycles cosine decays with hard restarts"
    ),
    "polynomial": Schedule(
        "polynomial", HF, hf.polynomial, "linear warmup, then polynomial decay from lr to lr_end at T"
    ),
    "constant": Schedule("constant", HF, hf.constant, "constant LR (warmup ignored)", ignores_kwargs=True),
    "constant_with_warmup": Schedule(
        "constant_with_warmup", HF, hf.constant_with_warmup, "linear warmup, then constant", ignores_kwargs=True
    ),
    "inverse_sqrt": Schedule(
        "inverse_sqrt", HF, hf.inverse_sqrt, "linear warmup, then 1/sqrt decay", added_in="4.27.0"
    ),
    "cosine_with_min_lr": Schedule(
        "cosine_with_min_lr",
        HF,
        hf.cosine_with_min_lr,
        "linear warmup, then cosine decay to min_lr (or lr·min_lr_rate)",
        added_in="4.40.0",
    ),
    "cosine_warmup_with_min_lr": Schedule(
        "cosine_warmup_with_min_lr",
        HF,
        hf.cosine_warmup_with_min_lr,
        "warmup starting at 1/W (or warmup_lr_rate), then cosine decay to a floor, one step ahead",
        added_in="4.54.0",
    ),
    "warmup_stable_decay": Schedule(
        "warmup_stable_decay",
        HF,
        hf.warmup_stable_decay,
        "warmup from min_lr_ratio, stable, then decay over num_decay_steps (WSD)",
        added_in="4.41.0",
    ),
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
    return {key: _check_kwarg_type(schedule, key, value, hints.get(key, Any)) for key, value in kwargs.items()}


def evaluate(
    schedule: Schedule, steps: Steps, *, lr: float, warmup: int, total: int, kwargs: Mapping[str, Any]
) -> Factors:
    """The LR after each step in `steps`; raises LrcliError where the framework itself would refuse."""
    bound = bind_kwargs(schedule, kwargs)
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
