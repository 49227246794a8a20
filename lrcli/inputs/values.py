"""Turning user-written values (flags, YAML strings) into numbers the way the frameworks do."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from lrcli.errors import LrcliError, cut, quoted, shown
from lrcli.inputs.bounded import parse_json

# The largest whole number lrcli computes with: float64 holds every whole number up to 2^53, so step counts, sizes
# and scheduler arguments up to here mean the same in numpy (float64/int64) as in the frameworks' Python ints and
# floats. Beyond it lrcli says it cannot compute the run instead of computing something else.
MAX_WHOLE = 2**53
_MAX_DIGITS = 4000  # Python refuses int() of longer digit strings (sys.int_info.str_digits_check_threshold 4300)

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan)", re.IGNORECASE)


def _number(stripped: str) -> int | float | None:
    if _INT.fullmatch(stripped):
        return int(stripped) if len(stripped) <= _MAX_DIGITS else float(stripped)  # inf: refused as not finite
    if _FLOAT.fullmatch(stripped):
        return float(stripped)
    return None


def parse_scalar(text: str) -> Any:
    """Read a `--kw` value: ints, floats (`2e-5` too), true/false, none/null, JSON, else the string itself."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    number = _number(stripped)
    if number is not None:
        return number
    if stripped[:1] in "[{":
        try:
            return parse_json(stripped, shown(text))
        except LrcliError as exc:
            if "not valid JSON" not in str(exc):
                raise  # nested too deep: not a string either
    return text


def coerce_number(value: Any) -> Any:
    """A numeric-looking string becomes a number (PyYAML reads `2e-5` as a string); anything else is kept."""
    if isinstance(value, str):
        number = _number(value.strip())
        if number is not None:
            return number
    return value


def number_text(value: Any) -> str:
    """A value as a message shows it: numbers short (a 309-digit int as `1.000e+308`), anything else `shown`."""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cut(repr(value))
    if isinstance(value, int) and abs(value) >= 10**40:  # exact digits up to there: rounding shows nothing up
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[0]}.{digits[1:4]}e+{len(digits) - 1} ({len(digits)} digits)"
    if isinstance(value, int) and abs(value) >= 10**6:
        return f"{value:,}"
    return repr(value)


def finite_float(value: Any, what: str) -> float:
    """`value` as a finite float, or an LrcliError naming `what`."""
    value = coerce_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LrcliError(f"{what} must be a number, got {number_text(value)}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the largest float
        result = math.inf
    if not math.isfinite(result):
        raise LrcliError(f"{what} must be a finite number, got {number_text(value)}")
    return result


def beyond_whole(what: str, value: Any) -> LrcliError:
    """The one message for a whole number lrcli cannot compute with exactly."""
    return LrcliError(
        f"{what} = {number_text(value)} is beyond any run lrcli can count exactly (2^53 = {MAX_WHOLE:,}: past it "
        "float64, which lrcli computes in, skips whole numbers; the frameworks' Python ints would take it, no real "
        "run needs it): check the value"
    )


def whole_number(value: Any, what: str, *, minimum: int = 0, maximum: int = MAX_WHOLE) -> int:
    """`value` as an int in [minimum, maximum]; floats are accepted only when whole (`100.0`, `1e6`).

    `maximum` defaults to 2^53 (`MAX_WHOLE`): every count lrcli takes (steps, samples, batch, processes) stays a
    number float64 holds exactly, as the frameworks' float arithmetic on it needs."""
    exact = coerce_number(value)
    if isinstance(exact, int) and not isinstance(exact, bool):
        number = exact  # ints stay exact: going through float would turn 10**23 into 99999999999999991611392
    else:
        as_float = finite_float(value, what)
        if as_float != int(as_float):
            raise LrcliError(f"{what} must be a whole number, got {number_text(exact)}")
        number = int(as_float)
    if number < minimum:
        raise LrcliError(f"{what} must be ≥ {minimum:,}, got {number_text(exact)}")
    if number > maximum:
        if maximum == MAX_WHOLE:
            raise beyond_whole(what, number)
        raise LrcliError(f"{what} must be ≤ {maximum:,}, got {number_text(exact)}")
    return number


def parse_kw_pairs(pairs: list[str], what: str = "--kw") -> dict[str, Any]:
    """`["num_cycles=2", "power=1.5"]` -> `{"num_cycles": 2, "power": 1.5}`."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise LrcliError(f"{what} {shown(pair)} is not KEY=VALUE; write it like {what} num_cycles=2")
        result[key.strip()] = parse_scalar(raw)
    return result


def parse_kwargs_json(text: str, what: str = "--scheduler-kwargs") -> dict[str, Any]:
    """A JSON object of scheduler kwargs, as HF's `lr_scheduler_kwargs` string form."""
    value = parse_json(text, what)
    if not isinstance(value, dict):
        raise LrcliError(f"{what} must be a JSON object like '{{\"num_cycles\": 2}}', got {shown(text)}")
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
