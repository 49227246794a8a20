"""The schedule registry: one name -> one pure function, grouped by the framework family it mirrors.

Step convention: row `s` is the LR after `s` scheduler steps, i.e. the LR the optimizer uses for
update `s + 1` — the value `get_last_lr()` returns after `s` calls to `scheduler.step()`.
"""

from __future__ import annotations

import concurrent.futures
import difflib
import functools
import os
from collections.abc import Iterator, Mapping
from typing import Any

from lrcli.errors import LrcliError
from lrcli.inputs.values import number_text
from lrcli.metrics import MetricHistory
from lrcli.schedules import (
    axolotl,
    deepspeed,
    hf,
    megatron,
    pytorch,
    pytorch_plateau,
    pytorch_sequential,
    torchtitan,
    verl,
)
from lrcli.schedules.binding import bind_kwargs
from lrcli.schedules.pieces import full_params
from lrcli.schedules.types import REQUIRED, Factors, Level, Schedule, Steps, np

SCHEDULES: dict[str, Schedule] = {
    **hf.SCHEDULES,
    **deepspeed.SCHEDULES,
    **axolotl.SCHEDULES,
    **megatron.SCHEDULES,
    **pytorch.SCHEDULES,
    **pytorch_sequential.SCHEDULES,
    **pytorch_plateau.SCHEDULES,
    **torchtitan.SCHEDULES,
    **verl.SCHEDULES,
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
    values = None
    if len(steps) >= 2 * PARALLEL_ROWS and _row_wise(schedule) and _workers() > 1:
        try:  # numpy releases the GIL in its loops: each thread (this one too) evaluates a contiguous part
            values = _in_parts(schedule, steps, lr, warmup, total, bound)
        except (LrcliError, ArithmeticError, ValueError):
            values = None  # a refusal: evaluated again in one piece, so that its message is the one-piece message
    if values is None:
        values = _evaluated(schedule, steps, lr, warmup, total, bound)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise _non_finite(schedule, bound, int(steps[bad[0]]))
    return values


# Rows from which `evaluate` splits the work among threads (fewer: the threads cost more than they save). Worth it
# because a 2·10^5-row cosine spends most of its time in math.cos (numpy calls the C library's, one value at a time).
PARALLEL_ROWS = 1 << 16


def _row_wise(schedule: Schedule) -> bool:
    """Each row's value depends on that row alone, in closed form (no replay from step 0, no metric history): the
    rows can be evaluated in parts, giving the same bits."""
    return (schedule.breaks is not None and schedule.replay is None and not schedule.replays_from_start
            and not schedule.needs_metrics)


def _evaluated(schedule: Schedule, steps: Steps, lr: float, warmup: int, total: int, bound: Mapping[str, Any]) -> Factors:
    """`schedule.fn` over `steps`, numpy's float warnings off (per thread: errstate is thread-local), a float failure
    turned into the framework's refusal."""
    try:
        with np.errstate(all="ignore"):
            return schedule.fn(steps, lr=lr, warmup=warmup, total=total, **bound)
    except (ArithmeticError, ValueError) as exc:
        raise _framework_failure(schedule, bound, exc) from None


def _in_parts(schedule: Schedule, steps: Steps, lr: float, warmup: int, total: int,
              bound: Mapping[str, Any]) -> Factors:
    """`_evaluated` over `_workers()` contiguous parts of `steps`, the first in this thread, written into one array."""
    values = np.empty(len(steps), dtype=np.float64)
    edges = [len(steps) * k // _workers() for k in range(_workers() + 1)]

    def part(k: int) -> None:
        values[edges[k]:edges[k + 1]] = _evaluated(schedule, steps[edges[k]:edges[k + 1]], lr, warmup, total, bound)

    others = [_pool().submit(part, k) for k in range(1, _workers())]
    try:
        part(0)
    finally:
        for other in others:
            other.result()  # raises a part's refusal (after every part has finished: none writes later)
    return values


@functools.cache
def _workers() -> int:
    try:
        return min(4, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return min(4, os.cpu_count() or 1)


@functools.cache
def _pool() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=max(1, _workers() - 1), thread_name_prefix="lrcli-evaluate")


def replay_blocks(
    schedule: Schedule, n: int, *, lr: float, warmup: int, total: int, kwargs: Mapping[str, Any]
) -> Iterator[Factors | Level]:
    """The LRs after steps 0 … n, in order, a block at a time (`Schedule.replay`: a chained replay with its carry),
    refused where `evaluate` refuses: the same errors, the same non-finite check."""
    bound = bind_kwargs(schedule, kwargs)
    params = full_params(schedule.fn, bound)
    position = 0
    try:
        with np.errstate(all="ignore"):
            for block in schedule.replay(n, params, lr=lr, warmup=warmup, total=total):
                values = np.array([block.value]) if isinstance(block, Level) else block
                bad = np.flatnonzero(~np.isfinite(values))
                if bad.size:
                    raise _non_finite(schedule, bound, position + int(bad[0]))
                position += block.count if isinstance(block, Level) else len(block)
                yield block
    except (ArithmeticError, ValueError) as exc:
        raise _framework_failure(schedule, bound, exc) from None


def _framework_failure(schedule: Schedule, bound: Mapping[str, Any], exc: ArithmeticError | ValueError) -> Exception:
    """What a float failure inside a schedule becomes: the schedules repeat the framework's own float operations, so
    the framework fails at the same place. A ValueError other than math's domain error is a bug and stays itself."""
    if isinstance(exc, ValueError) and str(exc) != "math domain error":
        return exc
    return LrcliError(
        f"{schedule.name} with {_settings(bound)}: {type(exc).__name__} ({exc}); {schedule.family} raises it "
        "too with these values: change them"
    )


def _non_finite(schedule: Schedule, bound: Mapping[str, Any], step: int) -> LrcliError:
    return LrcliError(
        f"{schedule.name} gives a non-finite LR at step {step} with these settings "
        f"(the framework would fail there too); check its parameters {_settings(bound)}"
    )


def _settings(bound: Mapping[str, Any]) -> str:
    """The kwargs as a message shows them: each value short (a long list or a huge number is cut)."""
    return "{" + ", ".join(f"{key}: {number_text(value)}" for key, value in bound.items() if key != "metrics") + "}"


__all__ = ["REQUIRED", "SCHEDULES", "Schedule", "bind_kwargs", "evaluate", "get_schedule", "replay_blocks"]
