"""What `check`'s rules need from a curve — its peak, its final LR, how many updates start at LR 0 — either read
from a computed curve or, without numpy, from the schedule's scalar twin (`Schedule.scalar`) at a few steps.

Between two of a schedule's breaks (schedules/pieces.py) the LR only rises or only falls, so its maximum over
rows 0 … T is among rows 0 and T and the steps next to each break: the same rows the plot's outline
(lrcli/envelope.py) evaluates. The twin computes those rows in plain Python floats, as the framework's own per-step
function does, so a config of any length is checked in microseconds and `lrcli check` starts without numpy. Where
the twin cannot vouch for a value (it raises, gives a non-finite LR, the schedule has no twin or too many turns, an
epoch clock, a metric-driven schedule) the answer is None and the caller evaluates the curve with numpy, which
also gives the framework's own refusal message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrcli.curve import prepare_run
from lrcli.errors import LrcliError
from lrcli.schedules.binding import bind_kwargs
from lrcli.schedules.pieces import full_params, near

if TYPE_CHECKING:
    from lrcli.config import TrainConfig
    from lrcli.curve import Curve

# The first rows looked at for updates at LR 0: a warmup from 0 has one, DeepSpeed's one-behind warmups two; a run
# whose first 64 updates are all at 0 is evaluated whole instead.
START_ROWS = 64
# More turns than this and the twin would cost more than numpy's whole evaluation: fall back to it.
MAX_TWIN_ROWS = 4096


@dataclass(frozen=True)
class CurveFacts:
    """The values of a curve over rows 0 … T that the rules look at."""

    peak_lr: float  # the largest LR of any row
    final_lr: float  # row T: the LR after the last update
    leading_zeros: int  # rows 0, 1, … at LR 0 before the first non-zero one, among the T updates
    one_update_behind: bool  # DeepSpeed's schedulers: row s is the scheduler's own step s − 1


def of_curve(curve: Curve) -> CurveFacts:
    """The facts of a computed curve (every row, or an outline whose `values` evaluates any row)."""
    from lrcli.schedules.types import np

    total = curve.plan.total
    zeros, start = None, 0
    while zeros is None and start < total:  # blocks growing from START_ROWS: one block for any ordinary warmup
        end = min(total, max(START_ROWS, 2 * start))
        block = curve.values(np.arange(start, end, dtype=np.int64))
        nonzero = np.flatnonzero(block != 0)
        zeros = start + int(nonzero[0]) if nonzero.size else None
        start = end
    return CurveFacts(curve.peak_lr, curve.final_lr, total if zeros is None else zeros, curve.one_update_behind)


def scalar_facts(config: TrainConfig) -> CurveFacts | None:
    """The facts of `config`'s curve from its schedule's scalar twin, without numpy; None when only evaluating the
    curve can give them. Raises LrcliError where computing the curve would (no step to draw, kwargs the schedule
    does not take). An epoch clock (row s has had ⌊s/U⌋ scheduler steps) is followed: the rows' values are the
    scheduler steps' 0 … ⌊T/U⌋, each held for U rows."""
    run = prepare_run(config)
    schedule = run.schedule
    if schedule.scalar is None or schedule.breaks is None or run.metrics is not None:
        return None
    params = full_params(schedule.fn, bind_kwargs(schedule, run.kwargs))
    per_epoch = run.per_epoch or 1
    last = run.plan.total // per_epoch  # the scheduler steps row T has had
    try:
        breaks = schedule.breaks(params, lr=config.learning_rate, warmup=run.warmup, total=run.total, last=last)
    except (LrcliError, TypeError, ValueError, ArithmeticError, KeyError):
        return None
    if breaks is None or len(breaks) > MAX_TWIN_ROWS:
        return None
    steps = sorted({0, last, *near(breaks, last), *range(min(last, START_ROWS))})
    values: dict[int, float] = {}
    try:
        for step in steps:
            value = float(schedule.scalar(step, lr=config.learning_rate, warmup=run.warmup, total=run.total,
                                          **params))
            if not math.isfinite(value):
                return None
            values[step] = value
    except (LrcliError, TypeError, ValueError, ArithmeticError, KeyError):
        return None  # the framework may refuse here: numpy's evaluation gives its own message
    zero_steps = next((step for step in range(min(last, START_ROWS)) if values[step] != 0), None)
    if zero_steps is None and last > START_ROWS:
        return None  # more than START_ROWS scheduler steps at 0: count them on the evaluated curve
    if zero_steps is None:
        zero_steps = last  # every update runs at LR 0
    return CurveFacts(max(values.values()), values[last], min(run.plan.total, zero_steps * per_epoch),
                      schedule.one_update_behind)
