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
- two causes together, only when no single one explains the log (the simplest explanation wins): stretched and
  scaled (another T' and another learning_rate), stretched and shifted by one step, scaled and shifted, resumed and
  scaled (the run resumed with another learning_rate, with or without another T'); each part is named with its
  numbers;
- else no known cause, with the numbers.

Candidate plans T' are the log's recorded max_steps, its last logged step and T · p / q for p, q ≤ 16 (world sizes,
accumulation and epoch counts are small ratios of each other), up to 4 × T and SEARCH_ROWS rows in all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lrcli.config import TrainConfig
from lrcli.curve import Curve, compute
from lrcli.errors import LrcliError
from lrcli.logs.hf_state import HF_FORMATS, deepspeed_rule, with_version
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
    steps, logged = series.step_array, series.lr_array
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
    logged = series.lr_array
    diff = np.abs(logged[fit_.inside] - fit_.expected[fit_.inside])
    return float(diff.max() / peak) if diff.size and peak > 0 else 0.0


def _row_words(offset: int) -> str:
    """Row g − offset, in words."""
    return "g" if offset == 0 else f"g − {offset}" if offset > 0 else f"g + {-offset}"


def _plan_words(curve: Curve) -> str:
    return f"T = {curve.plan.total}, W = {curve.plan.warmup}"


def _ratio(lr: NDArray[np.float64], series: LoggedSeries, *, shift: int = 0, part: slice = slice(None),
           base: Fit | None = None) -> float | None:  # fmt: skip
    """The factor r with logged ≈ r · expected over the points of `part` (the median of their ratios), or None when
    no point there has a non-zero expected LR or r is 1 or not positive. `base`: the fit of `lr` already made."""
    base = base if base is not None else fit(lr, series, shift=shift)
    logged = series.lr_array[part]
    expected, inside = base.expected[part], base.inside[part]
    usable = inside & (np.abs(np.nan_to_num(expected)) > 0)
    if not usable.any():
        return None
    ratio = float(np.median(logged[usable] / expected[usable]))
    return ratio if ratio > 0 and abs(ratio - 1) > 1e-9 else None


# A scaled fit closer than this (max |Δ| / peak) is worth replanning with the scaled learning_rate: schedules with an
# absolute floor (polynomial's lr_end, DeepSpeed's warmup_min_lr) are not proportional to learning_rate.
NEAR_SCALED = 1e-2


def _scaled_fit(base: Curve, series: LoggedSeries, ratio: float, replan: Replan, *, shift: int = 0,
                part: slice = slice(None), **plan: Any) -> tuple[Curve, float] | None:  # fmt: skip
    """(the curve that explains the points of `part`, its LR factor) when they are `base` with another learning_rate.
    `base` × ratio first; else `base`'s settings (`plan`: the T' it was planned with) replanned with another
    learning_rate: the frameworks' schedules are affine in it (lr = a·L + b: polynomial's lr_end, DeepSpeed's
    warmup_min_lr are absolute), so two curves give a and b at the largest expected point, and L from its value."""
    scaled = fit(base.lr, series, shift=shift, scale=ratio)
    if scaled.close[part].all():
        return _scaled(base, ratio), ratio
    config = base.config
    if config is None or not scaled.inside[part].all() or config.learning_rate <= 0:
        return None
    logged, expected = series.lr_array[part], scaled.expected[part]
    if np.max(np.abs(logged - expected)) > NEAR_SCALED * abs(ratio) * base.peak_lr:
        return None
    rows = scaled.rows[part]
    top = int(np.argmax(base.lr[rows]))
    lr0 = config.learning_rate
    try:
        probe = replan(**plan, learning_rate=lr0 * ratio)
        slope = (probe.lr[rows[top]] - base.lr[rows[top]]) / (lr0 * ratio - lr0)
        if slope == 0:
            return None
        exact = float(lr0 + (logged[top] - base.lr[rows[top]]) / slope)
        other = probe if exact == lr0 * ratio else replan(**plan, learning_rate=exact)
    except LrcliError:
        return None
    return (other, float(exact / lr0)) if fit(other.lr, series, shift=shift).close[part].all() else None


def _scale_words(curve: Curve, ratio: float) -> str:
    lr = curve.config.learning_rate if curve.config is not None else curve.peak_lr
    return f"scaled ×{ratio:.6g} (learning_rate {lr * ratio:.6g} instead of {lr:.6g})"


def _stretch_words(curve: Curve, total: int, settings: list[str]) -> str:
    why = " or ".join(settings) if settings else "the world size or gradient accumulation counted differently"
    return f"stretched ×{curve.plan.total / total:.6g} (T' = {total} instead of T = {curve.plan.total}: {why})"


@dataclass(frozen=True)
class Resumed:
    """A log that follows one plan up to some point and another after it."""

    index: int  # the first point of the second part
    other: Curve  # the plan that is not the config's
    other_first: bool  # whether the other plan is the first part's
    scale: float = 1.0  # the other part's LR factor (a resume with another learning_rate)


def _resumed(curve: Curve, series: LoggedSeries, replan: Replan, base: Fit) -> tuple[Resumed | None, Resumed | None]:
    """(a resume with another plan, a resume with another plan AND learning_rate): the first of each kind found,
    when the log is the config's plan up to some step and another after it, or the other way round."""
    bad = np.flatnonzero(~base.close)
    if bad.size == 0:
        return None, None
    first_bad, last_bad = int(bad[0]), int(bad[-1])
    # The config's plan first, another after it: points 0 … first_bad − 1 agree, the rest fit another plan.
    # Another plan first, the config's after it: points last_bad + 1 … agree, the earlier ones fit another plan.
    tail_agrees = last_bad + 1 < len(series.steps)
    scaled: Resumed | None = None
    for total in (curve.plan.total, *_candidates(curve, series)):
        other = curve if total == curve.plan.total else _replanned(replan, total)
        if other is None:
            continue
        parts = []
        if first_bad > 0:
            parts.append((slice(first_bad, None), first_bad, False))
        if tail_agrees:
            parts.append((slice(0, last_bad + 1), last_bad + 1, True))
        plain = fit(other.lr, series)
        for part, index, other_first in parts:
            if other is not curve and plain.close[part].all():
                return Resumed(index, other, other_first), scaled
            ratio = _ratio(other.lr, series, part=part, base=plain) if scaled is None else None
            found = _scaled_fit(other, series, ratio, replan, part=part, total_steps=total) if ratio else None
            if found is not None:
                scaled = Resumed(index, found[0], other_first, found[1])
    return None, scaled


def compare_log(config: TrainConfig, series: LoggedSeries) -> tuple[Curve, LoggedSeries, Verdict]:
    """The curve `config` gives, `series` under the logging rule of the config's transformers version (unless the
    log recorded its own), and the diagnosis: what `lrcli overlay` and `lrcli.overlay` report."""
    series = with_version(series, config.transformers_version)
    curve = compute(config)
    if curve.one_update_behind:  # a DeepSpeed scheduler section: the run ran under DeepSpeed's engine
        series = deepspeed_rule(series)

    def replan(**changes: Any) -> Curve:
        return compute(replace(config, **changes))

    return curve, series, diagnose(curve, series, replan)


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

    ratio = _ratio(curve.lr, series, base=base)
    found = _scaled_fit(curve, series, ratio, replan) if ratio is not None else None
    if found is not None:
        other, ratio = found
        return Verdict("scaled", f"scaled: every logged LR is {ratio:.6g} × the expected one (peak "
                       f"{peak * ratio:.6g} logged, {peak:.6g} expected): the LR was scaled, e.g. by a linear "
                       "scaling rule (× world size or batch size) or a different learning_rate", (), **common,
                       explained_by=((f"LR ×{ratio:.6g}", other),), facts={"scale": ratio})  # fmt: skip

    stretched_pair: StretchedPair | None = None  # the first one found
    for total in _candidates(curve, series):
        other = _replanned(replan, total)
        if other is None:
            continue
        if stretched_pair is None:
            stretched_pair = _stretched_pair(other, series, total, replan)
        if fit(other.lr, series).all_close:
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

    resumed, resumed_scaled = _resumed(curve, series, replan, base)
    if resumed is not None:
        index, other, other_first = resumed.index, resumed.other, resumed.other_first
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
        deepspeed = name.startswith("Warmup")
        # Under DeepSpeed's engine an HF Trainer log holds row g at step g (logs/hf_state.deepspeed_rule).
        if fit(other.lr, deepspeed_rule(series) if deepspeed else series).all_close:
            summary = (f"a different schedule: the log follows {name} with the same LR, T and W, not the config's "
                       f"{curve.schedule}")
            details = (("a DeepSpeed `scheduler` section replaced the HF one: transformers' DeepSpeed integration builds its "
                        f"{name} ('auto' values filled from the Trainer's LR, T and W) instead of lr_scheduler_type; "
                        "give the config its DeepSpeed file (`deepspeed: ds_config.json`)",)
                       if deepspeed else ())  # fmt: skip
            return Verdict("different-family", summary, details, **common, explained_by=((name, other),),
                           facts={"schedule": name, "kwargs": dict(kwargs)})

    pair = _pairs(curve, series, replan, stretched_pair, resumed_scaled, common)
    if pair is not None:
        return pair

    summary = (f"no known cause: {points - int(base.close.sum())} of {points} points differ (first at step "
               f"{first_step}), max |Δ| = {max_rel:.3g} × peak" + (f", {beyond} logged past T" if beyond else ""))
    return Verdict("no-known-cause", summary, (), **common)


def _stretched_pair(other: Curve, series: LoggedSeries, total: int, replan: Replan) -> StretchedPair | None:
    """Whether the log is the plan with T' = `total` scaled, or shifted by one step."""
    plain = fit(other.lr, series)
    ratio = _ratio(other.lr, series, base=plain) if plain.inside.all() else None  # a point past T': no scale fits
    found = _scaled_fit(other, series, ratio, replan, total_steps=total) if ratio is not None else None
    if found is not None:
        return StretchedPair("scaled", total, found[1], found[0])
    for shift in (-1, 1):
        if fit(other.lr, series, shift=shift).all_close:
            return StretchedPair("shifted", total, shift, other)
    return None


@dataclass(frozen=True)
class StretchedPair:
    """The log is the plan with another T', and also scaled or shifted."""

    kind: str  # "scaled" or "shifted"
    total: int  # T'
    amount: float | int  # the LR factor, or the shift
    curve: Curve  # the curve that explains the log


def _shift_words(series: LoggedSeries, shift: int) -> str:
    return (f"shifted by one step (at step g the log holds row {_row_words(series.row_offset - shift)}, the rule "
            f"applied gives row {_row_words(series.row_offset)}: a logging convention)")


def _pairs(curve: Curve, series: LoggedSeries, replan: Replan, stretched_pair: StretchedPair | None,
           resumed_scaled: Resumed | None, common: dict[str, Any]) -> Verdict | None:  # fmt: skip
    """Two causes that together explain every point, in the order of the single causes they combine."""
    for shift in (-1, 1):  # scaled and shifted: the config's plan, another LR, logged one row away
        ratio = _ratio(curve.lr, series, shift=shift)
        found = _scaled_fit(curve, series, ratio, replan, shift=shift) if ratio is not None else None
        if found is not None:
            ratio = found[1]
            summary = f"two causes: {_scale_words(curve, ratio)} and {_shift_words(series, shift)}"
            return Verdict("scaled+shifted", summary, (), **common, facts={"scale": ratio, "shift": shift},
                           explained_by=((f"LR ×{ratio:.6g}", found[0]),))
    if stretched_pair is not None:
        kind, total, amount, explaining = (stretched_pair.kind, stretched_pair.total, stretched_pair.amount,
                                           stretched_pair.curve)  # fmt: skip
        other = replan(total_steps=total)
        settings = _settings_for(curve, replan, total)
        stretch = _stretch_words(curve, total, settings)
        details = (f"expected: {_plan_words(curve)}; logged: {_plan_words(other)}",)
        facts: dict[str, Any] = {"factor": curve.plan.total / total, "logged_total": total, "settings": settings}
        if kind == "scaled":
            summary = f"two causes: {stretch} and {_scale_words(curve, float(amount))}"
            label = f"logged run's plan (LR ×{float(amount):.6g})"
            return Verdict("stretched+scaled", summary, details, **common, facts=facts | {"scale": amount},
                           explained_by=((label, explaining),))
        summary = f"two causes: {stretch} and {_shift_words(series, int(amount))}"
        return Verdict("stretched+shifted", summary, details, **common, facts=facts | {"shift": amount},
                       explained_by=(("logged run's plan", other),))
    if resumed_scaled is not None:
        index, other, other_first, ratio = (resumed_scaled.index, resumed_scaled.other, resumed_scaled.other_first,
                                            resumed_scaled.scale)  # fmt: skip
        step = int(series.steps[index])
        scaled_other = other  # already the scaled plan (_scaled_fit)
        first, second = (scaled_other, curve) if other_first else (curve, scaled_other)
        part = "up to the jump" if other_first else "from the jump on"
        plan = "" if other.plan.total == curve.plan.total else f" on another plan ({_plan_words(other)})"
        summary = (f"two causes: resumed at step {step}{plan}, and {part} {_scale_words(curve, ratio)}; the "
                   f"config's plan is {_plan_words(curve)}")
        details = (f"up to step {int(series.steps[index - 1])}: {'LR ×' + format(ratio, '.6g') + ', ' if other_first else ''}"
                   f"{_plan_words(first)}; from step {step}: {'' if other_first else 'LR ×' + format(ratio, '.6g') + ', '}"
                   f"{_plan_words(second)}: the run was resumed from a checkpoint with a changed learning_rate"
                   + (" and step plan" if plan else ""),)  # fmt: skip
        return Verdict("resumed+scaled", summary, details, **common,
                       explained_by=(("plan before the jump", first), ("plan after the jump", second)),
                       facts={"jump_step": step, "before_total": first.plan.total, "after_total": second.plan.total,
                              "scale": ratio, "scaled_part": "before" if other_first else "after"})  # fmt: skip
    return None


def _scaled(curve: Curve, ratio: float) -> Curve:
    """`curve` with every LR times `ratio` (drawn as the curve that explains a scaled log)."""
    return replace(curve, lr=curve.lr * ratio, base_lr=curve.base_lr * ratio)
