"""A schedule's kwargs checked against its function's signature and annotations, the way Python would bind them,
with a one-line message (and a did-you-mean) instead of a TypeError."""

from __future__ import annotations

import difflib
import math
import typing
from collections.abc import Mapping
from typing import Any

from lrcli.errors import LrcliError
from lrcli.inputs.values import coerce_number
from lrcli.schedules.types import REQUIRED, Schedule


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
