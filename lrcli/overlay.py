"""A run's logged LR against the curve it should have had: where they differ, and the likely cause.

`diagnose(curve, series, replan)` is pure: `curve` is lrcli's expected curve, `series` the logged points with their
logging rule (row = step − row_offset), and `replan(**changes)` the same settings with some changed, as a new Curve
(the CLI passes `compute(replace(config, **changes))`). The causes are recognised from the shape of the difference,
in this order, each only when it explains EVERY logged point within the tolerance:

- agree: every point on the expected curve;
- off by one: every point on the curve one row away (a logging convention: which update's LR is logged at step g);
- scaled: every point on the curve times one factor r ≠ 1 (the peak LR differs);
- stretched: every point on the same schedule planned with another T' (world size or gradient accumulation counted
  differently: the factor T / T' and the settings that give T');
- resumed: the points up to some step on one plan and the rest on another (a run resumed with a changed plan);
- step unit: every point on the same scheduler stepped per update instead of per epoch or back (Lightning's
  `interval`);
- different family: every point on another scheduler with the same LR, T and W (a DeepSpeed `scheduler` section
  replacing the HF one);
- else no known cause, with the numbers.

Candidate plans T' are the log's recorded max_steps, its last logged step and T · p / q for p, q ≤ 16 (world sizes,
accumulation and epoch counts are small ratios of each other), up to 4 × T and SEARCH_ROWS rows in all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lrcli.curve import Curve
from lrcli.errors import LrcliError
from lrcli.logs.hf_state import HF_FORMATS
from lrcli.logs.series import RELATIVE_ROUNDING, LoggedSeries

# lrcli's schedules match the frameworks' to 1e-12 × peak (the parity tests); a logged float64 must be that close.
ABSOLUTE = 1e-12
MAX_RATIO = 16
# Rows the search for another T' may evaluate, all candidates together (each candidate is a whole curve): a few
# seconds at most; a run of 10^6 steps still gets its likeliest candidates (the log's max_steps, its last step).
SEARCH_ROWS = 20_000_000
# Schedulers tried for "different family": DeepSpeed's (the "auto" values the HF integration fills) and HF's.
DEEPSPEED_AUTO = {"warmup_num_steps": "auto", "warmup_max_lr": "auto", "warmup_min_lr": "auto"}
OTHER_FAMILIES: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("WarmupDecayLR", DEEPSPEED_AUTO | {"total_num_steps": "auto", "warmup_type": "linear"}),
    ("WarmupDecayLR", DEEPSPEED_AUTO | {"total_num_steps": "auto"}),
    ("WarmupLR", DEEPSPEED_AUTO | {"warmup_type": "linear"}),
    ("WarmupLR", DEEPSPEED_AUTO),
    ("WarmupCosineLR", {"total_num_steps": "auto", "warmup_num_steps": "auto"}),
    ("linear", {}), ("cosine", {}), ("constant_with_warmup", {}), ("constant", {}),
)  # fmt: skip

Replan = Callable[..., Curve]


@dataclass(frozen=True)
class Fit:
    """The logged points against one curve."""

    rows: NDArray[np.int64]  # the row of each logged point
    inside: NDArray[np.bool_]  # row within 0 … T
    expected: NDArray[np.float64]  # the curve at each row (NaN outside)
    close: NDArray[np.bool_]  # within the tolerance (False outside)

    @property
    def all_close(self) -> bool:
        return bool(self.close.all())


@dataclass(frozen=True)
class Verdict:
    """What `lrcli overlay` reports."""

    cause: str  # agree, off-by-one, scaled, stretched, resumed, step-unit, different-family, no-known-cause
    summary: str  # one line: the cause in words, with its numbers
    details: tuple[str, ...]  # further lines: the plans, the settings that produce them
    points: int  # logged points compared (those on rows 0 … T)
    beyond: int  # logged points past row T (the run went on after the expected curve ends)
    max_rel_diff: float  # max |logged − expected| / expected peak over the compared points
    first_step: int | None  # the first logged step beyond the tolerance (or past T)
    tolerance: str
    rows: NDArray[np.int64]  # the row of each logged point, under the logging rule
    explained_by: tuple[tuple[str, Curve], ...] = ()  # curves that explain the log: (label, curve)
    facts: Mapping[str, Any] = field(default_factory=dict)  # the numbers behind the cause, for --format json

    @property
    def agree(self) -> bool:
        return self.cause == "agree"


def _tolerance(series: LoggedSeries, peak: float) -> tuple[float, float]:
    return ABSOLUTE * peak, RELATIVE_ROUNDING[series.precision]


def fit(lr: NDArray[np.float64], series: LoggedSeries, *, shift: int = 0, scale: float = 1.0) -> Fit:
    steps = np.asarray(series.steps, dtype=np.int64)
    logged = np.asarray(series.lrs, dtype=np.float64)
    rows = steps - series.row_offset + shift
    inside = (rows >= 0) & (rows < len(lr))
    expected = np.full(len(rows), np.nan)
    expected[inside] = lr[rows[inside]] * scale
    absolute, relative = _tolerance(series, float(np.max(np.abs(lr))) * abs(scale))
    with np.errstate(invalid="ignore"):
        limit = absolute + relative * np.maximum(np.abs(expected), np.abs(logged))
        close = inside & (np.abs(logged - expected) <= limit)
    return Fit(rows, inside, expected, close)


def _ratio_candidates(total: int) -> list[int]:
    found = {round(total * Fraction(p, q)) for p in range(1, MAX_RATIO + 1) for q in range(1, MAX_RATIO + 1)}
    return sorted(t for t in found if t >= 1 and t != total)


def _candidates(curve: Curve, series: LoggedSeries) -> list[int]:
    """Other T' worth trying, the likeliest first: what the log records, where it ends, small ratios of T."""
    total = curve.plan.total
    first = [series.recorded.get("max_steps"), series.steps[-1], series.steps[-1] - series.row_offset]
    ordered = [int(t) for t in first if isinstance(t, (int, float)) and t >= 1 and t != total]
    ordered += _ratio_candidates(total)
    longest = 4 * max(total, series.steps[-1])
    kept, rows = [], 0
    for candidate in dict.fromkeys(ordered):
        if candidate <= longest and rows + candidate <= SEARCH_ROWS:
            kept.append(candidate)
            rows += candidate
    return kept


def _replanned(replan: Replan, total: int) -> Curve | None:
    try:
        return replan(total_steps=total)
    except LrcliError:
        return None


def _settings_for(curve: Curve, replan: Replan, target: int) -> list[str]:
    """Settings that turn the config's T into `target`: world size or gradient accumulation multiplied or divided."""
    config = curve.config
    if config is None or config.total_steps is not None:
        return []
    found = []
    for name, words in (("world_size", "world size"), ("gradient_accumulation_steps", "gradient accumulation"),
                        ("per_device_train_batch_size", "per-device batch")):  # fmt: skip
        now = getattr(config, name)
        for other in sorted({now * k for k in range(2, MAX_RATIO + 1)} | {now // k for k in range(2, now + 1)
                                                                           if now % k == 0}):  # fmt: skip
            if other < 1:
                continue
            try:
                total = replan(**{name: other}).plan.total
            except LrcliError:
                continue
            if total == target:
                found.append(f"{words} {other} instead of {now}")
                break
    return found


def _max_rel(fit_: Fit, series: LoggedSeries, peak: float) -> float:
    logged = np.asarray(series.lrs)
    diff = np.abs(logged[fit_.inside] - fit_.expected[fit_.inside])
    return float(diff.max() / peak) if diff.size and peak > 0 else 0.0


def _row_words(offset: int) -> str:
    """Row g − offset, in words."""
    return "g" if offset == 0 else f"g − {offset}" if offset > 0 else f"g + {-offset}"


def _plan_words(curve: Curve) -> str:
    return f"T = {curve.plan.total}, W = {curve.plan.warmup}"


def _resumed(curve: Curve, series: LoggedSeries, replan: Replan, base: Fit) -> tuple[int, Curve, bool] | None:
    """(index of the first point of the second part, the other plan, whether the other plan is the first part's)
    when the log is one plan up to some step and another after it."""
    bad = np.flatnonzero(~base.close)
    if bad.size == 0:
        return None
    first_bad, last_bad = int(bad[0]), int(bad[-1])
    # The config's plan first, another after it: points 0 … first_bad − 1 agree, the rest fit another T'.
    # Another plan first, the config's after it: points last_bad + 1 … agree, the earlier ones fit another T'.
    tail_agrees = last_bad + 1 < len(series.steps)
    for total in _candidates(curve, series):
        other = _replanned(replan, total)
        if other is None:
            continue
        close = fit(other.lr, series).close
        if first_bad > 0 and close[first_bad:].all():
            return first_bad, other, False
        if tail_agrees and close[: last_bad + 1].all():
            return last_bad + 1, other, True
    return None


def diagnose(curve: Curve, series: LoggedSeries, replan: Replan) -> Verdict:
    peak = curve.peak_lr
    base = fit(curve.lr, series)
    points, beyond = int(base.inside.sum()), int((~base.inside).sum())
    bad = np.flatnonzero(~base.close)
    first_step = int(series.steps[bad[0]]) if bad.size else None
    max_rel = _max_rel(base, series, peak)
    absolute, relative = _tolerance(series, peak)
    tolerance = f"{ABSOLUTE:g} × peak" + (f" + {relative:.2g} × value ({series.precision})" if relative else
                                          " (the log keeps float64 values)")  # fmt: skip
    common = {"points": points, "beyond": beyond, "max_rel_diff": max_rel, "first_step": first_step,
              "tolerance": tolerance, "rows": base.rows}  # fmt: skip
    expected_plan = _plan_words(curve)

    if base.all_close:
        return Verdict("agree", f"the logged LR follows the expected curve ({expected_plan}) at all {points} points",
                       (), **common)  # fmt: skip

    for shift in (-1, 1):
        if fit(curve.lr, series, shift=shift).all_close:
            summary = (f"shifted by one step: at step g the log holds row {_row_words(series.row_offset - shift)} of "
                       f"the expected curve, the rule applied gives row {_row_words(series.row_offset)} "
                       f"({series.rule}): a logging convention, not a different schedule")
            details = ()
            if series.log_format in HF_FORMATS:
                details = ("transformers ≤ 4.50.3 logs the LR after the step (row g), ≥ 4.51.0 the LR the update used "
                           "(row g − 1): give the run's version with --transformers-version",)
            return Verdict("off-by-one", summary, details, **common, facts={"shift": shift})

    logged = np.asarray(series.lrs)
    usable = base.inside & (np.abs(base.expected) > 0)
    if usable.any():
        ratio = float(np.median(logged[usable] / base.expected[usable]))
        if ratio > 0 and abs(ratio - 1) > 1e-9 and fit(curve.lr, series, scale=ratio).all_close:
            return Verdict("scaled", f"scaled: every logged LR is {ratio:.6g} × the expected one (peak "
                           f"{peak * ratio:.6g} logged, {peak:.6g} expected): the LR was scaled, e.g. by a linear "
                           "scaling rule (× world size or batch size) or a different learning_rate", (), **common,
                           facts={"scale": ratio})  # fmt: skip

    for total in _candidates(curve, series):
        other = _replanned(replan, total)
        if other is not None and fit(other.lr, series).all_close:
            factor = curve.plan.total / total
            settings = _settings_for(curve, replan, total)
            summary = (f"stretched: the log follows the same schedule over T' = {total} steps, the config's has "
                       f"T = {curve.plan.total} (factor {factor:.6g}): the world size or gradient accumulation was "
                       "counted differently")
            details = (f"expected: {expected_plan}; logged: {_plan_words(other)}",)
            if settings:
                details += (f"{' or '.join(settings)} gives T = {total}",)
            return Verdict("stretched", summary, details, **common, explained_by=(("logged run's plan", other),),
                           facts={"factor": factor, "logged_total": total, "settings": settings})

    resumed = _resumed(curve, series, replan, base)
    if resumed is not None:
        index, other, other_first = resumed
        step = int(series.steps[index])
        first, second = (other, curve) if other_first else (curve, other)
        summary = (f"resumed with a different plan: up to step {int(series.steps[index - 1])} the log follows "
                   f"{_plan_words(first)}, from step {step} {_plan_words(second)}")
        details = (f"before: {_plan_words(first)} ({'the config' if first is curve else 'another plan'}); after: "
                   f"{_plan_words(second)} ({'the config' if second is curve else 'another plan'}): the run was "
                   "resumed from a checkpoint with changed settings (epochs, max_steps, batch), and the scheduler "
                   "continued at its step count under the new plan",)
        return Verdict("resumed", summary, details, **common,
                       explained_by=(("plan before the jump", first), ("plan after the jump", second)),
                       facts={"jump_step": step, "before_total": first.plan.total,
                              "after_total": second.plan.total})  # fmt: skip

    if curve.config is not None:
        unit = "step" if curve.step_unit == "epoch" else "epoch"
        try:
            other = replan(step_unit=unit)
        except LrcliError:
            other = None
        if other is not None and fit(other.lr, series).all_close:
            summary = (f"stepped per {unit}: the log follows the same scheduler stepped once per {'optimizer update' if unit == 'step' else 'epoch'}, the "
                       f"expected curve steps it per {curve.step_unit}")
            details = (f"Lightning: `interval: \"{unit}\"` in configure_optimizers' lr_scheduler dict (LightningCLI's "
                       f"default is \"epoch\"); give --step-unit {unit}",)
            return Verdict("step-unit", summary, details, **common, explained_by=((f"stepped per {unit}", other),),
                           facts={"step_unit": unit})

    for name, kwargs in OTHER_FAMILIES:
        if name == curve.schedule:
            continue
        try:
            other = replan(lr_scheduler_type=name, lr_scheduler_kwargs=dict(kwargs))
        except LrcliError:
            continue
        if fit(other.lr, series).all_close:
            deepspeed = name.startswith("Warmup")
            summary = (f"a different schedule: the log follows {name} with the same LR, T and W, not the config's "
                       f"{curve.schedule}")
            details = (("a DeepSpeed `scheduler` section replaced the HF one: transformers' DeepSpeed integration builds its "
                        f"{name} ('auto' values filled from the Trainer's LR, T and W) instead of lr_scheduler_type",)
                       if deepspeed else ())  # fmt: skip
            return Verdict("different-family", summary, details, **common, explained_by=((name, other),),
                           facts={"schedule": name, "kwargs": dict(kwargs)})

    summary = (f"no known cause: {points - int(base.close.sum())} of {points} points differ (first at step "
               f"{first_step}), max |Δ| = {max_rel:.3g} × peak" + (f", {beyond} logged past T" if beyond else ""))
    return Verdict("no-known-cause", summary, (), **common)
