"""compute(config) -> Curve: where the config, the step plan and the schedule meet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.metrics import load_metrics
from lrcli.schedules import Schedule, evaluate, get_schedule
from lrcli.schedules.types import np  # numpy on first use: `steps` and `show` read settings without it
from lrcli.steps import StepPlan, plan_steps, scheduler_kwargs

if TYPE_CHECKING:
    from numpy.typing import NDArray

# One row per step 0 … T: 10^7 rows already take a few seconds and ~2 GB to render; far above any real run (10^6
# updates is a very long pretraining), and a typo like --total-steps 1000000000 must be an error, not an OOM kill.
MAX_CURVE_STEPS = 10_000_000


@dataclass(frozen=True)
class Curve:
    """The LR after each of the steps 0 … T, with everything that produced it."""

    label: str
    schedule: str
    base_lr: float  # the lr the optimizer was built with (HF learning_rate); OneCycleLR/CyclicLR peak elsewhere
    kwargs: Mapping[str, Any]
    plan: StepPlan
    steps: NDArray[np.int64]
    lr: NDArray[np.float64]
    notes: tuple[str, ...]
    step_unit: str = "step"  # "epoch": row s has had floor(s / updates per epoch) scheduler steps
    kwarg_sources: Mapping[str, str] = field(default_factory=dict)  # where each of `kwargs` came from
    one_update_behind: bool = False  # row s is the schedule's own step s − 1 (DeepSpeed's schedulers)
    config: TrainConfig | None = None  # the settings that produced it

    @property
    def peak_lr(self) -> float:
        return float(self.lr.max())

    @property
    def peak_step(self) -> int:
        return int(self.lr.argmax())

    @property
    def final_lr(self) -> float:
        return float(self.lr[-1])


@dataclass(frozen=True)
class CurveSummary:
    """The numbers `compare` tabulates for each curve. Sums, means and counts are over the T updates, i.e. rows
    0 … T − 1 (row T is the LR after the last update, which no update uses); the peak is over every row."""

    total_steps: int  # T
    warmup_steps: int  # W
    peak_lr: float
    peak_step: int  # the first row at the peak
    final_lr: float  # row T
    mean_lr: float  # over the T updates
    lr_sum: float  # the LR summed over the T updates
    steps_near_peak: int  # updates at ≥ 90 % of the peak LR


NEAR_PEAK = 0.9


def summarize(curve: Curve) -> CurveSummary:
    used = curve.lr[: curve.plan.total]
    total = float(np.sum(used))
    return CurveSummary(
        total_steps=curve.plan.total,
        warmup_steps=curve.plan.warmup,
        peak_lr=curve.peak_lr,
        peak_step=curve.peak_step,
        final_lr=curve.final_lr,
        mean_lr=total / len(used),
        lr_sum=total,
        steps_near_peak=int(np.count_nonzero(used >= NEAR_PEAK * curve.peak_lr)),
    )


def first_update_notes(starting: NDArray[np.float64], plan: StepPlan, schedule: Schedule) -> tuple[str, ...]:
    """Updates at LR 0 at the start of the run, and why: HF warmups start at λ(0) = 0, so update 1 is wasted
    (transformers #34754); DeepSpeed's warmups start at warmup_min_lr (0 unless set) and run one update behind, so
    its γ(0) = 0 wastes update 2 as well. `starting` is the LR of the first few updates (rows 0, 1, …)."""
    zeros = int(np.argmax(starting != 0)) if (starting != 0).any() else len(starting)
    if zeros == 0 or (plan.warmup == 0 and not schedule.one_update_behind):
        return ()
    updates = "the first update runs" if zeros == 1 else f"the first {zeros} updates run"
    if schedule.one_update_behind:
        return (f"{updates} at LR 0: DeepSpeed's {schedule.name} is built at its step −1 and runs one update "
                "behind (update s + 1 uses its step s − 1), and its warmup starts from 0",)
    reported = " (transformers #34754)" if plan.transformers_version is not None else ""  # an HF Trainer run
    return (f"{updates} at LR 0 because warmup starts at 0{reported}",)


def _schedule_kwargs(
    schedule: Schedule, config: TrainConfig, plan: StepPlan
) -> tuple[dict[str, Any], dict[str, str], tuple[str, ...]]:
    kwargs, sources = scheduler_kwargs(config, plan)
    if schedule.ignores_kwargs and kwargs:
        return {}, {}, (f"{schedule.name} ignores scheduler kwargs {kwargs} (transformers drops them silently)",)
    return kwargs, sources, ()


def scheduler_settings(config: TrainConfig, plan: StepPlan) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The scheduler the run builds, without evaluating it: its name, its kwargs (DeepSpeed "auto" filled) and
    where each kwarg came from."""
    schedule = get_schedule(config.lr_scheduler_type)
    kwargs, sources, _ = _schedule_kwargs(schedule, config, plan)
    return schedule.name, kwargs, sources


def starting_lrs(config: TrainConfig, plan: StepPlan) -> NDArray[np.float64]:
    """The LR of the first two updates (rows 0 and 1; one row when T = 1), without evaluating the whole curve."""
    schedule = get_schedule(config.lr_scheduler_type)
    start = np.arange(min(2, plan.total), dtype=np.int64)
    if schedule.needs_metrics:
        return np.full(len(start), config.learning_rate)  # no evaluation has happened before the first updates
    kwargs, _, _ = _schedule_kwargs(schedule, config, plan)
    return evaluate(schedule, start, lr=config.learning_rate, warmup=plan.warmup, total=plan.total, kwargs=kwargs)


def compute(config: TrainConfig, *, steps_left: int = MAX_CURVE_STEPS) -> Curve:
    """Resolve the steps of `config`, then evaluate its schedule at every step 0 … T.

    `steps_left`: what the command may still evaluate (`compare` shares MAX_CURVE_STEPS among its curves, so that
    many long curves cannot add up to more memory than one curve at the cap)."""
    schedule = get_schedule(config.lr_scheduler_type)
    plan = plan_steps(config)
    if plan.total < 1:
        raise LrcliError(f"the run has {plan.total} optimizer steps: there is no curve to draw")
    if plan.total > MAX_CURVE_STEPS:
        raise LrcliError(
            f"T = {plan.total:,} optimizer steps is more than lrcli evaluates in one curve ({MAX_CURVE_STEPS:,} rows, "
            "one per step); check --total-steps/--max-steps/--samples, or run `lrcli steps` for T and W alone"
        )
    if plan.total > steps_left:
        raise LrcliError(
            f"{config.label or schedule.name}: T = {plan.total:,} brings the compared curves to more than the "
            f"{MAX_CURVE_STEPS:,} steps lrcli evaluates in one command ({steps_left:,} left); compare fewer "
            "or shorter runs"
        )
    kwargs, kwarg_sources, kwargs_notes = _schedule_kwargs(schedule, config, plan)
    notes = list(kwargs_notes)
    if schedule.ignores_warmup and plan.warmup:
        hint = "" if schedule.needs_metrics else f" (for warmup + {schedule.name}, use SequentialLR)"
        notes.append(f"{schedule.name} has no warmup: the {plan.warmup} warmup steps are not applied{hint}")
    elif schedule.name == "SequentialLR" and plan.warmup and kwargs.get("milestones") is not None:
        # lrcli adds the LinearLR warmup only to the one-scheduler form; explicit milestones mean the user wrote it all.
        notes.append(
            f"SequentialLR with milestones is used as written: the {plan.warmup} warmup steps are not added "
            "(drop milestones and give one scheduler for warmup + X, or put a LinearLR first)"
        )
    metrics = None
    if schedule.needs_metrics and config.metrics_path is not None:
        metrics = load_metrics(config.metrics_path, config.metric_name)
    elif config.metrics_path is not None:
        notes.append(f"{schedule.name} does not react to a metric: --metrics {config.metrics_path} is not used")
    steps = np.arange(plan.total + 1, dtype=np.int64)
    clock, total, warmup = _scheduler_clock(steps, plan, config.step_unit, schedule, notes)
    lr = evaluate(schedule, clock, lr=config.learning_rate, warmup=warmup, total=total, kwargs=kwargs, metrics=metrics)
    return Curve(
        label=config.label or schedule.name,
        schedule=schedule.name,
        base_lr=config.learning_rate,
        kwargs=kwargs,
        plan=plan,
        steps=steps,
        lr=lr,
        notes=plan.notes + tuple(notes) + first_update_notes(lr[: min(2, plan.total)], plan, schedule),
        step_unit="step" if schedule.needs_metrics else config.step_unit,
        kwarg_sources=kwarg_sources,
        one_update_behind=schedule.one_update_behind,
        config=config,
    )


def _scheduler_clock(
    steps: NDArray[np.int64], plan: StepPlan, unit: str, schedule: Schedule, notes: list[str]
) -> tuple[NDArray[np.int64], int, int]:
    """Scheduler steps taken before each optimizer update, and T and W in scheduler steps.

    With `epoch` (Lightning's interval="epoch") the scheduler steps once per U updates: row s has had ⌊s/U⌋ steps,
    T becomes ⌈T/U⌉ epochs and W ⌈W/U⌉. Metric-driven schedules step at each evaluation instead.
    """
    if unit == "step":
        return steps, plan.total, plan.warmup
    if schedule.needs_metrics:
        notes.append(f"{schedule.name} steps at each evaluation: --step-unit {unit} does not apply")
        return steps, plan.total, plan.warmup
    per_epoch = plan.update_steps_per_epoch
    if per_epoch is None:
        raise LrcliError(
            "--step-unit epoch needs the number of optimizer updates per epoch: give the run as --samples/--batch "
            "(with --grad-accum, --world-size, --epochs) instead of --total-steps"
        )
    total, warmup = -(-plan.total // per_epoch), -(-plan.warmup // per_epoch)
    if plan.warmup % per_epoch:
        notes.append(f"warmup of {plan.warmup} updates rounded up to {warmup} epochs of {per_epoch} updates")
    return steps // per_epoch, total, warmup
