"""Hugging Face transformers schedules (`lr_scheduler_type`), as of transformers 5.25.0 `optimization.py` (unchanged since 5.24.0).

Each function returns the LR after `s` scheduler steps for every `s` in `steps`, computed as
`LambdaLR` does: `lr * λ(s)`, with λ evaluated in the same float operation order as the
transformers lambda so the values agree to the last bit or two.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.pieces import cos_extrema, joined, periodic
from lrcli.schedules.types import Factors, Schedule, Steps, np

# transformers clamps with Python's max(0.0, x), which returns 0.0 for a NaN x (a NaN never compares greater):
# np.fmax(0.0, x) does the same; np.maximum would carry the NaN into a refusal the run never meets.


def _linear_warmup(steps: Steps, warmup: int) -> Factors:
    # float(s) / float(max(1, W)), the warmup shared by every HF lambda but WSD and cosine_warmup_with_min_lr.
    return steps.astype(np.float64) / float(max(1, warmup))


def _progress(steps: Steps, warmup: int, total: int) -> Factors:
    progress = (steps - warmup).astype(np.float64)
    progress /= float(max(1, total - warmup))  # in place: a long curve's time is in its passes over memory
    return progress


def _math_cos(name: str, angle: Factors, used: Any) -> Factors:
    """np.cos where transformers calls math.cos: math.cos raises ValueError (math domain error) for an infinite
    angle (a huge num_cycles), where np.cos returns nan; rows whose branch the lambda does not take (`used()`: the
    mask of the rows that take it, built only when an angle is infinite) are skipped."""
    if np.isinf(angle).any():
        bad = np.flatnonzero(np.isinf(angle) & used())
        if bad.size:
            raise LrcliError(
                f"{name}: transformers raises ValueError (math domain error) at step {int(bad[0])}: the angle of "
                "its math.cos is infinite (num_cycles is too large); use a smaller num_cycles"
            )
    return np.cos(angle)


def _cosine_decay(steps: Steps, warmup: int, total: int, num_cycles: float, name: str) -> Factors:
    # 0.5 * (1 + cos(π · c · 2 · p)), multiplied left to right as transformers does (the scalars first, as Python
    # does; x · y = y · x exactly, so the in-place products give the same bits).
    angle = _progress(steps, warmup, total)
    angle *= np.pi * float(num_cycles) * 2.0
    decay = _math_cos(name, angle, lambda: steps >= warmup)
    decay += 1.0
    decay *= 0.5
    return decay


def _with_warmup(lr: float, steps: Steps, warmup: int, decay: Factors) -> Factors:
    """lr · (s / max(1, W) for s < W, else `decay`), written into `decay` (the caller's own array)."""
    warm = steps < warmup
    if warm.any():
        decay[warm] = _linear_warmup(steps[warm], warmup)
    decay *= lr
    return decay


def constant(steps: Steps, *, lr: float, warmup: int, total: int) -> Factors:
    """Constant LR; warmup is ignored. HF `constant` (get_constant_schedule).

    λ(s) = 1
    """
    return lr * np.ones(steps.shape, dtype=np.float64)


def constant_with_warmup(steps: Steps, *, lr: float, warmup: int, total: int) -> Factors:
    """Linear warmup, then constant. HF `constant_with_warmup` (get_constant_schedule_with_warmup).

    λ(s) = s / max(1, W) for s < W, else 1
    """
    factor = steps.astype(np.float64) / float(max(1.0, warmup))
    return lr * np.where(steps < warmup, factor, 1.0)


def linear(steps: Steps, *, lr: float, warmup: int, total: int) -> Factors:
    """Linear warmup, then linear decay to 0 at T. HF `linear` (get_linear_schedule_with_warmup).

    λ(s) = s / max(1, W) for s < W, else max(0, (T − s) / max(1, T − W))
    """
    decay = np.fmax(0.0, (total - steps).astype(np.float64) / float(max(1, total - warmup)))
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), decay)


def cosine(steps: Steps, *, lr: float, warmup: int, total: int, num_cycles: float = 0.5) -> Factors:
    """Linear warmup, then cosine decay. HF `cosine` (get_cosine_schedule_with_warmup).

    λ(s) = s / max(1, W) for s < W, else max(0, ½(1 + cos(2π · num_cycles · p))), p = (s − W) / max(1, T − W).
    Not clamped at p > 1: past T the curve climbs back up.
    """
    decay = _cosine_decay(steps, warmup, total, num_cycles, "cosine")
    return _with_warmup(lr, steps, warmup, np.fmax(0.0, decay, out=decay))


def cosine_with_restarts(steps: Steps, *, lr: float, warmup: int, total: int, num_cycles: float = 1) -> Factors:
    """Linear warmup, then `num_cycles` cosine decays with hard restarts.

    HF `cosine_with_restarts` (get_cosine_with_hard_restarts_schedule_with_warmup).
    λ(s) = s / max(1, W) for s < W; 0 for p ≥ 1; else max(0, ½(1 + cos(π · ((num_cycles · p) mod 1))))
    """
    progress = _progress(steps, warmup, total)
    decay = np.fmax(0.0, 0.5 * (1.0 + np.cos(np.pi * np.mod(float(num_cycles) * progress, 1.0))))
    decay = np.where(progress >= 1.0, 0.0, decay)
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), decay)


def polynomial(
    steps: Steps, *, lr: float, warmup: int, total: int, lr_end: float = 1e-7, power: float = 1.0
) -> Factors:
    """Linear warmup, then polynomial decay from lr to lr_end. HF `polynomial` (get_polynomial_decay_schedule_with_warmup).

    λ(s) = s / max(1, W) for s < W; lr_end / lr for s > T; else ((lr − lr_end)(1 − (s − W)/(T − W))^power + lr_end) / lr
    """
    if not lr > lr_end:
        raise LrcliError(
            f"polynomial: lr_end ({lr_end}) must be smaller than the initial lr ({lr}), as transformers requires"
        )
    decay_steps = total - warmup
    in_decay = (steps >= warmup) & (steps <= total)
    if decay_steps == 0 and bool(np.any(in_decay)):
        raise LrcliError(
            f"polynomial with warmup = total = {total} divides by zero in transformers (T − W = 0); "
            "use fewer warmup steps"
        )
    pct_remaining = 1 - (steps - warmup) / (decay_steps if decay_steps else 1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        powered = pct_remaining**power
    # Python's float ** raises where numpy returns inf: 0.0 to a negative power, and a finite result too large;
    # transformers fails at the first step that does either.
    failures = {
        "ZeroDivisionError (0.0 cannot be raised to a negative power)": (pct_remaining == 0) & (power < 0),
        "OverflowError ((34, 'Numerical result out of range'))": np.isinf(powered) & np.isfinite(pct_remaining),
    }
    first = {error: np.flatnonzero(failed & in_decay) for error, failed in failures.items()}
    first = {error: int(steps[bad[0]]) for error, bad in first.items() if bad.size}
    if first:
        error, step = min(first.items(), key=lambda item: item[1])
        raise LrcliError(f"polynomial with power {power!r}: transformers raises {error} at step {step}; "
                         "use a power closer to 1")
    with np.errstate(invalid="ignore"):
        decay = ((lr - lr_end) * powered + lr_end) / lr
    factor = np.where(steps > total, lr_end / lr, decay)
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), factor)


def inverse_sqrt(steps: Steps, *, lr: float, warmup: int, total: int, timescale: float | None = None) -> Factors:
    """Linear warmup, then inverse square root decay. HF `inverse_sqrt` (get_inverse_sqrt_schedule).

    λ(s) = s / max(1, W) for s < W, else 1 / √((s + τ − W) / τ), τ = timescale or (W or 10 000)
    """
    tau = _timescale(timescale, warmup)
    shift = tau - warmup
    with np.errstate(invalid="ignore", divide="ignore"):
        decay = 1.0 / np.sqrt((steps + shift) / tau)
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), decay)


def _timescale(timescale: float | None, warmup: int) -> float:
    # get_inverse_sqrt_schedule: `timescale = num_warmup_steps or 10_000` when not given.
    tau = timescale if timescale is not None else (warmup or 10_000)
    if tau <= 0:
        raise LrcliError(f"inverse_sqrt: timescale must be > 0, got {tau} (transformers divides by it)")
    return tau


def _min_lr_rate(lr: float, min_lr: float | None, min_lr_rate: float | None, name: str) -> float:
    if min_lr is not None and min_lr_rate is not None:
        raise LrcliError(f"{name}: give only one of min_lr or min_lr_rate, not both (transformers refuses both)")
    if min_lr is not None:
        return min_lr / lr
    if min_lr_rate is None:
        raise LrcliError(f"{name} needs min_lr or min_lr_rate, e.g. --kw min_lr_rate=0.1")
    return min_lr_rate


def cosine_with_min_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Factors:
    """Linear warmup, then cosine decay to a floor m. HF `cosine_with_min_lr` (get_cosine_with_min_lr_schedule_with_warmup).

    λ(s) = s / max(1, W) for s < W, else max(0, ½(1 + cos(2π · num_cycles · p)) · (1 − m) + m),
    m = min_lr_rate or min_lr / lr (exactly one of them)
    """
    rate = _min_lr_rate(lr, min_lr, min_lr_rate, "cosine_with_min_lr")
    decay = np.fmax(0, _cosine_decay(steps, warmup, total, num_cycles, "cosine_with_min_lr") * (1 - rate) + rate)
    return lr * np.where(steps < warmup, _linear_warmup(steps, warmup), decay)


def cosine_warmup_with_min_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Factors:
    """Warmup that starts above 0, then cosine decay to a floor m, shifted one step earlier than `cosine_with_min_lr`.

    HF `cosine_warmup_with_min_lr` (get_cosine_with_min_lr_schedule_with_warmup_lr_rate).
    λ(s) = (s + 1) / max(1, W) for s < W (or r + (1 − r) · s / max(1, W − 1) with warmup_lr_rate r);
    else max(0, ½(1 + cos(2π · num_cycles · p′)) · (1 − m) + m), p′ = (s − W + 1) / max(1, T − W)
    """
    rate = _min_lr_rate(lr, min_lr, min_lr_rate, "cosine_warmup_with_min_lr")
    s = steps.astype(np.float64)
    w = float(warmup)
    if warmup_lr_rate is None:
        rise = (s + 1.0) / max(1.0, w)
    else:
        r = float(warmup_lr_rate)
        rise = r + (1.0 - r) * s / max(1, w - 1)
    progress = (s - w + 1.0) / max(1.0, float(total) - w)
    cos = _math_cos("cosine_warmup_with_min_lr", np.pi * num_cycles * 2.0 * progress, lambda: s >= w)
    decay = np.fmax(0, (0.5 * (1.0 + cos)) * (1 - rate) + rate)
    return lr * np.where(s < w, rise, decay)


_WSD_SHAPES = ("linear", "cosine", "1-sqrt")


def _wsd_stable(warmup_type: str, decay_type: str, num_stable_steps: int | None, warmup: int, total: int,
                num_decay_steps: int) -> int:
    """get_wsd_schedule's checks of the shapes, and S = num_stable_steps or T − W − D."""
    for kind, value in (("warmup_type", warmup_type), ("decay_type", decay_type)):
        if value not in _WSD_SHAPES:
            raise LrcliError(f"warmup_stable_decay: unknown {kind} {value!r}; expected 'linear', 'cosine' or '1-sqrt'")
    return num_stable_steps if num_stable_steps is not None else total - warmup - num_decay_steps


def warmup_stable_decay(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    num_decay_steps: int,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
) -> Factors:
    """Warmup from m, stable at 1, decay to m over D steps, then m. HF `warmup_stable_decay` (get_wsd_schedule, 4.49+).

    S = num_stable_steps or T − W − D. With m = min_lr_ratio:
    s < W: max(0, g(s / max(1, W)) · (1 − m) + m), g = linear p | cosine ½(1 − cos πp) | 1-sqrt 1 − √(1 − p);
    s < W + S: 1;  s < W + S + D: max(0, h(q) · (1 − m) + m), q = (s − W − S) / max(1, D),
    h = linear 1 − q | cosine ½(1 + cos(2π · num_cycles · q)) | 1-sqrt 1 − √q;  after: m
    """
    stable = _wsd_stable(warmup_type, decay_type, num_stable_steps, warmup, total, num_decay_steps)
    s = steps.astype(np.float64)
    with np.errstate(invalid="ignore"):
        p = s / float(max(1, warmup))
        rise = {"linear": p, "cosine": 0.5 * (1.0 - np.cos(np.pi * p)), "1-sqrt": 1.0 - np.sqrt(1.0 - p)}[warmup_type]
        q = (steps - warmup - stable).astype(np.float64) / float(max(1, num_decay_steps))
        fall = {
            "linear": 1.0 - q,
            "cosine": 0.5 * (1.0 + _math_cos(
                "warmup_stable_decay", np.pi * float(num_cycles) * 2.0 * q,
                lambda: (steps >= warmup + stable) & (steps < warmup + stable + num_decay_steps),
            )) if decay_type == "cosine" else None,
            "1-sqrt": 1.0 - np.sqrt(q),
        }[decay_type]
    factor = np.select(
        [steps < warmup, steps < warmup + stable, steps < warmup + stable + num_decay_steps],
        [
            np.fmax(0.0, rise * (1.0 - min_lr_ratio) + min_lr_ratio),
            1.0,
            np.fmax(0.0, fall * (1.0 - min_lr_ratio) + min_lr_ratio),
        ],
        default=min_lr_ratio,
    )
    return lr * factor


# ---- where each curve turns (schedules/pieces.py): warmup end, T, cosine crests and troughs, restarts ----


def _warmup_end(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float]:
    return [warmup, total]


def _cosine_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    return joined([warmup, total], cos_extrema(warmup, max(1, total - warmup), float(p["num_cycles"]), last))


def _restart_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    cycles = abs(float(p["num_cycles"]))
    restarts = periodic(warmup, max(1, total - warmup) / cycles, last) if cycles else []
    return joined([warmup, total], restarts)


def _shifted_cosine_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    extrema = cos_extrema(warmup - 1, max(1.0, float(total) - warmup), float(p["num_cycles"]), last)
    return joined([warmup, total], extrema)


def _wsd_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    decay = p["num_decay_steps"]
    stable = p["num_stable_steps"] if p["num_stable_steps"] is not None else total - warmup - decay
    extrema = cos_extrema(warmup + stable, max(1, decay), float(p["num_cycles"]), last) if p["decay_type"] == "cosine" else []
    return joined([warmup, warmup + stable, warmup + stable + decay, total], extrema)


def _no_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float]:
    return []


# ---- scalar twins (Schedule.scalar, lrcli/curve_facts.py): transformers' own lr lambdas, in Python floats, times lr
# as LambdaLR multiplies; they may raise where transformers raises (math.cos of an infinite angle, 0.0 ** −p) ----


def _warmup_at(s: int, warmup: int) -> float:
    return float(s) / float(max(1, warmup))


def _constant_at(s: int, *, lr: float, warmup: int, total: int) -> float:
    return lr * 1


def _constant_with_warmup_at(s: int, *, lr: float, warmup: int, total: int) -> float:
    return lr * (float(s) / float(max(1.0, warmup)) if s < warmup else 1.0)


def _linear_at(s: int, *, lr: float, warmup: int, total: int) -> float:
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    return lr * max(0.0, float(total - s) / float(max(1, total - warmup)))


def _cosine_at(s: int, *, lr: float, warmup: int, total: int, num_cycles: float) -> float:
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    progress = float(s - warmup) / float(max(1, total - warmup))
    return lr * max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def _cosine_with_restarts_at(s: int, *, lr: float, warmup: int, total: int, num_cycles: float) -> float:
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    progress = float(s - warmup) / float(max(1, total - warmup))
    if progress >= 1.0:
        return lr * 0.0
    return lr * max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _polynomial_at(s: int, *, lr: float, warmup: int, total: int, lr_end: float, power: float) -> float:
    if not lr > lr_end:
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr})")  # get_polynomial_decay_…
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    if s > total:
        return lr * (lr_end / lr)
    pct_remaining = 1 - (s - warmup) / (total - warmup)
    return lr * (((lr - lr_end) * pct_remaining**power + lr_end) / lr)


def _inverse_sqrt_at(s: int, *, lr: float, warmup: int, total: int, timescale: float | None) -> float:
    tau = _timescale(timescale, warmup)
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    return lr * (1.0 / math.sqrt((s + (tau - warmup)) / tau))


def _cosine_with_min_lr_at(s: int, *, lr: float, warmup: int, total: int, num_cycles: float, min_lr: float | None,
                           min_lr_rate: float | None) -> float:
    rate = _min_lr_rate(lr, min_lr, min_lr_rate, "cosine_with_min_lr")
    if s < warmup:
        return lr * _warmup_at(s, warmup)
    progress = float(s - warmup) / float(max(1, total - warmup))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    return lr * max(0, factor * (1 - rate) + rate)


def _cosine_warmup_with_min_lr_at(s: int, *, lr: float, warmup: int, total: int, num_cycles: float,
                                  min_lr: float | None, min_lr_rate: float | None,
                                  warmup_lr_rate: float | None) -> float:
    rate = _min_lr_rate(lr, min_lr, min_lr_rate, "cosine_warmup_with_min_lr")
    step, w, t = float(s), float(warmup), float(total)
    if step < w:
        if warmup_lr_rate is None:
            return lr * ((step + 1.0) / max(1.0, w))
        r = float(warmup_lr_rate)
        return lr * (r + (1.0 - r) * step / max(1, w - 1))
    progress = (step - w + 1.0) / max(1.0, t - w)
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    return lr * max(0, factor * (1 - rate) + rate)


def _warmup_stable_decay_at(s: int, *, lr: float, warmup: int, total: int, num_decay_steps: int,
                            num_stable_steps: int | None, warmup_type: str, decay_type: str, min_lr_ratio: float,
                            num_cycles: float) -> float:
    stable = _wsd_stable(warmup_type, decay_type, num_stable_steps, warmup, total, num_decay_steps)
    m = min_lr_ratio
    if s < warmup:
        p = float(s) / float(max(1, warmup))
        rise = {"linear": lambda: p, "cosine": lambda: 0.5 * (1.0 - math.cos(math.pi * p)),
                "1-sqrt": lambda: 1.0 - math.sqrt(1.0 - p)}[warmup_type]()
        return lr * max(0.0, rise * (1.0 - m) + m)
    if s < warmup + stable:
        return lr * 1.0
    if s < warmup + stable + num_decay_steps:
        q = float(s - warmup - stable) / float(max(1, num_decay_steps))
        fall = {"linear": lambda: 1.0 - q, "cosine": lambda: 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * q)),
                "1-sqrt": lambda: 1.0 - math.sqrt(q)}[decay_type]()
        return lr * max(0.0, fall * (1.0 - m) + m)
    return lr * m


SCALAR_TWINS = {  # Schedule.scalar of each: transformers' own lambda, times lr
    "linear": _linear_at, "cosine": _cosine_at, "cosine_with_restarts": _cosine_with_restarts_at,
    "polynomial": _polynomial_at, "constant": _constant_at, "constant_with_warmup": _constant_with_warmup_at,
    "inverse_sqrt": _inverse_sqrt_at, "cosine_with_min_lr": _cosine_with_min_lr_at,
    "cosine_warmup_with_min_lr": _cosine_warmup_with_min_lr_at, "warmup_stable_decay": _warmup_stable_decay_at,
}

HF = "Hugging Face transformers"

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    "linear": Schedule("linear", HF, linear, "linear warmup, then linear decay to 0 at T", breaks=_warmup_end),
    "cosine": Schedule("cosine", HF, cosine, "linear warmup, then half-cosine decay to 0 at T", breaks=_cosine_breaks),
    "cosine_with_restarts": Schedule(
        "cosine_with_restarts",
        HF,
        cosine_with_restarts,
        "linear warmup, then num_cycles cosine decays with hard restarts",
        breaks=_restart_breaks,
    ),
    "polynomial": Schedule(
        "polynomial", HF, polynomial, "linear warmup, then polynomial decay from lr to lr_end at T", breaks=_warmup_end
    ),
    "constant": Schedule(
        "constant", HF, constant, "constant LR (warmup ignored)", ignores_kwargs=True, breaks=_no_breaks
    ),
    "constant_with_warmup": Schedule(
        "constant_with_warmup", HF, constant_with_warmup, "linear warmup, then constant", ignores_kwargs=True,
        breaks=_warmup_end,
    ),
    "inverse_sqrt": Schedule(
        "inverse_sqrt", HF, inverse_sqrt, "linear warmup, then 1/sqrt decay", added_in="4.27.0", breaks=_warmup_end
    ),
    "cosine_with_min_lr": Schedule(
        "cosine_with_min_lr",
        HF,
        cosine_with_min_lr,
        "linear warmup, then cosine decay to min_lr (or lr·min_lr_rate)",
        added_in="4.40.0",
        breaks=_cosine_breaks,
    ),
    "cosine_warmup_with_min_lr": Schedule(
        "cosine_warmup_with_min_lr",
        HF,
        cosine_warmup_with_min_lr,
        "warmup starting at 1/W (or warmup_lr_rate), then cosine decay to a floor, one step ahead",
        added_in="4.54.0",
        breaks=_shifted_cosine_breaks,
    ),
    "warmup_stable_decay": Schedule(
        "warmup_stable_decay",
        HF,
        warmup_stable_decay,
        "warmup from min_lr_ratio, stable, then decay over num_decay_steps (WSD)",
        added_in="4.41.0",
        breaks=_wsd_breaks,
    ),
}
# lr · s / max(1, W) before W (`_linear_warmup`): the first update of a run with warmup runs at LR 0.
SCHEDULES = {
    name: replace(schedule, scalar=SCALAR_TWINS[name], warmup_from_zero=name in (
        "linear", "cosine", "cosine_with_restarts", "polynomial", "constant_with_warmup", "inverse_sqrt",
        "cosine_with_min_lr"))
    for name, schedule in SCHEDULES.items()
}
