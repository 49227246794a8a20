"""verl's own schedules (`verl/utils/torch_functional.py`), as its FSDP workers build them for the actor, the critic
and the SFT trainer, in verl 0.5.0, 0.7.1, 0.8.0 and 0.9.1 (0.7+ share `verl_cosine`).

Each returns `lr · λ(s)` (`LambdaLR`) with λ in verl's float operation order. `warmup` is the W the planner
(lrcli.steps.verl) computed as verl does (`lr_warmup_steps`, else `int(ratio · T)`), `total` is the optimizer's
`total_training_steps`.
"""

from __future__ import annotations

import math
from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.pieces import cos_extrema, joined
from lrcli.schedules.types import Factors, Schedule, Steps, np

VERL = "verl"


def _ratio(name: str, key: str, value: float | None) -> float:
    # get_cosine_schedule_with_warmup reads None as 0.0, then asserts `x >= 0 and x <= 1.0` before building the
    # LambdaLR: the numpy evaluation and the scalar twin both take the ratio from here.
    value = 0.0 if value is None else value
    if not 0 <= value <= 1.0:
        raise LrcliError(f"{name}: {key} must be between 0 and 1, got {value!r} (verl asserts it); fix optim.{key}")
    return value


def _math_cos_refusal(name: str) -> LrcliError:
    return LrcliError(f"{name}: math.cos raises ValueError (math domain error): num_cycles is too large")


def _wsd_phases(warmup: int, total: int, stable_ratio: float) -> tuple[int, int]:
    """(stable steps S, decay steps D) as get_wsd_schedule_with_warmup derives them: R = max(0, T − W),
    S = int(R · stable_ratio), D = R − S."""
    remaining = max(0, total - warmup)
    stable = int(remaining * stable_ratio)
    return stable, remaining - stable


def _cosine_tail(name: str, steps: Steps, warmup: int, total: int, min_lr_ratio: float, num_cycles: float) -> Factors:
    # progress = float(s − W) / float(max(1, T − W)); x = math.cos(math.pi · float(num_cycles) · 2.0 · progress);
    # max(min_lr_ratio, x · coef + intercept), coef = (1 − m) · 0.5, intercept = (1 + m) · 0.5.
    coef = (1 - min_lr_ratio) * 0.5
    intercept = (1 + min_lr_ratio) * 0.5
    progress = (steps - warmup).astype(np.float64) / float(max(1, total - warmup))
    angle = np.pi * float(num_cycles) * 2.0 * progress
    if np.isinf(angle[steps >= warmup]).any():
        raise _math_cos_refusal(name)
    # Python's max(min_lr_ratio, x) keeps min_lr_ratio against a NaN, as np.fmax does
    return np.fmax(min_lr_ratio, np.cos(angle) * coef + intercept)


def verl_cosine(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    min_lr_ratio: float | None = 0.0,
    num_cycles: float = 0.5,
    init_lr_ratio: float | None = None,
    zero_indexed_step: bool = True,
) -> Factors:
    """Linear warmup from lr·init_lr_ratio, then cosine to lr·min_lr_ratio. verl ≥ 0.6 `lr_scheduler_type: cosine`
    (verl/utils/torch_functional.py `get_cosine_schedule_with_warmup`, verl 0.9.1).

    k = s (s + 1 with zero_indexed_step false); k < W: i + (1 − i)·k / max(1, W) (i = init_lr_ratio or 0);
    else max(m, cos(2π · num_cycles · p)·(1 − m)/2 + (1 + m)/2), p = (k − W) / max(1, T − W), m = min_lr_ratio or 0.
    Not clamped past T. The FSDP engine never passes init_lr_ratio (so warmup starts at 0).
    """
    m = _ratio("verl_cosine", "min_lr_ratio", min_lr_ratio)
    init = _ratio("verl_cosine", "init_lr_ratio", init_lr_ratio)
    k = steps if zero_indexed_step else steps + 1
    rise = init + (1.0 - init) * (k.astype(np.float64) / float(max(1, warmup)))
    return lr * np.where(k < warmup, rise, _cosine_tail("verl_cosine", k, warmup, total, m, num_cycles))


def verl_cosine_0_5(
    steps: Steps, *, lr: float, warmup: int, total: int, min_lr_ratio: float | None = 0.0, num_cycles: float = 0.5
) -> Factors:
    """Linear warmup from lr·min_lr_ratio, then cosine to lr·min_lr_ratio. verl 0.5 `warmup_style: cosine`
    (verl/utils/torch_functional.py `get_cosine_schedule_with_warmup`, verl 0.5.0).

    s < W: m + (1 − m)·s / max(1, W); else max(m, cos(2π · num_cycles · p)·(1 − m)/2 + (1 + m)/2),
    p = (s − W) / max(1, T − W). verl 0.6 changed the warmup to start at init_lr_ratio (0) instead of m.
    """
    m = _ratio("verl_cosine_0_5", "min_lr_ratio", min_lr_ratio)
    rise = m + (1.0 - m) * (steps.astype(np.float64) / float(max(1, warmup)))
    return lr * np.where(steps < warmup, rise, _cosine_tail("verl_cosine_0_5", steps, warmup, total, m, num_cycles))


def verl_constant(steps: Steps, *, lr: float, warmup: int, total: int) -> Factors:
    """Linear warmup, then constant. verl `lr_scheduler_type`/`warmup_style: constant` (verl/utils/torch_functional.py
    `get_constant_schedule_with_warmup`, verl 0.5.0 and 0.9.1).

    λ(s) = s / max(1.0, W) for s < W, else 1
    """
    rise = steps.astype(np.float64) / float(max(1.0, warmup))
    return lr * np.where(steps < warmup, rise, 1.0)


def verl_wsd(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    min_lr_ratio: float = 0.0,
    num_cycles: float = 0.5,
    stable_ratio: float = 0.9,
) -> Factors:
    """Warmup, stable, cosine decay. verl 0.5 SFT `optim.lr_scheduler: wsd` (verl/utils/torch_functional.py
    `get_wsd_schedule_with_warmup`, verl 0.5.0; the SFT trainer passes only W and T).

    R = max(0, T − W), S = int(R · stable_ratio), D = R − S; s < W: s / max(1, W); s < W + S: 1;
    s < T: (1 − m)·max(0, ½(1 + cos(2π · num_cycles · (s − W − S) / max(1, D)))) + m; else m.
    """
    stable, decay_steps = _wsd_phases(warmup, total, stable_ratio)
    # verl's Python ints take any stable_ratio (a huge one keeps the LR at its peak, past T too); numpy's int64
    # would overflow: a stable phase that ends after the last row asked for ends there, which changes no row
    stable_end = min(warmup + stable, int(np.max(steps, initial=0)) + 1)
    x = steps.astype(np.float64)
    rise = x / float(max(1, warmup))
    progress = (steps - stable_end).astype(np.float64) / float(max(1, decay_steps))  # float(s − W − S) / …
    angle = np.pi * float(num_cycles) * 2.0 * progress
    if np.isinf(angle[(steps >= stable_end) & (steps < total)]).any():  # the rows whose branch calls math.cos
        raise _math_cos_refusal("verl_wsd")
    value = np.fmax(0.0, 0.5 * (1.0 + np.cos(angle)))  # Python's max(0.0, x): 0.0 against a NaN
    tail = (1.0 - min_lr_ratio) * value + min_lr_ratio
    factor = np.where(
        steps < warmup, rise, np.where(steps < stable_end, 1.0, np.where(steps < total, tail, min_lr_ratio))
    )
    return lr * factor


# The scalar twins (Schedule.scalar): each lambda of verl/utils/torch_functional.py at one step, in Python floats and
# verl's operation order, times lr as LambdaLR multiplies.


def _cosine_tail_at(k: int, warmup: int, total: int, m: float, num_cycles: float) -> float:
    # get_cosine_schedule_with_warmup's lambda past the warmup (every release)
    coef = (1 - m) * 0.5
    intercept = (1 + m) * 0.5
    progress = float(k - warmup) / float(max(1, total - warmup))
    x = math.cos(math.pi * float(num_cycles) * 2.0 * progress)
    return max(m, x * coef + intercept)


def _verl_cosine_at(s: int, *, lr: float, warmup: int, total: int, min_lr_ratio: float | None, num_cycles: float,
                    init_lr_ratio: float | None, zero_indexed_step: bool) -> float:
    """get_cosine_schedule_with_warmup's lr_lambda (verl 0.9.1) at step s."""
    m = _ratio("verl_cosine", "min_lr_ratio", min_lr_ratio)
    init = _ratio("verl_cosine", "init_lr_ratio", init_lr_ratio)
    k = s if zero_indexed_step else s + 1
    if k < warmup:
        return lr * (init + (1.0 - init) * (float(k) / float(max(1, warmup))))
    return lr * _cosine_tail_at(k, warmup, total, m, num_cycles)


def _verl_cosine_0_5_at(s: int, *, lr: float, warmup: int, total: int, min_lr_ratio: float | None,
                        num_cycles: float) -> float:
    """get_cosine_schedule_with_warmup's lr_lambda (verl 0.5.0) at step s."""
    m = _ratio("verl_cosine_0_5", "min_lr_ratio", min_lr_ratio)
    if s < warmup:
        return lr * (m + (1.0 - m) * (float(s) / float(max(1, warmup))))
    return lr * _cosine_tail_at(s, warmup, total, m, num_cycles)


def _verl_constant_at(s: int, *, lr: float, warmup: int, total: int) -> float:
    """get_constant_schedule_with_warmup's lr_lambda at step s."""
    if s < warmup:
        return lr * (float(s) / float(max(1.0, warmup)))
    return lr * 1.0


def _verl_wsd_at(s: int, *, lr: float, warmup: int, total: int, min_lr_ratio: float, num_cycles: float,
                 stable_ratio: float) -> float:
    """get_wsd_schedule_with_warmup's lr_lambda (verl 0.5.0) at step s."""
    stable, decay_steps = _wsd_phases(warmup, total, stable_ratio)
    if s < warmup:
        return lr * (float(s) / float(max(1, warmup)))
    if s < warmup + stable:
        return lr * 1.0
    if s < total:
        progress = float(s - warmup - stable) / float(max(1, decay_steps))
        value = max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
        return lr * ((1.0 - min_lr_ratio) * value + min_lr_ratio)
    return lr * min_lr_ratio


# Where each turns (schedules/pieces.py): the warmup's end, the cosine's crests and troughs (every
# max(1, T − W) / (2·num_cycles) steps after W, not clamped past T), WSD's stable end and T.


def _cosine_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    shift = 0 if p.get("zero_indexed_step", True) else -1  # k = s + 1: the turns come one row earlier
    extrema = cos_extrema(warmup + shift, max(1, total - warmup), float(p["num_cycles"]), last)
    return joined([warmup + shift], extrema)


def _warmup_end(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float]:
    return [warmup]


def _wsd_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    stable, decay_steps = _wsd_phases(warmup, total, p["stable_ratio"])
    extrema = cos_extrema(warmup + stable, max(1, decay_steps), float(p["num_cycles"]), last)
    return joined([warmup, warmup + stable, total], extrema)


SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    "verl_cosine": Schedule(
        "verl_cosine", VERL, verl_cosine, "verl ≥ 0.6: warmup from init_lr_ratio, cosine to lr·min_lr_ratio",
        breaks=_cosine_breaks, scalar=_verl_cosine_at,
    ),
    "verl_cosine_0_5": Schedule(
        "verl_cosine_0_5", VERL, verl_cosine_0_5, "verl 0.5: warmup from lr·min_lr_ratio, cosine to lr·min_lr_ratio",
        breaks=_cosine_breaks, scalar=_verl_cosine_0_5_at,
    ),
    "verl_constant": Schedule("verl_constant", VERL, verl_constant, "verl: linear warmup, then constant",
                              breaks=_warmup_end, scalar=_verl_constant_at),
    "verl_wsd": Schedule("verl_wsd", VERL, verl_wsd, "verl 0.5 SFT: warmup, stable 90 % of the rest, cosine decay",
                         breaks=_wsd_breaks, scalar=_verl_wsd_at),
}
