"""axolotl's own schedules, as axolotl 0.19.0 builds them in `core/trainers/mixins/scheduler.py`
(`SchedulerMixin.create_scheduler`) from `utils/schedulers.py`.

`lr` is `learning_rate` (the optimizer's lr), `warmup` is `args.get_warmup_steps(T)` and `total` is T.
axolotl passes these schedulers none of `lr_scheduler_kwargs` (nor `num_cycles`): only the config keys below.
The LambdaLR ones return `lr · λ(s)` with λ in axolotl's float operation order; REX is an `LRScheduler`
subclass whose constructor already takes one step (see `axolotl_rex`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.types import Factors, Schedule, Steps, np

# axolotl's lambdas clamp with Python's max(0, x), which gives 0 for a NaN x: np.fmax does the same, np.maximum would
# carry the NaN (as in hf.py).


def _check_ratio(name: str, key: str, value: float) -> None:
    # create_scheduler asserts `0 <= ratio <= 1.0` before building the scheduler.
    if not 0 <= value <= 1.0:
        raise LrcliError(f"{name}: {key} must be between 0.0 and 1.0, got {value!r} (axolotl asserts it)")


def _linear_warmup(steps: Steps, warmup: int) -> Factors:
    # float(current_step) / float(max(1, num_warmup_steps))
    return steps.astype(np.float64) / float(max(1, warmup))


def _progress(steps: Steps, start: int, end: int) -> Factors:
    # float(current_step - start) / float(max(1, end - start))
    return (steps - start).astype(np.float64) / float(max(1, end - start))


def _rex_min_lr(lr: float, warmup: int, total: int, cosine_min_lr_ratio: float | None) -> float:
    """create_scheduler's `min_lr` for RexLR, with its assert and RexLR's two ValueErrors."""
    if cosine_min_lr_ratio is not None:
        _check_ratio("axolotl_rex", "cosine_min_lr_ratio", cosine_min_lr_ratio)
    if warmup > total:
        raise LrcliError(
            f"axolotl_rex: warmup ({warmup} steps) must not exceed the total ({total} steps); "
            "axolotl's RexLR raises ValueError. Use fewer warmup steps"
        )
    min_lr = 0 if cosine_min_lr_ratio is None else lr * cosine_min_lr_ratio
    if min_lr > lr:
        raise LrcliError(f"axolotl_rex: min_lr {min_lr} exceeds max_lr {lr} (RexLR raises ValueError)")
    return min_lr


def axolotl_rex(
    steps: Steps, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float | None = None
) -> Factors:
    """REX (reflected exponential) decay after a linear warmup. axolotl `lr_scheduler: rex` (`RexLR`).

    axolotl builds `RexLR(max_lr=lr, min_lr=lr·cosine_min_lr_ratio or 0, total_steps=T, num_warmup_steps=W)`.
    Its constructor passes `last_epoch=0` to torch's `LRScheduler`, which then takes its initial step, so the
    counter is already 1 at construction: row s is RexLR's value at `last_step` k = s + 1 —
    one step ahead of the HF schedules (row 0 is lr/W, the peak is row W − 1, the floor is reached at row T − 1).
    With m = min_lr / lr:  1 ≤ k ≤ W: lr·k/W;  else with a = k − W, R = T − W:
    min_lr if a ≥ R or R ≤ 0; otherwise z = (R − a mod R)/R and lr·(m + (1 − m)·z/(0.1 + 0.9z)).
    RexLR raises when W > T; axolotl asserts 0 ≤ cosine_min_lr_ratio ≤ 1.
    """
    max_lr = lr
    min_lr = _rex_min_lr(lr, warmup, total, cosine_min_lr_ratio)
    last_step = steps.astype(np.int64) + 1
    step_after = last_step - warmup
    remaining = total - warmup
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = lr * last_step.astype(np.float64) / warmup if warmup else np.zeros(steps.shape)
        mod_iter = np.mod(step_after, remaining) if remaining > 0 else step_after
        z = (remaining - mod_iter).astype(np.float64) / remaining
        rex_factor = min_lr / max_lr + (1.0 - min_lr / max_lr) * (z / (0.1 + 0.9 * z))
        decay = lr * rex_factor
    floor = (step_after >= remaining) | (step_after == -1) | (remaining <= 0)
    in_warmup = (1 <= last_step) & (last_step <= warmup)
    return np.where(in_warmup, rise, np.where(floor, float(min_lr), decay))


def axolotl_cosine_quadratic_warmup(steps: Steps, *, lr: float, warmup: int, total: int) -> Factors:
    """Quadratic warmup, then HF's half cosine to 0. axolotl `lr_quadratic_warmup: true` with `lr_scheduler: cosine`
    (`get_cosine_schedule_with_quadratic_warmup`, num_cycles left at 0.5).

    λ(s) = (s / max(1, W))² for s < W, else max(0, ½(1 + cos(π · 0.5 · 2 · p))), p = (s − W) / max(1, T − W).
    Wins over cosine_min_lr_ratio (axolotl warns and drops the floor).
    """
    num_cycles = 0.5
    rise = _linear_warmup(steps, warmup) ** 2
    decay = np.fmax(0.0, 0.5 * (1.0 + np.cos(math.pi * float(num_cycles) * 2.0 * _progress(steps, warmup, total))))
    return lr * np.where(steps < warmup, rise, decay)


def axolotl_cosine_min_lr(steps: Steps, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float) -> Factors:
    """Linear warmup, then cosine to lr·r. axolotl `cosine_min_lr_ratio: r` with `lr_scheduler: cosine`
    (`get_cosine_schedule_with_min_lr`).

    λ(s) = s / max(1, W) for s < W, else (1 − r)·½(1 + cos(π p)) + r, p = (s − W) / max(1, T − W), not clamped.
    axolotl picks it only for a truthy r (r = 0 falls through to HF cosine) and asserts 0 ≤ r ≤ 1.
    """
    ratio = cosine_min_lr_ratio
    _check_ratio("axolotl_cosine_min_lr", "cosine_min_lr_ratio", ratio)
    scaling = 0.5 * (1.0 + np.cos(math.pi * _progress(steps, warmup, total)))
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), (1 - ratio) * scaling + ratio)


def _check_constant_ratios(cosine_min_lr_ratio: float, cosine_constant_lr_ratio: float) -> None:
    _check_ratio("axolotl_cosine_min_lr_constant", "cosine_min_lr_ratio", cosine_min_lr_ratio)
    _check_ratio("axolotl_cosine_min_lr_constant", "cosine_constant_lr_ratio", cosine_constant_lr_ratio)


def axolotl_cosine_min_lr_constant(
    steps: Steps, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float, cosine_constant_lr_ratio: float
) -> Factors:
    """Linear warmup, cosine to lr·r by step C = int(T·c), then constant lr·r. axolotl `cosine_min_lr_ratio: r` and
    `cosine_constant_lr_ratio: c` with `lr_scheduler: cosine` (`get_cosine_schedule_with_warmup_decay_constant`).

    λ(s) = s / max(1, W) for s < W, else max(0, (1 − r)·½(1 + cos(π · 0.5 · 2 · p))) + r,
    p = (min(s, C) − W) / max(1, C − W). axolotl picks it only when both ratios are truthy and asserts both in [0, 1].
    """
    _check_constant_ratios(cosine_min_lr_ratio, cosine_constant_lr_ratio)
    num_cycles = 0.5
    constant_start = int(total * cosine_constant_lr_ratio)
    progress = _progress(np.minimum(steps, constant_start), warmup, constant_start)
    ratio = cosine_min_lr_ratio
    decay = np.fmax(0, (1 - ratio) * 0.5 * (1.0 + np.cos(math.pi * float(num_cycles) * 2.0 * progress))) + ratio
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), decay)


# ---- scalar twins (Schedule.scalar, lrcli/curve_facts.py): axolotl's own lambdas (times lr, as LambdaLR
# multiplies) and RexLR.get_lr, in Python floats ----


def _warmup_at(s: int, warmup: int) -> float:
    return float(s) / float(max(1, warmup))


def _axolotl_rex_at(s: int, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float | None) -> float:
    """RexLR.get_lr at last_step k = s + 1 (its constructor has taken the first step), max_lr = base lr = lr."""
    min_lr = _rex_min_lr(lr, warmup, total, cosine_min_lr_ratio)
    max_lr = lr
    last_step = s + 1
    if 1 <= last_step <= warmup:
        return lr * last_step / warmup
    step_after = last_step - warmup
    remaining_steps = total - warmup
    if step_after >= remaining_steps or step_after == -1 or remaining_steps <= 0:
        return min_lr
    mod_iter = step_after % remaining_steps
    z = (remaining_steps - mod_iter) / remaining_steps
    rex_factor = min_lr / max_lr + (1.0 - min_lr / max_lr) * (z / (0.1 + 0.9 * z))
    return lr * rex_factor


def _axolotl_cosine_quadratic_warmup_at(s: int, *, lr: float, warmup: int, total: int) -> float:
    """_get_cosine_schedule_with_quadratic_warmup_lr_lambda, num_cycles 0.5."""
    num_cycles = 0.5
    if s < warmup:
        return lr * _warmup_at(s, warmup) ** 2
    progress = float(s - warmup) / float(max(1, total - warmup))
    return lr * max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def _axolotl_cosine_min_lr_at(s: int, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float) -> float:
    """_get_cosine_schedule_with_min_lr_lambda."""
    _check_ratio("axolotl_cosine_min_lr", "cosine_min_lr_ratio", cosine_min_lr_ratio)
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    progress = float(s - warmup) / float(max(1, total - warmup))
    scaling = 0.5 * (1.0 + math.cos(math.pi * progress))
    return lr * ((1 - cosine_min_lr_ratio) * scaling + cosine_min_lr_ratio)


def _axolotl_cosine_min_lr_constant_at(s: int, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float,
                                       cosine_constant_lr_ratio: float) -> float:
    """_get_cosine_schedule_with_warmup_decay_constant_lr_lambda, num_cycles 0.5."""
    _check_constant_ratios(cosine_min_lr_ratio, cosine_constant_lr_ratio)
    num_cycles, ratio = 0.5, cosine_min_lr_ratio
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    num_constant_steps = int(total * cosine_constant_lr_ratio)
    current_step = min(s, num_constant_steps)
    progress = float(current_step - warmup) / float(max(1, num_constant_steps - warmup))
    return lr * (max(0, (1 - ratio) * 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))) + ratio)


# ---- where each curve turns (schedules/pieces.py) ----


def _warmup_end(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float]:
    return [warmup, total]  # REX is one step ahead: `near` covers W − 1 and T − 1 too


def _constant_tail(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float]:
    return [warmup, int(total * p["cosine_constant_lr_ratio"]), total]


AXOLOTL = "axolotl"

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    "axolotl_rex": Schedule(
        "axolotl_rex", AXOLOTL, axolotl_rex, "REX: linear warmup, then reflected-exponential decay (one step ahead)",
        breaks=_warmup_end,
    ),
    "axolotl_cosine_quadratic_warmup": Schedule(
        "axolotl_cosine_quadratic_warmup",
        AXOLOTL,
        axolotl_cosine_quadratic_warmup,
        "quadratic warmup, then HF cosine (lr_quadratic_warmup)",
        breaks=_warmup_end,
    ),
    "axolotl_cosine_min_lr": Schedule(
        "axolotl_cosine_min_lr", AXOLOTL, axolotl_cosine_min_lr, "linear warmup, then cosine to lr·cosine_min_lr_ratio",
        breaks=_warmup_end,
    ),
    "axolotl_cosine_min_lr_constant": Schedule(
        "axolotl_cosine_min_lr_constant",
        AXOLOTL,
        axolotl_cosine_min_lr_constant,
        "linear warmup, cosine to lr·cosine_min_lr_ratio by T·cosine_constant_lr_ratio, then constant",
        breaks=_constant_tail,
    ),
}
SCHEDULES = {name: replace(schedule, scalar=globals()[f"_{name}_at"]) for name, schedule in SCHEDULES.items()}
