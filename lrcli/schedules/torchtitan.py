"""torchtitan's one schedule: linear warmup, a stable stretch, then a linear/sqrt/cosine decay (warmup-stable-decay),
as `build_lr_schedulers` builds its `LambdaLR` in `torchtitan/components/lr_scheduler.py` (0.1.0, 0.2.0, 0.2.1,
0.2.2; `LRSchedulersContainer.Config.build` in `torchtitan/components/optimizer/lr_scheduler.py` from 0.3.0).

The lambda and the arithmetic around it are the same in every modelled release; the releases differ only in the
config keys that feed it (0.1.0 calls the floor `lr_min`, 0.2.2 adds `total_steps`), which the dialect reads.
"""

from __future__ import annotations

import math
from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.pieces import joined, periodic
from lrcli.schedules.types import Factors, Schedule, Steps, np

DECAY_TYPES = ("linear", "sqrt", "cosine")


def wsd_lengths(warmup: int, total: int, decay_ratio: float | None) -> tuple[int, int, int]:
    """(W, decay steps D, stable steps S) as `build_lr_schedulers` derives them from the schedule's total T':
    W = min(int(warmup_steps), T'); D = round(T' · decay_ratio) capped at T' − W, or T' − W without a ratio;
    S = T' + 1 − W − D: the "virtual last step" that keeps the last update's LR above the floor."""
    warmup = min(int(warmup), total)  # torchtitan warns "Warmup steps (…) exceed total steps" and clamps
    if decay_ratio is not None:
        decay = round(total * decay_ratio)  # Python's round: halves go to the even neighbour
        if warmup + decay > total:
            decay = total - warmup
    else:
        decay = total - warmup
    return warmup, decay, total + 1 - warmup - decay


def _lengths(warmup: int, total: int, decay_type: str, decay_ratio: float | None,
             total_steps: int | None) -> tuple[int, int, int]:
    """(W, D, S) of the kwargs, after the decay_type check: what both the numpy evaluation and the scalar twin use."""
    if decay_type not in DECAY_TYPES:
        raise LrcliError(f"torchtitan_wsd: decay_type {decay_type!r} is not one of {', '.join(DECAY_TYPES)} "
                         "(torchtitan's config refuses it; 0.2.1+ raise ValueError at the first decay step)")
    return wsd_lengths(warmup, total if total_steps is None else total_steps, decay_ratio)


def _no_decay_steps(step: int) -> LrcliError:
    # torchtitan asserts decay_steps != 0 in the decay branch (reached only past T' when T' < T)
    return LrcliError(f"torchtitan_wsd: 0 decay steps, but step {step} is past the stable phase: torchtitan's lambda "
                      "fails its assertion there (lr_scheduler.total_steps is smaller than training.steps); raise "
                      "total_steps or set a decay_ratio")


def torchtitan_wsd(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    decay_ratio: float | None = None,
    decay_type: str = "linear",
    min_lr_factor: float = 0.0,
    total_steps: int | None = None,
) -> Factors:
    """Warmup, stable, decay: torchtitan's `linear_warmup_stable_decay` lambda under `LambdaLR` (`lr · λ(s)`).

    With T' = `total_steps` (torchtitan ≥ 0.2.2's `lr_scheduler.total_steps`; default T = `training.steps`) and
    (W, D, S) = `wsd_lengths(warmup, T', decay_ratio)`:
    s < W: λ = float((s + 1) / W);  s < W + S: λ = 1.0;
    else p = float(s + 1 − (W + S)) / D and λ = m + (1 − m)·f(p), m = `min_lr_factor`, f = 1 − p (linear),
    1 − √p (sqrt) or 0.5·(1.0 + cos(π p)) (cosine). Past T' (T' < T) p exceeds 1 and λ keeps going: below the
    floor for linear/sqrt (negative LRs), back up for cosine, as torchtitan computes it.
    """
    warmup, decay, stable = _lengths(warmup, total, decay_type, decay_ratio, total_steps)
    warmup_stable = warmup + stable
    step = steps.astype(np.int64)
    in_decay = step >= warmup_stable
    if decay == 0 and bool(in_decay.any()):
        raise _no_decay_steps(int(step[in_decay][0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        # float(current_step / warmup_steps), current_step = s + 1: one correctly rounded division either way
        rise = (step + 1).astype(np.float64) / warmup if warmup > 0 else np.zeros(step.shape)
        # float(current_step - warmup_stable_steps) / decay_steps
        progress = (step + 1 - warmup_stable).astype(np.float64) / decay if decay else np.zeros(step.shape)
        if decay_type == "linear":
            shape = 1 - progress
        elif decay_type == "sqrt":
            shape = 1 - np.sqrt(np.where(in_decay, progress, 0.0))
        else:
            shape = 0.5 * (1.0 + np.cos(np.pi * progress))
        fall = min_lr_factor + (1 - min_lr_factor) * shape
    factor = np.where(step < warmup, rise, np.where(in_decay, fall, 1.0))
    return lr * factor


def _torchtitan_wsd_at(s: int, *, lr: float, warmup: int, total: int, decay_ratio: float | None, decay_type: str,
                       min_lr_factor: float, total_steps: int | None) -> float:
    """torchtitan's `linear_warmup_stable_decay(current_step=s, …)` in Python floats, times lr as LambdaLR
    multiplies: the scalar twin of torchtitan_wsd."""
    warmup, decay, stable = _lengths(warmup, total, decay_type, decay_ratio, total_steps)
    warmup_stable = warmup + stable
    if s < warmup:
        return lr * float((s + 1) / warmup)
    if s < warmup_stable:
        return lr * 1.0
    if decay == 0:
        raise _no_decay_steps(s)
    progress = float(s + 1 - warmup_stable) / decay
    if decay_type == "linear":
        adjustment = 1 - progress
    elif decay_type == "sqrt":
        adjustment = 1 - math.sqrt(progress)
    else:
        adjustment = 0.5 * (1.0 + math.cos(math.pi * progress))
    return lr * (min_lr_factor + (1 - min_lr_factor) * adjustment)


def _wsd_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    """The warmup's end, the decay's start and the schedule's own end T'. Past T' (T' < T) linear and sqrt keep
    falling (p > 1), cosine turns at every whole p: rows W + S − 1 + k·D."""
    schedule_total = total if p["total_steps"] is None else p["total_steps"]
    warmup, decay, stable = wsd_lengths(warmup, schedule_total, p["decay_ratio"])
    turns = periodic(warmup + stable - 1, decay, last) if p["decay_type"] == "cosine" and decay > 0 else []
    return joined([warmup, warmup + stable, schedule_total], turns)


TORCHTITAN = "torchtitan"

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    "torchtitan_wsd": Schedule(
        "torchtitan_wsd", TORCHTITAN, torchtitan_wsd,
        "torchtitan's warmup-stable-decay LambdaLR (decay_type linear/sqrt/cosine, decay_ratio, min_lr_factor)",
        breaks=_wsd_breaks, scalar=_torchtitan_wsd_at,
    ),
}
