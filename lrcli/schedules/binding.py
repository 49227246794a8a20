"""A schedule's kwargs checked against its function's signature and annotations, the way Python would bind them,
with a one-line message (and a did-you-mean) instead of a TypeError."""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import typing
from collections.abc import Mapping
from typing import Any

from lrcli.errors import LrcliError
from lrcli.inputs.values import MAX_WHOLE, beyond_whole, coerce_number, number_text
from lrcli.schedules.types import REQUIRED, Schedule


def _check_numbers(schedule: Schedule, key: str, value: Any) -> None:
    """Every number in a kwarg (inside lists and mappings too: milestones, SequentialLR's schedulers) is one lrcli
    computes with as the framework does: an int within ±2^53 (beyond, the framework's exact Python int has no
    float64 or int64 twin), a float finite. A huge float stays a float, computed as the framework computes it."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, bool) or not isinstance(item, (int, float)):
            continue
        elif isinstance(item, float) and not math.isfinite(item):
            raise LrcliError(f"{schedule.name}: {key} must be finite, got {number_text(item)}")
        elif isinstance(item, int) and abs(item) > MAX_WHOLE:
            raise beyond_whole(f"{schedule.name}: {key}", item)


def _check_kwarg_type(schedule: Schedule, key: str, value: Any, hint: Any) -> Any:
    allowed = set(typing.get_args(hint)) or {hint}
    _check_numbers(schedule, key, coerce_number(value))
    if value is None and type(None) in allowed:
        return None
    literals = {arg for kind in allowed if typing.get_origin(kind) is typing.Literal for arg in typing.get_args(kind)}
    if isinstance(value, str) and value in literals:  # e.g. DeepSpeed's "auto"
        return value
    if float in allowed or int in allowed:
        value = coerce_number(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LrcliError(f"{schedule.name}: {key} must be a number, got {number_text(value)}")
        return value
    if str in allowed and not isinstance(value, str):
        raise LrcliError(f"{schedule.name}: {key} must be a string, got {number_text(value)}")
    return value


@functools.cache
def _signature(fn: Any) -> tuple[inspect.Signature, dict[str, Any]]:
    """A schedule function's signature and resolved annotations, read once: a streamed table binds the kwargs
    again for every block it evaluates."""
    return inspect.signature(fn), typing.get_type_hints(fn)


def bind_kwargs(schedule: Schedule, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Check `kwargs` against the schedule's parameters the way Python would, with a readable message."""
    params = schedule.parameters(_signature(schedule.fn)[0])
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
    hints = _signature(schedule.fn)[1]
    renames = dict(schedule.aliases)  # framework kwarg -> fn parameter
    return {
        renames.get(key, key): _check_kwarg_type(schedule, key, value, hints.get(renames.get(key, key), Any))
        for key, value in kwargs.items()
    }
