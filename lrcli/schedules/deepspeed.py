"""DeepSpeed's own schedules (`"scheduler": {"type": NAME, "params": {...}}`), as of deepspeed 0.19.8
`runtime/lr_schedules.py`.

Registry names are DeepSpeed's `type` strings and the keyword arguments are its `params` names, unchanged.

Step convention. DeepSpeed counts `i = last_batch_iteration`: the constructor leaves `i = −1` and writes the
value at −1 into the optimizer, and the engine calls `step()` (`i += 1`) after every optimizer step that did
not overflow. So the LR used by update `s + 1` — lrcli's row `s` — is DeepSpeed's value at `i = s − 1`:
row 0 is the value at construction. A `last_batch_iteration` L other than −1 (resuming) sets nothing at
construction, so row 0 is the optimizer's own `lr`, and row `s ≥ 1` is the value at `i = L + s`.

`"auto"` is filled the way transformers 5.25 `integrations/deepspeed.py` (`HfTrainerDeepSpeedConfig`) fills it:
warmup_min_lr → 0, warmup_max_lr → lr, total_num_steps → T, warmup_num_steps → max(1, W)
(the `max(1, ·)` is transformers ≥ 5.18; older versions pass W itself, which DeepSpeed ≥ 0.19.3 rejects when 0 —
the transformers 5.25 comment says 0.19.6, but the check is in 0.19.3's source).
`lr` is the optimizer's lr (HF: `learning_rate`), `warmup` and `total` are the W and T HF computes; they are
used only through `"auto"` (and by WarmupCosineLR, WarmupLR without warmup_max_lr, and row 0 when resuming).

Values are computed in the same float operations as DeepSpeed's Python, so they agree to the last bit
(up to numpy's `log` differing from libm's by 1 ulp on some inputs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from lrcli.errors import LrcliError
from lrcli.schedules.types import Factors, Schedule, Steps, np

Auto = Literal["auto"]

_WARMUP_TYPES = ("log", "linear")
_NO_DECAY = object()  # WarmupLR: no total_num_steps


def fill_auto(params: Mapping[str, Any], *, lr: float, warmup: int, total: int) -> dict[str, Any]:
    """`params` with each `"auto"` replaced as the HF DeepSpeed integration fills it (transformers 5.25).

    warmup_min_lr → 0 (`fill_only`), warmup_max_lr → lr, total_num_steps → T, warmup_num_steps → max(1, W).
    Other keys, and `"auto"` under any other key, are returned unchanged (HF leaves them for DeepSpeed to reject).
    """
    fills = {"warmup_min_lr": 0, "warmup_max_lr": lr, "total_num_steps": total, "warmup_num_steps": max(1, warmup)}
    return {key: fills[key] if value == "auto" and key in fills else value for key, value in params.items()}


def logged_warnings(name: str, params: Mapping[str, Any], *, lr: float, warmup: int, total: int) -> tuple[str, ...]:
    """The warnings DeepSpeed 0.19.8 logs when it builds schedule `name` from `params`, as lrcli notes.

    Unknown `warmup_type` (silently treated as 'log'), and total_num_steps < the warmup length.
    """
    filled = fill_auto(params, lr=lr, warmup=warmup, total=total)
    notes: list[str] = []
    if name in ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR"):
        warmup_type = filled.get("warmup_type", "log")
        if warmup_type not in _WARMUP_TYPES:
            notes.append(f"DeepSpeed {name}: unknown warmup_type {warmup_type!r} is treated as 'log'")
        warmup_num_steps = filled.get("warmup_num_steps", 1000)
        total_num_steps = filled.get("total_num_steps")
        if (
            name != "WarmupLR"
            and isinstance(total_num_steps, (int, float))
            and isinstance(warmup_num_steps, (int, float))
            and total_num_steps < max(2, warmup_num_steps)
        ):
            notes.append(
                f"DeepSpeed {name}: total_num_steps {total_num_steps} is less than warmup_num_steps {warmup_num_steps}"
            )
    return tuple(notes)


def _warmup_steps(name: str, warmup_num_steps: Any) -> int:
    # 0.19.3+: `not isinstance(w, int) or w <= 0` raises ValueError; then W_d = max(2, w).
    if isinstance(warmup_num_steps, bool) or not isinstance(warmup_num_steps, int) or warmup_num_steps <= 0:
        raise LrcliError(
            f"{name}: warmup_num_steps must be a positive whole number, got {warmup_num_steps!r} "
            '(DeepSpeed ≥ 0.19.3 raises ValueError); use 1 (DeepSpeed warms up over 2 steps at least) or "auto"'
        )
    return max(2, warmup_num_steps)


def _warmup_type(warmup_type: str) -> str:
    # DeepSpeed logs a warning and falls back to 'log' for anything else.
    return warmup_type if warmup_type in _WARMUP_TYPES else "log"


def _start(last_batch_iteration: int) -> int | float:
    """L as the rows count from it: an int, or a float past 2^53 (ints are bounded by binding), where DeepSpeed's
    float `+ 1` leaves it where it is."""
    if last_batch_iteration != int(last_batch_iteration):
        raise LrcliError(f"last_batch_iteration must be a whole number, got {last_batch_iteration!r}")
    return float(last_batch_iteration) if abs(last_batch_iteration) > 2**53 else int(last_batch_iteration)


def _iterations(steps: Steps, last_batch_iteration: int) -> Steps:
    """DeepSpeed's `last_batch_iteration` for each lrcli row (row s ≥ 1 is i = L + s; row 0 is i = −1 when L = −1)."""
    start = _start(last_batch_iteration)
    return steps.astype(np.float64 if isinstance(start, float) else np.int64) + start


def _first_row(steps: Steps, values: Factors, lr: float, last_batch_iteration: int) -> Factors:
    """Row 0 is the value the constructor writes (L = −1) or, when resuming, the optimizer's untouched lr."""
    if last_batch_iteration == -1:
        return values
    return np.where(steps == 0, float(lr), values)


def _warmup_gamma(i: Steps, warmup_steps: int, warmup_type: str) -> Factors:
    """γ(i) for 0 ≤ i < W_d: `(1 / ln W_d) · ln(i + 1)` ('log') or `i / W_d` ('linear'), as `_get_gamma`."""
    if warmup_type == "log":
        inverse_log_warm_up = 1.0 / math.log(warmup_steps)
        with np.errstate(invalid="ignore", divide="ignore"):
            return inverse_log_warm_up * np.log((i + 1).astype(np.float64))
    return i.astype(np.float64) / float(warmup_steps)


def _check_number(name: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LrcliError(f'{name}: {key} must be a number or "auto", got {value!r}')


def _warmup_lr_setup(name: str, *, lr: float, warmup: int, total: int, warmup_min_lr: Any, warmup_max_lr: Any,
                     warmup_num_steps: Any, total_num_steps: Any = _NO_DECAY) -> tuple[Any, Any, int, Any]:
    """What WarmupLR's (and WarmupDecayLR's) constructor keeps, "auto" filled: (min, max − min, W_d, T_d).

    An explicit null warmup_max_lr reaches WarmupLR, which then takes the optimizer lr; T_d is None for WarmupLR."""
    decays = total_num_steps is not _NO_DECAY
    p = fill_auto(
        {"warmup_min_lr": warmup_min_lr, "warmup_max_lr": warmup_max_lr, "warmup_num_steps": warmup_num_steps,
         **({"total_num_steps": total_num_steps} if decays else {})},
        lr=lr,
        warmup=warmup,
        total=total,
    )
    if decays:
        _check_number(name, "total_num_steps", p["total_num_steps"])
    minimum = p["warmup_min_lr"]
    maximum = lr if p["warmup_max_lr"] is None else p["warmup_max_lr"]
    return minimum, maximum - minimum, _warmup_steps(name, p["warmup_num_steps"]), p.get("total_num_steps")


def _warmup_cosine_setup(*, lr: float, warmup: int, total: int, total_num_steps: Any,
                         warmup_num_steps: Any) -> tuple[Any, int]:
    """What WarmupCosineLR's constructor keeps, "auto" filled: (T_d, W_d)."""
    p = fill_auto(
        {"total_num_steps": total_num_steps, "warmup_num_steps": warmup_num_steps}, lr=lr, warmup=warmup, total=total
    )
    _check_number("WarmupCosineLR", "total_num_steps", p["total_num_steps"])
    return p["total_num_steps"], _warmup_steps("WarmupCosineLR", p["warmup_num_steps"])


def warmup_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    warmup_min_lr: float | Auto = 0.0,
    warmup_max_lr: float | Auto | None = None,
    warmup_num_steps: int | Auto = 1000,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
) -> Factors:
    """Warmup from warmup_min_lr to warmup_max_lr, then constant. DeepSpeed `WarmupLR`.

    W_d = max(2, warmup_num_steps); i < 0: min; i < W_d: min + (max − min)·γ(i), with
    γ = ln(i + 1)/ln W_d ('log', the default and the fallback for unknown types; 1 at i = W_d − 1) or
    i / W_d ('linear'; 1 only at i = W_d); after: max.

    Versions (sources of 0.15.2–0.19.8 compared): warmup_max_lr defaults to the optimizer's lr since 0.17.2
    (0.001 before); before 0.15.3 the constructor wrote nothing, so row 0 was the optimizer's lr (the peak)
    instead of min; before 0.19.3 a warmup_num_steps ≤ 0 or a float was accepted (W_d = max(2, w)).
    """
    minimum, delta, steps_w, _ = _warmup_lr_setup(
        "WarmupLR", lr=lr, warmup=warmup, total=total, warmup_min_lr=warmup_min_lr, warmup_max_lr=warmup_max_lr,
        warmup_num_steps=warmup_num_steps,
    )
    i = _iterations(steps, last_batch_iteration)
    gamma = np.where(i < steps_w, _warmup_gamma(i, steps_w, _warmup_type(warmup_type)), 1.0)
    values = np.where(i < 0, float(minimum), minimum + delta * gamma)
    return _first_row(steps, values, lr, last_batch_iteration)


def warmup_decay_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    total_num_steps: int | Auto,
    warmup_min_lr: float | Auto = 0.0,
    warmup_max_lr: float | Auto | None = 0.001,
    warmup_num_steps: int | Auto = 1000,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
) -> Factors:
    """WarmupLR's warmup, then linear decay to warmup_min_lr at total_num_steps. DeepSpeed `WarmupDecayLR`.

    As `WarmupLR` for i < W_d; then min + (max − min)·max(0, (T_d − i) / max(1, T_d − W_d)), which is max at
    i = W_d and min from i = T_d on (T_d = total_num_steps). T_d < W_d only logs a warning in DeepSpeed.
    warmup_max_lr defaults to 0.001 here, not to the optimizer lr (unlike WarmupLR since 0.17.2).

    Versions: as WarmupLR (0.15.3 initial value, 0.19.3 warmup_num_steps check); warmup_max_lr stayed 0.001.
    """
    minimum, delta, steps_w, total_d = _warmup_lr_setup(
        "WarmupDecayLR", lr=lr, warmup=warmup, total=total, warmup_min_lr=warmup_min_lr, warmup_max_lr=warmup_max_lr,
        warmup_num_steps=warmup_num_steps, total_num_steps=total_num_steps,
    )
    i = _iterations(steps, last_batch_iteration)
    # DeepSpeed's Python max(0.0, x) gives 0.0 for a NaN x, as np.fmax does (binding refuses the inf that makes one)
    decay = np.fmax(0.0, (total_d - i).astype(np.float64) / float(max(1.0, total_d - steps_w)))
    gamma = np.where(i < steps_w, _warmup_gamma(i, steps_w, _warmup_type(warmup_type)), decay)
    values = np.where(i < 0, float(minimum), minimum + delta * gamma)
    return _first_row(steps, values, lr, last_batch_iteration)


def warmup_cosine_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    total_num_steps: int | Auto,
    warmup_min_ratio: float = 0.0,
    warmup_num_steps: int | Auto = 1000,
    cos_min_ratio: float = 0.0001,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
) -> Factors:
    """Warmup of a ratio of the optimizer's lr, then cosine decay to cos_min_ratio. DeepSpeed `WarmupCosineLR`.

    lr(i) = lr · ratio(i): i < 0: 0 (so row 0 is 0); i < W_d: wmr + (1 − wmr)·γ(i) (γ as WarmupLR);
    else q = min(1, (i − W_d + 1) / max(1, T_d − W_d)) and ratio = max(0, cmr + (1 − cmr)·(1 + cos πq)/2).
    The cosine starts one step in (q = 1/(T_d − W_d) at i = W_d), so ratio 1 is never reached exactly
    (log warmup ends at ln(W_d)/ln(W_d) = 1 at i = W_d − 1, linear at (W_d − 1)/W_d); the floor is reached
    at i = T_d − 1.

    Versions: the clamp q ≤ 1 and the max(1, ·) are 0.19.3+ (before, q grew past 1 so the LR climbed back up
    after T_d, and T_d = W_d divided by zero); the warmup_num_steps check is 0.19.3+; an unknown warmup_type
    falls back to 'log' only since 0.19.4 (before, the first warmup step raised UnboundLocalError);
    0.15.3+ writes 0 at construction (before, row 0 was the optimizer lr).
    """
    total_d, steps_w = _warmup_cosine_setup(
        lr=lr, warmup=warmup, total=total, total_num_steps=total_num_steps, warmup_num_steps=warmup_num_steps
    )
    i = _iterations(steps, last_batch_iteration)
    rise = warmup_min_ratio + _warmup_gamma(i, steps_w, _warmup_type(warmup_type)) * (1.0 - warmup_min_ratio)
    real_last_step = (i - steps_w + 1).astype(np.float64)
    real_total_steps = max(1, total_d - steps_w)
    # DeepSpeed's Python min(1.0, x) and max(0.0, x) drop a NaN, as np.fmin / np.fmax do (np.minimum would keep it)
    progress = np.fmin(1.0, real_last_step / real_total_steps)
    cosine = (1 + np.cos(math.pi * progress)) / 2
    fall = np.fmax(0.0, cos_min_ratio + (1.0 - cos_min_ratio) * cosine)
    ratio = np.where(i < steps_w, rise, fall)
    values = np.where(i < 0, 0.0, lr * ratio)
    return _first_row(steps, values, lr, last_batch_iteration)


class _Cycle(NamedTuple):
    first: float  # s1
    second: float  # s2
    total_size: float  # S = s1 + s2
    step_ratio: float  # ρ = s1 / S
    first_stairs: float
    second_stairs: float
    skip_decay: bool  # decay_step_size or decay_lr_rate ≈ 0: the LR stays at min after the cycle


def _cycle(cycle_first_step_size: float, cycle_second_step_size: float | None, cycle_first_stair_count: float,
           cycle_second_stair_count: float | None, decay_step_size: float, decay_lr_rate: float) -> _Cycle:
    """OneCycle's `_initialize_cycle` and `_initialize_lr`: the cycle's shape, with DeepSpeed's checks."""
    first = float(cycle_first_step_size)
    second = float(cycle_second_step_size) if cycle_second_step_size is not None else first
    if first <= 0:
        raise LrcliError(
            f"OneCycle: cycle_first_step_size must be positive, got {cycle_first_step_size!r} (DeepSpeed raises)"
        )
    if second < 0:
        raise LrcliError(
            f"OneCycle: cycle_second_step_size must be non-negative, got {cycle_second_step_size!r} (DeepSpeed raises)"
        )
    total_size = first + second
    second_stairs = cycle_first_stair_count if cycle_second_stair_count is None else cycle_second_stair_count
    skip_decay = math.isclose(decay_step_size, 0) or math.isclose(decay_lr_rate, 0)
    return _Cycle(first, second, total_size, first / total_size, cycle_first_stair_count, second_stairs, skip_decay)


def one_cycle(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    cycle_min_lr: float,
    cycle_max_lr: float,
    decay_lr_rate: float = 0.0,
    cycle_first_step_size: float = 2000,
    cycle_second_step_size: float | None = None,
    cycle_first_stair_count: float = 0,
    cycle_second_stair_count: float | None = None,
    decay_step_size: float = 0,
    cycle_momentum: bool = True,
    cycle_min_mom: float = 0.8,
    cycle_max_mom: float = 0.9,
    decay_mom_rate: float = 0.0,
    last_batch_iteration: int = -1,
) -> Factors:
    """One triangular cycle min → max → min, then inverse-time decay. DeepSpeed `OneCycle`.

    b = i + 1, S = s1 + s2 (s2 defaults to s1), ρ = s1/S. For i < S: x = 1 + b/S − ⌊1 + b/S⌋,
    h = x/ρ if x ≤ ρ else (x − 1)/(ρ − 1); with a stair count n > 0 for that half (n2 defaults to n1):
    h = ⌊(b mod S)·n/s1⌋/n going up (b mod S ≤ s1), ⌊(S − b mod S)·n/s2⌋/n going down;
    lr = min + (max − min)·h (min at i = −1, max at i = s1 − 1).
    For i ≥ S: lr = min / (1 + decay_lr_rate·(i − S + 1)/decay_step_size), or min when either is 0.
    The momentum parameters move only the optimizer's betas, never the LR; they are accepted and unused.

    Versions: stair counts shape the LR only since 0.19.4 (ignored before), as do the step-size checks;
    the constructor writes min in every version checked (0.15.2+).
    """
    first, second, total_size, step_ratio, first_stairs, second_stairs, skip_decay = _cycle(
        cycle_first_step_size, cycle_second_step_size, cycle_first_stair_count, cycle_second_stair_count,
        decay_step_size, decay_lr_rate,
    )
    i = _iterations(steps, last_batch_iteration)
    batch_iteration = (i + 1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        position = 1.0 + batch_iteration / total_size
        x = position - np.floor(position)
        rising = x <= step_ratio
    # DeepSpeed's Python divides by step_ratio going up and by step_ratio − 1 going down: a ratio of 0 (a first
    # half negligible beside an infinite cycle) or 1 raises ZeroDivisionError where numpy would return nan.
    in_cycle = (i < total_size) & (steps >= 1)  # row 0 is written by the constructor, not by get_lr
    for ratio, half in ((0.0, rising), (1.0, ~rising)):
        bad = np.flatnonzero(in_cycle & half) if step_ratio == ratio else np.empty(0)
        if bad.size:
            raise LrcliError(
                f"OneCycle: DeepSpeed raises ZeroDivisionError (float division by zero) at step {int(steps[bad[0]])}: "
                f"cycle_first_step_size / (first + second) = {step_ratio!r}; use step sizes of a real cycle"
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(rising, x / step_ratio, (x - 1) / (step_ratio - 1))
        stairs = np.where(rising, first_stairs, second_stairs)
        cycle_iteration = np.mod(batch_iteration, total_size)
        stair_position = np.where(
            cycle_iteration <= first,
            cycle_iteration * stairs / first,
            (total_size - cycle_iteration) * stairs / second,
        )
        scale = np.where(stairs > 0, np.floor(stair_position) / stairs, scale)
        cycle_lr = cycle_min_lr + (cycle_max_lr - cycle_min_lr) * scale
        if skip_decay:
            decay_lr = np.full(i.shape, float(cycle_min_lr))
        else:
            decay_interval = (i - total_size + 1) / decay_step_size
            decay_lr = cycle_min_lr / (1 + decay_lr_rate * decay_interval)
    values = np.where(i < total_size, cycle_lr, decay_lr)
    return _first_row(steps, values, lr, last_batch_iteration)


def _range_test_step_size(size: Any) -> int:
    # LRRangeTest.__init__ (0.19.4+): `not isinstance(size, int) or size <= 0` raises ValueError.
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise LrcliError(
            f"LRRangeTest: lr_range_test_step_size must be a positive whole number, got {size!r} (DeepSpeed raises)"
        )
    return size


def lr_range_test(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    lr_range_test_min_lr: float = 1e-3,
    lr_range_test_step_size: int = 2000,
    lr_range_test_step_rate: float = 1.0,
    lr_range_test_staircase: bool = False,
    last_batch_iteration: int = -1,
) -> Factors:
    """LR growing linearly (or in stairs) from lr_range_test_min_lr without end. DeepSpeed `LRRangeTest`.

    lr(i) = min · (1 + rate · I), I = (i + 1)/size, or ⌊(i + 1)/size⌋ with lr_range_test_staircase.

    Versions: lr_range_test_step_size must be a positive int since 0.19.4 (before, 0 divided by zero at the
    first step); the constructor writes min in every version checked (0.15.2+).
    """
    size = _range_test_step_size(lr_range_test_step_size)
    i = _iterations(steps, last_batch_iteration)
    interval = (i + 1).astype(np.float64) / size
    if lr_range_test_staircase:
        interval = np.floor(interval)
    values = lr_range_test_min_lr * (1 + lr_range_test_step_rate * interval)
    return _first_row(steps, values, lr, last_batch_iteration)


# ---- scalar twins (Schedule.scalar, lrcli/curve_facts.py): DeepSpeed's own get_lr at i = L + s, in Python floats.
# Row 0 is what the constructor writes (L = −1) or the optimizer's untouched lr (resuming), as `_first_row`. They
# raise where DeepSpeed raises (math.log(0), a ZeroDivisionError), so that numpy gives the refusal. ----


def _iteration_at(s: int, last_batch_iteration: int) -> int | float:
    """DeepSpeed's `last_batch_iteration` at row s, as `_iterations`."""
    start = _start(last_batch_iteration)
    return (float(s) if isinstance(start, float) else s) + start


def _gamma_at(i: int | float, steps_w: int, warmup_type: str) -> float:
    """WarmupLR._get_gamma for 0 ≤ i < W_d (WarmupCosineLR.get_lr_ratio's warmup ratio, before its min ratio)."""
    if _warmup_type(warmup_type) == "log":
        return (1.0 / math.log(steps_w)) * math.log(i + 1)  # inverse_log_warm_up is computed once, in __init__
    return i / steps_w


def _warmup_lr_at(s: int, *, lr: float, warmup: int, total: int, warmup_min_lr: Any, warmup_max_lr: Any,
                  warmup_num_steps: Any, warmup_type: str, last_batch_iteration: int) -> float:
    """WarmupLR.get_lr: min + delta · γ(i), min before the first step."""
    minimum, delta, steps_w, _ = _warmup_lr_setup(
        "WarmupLR", lr=lr, warmup=warmup, total=total, warmup_min_lr=warmup_min_lr, warmup_max_lr=warmup_max_lr,
        warmup_num_steps=warmup_num_steps,
    )
    i = _iteration_at(s, last_batch_iteration)
    if s == 0 and last_batch_iteration != -1:
        return lr
    if i < 0:
        return minimum
    return minimum + (delta * (_gamma_at(i, steps_w, warmup_type) if i < steps_w else 1.0))


def _warmup_decay_lr_at(s: int, *, lr: float, warmup: int, total: int, total_num_steps: Any, warmup_min_lr: Any,
                        warmup_max_lr: Any, warmup_num_steps: Any, warmup_type: str,
                        last_batch_iteration: int) -> float:
    """WarmupDecayLR.get_lr: WarmupLR's, with `_get_gamma` decaying linearly after the warmup."""
    minimum, delta, steps_w, total_d = _warmup_lr_setup(
        "WarmupDecayLR", lr=lr, warmup=warmup, total=total, warmup_min_lr=warmup_min_lr, warmup_max_lr=warmup_max_lr,
        warmup_num_steps=warmup_num_steps, total_num_steps=total_num_steps,
    )
    i = _iteration_at(s, last_batch_iteration)
    if s == 0 and last_batch_iteration != -1:
        return lr
    if i < 0:
        return minimum
    if i < steps_w:
        gamma = _gamma_at(i, steps_w, warmup_type)
    else:
        gamma = max(0.0, float(total_d - i) / float(max(1.0, total_d - steps_w)))
    return minimum + (delta * gamma)


def _warmup_cosine_lr_at(s: int, *, lr: float, warmup: int, total: int, total_num_steps: Any,
                         warmup_min_ratio: float, warmup_num_steps: Any, cos_min_ratio: float, warmup_type: str,
                         last_batch_iteration: int) -> float:
    """WarmupCosineLR.get_lr: the optimizer lr times get_lr_ratio(), 0.0 before the first step."""
    total_d, steps_w = _warmup_cosine_setup(
        lr=lr, warmup=warmup, total=total, total_num_steps=total_num_steps, warmup_num_steps=warmup_num_steps
    )
    i = _iteration_at(s, last_batch_iteration)
    if s == 0 and last_batch_iteration != -1:
        return lr
    if i < 0:
        return 0.0
    if i < steps_w:
        return lr * (warmup_min_ratio + _gamma_at(i, steps_w, warmup_type) * (1.0 - warmup_min_ratio))
    real_last_step = i - steps_w + 1
    real_total_steps = max(1, total_d - steps_w)
    cosine_progress = min(1.0, real_last_step / real_total_steps)
    ratio = (1 + math.cos(math.pi * cosine_progress)) / 2
    return lr * max(0.0, cos_min_ratio + (1.0 - cos_min_ratio) * ratio)


def _scale_at(batch_iteration: int | float, c: _Cycle) -> float:
    """OneCycle._get_scale_factor: the height in the cycle, 0 … 1, or its stair."""
    cycle = math.floor(1 + batch_iteration / c.total_size)
    x = 1.0 + batch_iteration / c.total_size - cycle
    if x <= c.step_ratio:
        scale, stairs = x / c.step_ratio, c.first_stairs
    else:
        scale, stairs = (x - 1) / (c.step_ratio - 1), c.second_stairs
    if stairs > 0:
        cycle_iteration = batch_iteration % c.total_size
        if cycle_iteration <= c.first:
            position = cycle_iteration * stairs / c.first
        else:
            position = (c.total_size - cycle_iteration) * stairs / c.second
        scale = math.floor(position) / stairs
    return scale


def _one_cycle_at(s: int, *, lr: float, warmup: int, total: int, cycle_min_lr: float, cycle_max_lr: float,
                  decay_lr_rate: float, cycle_first_step_size: float, cycle_second_step_size: float | None,
                  cycle_first_stair_count: float, cycle_second_stair_count: float | None, decay_step_size: float,
                  cycle_momentum: bool, cycle_min_mom: float, cycle_max_mom: float, decay_mom_rate: float,
                  last_batch_iteration: int) -> float:
    """OneCycle.get_lr: `_get_cycle_lr` within the cycle, `_get_decay_lr` after it; the constructor writes min."""
    c = _cycle(cycle_first_step_size, cycle_second_step_size, cycle_first_stair_count, cycle_second_stair_count,
               decay_step_size, decay_lr_rate)
    i = _iteration_at(s, last_batch_iteration)
    if s == 0:
        return cycle_min_lr if last_batch_iteration == -1 else lr
    if i < c.total_size:
        return cycle_min_lr + (cycle_max_lr - cycle_min_lr) * _scale_at(i + 1, c)
    if c.skip_decay:
        return cycle_min_lr
    decay_interval = (i - c.total_size + 1) / decay_step_size
    return cycle_min_lr / (1 + decay_lr_rate * decay_interval)


def _lr_range_test_at(s: int, *, lr: float, warmup: int, total: int, lr_range_test_min_lr: float,
                      lr_range_test_step_size: int, lr_range_test_step_rate: float, lr_range_test_staircase: bool,
                      last_batch_iteration: int) -> float:
    """LRRangeTest.get_lr: min · (1 + rate · interval); the constructor writes min."""
    size = _range_test_step_size(lr_range_test_step_size)
    i = _iteration_at(s, last_batch_iteration)
    if s == 0:
        return lr_range_test_min_lr if last_batch_iteration == -1 else lr
    interval = float(i + 1) / size
    if lr_range_test_staircase:
        interval = math.floor(interval)
    return lr_range_test_min_lr * (1 + lr_range_test_step_rate * interval)


# ---- where each curve turns (schedules/pieces.py), in DeepSpeed's iterations i, moved to lrcli's rows ----


def _rows(iterations: list[float], p: dict[str, Any]) -> list[float] | None:
    """Rows 0 and 1 (the value written at construction, then i = L + 1) and row s = i − L of each iteration."""
    start = p["last_batch_iteration"]
    if start != int(start) or abs(start) > 2**53:
        return None
    return [0, 1, *(i - start for i in iterations)]


def _filled(p: dict[str, Any], lr: float, warmup: int, total: int) -> dict[str, Any]:
    return {**p, **fill_auto({k: v for k, v in p.items() if v == "auto"}, lr=lr, warmup=warmup, total=total)}


def _warmup_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    f = _filled(p, lr, warmup, total)
    ends = [max(2, f["warmup_num_steps"])] + ([f["total_num_steps"] - 1, f["total_num_steps"]] if "total_num_steps" in f else [])
    return _rows([0, *ends], f)


def _one_cycle_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    first = float(p["cycle_first_step_size"])
    size = first + (float(p["cycle_second_step_size"]) if p["cycle_second_step_size"] is not None else first)
    turns = [0, first - 1, size - 1, size]
    rate, step = p["decay_lr_rate"], p["decay_step_size"]
    if rate and step:  # min / (1 + rate·(i − S + 1)/step) flips sign where its denominator crosses 0
        turns.append(size - 1 - step / rate)
    return _rows(turns, p)


def _range_test_breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
    return _rows([0], p)


DS = "DeepSpeed runtime/lr_schedules.py"

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry; names are DeepSpeed's `type` strings
    "WarmupLR": Schedule(
        "WarmupLR", DS, warmup_lr, "log/linear warmup from warmup_min_lr to warmup_max_lr, then constant",
        one_update_behind=True,
        breaks=_warmup_breaks,
        scalar=_warmup_lr_at,
    ),
    "WarmupDecayLR": Schedule(
        "WarmupDecayLR", DS, warmup_decay_lr, "log/linear warmup, then linear decay to warmup_min_lr at total_num_steps",
        one_update_behind=True,
        breaks=_warmup_breaks,
        scalar=_warmup_decay_lr_at,
    ),
    "WarmupCosineLR": Schedule(
        "WarmupCosineLR",
        DS,
        warmup_cosine_lr,
        "log/linear warmup of the optimizer lr, then cosine decay to cos_min_ratio",
        one_update_behind=True,
        breaks=_warmup_breaks,
        scalar=_warmup_cosine_lr_at,
    ),
    "OneCycle": Schedule(
        "OneCycle", DS, one_cycle, "1cycle: min -> max -> min (optional stairs), then inverse-time decay",
        one_update_behind=True,
        breaks=_one_cycle_breaks,
        scalar=_one_cycle_at,
    ),
    "LRRangeTest": Schedule(
        "LRRangeTest", DS, lr_range_test, "LR range test: linear (or staircase) growth from the min lr",
        one_update_behind=True,
        breaks=_range_test_breaks,
        scalar=_lr_range_test_at,
    ),
}
