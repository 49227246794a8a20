"""verl's own schedules (`verl/utils/torch_functional.py`), as its FSDP workers build them for the actor, the critic
and the SFT trainer, in verl 0.5.0, 0.7.1, 0.8.0 and 0.9.1 (0.7+ share `verl_cosine`).

Each returns `lr · λ(s)` (`LambdaLR`) with λ in verl's float operation order. `warmup` is the W the planner
(lrcli.steps.verl) computed as verl does (`lr_warmup_steps`, else `int(ratio · T)`), `total` is the optimizer's
`total_training_steps`.
"""

from __future__ import annotations

from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.pieces import cos_extrema, joined
from lrcli.schedules.types import Factors, Schedule, Steps, np

VERL = "verl"


def _check_ratio(name: str, key: str, value: float) -> None:
    # get_cosine_schedule_with_warmup asserts `x >= 0 and x <= 1.0` before building the LambdaLR.
    if not 0 <= value <= 1.0:
        raise LrcliError(f"{name}: {key} must be between 0 and 1, got {value!r} (verl asserts it); fix optim.{key}")


def _cosine_tail(name: str, steps: Steps, warmup: int, total: int, min_lr_ratio: float, num_cycles: float) -> Factors:
    # progress = float(s − W) / float(max(1, T − W)); x = math.cos(math.pi · float(num_cycles) · 2.0 · progress);
    # max(min_lr_ratio, x · coef + intercept), coef = (1 − m) · 0.5, intercept = (1 + m) · 0.5.
    coef = (1 - min_lr_ratio) * 0.5
    intercept = (1 + min_lr_ratio) * 0.5
    progress = (steps - warmup).astype(np.float64) / float(max(1, total - warmup))
    angle = np.pi * float(num_cycles) * 2.0 * progress
    if np.isinf(angle[steps >= warmup]).any():
        raise LrcliError(f"{name}: math.cos raises ValueError (math domain error): num_cycles is too large")
    return np.maximum(min_lr_ratio, np.cos(angle) * coef + intercept)


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
    m = 0.0 if min_lr_ratio is None else min_lr_ratio
    _check_ratio("verl_cosine", "min_lr_ratio", m)
    init = 0.0 if init_lr_ratio is None else init_lr_ratio
    _check_ratio("verl_cosine", "init_lr_ratio", init)
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
    m = 0.0 if min_lr_ratio is None else min_lr_ratio
    _check_ratio("verl_cosine_0_5", "min_lr_ratio", m)
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
    remaining = max(0, total - warmup)
    stable = int(remaining * stable_ratio)
    decay_steps = remaining - stable
    x = steps.astype(np.float64)
    rise = x / float(max(1, warmup))
    progress = (steps - warmup - stable).astype(np.float64) / float(max(1, decay_steps))
    value = np.maximum(0.0, 0.5 * (1.0 + np.cos(np.pi * float(num_cycles) * 2.0 * progress)))
    tail = (1.0 - min_lr_ratio) * value + min_lr_ratio
    factor = np.where(
        steps < warmup, rise, np.where(steps < warmup + stable, 1.0, np.where(steps < total, tail, min_lr_ratio))
    )
    return lr * factor


# Where each turns (schedules/pieces.py): the warmup's end, the cosine's crests and troughs (every
# max(1, T − W) / (2·num_cycles) steps after W, not clamped past T), WSD's stable end and T.


def _cosine_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    shift = 0 if p.get("zero_indexed_step", True) else -1  # k = s + 1: the turns come one row earlier
    extrema = cos_extrema(warmup + shift, max(1, total - warmup), float(p["num_cycles"]), last)
    return joined([warmup + shift], extrema)


def _warmup_end(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float]:
    return [warmup]


def _wsd_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    remaining = max(0, total - warmup)
    stable = int(remaining * p["stable_ratio"])
    extrema = cos_extrema(warmup + stable, max(1, remaining - stable), float(p["num_cycles"]), last)
    return joined([warmup, warmup + stable, total], extrema)


SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    "verl_cosine": Schedule(
        "verl_cosine", VERL, verl_cosine, "verl ≥ 0.6: warmup from init_lr_ratio, cosine to lr·min_lr_ratio",
        breaks=_cosine_breaks,
    ),
    "verl_cosine_0_5": Schedule(
        "verl_cosine_0_5", VERL, verl_cosine_0_5, "verl 0.5: warmup from lr·min_lr_ratio, cosine to lr·min_lr_ratio",
        breaks=_cosine_breaks,
    ),
    "verl_constant": Schedule("verl_constant", VERL, verl_constant, "verl: linear warmup, then constant",
                              breaks=_warmup_end),
    "verl_wsd": Schedule("verl_wsd", VERL, verl_wsd, "verl 0.5 SFT: warmup, stable 90 % of the rest, cosine decay",
                         breaks=_wsd_breaks),
}
