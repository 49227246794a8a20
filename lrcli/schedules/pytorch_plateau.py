"""Metric-driven schedules: torch `ReduceLROnPlateau` (2.13–2.15) and transformers 5.25's `reduce_lr_on_plateau` and
`greedy` (`optimization.GreedyLR`), replayed over a metric history.

The scheduler steps once per evaluation, with that evaluation's metric; row s is the LR after every evaluation logged
at step ≤ s (the Trainer evaluates after update s and the new LR applies from update s + 1).
"""

from __future__ import annotations

import math

from lrcli.errors import LrcliError
from lrcli.metrics import MetricHistory
from lrcli.schedules.pytorch import TORCH
from lrcli.schedules.types import Factors, Schedule, Steps, np

HF = "Hugging Face transformers"


def _is_better(mode: str, threshold_mode: str, threshold: float, current: float, best: float) -> bool:
    if mode == "min" and threshold_mode == "rel":
        return current < best * (1.0 - threshold)
    if mode == "min":
        return current < best - threshold
    if threshold_mode == "rel":
        return current > best * (threshold + 1.0)
    return current > best + threshold


def _check_modes(name: str, mode: str, threshold_mode: str, factor: float) -> None:
    if factor >= 1.0:
        raise LrcliError(f"{name}: factor must be < 1.0 (the constructor raises ValueError), got {factor}")
    if mode not in ("min", "max"):
        raise LrcliError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
    if threshold_mode not in ("rel", "abs"):
        raise LrcliError(f"{name}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")


def _rows(steps: Steps, history: MetricHistory, lr: float, after_each: list[float]) -> Factors:
    done = np.searchsorted(np.array(history.steps, dtype=np.int64), steps, side="right")
    return np.concatenate(([lr], after_each))[done]


def _needs(history: MetricHistory | None, name: str) -> MetricHistory:
    if history is None:
        raise LrcliError(
            f"{name} reacts to an evaluation metric: give its history with --metrics trainer_state.json "
            "(or a CSV with step and metric columns)"
        )
    return history


def reduce_lr_on_plateau(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    metrics: MetricHistory | None = None,
    mode: str = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_lr: float = 0,
    eps: float = 1e-8,
) -> Factors:
    """torch `ReduceLROnPlateau` (HF `reduce_lr_on_plateau` passes its kwargs straight to it; warmup is ignored).

    Per evaluation m: better = m < best·(1 − thr) (min/rel), m < best − thr (min/abs), m > best·(1 + thr) (max/rel),
    m > best + thr (max/abs); better → best = m, bad = 0, else bad += 1; in cooldown → cooldown −= 1, bad = 0;
    bad > patience → lr = max(lr·factor, min_lr) if that lowers it by more than eps; cooldown reset, bad = 0.
    NaN counts as a bad evaluation; in rel mode a negative best inverts the threshold (as in torch).
    """
    history = _needs(metrics, "ReduceLROnPlateau")
    _check_modes("ReduceLROnPlateau", mode, threshold_mode, factor)
    best = math.inf if mode == "min" else -math.inf
    bad = cool = 0
    current_lr = lr
    after_each = []
    for value in history.values:
        if _is_better(mode, threshold_mode, threshold, value, best):
            best, bad = value, 0
        else:
            bad += 1
        if cool > 0:
            cool -= 1
            bad = 0
        if bad > patience:
            new_lr = max(current_lr * factor, min_lr)
            if current_lr - new_lr > eps:
                current_lr = new_lr
            cool, bad = cooldown, 0
        after_each.append(current_lr)
    return _rows(steps, history, lr, after_each)


def greedy(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    metrics: MetricHistory | None = None,
    mode: str = "min",
    factor: float = 0.95,
    patience: int = 10,
    threshold: float = 1e-6,
    threshold_mode: str = "abs",
    cooldown: int = 0,
    greedy_warmup: int = 0,
    min_lr: float = 1e-3,
    max_lr: float = 1.0,
    eps: float = 1e-8,
    verbose: bool = False,
    smooth: bool = False,
    window_size: int = 50,
    reset_start: int = 500,
) -> Factors:
    """HF `greedy` (transformers 5.25 `optimization.GreedyLR`): ÷factor after patience+1 improvements, ×factor after
    patience+1 non-improvements, clamped to [min_lr, max_lr]; after `reset_start` cuts that leave the lr at min_lr
    it restarts from the initial lr. GreedyLR's `warmup` (evaluations to wait after a raise) is given as
    `--kw warmup=N` like in transformers; the function calls it `greedy_warmup` because `warmup` is lrcli's W.

    Per evaluation (metric averaged over the last window_size values if smooth): in cooldown or warmup, count it
    down and zero both counters; else better → best = m, good += 1, bad = 0, otherwise bad += 1, good = 0; then
    good > patience → lr = min(lr/factor, max_lr) if that raises it by more than eps; elif bad > patience →
    lr = max(lr·factor, min_lr) if that lowers it by more than eps, and if the lr is then ≤ min_lr, reset_start −= 1
    and at 0 everything restarts.
    """
    history = _needs(metrics, "greedy")
    _check_modes("greedy", mode, threshold_mode, factor)
    best = math.inf if mode == "min" else -math.inf
    bad = good = cool = wait = 0
    resets_left = reset_start
    current_lr = lr
    window: list[float] = []
    window_sum = 0.0
    after_each = []
    for value in history.values:
        if smooth:  # transformers' StreamingAverage, with its running (not recomputed) sum
            window.append(value)
            window_sum += value
            if len(window) > window_size:
                window_sum -= window.pop(0)
            value = window_sum / len(window)
        if cool > 0:
            cool -= 1
            bad = good = 0
        elif wait > 0:
            wait -= 1
            bad = good = 0
        else:
            if _is_better(mode, threshold_mode, threshold, value, best):
                best, bad, good = value, 0, good + 1
            else:
                bad, good = bad + 1, 0
            if good > patience:
                new_lr = min(current_lr / factor, max_lr)
                if new_lr - current_lr > eps:
                    current_lr = new_lr
                wait, good = greedy_warmup, 0
                resets_left = reset_start
            elif bad > patience:
                new_lr = max(current_lr * factor, min_lr)
                if current_lr - new_lr > eps:
                    current_lr = new_lr
                if not current_lr > min_lr:
                    resets_left -= 1
                    if resets_left <= 0:  # GreedyLR._reset(); step() then still sets the cooldown
                        current_lr = lr
                        best = math.inf if mode == "min" else -math.inf
                        good = wait = 0
                        resets_left = reset_start
                        window, window_sum = [], 0.0
                cool, bad = cooldown, 0
        after_each.append(current_lr)
    return _rows(steps, history, lr, after_each)


SCHEDULES: dict[str, Schedule] = {
    "ReduceLROnPlateau": Schedule(
        "ReduceLROnPlateau",
        TORCH,
        reduce_lr_on_plateau,
        "×factor when the metric stops improving for patience evaluations",
        needs_metrics=True,
        ignores_warmup=True,
    ),
    "reduce_lr_on_plateau": Schedule(
        "reduce_lr_on_plateau",
        HF,
        reduce_lr_on_plateau,
        "torch ReduceLROnPlateau on metric_for_best_model (eval_loss); warmup ignored",
        needs_metrics=True,
        ignores_warmup=True,
    ),
    "greedy": Schedule(
        "greedy",
        HF,
        greedy,
        "GreedyLR: raise the lr on sustained improvement, cut it on plateaus",
        added_in="5.4.0",  # checked: absent in 5.3.0, and 5.4.0's GreedyLR is identical to 5.25.0's
        needs_metrics=True,
        aliases=(("warmup", "greedy_warmup"),),
        ignores_warmup=True,
    ),
}
