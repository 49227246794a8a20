"""Turning user-written values (flags, YAML strings) into numbers the way the frameworks do."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from lrcli.errors import LrcliError

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan)", re.IGNORECASE)


def parse_scalar(text: str) -> Any:
    """Read a `--kw` value: ints, floats (`2e-5` too), true/false, none/null, JSON, else the string itself."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    if _INT.fullmatch(stripped):
        return int(stripped)
    if _FLOAT.fullmatch(stripped):
        return float(stripped)
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            pass
    return text


def coerce_number(value: Any) -> Any:
    """A numeric-looking string becomes a number (PyYAML reads `2e-5` as a string); anything else is kept."""
    if isinstance(value, str):
        parsed = parse_scalar(value)
        if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            return parsed
    return value


def finite_float(value: Any, what: str) -> float:
    """`value` as a finite float, or an LrcliError naming `what`."""
    value = coerce_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LrcliError(f"{what} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise LrcliError(f"{what} must be a finite number, got {value!r}")
    return result


def whole_number(value: Any, what: str, *, minimum: int = 0) -> int:
    """`value` as an int ≥ `minimum`; floats are accepted only when whole (`100.0`, `1e6`)."""
    exact = coerce_number(value)
    if isinstance(exact, int) and not isinstance(exact, bool):
        number = exact  # ints stay exact: going through float would turn 10**23 into 99999999999999991611392
    else:
        as_float = finite_float(value, what)
        if as_float != int(as_float):
            raise LrcliError(f"{what} must be a whole number, got {exact!r}")
        number = int(as_float)
    if number < minimum:
        raise LrcliError(f"{what} must be ≥ {minimum}, got {exact!r}")
    return number


def parse_kw_pairs(pairs: list[str], what: str = "--kw") -> dict[str, Any]:
    """`["num_cycles=2", "power=1.5"]` -> `{"num_cycles": 2, "power": 1.5}`."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise LrcliError(f"{what} {pair!r} is not KEY=VALUE; write it like {what} num_cycles=2")
        result[key.strip()] = parse_scalar(raw)
    return result


def parse_kwargs_json(text: str, what: str = "--scheduler-kwargs") -> dict[str, Any]:
    """A JSON object of scheduler kwargs, as HF's `lr_scheduler_kwargs` string form."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LrcliError(f"{what} is not valid JSON ({exc.msg} at column {exc.colno}): {text!r}") from None
    if not isinstance(value, dict):
        raise LrcliError(f"{what} must be a JSON object like '{{\"num_cycles\": 2}}', got {text!r}")
    return value


class SampleCount(int):
    """A dataset size given per dataset (`--samples 500+5000`): the total, which is all a planner without a
    per-dataset rule uses, remembering the counts in the order given (`parts`) for one that has such a rule
    (LLaMA-Factory's `max_samples` cuts each dataset)."""

    parts: tuple[int, ...]

    def __new__(cls, parts: Sequence[int]) -> SampleCount:
        count = super().__new__(cls, sum(parts))
        count.parts = tuple(parts)
        return count
