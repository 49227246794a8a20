"""Where a schedule is monotone: the breakpoints each family declares (`Schedule.breaks`), so that a plot of any
length can take the exact minimum and maximum of every pixel column from a few values (lrcli/envelope.py).

A family's `breaks(params, *, lr, warmup, total, last)` returns the scheduler steps near which the curve may stop
being monotone: the end of warmup, a restart, a step decay, the crest or trough of a cosine, a cycle's turn. Between
two consecutive breaks the LR, as the framework computes it, only rises or only falls (or stays), so its extremes
over any range of steps lie at the range's ends or next to a break. Positions may be fractional (a crest at
s = W + (T − W)/(2c)); every whole step within one of each is used, so that a float rounding at the crest cannot
hide the extreme. None means the family has no closed form to offer: torch's chained classes are then replayed
block by block with the carry (`Schedule.replay`, exact, O(T)) or, for very long plots, drawn from their closed form
(`Schedule.closed_form`); metric-driven schedules turn only at their evaluations (lrcli.curve).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

MAX_BREAKS = 1 << 18  # more turns than this (a cycle every few steps over 10^9 steps): evaluate densely instead
_FIXED = ("steps", "lr", "warmup", "total", "metrics")

Breaks = Callable[..., "list[float] | None"]


def periodic(start: float, period: float, last: int) -> list[float] | None:
    """start, start + period, … up to `last`; None when there are more than MAX_BREAKS of them."""
    if not (math.isfinite(start) and math.isfinite(period)) or period <= 0:
        return None
    if last < start:
        return []
    count = int((last - start) // period) + 1
    if count > MAX_BREAKS:
        return None
    return [start + k * period for k in range(count)]


def cos_extrema(start: float, length: float, num_cycles: float, last: int) -> list[float] | None:
    """Crests and troughs of cos(2π · c · (s − start) / length): every half period length / (2|c|)."""
    if num_cycles == 0:
        return []
    return periodic(start, length / (2.0 * abs(num_cycles)), last)


def joined(*parts: Iterable[float] | None) -> list[float] | None:
    """The breaks of several parts; None if any part has none to give."""
    out: list[float] = []
    for part in parts:
        if part is None:
            return None
        out.extend(part)
    return out


def full_params(fn: Callable[..., Any], bound: Mapping[str, Any]) -> dict[str, Any]:
    """The schedule function's keyword arguments as it runs with `bound`: its defaults, then the given values."""
    params = {
        name: p.default
        for name, p in inspect.signature(fn).parameters.items()
        if name not in _FIXED and p.default is not inspect.Parameter.empty
    }
    params.update(bound)
    return params


def near(points: Iterable[float], last: int) -> list[int]:
    """Every whole step within one of each point, inside 0 … last."""
    out = set()
    for x in points:
        if not math.isfinite(x):
            continue
        low, high = math.floor(x) - 1, math.ceil(x) + 1
        out.update(s for s in range(max(0, low), min(last, high) + 1))
    return sorted(out)
