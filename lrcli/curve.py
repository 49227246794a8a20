"""compute(config) -> Curve: where the config, the step plan and the schedule meet."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.metrics import load_metrics
from lrcli.schedules import Schedule, evaluate, get_schedule
from lrcli.schedules.types import Level, np  # numpy on first use: `steps` and `show` read settings without it
from lrcli.steps import StepPlan, plan_steps, scheduler_kwargs

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from lrcli.data.refs import ProgressBar

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
    # An outlined curve (`outline`, for long runs): `steps`/`lr` are only the rows to draw, `rows` evaluates any
    # others exactly, and `peak` is the exact (first row, LR) of the maximum. None for a curve of every row.
    rows: Callable[[NDArray[np.int64]], NDArray[np.float64]] | None = field(default=None, compare=False, repr=False)
    peak: tuple[int, float] | None = None

    @property
    def outlined(self) -> bool:
        return self.rows is not None

    @property
    def sequential(self) -> bool:
        """`values` replays the curve from its start (a chained schedule): read rows in order, and sparingly."""
        return isinstance(self.rows, ReplayStream)

    @property
    def peak_lr(self) -> float:
        return self.peak[1] if self.peak is not None else float(self.lr.max())

    @property
    def peak_step(self) -> int:
        return self.peak[0] if self.peak is not None else int(self.lr.argmax())

    def index_of(self, step: int) -> int:
        """Where row `step` is in `steps` (itself, unless the curve is outlined)."""
        return step if self.rows is None else int(np.searchsorted(self.steps, step))

    def values(self, rows: NDArray[np.int64]) -> NDArray[np.float64]:
        """The LR at each of `rows` (e.g. one block of a table), evaluated when the curve is outlined."""
        return self.lr[rows] if self.rows is None else self.rows(rows)

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


SUM_BLOCK_ROWS = 1 << 16  # rows summed at a time for an outlined curve


def summarize(curve: Curve, progress: Callable[[int], ProgressBar] | None = None) -> CurveSummary:
    """The summary; for an outlined curve (T > 10^7, streamed JSON) the sums go block by block, so the last bits of
    lr_sum and mean_lr may differ from numpy's pairwise sum over one array (counts and extremes are exact).
    `progress(rows)`: the bar told the rows summed so far (an outlined curve's sums read every row: O(T))."""
    if curve.outlined:
        row_by_row(curve.plan.total + 1, f"{curve.label}: the mean and sum of the LR")
        total, near = 0.0, 0
        starts = range(0, curve.plan.total, SUM_BLOCK_ROWS)
        blocks = (curve.values(np.arange(start, min(start + SUM_BLOCK_ROWS, curve.plan.total), dtype=np.int64))
                  for start in starts)
        for block in _counted(blocks, curve.plan.total, progress):
            total += float(np.sum(block))
            near += int(np.count_nonzero(block >= NEAR_PEAK * curve.peak_lr))
        return CurveSummary(curve.plan.total, curve.plan.warmup, curve.peak_lr, curve.peak_step, curve.final_lr,
                            total / curve.plan.total, total, near)
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
    return zero_rows_notes(zeros, plan, schedule)


def zero_rows_notes(zeros: int, plan: StepPlan, schedule: Schedule) -> tuple[str, ...]:
    """`first_update_notes` from the number of leading rows at LR 0."""
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


def starting_zero_rows(config: TrainConfig, plan: StepPlan) -> int | None:
    """How many of rows 0 and 1 are at LR 0, without numpy, where the schedule's form settles it: a linear warmup
    from 0 (`Schedule.warmup_from_zero`) over W ≥ 2 steps has row 0 = lr · 0/W = 0 and row 1 = lr · (1/W) ≠ 0 for
    a normal, non-zero lr. None: evaluate the rows (`starting_lrs`)."""
    schedule = get_schedule(config.lr_scheduler_type)
    if plan.warmup == 0 and not schedule.one_update_behind:
        return 0  # nothing to say (zero_rows_notes says nothing without a warmup)
    lr = config.learning_rate
    if not schedule.warmup_from_zero or plan.warmup < 2 or config.step_unit != "step":
        return None
    if plan.total == 1:
        return 1
    return 1 if math.isfinite(lr) and abs(lr) / plan.warmup >= 1e-300 else None


def starting_lrs(config: TrainConfig, plan: StepPlan) -> NDArray[np.float64]:
    """The LR of the first two updates (rows 0 and 1; one row when T = 1), without evaluating the whole curve."""
    schedule = get_schedule(config.lr_scheduler_type)
    start = np.arange(min(2, plan.total), dtype=np.int64)
    if schedule.needs_metrics:
        return np.full(len(start), config.learning_rate)  # no evaluation has happened before the first updates
    kwargs, _, _ = _schedule_kwargs(schedule, config, plan)
    return evaluate(schedule, start, lr=config.learning_rate, warmup=plan.warmup, total=plan.total, kwargs=kwargs)


@dataclass(frozen=True)
class Run:
    """Everything about a curve but its values: the schedule, the plan, the kwargs and the scheduler's clock."""

    config: TrainConfig
    schedule: Schedule
    plan: StepPlan
    kwargs: dict[str, Any]
    kwarg_sources: dict[str, str]
    notes: tuple[str, ...]
    metrics: Any
    per_epoch: int | None  # scheduler steps once per this many updates (None: every update)
    total: int  # T and W in scheduler steps
    warmup: int

    def clock(self, rows: NDArray[np.int64]) -> NDArray[np.int64]:
        return rows if self.per_epoch is None else rows // self.per_epoch

    def values(self, rows: NDArray[np.int64]) -> NDArray[np.float64]:
        return evaluate(self.schedule, self.clock(rows), lr=self.config.learning_rate, warmup=self.warmup,
                        total=self.total, kwargs=self.kwargs, metrics=self.metrics)

    def curve(self, steps: NDArray[np.int64], lr: NDArray[np.float64], starting: NDArray[np.float64],
              **outlined: Any) -> Curve:
        return Curve(
            label=self.config.label or self.schedule.name,
            schedule=self.schedule.name,
            base_lr=self.config.learning_rate,
            kwargs=self.kwargs,
            plan=self.plan,
            steps=steps,
            lr=lr,
            notes=self.plan.notes + self.notes + first_update_notes(starting, self.plan, self.schedule),
            step_unit="step" if self.schedule.needs_metrics else self.config.step_unit,
            kwarg_sources=self.kwarg_sources,
            one_update_behind=self.schedule.one_update_behind,
            config=self.config,
            **outlined,
        )


def prepare_run(config: TrainConfig) -> Run:
    schedule = get_schedule(config.lr_scheduler_type)
    plan = plan_steps(config)
    if plan.total < 1:
        raise LrcliError(f"the run has {plan.total} optimizer steps: there is no curve to draw")
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
    per_epoch, total, warmup = _scheduler_clock(plan, config.step_unit, schedule, notes)
    return Run(config, schedule, plan, kwargs, kwarg_sources, tuple(notes), metrics, per_epoch, total, warmup)


def compute(config: TrainConfig) -> Curve:
    """Resolve the steps of `config`, then evaluate its schedule at every step 0 … T (at most MAX_CURVE_STEPS; a
    longer run is drawn or tabulated through `outline`)."""
    run = prepare_run(config)
    plan = run.plan
    if plan.total > MAX_CURVE_STEPS:
        raise LrcliError(
            f"T = {plan.total:,} optimizer steps is more than lrcli evaluates in one curve ({MAX_CURVE_STEPS:,} rows, "
            "one per step); check --total-steps/--max-steps/--samples, or run `lrcli steps` for T and W alone"
            "; `lrcli plot` and `lrcli compare` draw and tabulate it (PNG/SVG/PDF/CSV/JSON)"
        )
    steps = np.arange(plan.total + 1, dtype=np.int64)
    lr = run.values(steps)
    return run.curve(steps, lr, lr[: min(2, plan.total)])


# Plots of at most this many rows evaluate every row (and draw stairs where a schedule steps); longer ones are
# outlined, at a cost that does not grow with T.
DENSE_ROWS = 1 << 20
# A chained replay (torch's LinearLR, PolynomialLR, CosineAnnealingLR, ExponentialLR, SequentialLR: the value at step s
# takes the s float operations before it) is outlined from every row, exactly, up to this many rows (O(T) time, one
# block in memory: seconds); a longer plot draws the framework's closed form where it has one (saying by how much it
# may differ), else goes on replaying every row (minutes at 10^9 steps, a progress bar on stderr).
EXACT_REPLAY_ROWS = MAX_CURVE_STEPS + 1
# A streamed table's outline keeps this many columns' extremes: its drawn rows, spread over the whole run, are then
# the sample its size is estimated from (render.table.table_size) without reading the replay once more.
TABLE_SAMPLE_COLUMNS = 256
# Work that looks at every row (a chained replay without a drawable closed form, a schedule with too many turns to
# list, compare's sums) runs at a few million rows a second: minutes at 10^9 steps, hours past it. No run is that
# long (10^9 updates is ~1000 times a frontier pretraining), so more is a typo in --total-steps/--samples: refused.
ROW_BY_ROW_LIMIT = 10**9 + 1
EVALUATED_BLOCK_ROWS = 1 << 20  # rows evaluated at a time when a long curve must be looked at row by row


def outline(config: TrainConfig, *, columns: int, dense_rows: int = DENSE_ROWS, blocks: bool = False,
            progress: Callable[[int], ProgressBar] | None = None) -> Curve:
    """The curve of `config` for a plot `columns` pixels wide or a streamed table: every row when there are at
    most `dense_rows` (as `compute`), else its outline (lrcli/envelope.py) — the exact extremes of `columns` runs
    of rows, the exact peak and final LR, and `Curve.values` for any other rows. A schedule without declared
    breaks is replayed block by block with its carry (exact, O(T) time, flat memory); past EXACT_REPLAY_ROWS a plot
    draws its closed form instead where it has one (with a note giving the measured difference). A schedule with
    too many turns to list is evaluated block by block (exact, O(T), flat memory); metric-driven schedules turn
    only at their evaluations.
    `blocks`: the rows will be read block by block in order (a streamed table): a chained schedule then streams
    its replay, continuing from the last block read, exact at any T. `progress(rows)`: the bar to tell the rows
    looked at so far (of `rows`) when every row must be looked at."""
    from lrcli.envelope import outline as envelope
    from lrcli.schedules.pieces import full_params, near

    run = prepare_run(config)
    rows = run.plan.total + 1
    if rows <= dense_rows:
        return compute(config)
    replayable = run.schedule.replay is not None and run.metrics is None
    chained = run.schedule.replays_from_start or run.schedule.breaks is None
    if replayable and chained and blocks:
        return _replayed(run, max(columns, TABLE_SAMPLE_COLUMNS), progress)
    if replayable and chained and rows > EXACT_REPLAY_ROWS:
        drawn = _closed_form(run, columns, envelope, near)
        if drawn is not None:
            return drawn
    breaks = None if blocks and run.schedule.replays_from_start else _breaks(run, full_params, near)
    if breaks is None:
        if replayable:
            return _replayed(run, columns, progress)
        if run.plan.total > MAX_CURVE_STEPS:
            return _evaluated(run, columns, progress)
        return compute(config)
    shape = envelope(run.values, rows, breaks, columns)
    starting = run.values(np.arange(min(2, run.plan.total), dtype=np.int64))
    return run.curve(shape.steps, shape.lr, starting, rows=run.values, peak=(shape.peak_step, shape.peak_lr))


def row_by_row(rows: int, what: str) -> None:
    """Refuse `what` (work that looks at each of `rows` rows) past ROW_BY_ROW_LIMIT, saying why."""
    if rows > ROW_BY_ROW_LIMIT:
        raise LrcliError(
            f"{what} over T = {rows - 1:,} steps needs every step looked at, which lrcli does up to "
            f"{ROW_BY_ROW_LIMIT - 1:,} steps (minutes at that size); check --total-steps/--max-steps/--samples, "
            "or run `lrcli steps` for T and W alone"
        )


def _counted(source: Any, rows: int, progress: Callable[[int], ProgressBar] | None) -> Any:
    """The blocks of `source` (`rows` rows in all), the rows passed so far told to the bar `progress(rows)` makes."""
    if progress is None:
        yield from source
        return
    bar, done = progress(rows), 0
    try:
        for block in source:
            yield block
            done += block.count if isinstance(block, Level) else len(block)
            bar.update(done)
    finally:
        bar.close()


def _replayed(run: Run, columns: int, progress: Callable[[int], ProgressBar] | None = None) -> Curve:
    """The exact outline of a chained replay, every row looked at once (envelope.replayed); `Curve.values` then
    continues the replay from the last row read (a table's blocks, in order)."""
    from lrcli.envelope import replayed
    from lrcli.schedules import replay_blocks

    row_by_row(run.plan.total + 1, f"{run.schedule.name} (a chained replay: step s takes the s float operations "
               "before it, and no closed form with few enough turns draws it)")

    def blocks() -> Any:
        last = run.plan.total if run.per_epoch is None else run.plan.total // run.per_epoch
        source = replay_blocks(run.schedule, last, lr=run.config.learning_rate, warmup=run.warmup,
                               total=run.total, kwargs=run.kwargs)
        return source if run.per_epoch is None else _epoch_rows(source, run.per_epoch, run.plan.total + 1)

    shape = replayed(_counted(blocks(), run.plan.total + 1, progress), run.plan.total + 1, columns)
    stream = ReplayStream(blocks)
    starting = stream(np.arange(min(2, run.plan.total), dtype=np.int64))
    return run.curve(shape.steps, shape.lr, starting, rows=stream, peak=(shape.peak_step, shape.peak_lr))


def _evaluated(run: Run, columns: int, progress: Callable[[int], ProgressBar] | None = None) -> Curve:
    """The exact outline of a curve with random access but too many turns to list (a cycle every few steps over
    10^9 steps, metrics evaluated more often than MAX_BREAKS times): every row evaluated, a block at a time."""
    from lrcli.envelope import replayed

    rows = run.plan.total + 1
    row_by_row(rows, f"{run.schedule.name} (more turns than lrcli lists, so its extremes are found row by row)")

    def blocks() -> Any:
        for start in range(0, rows, EVALUATED_BLOCK_ROWS):
            yield run.values(np.arange(start, min(rows, start + EVALUATED_BLOCK_ROWS), dtype=np.int64))

    shape = replayed(_counted(blocks(), rows, progress), rows, columns)
    starting = run.values(np.arange(min(2, run.plan.total), dtype=np.int64))
    return run.curve(shape.steps, shape.lr, starting, rows=run.values, peak=(shape.peak_step, shape.peak_lr))


def _closed_form(run: Run, columns: int, envelope: Callable[..., Any], near: Callable[..., list[int]]) -> Curve | None:
    """A long chained replay drawn from the framework's closed form (None: it has none; replay or refuse), with a
    note saying by how much the drawn values may differ from the framework's own."""
    from lrcli.schedules import bind_kwargs
    from lrcli.schedules.pieces import full_params

    schedule = run.schedule
    if schedule.closed_form is None:
        return None
    params = full_params(schedule.fn, bind_kwargs(schedule, run.kwargs))
    last = run.plan.total if run.per_epoch is None else run.plan.total // run.per_epoch
    form = schedule.closed_form(params, lr=run.config.learning_rate, warmup=run.warmup, total=run.total, last=last)
    if form is None:
        return None
    values, turns, bound, why = form
    if values is None:  # the replay settles early (a flat tail): exact, and as cheap as a closed form
        return _replayed(run, columns)
    rows = run.plan.total + 1

    def checked(steps: NDArray[np.int64]) -> NDArray[np.float64]:
        with np.errstate(all="ignore"):
            out = np.asarray(values(run.clock(steps)), dtype=np.float64)
        if not np.isfinite(out).all():
            raise LrcliError(f"{schedule.name}: its closed form gives a non-finite LR with these settings; "
                             "check its parameters")
        return out

    turn_rows = np.array(near(turns, last), dtype=np.int64) * (run.per_epoch or 1)  # the clock steps at these rows
    shape = envelope(checked, rows, turn_rows, columns)
    note = (f"{schedule.name} over {run.plan.total:,} steps is drawn from its closed form ({why}): replaying "
            f"torch's {run.plan.total:,} chained float operations exactly takes O(T) (lrcli does it up to "
            f"{EXACT_REPLAY_ROWS - 1:,} steps); the drawn LR may differ from torch's by {bound:.1e} × the peak "
            "(the most measured over random settings up to T = 10^8, tools/gen_closed_form_bounds.py; the drift grows "
            "with T); a CSV/JSON table gives torch's exact values")
    starting = checked(np.arange(min(2, run.plan.total), dtype=np.int64))
    curve = run.curve(shape.steps, shape.lr, starting, rows=checked, peak=(shape.peak_step, shape.peak_lr))
    return replace(curve, notes=(*curve.notes, note)) if why else curve


def _epoch_rows(source: Any, per_epoch: int, rows: int) -> Any:
    """Scheduler steps stepped once per epoch of `per_epoch` updates, as rows (row s has had ⌊s/U⌋ steps): each
    value `per_epoch` times (arrays of at most ~2^20 rows, or one `Level` per value for long epochs), cut at `rows`."""
    left = rows
    for block in source:
        if isinstance(block, Level) or per_epoch >= 4096:
            runs = [(block.value, block.count)] if isinstance(block, Level) else [(v, 1) for v in block.tolist()]
            for value, count in runs:
                size = min(count * per_epoch, left)
                left -= size
                yield Level(value, size)
                if left == 0:
                    return
            continue
        group = max(1, (1 << 20) // per_epoch)
        for start in range(0, len(block), group):
            part = np.repeat(block[start:start + group], per_epoch)[:left]
            left -= len(part)
            yield part
            if left == 0:
                return


class ReplayStream:
    """`Curve.values` of a replayed curve: rows are served from the replay as it goes, one block held; reading
    rows before the current block starts the replay again (so reading a table in order costs one replay)."""

    def __init__(self, blocks: Callable[[], Any]) -> None:
        self._blocks = blocks
        self._restart()

    def _restart(self) -> None:
        self._source = iter(self._blocks())
        self._start, self._block = 0, None
        self._length = 0

    def _advance(self) -> None:
        self._start += self._length
        self._block = next(self._source)
        self._length = self._block.count if isinstance(self._block, Level) else len(self._block)

    def __call__(self, rows: NDArray[np.int64]) -> NDArray[np.float64]:
        rows = np.asarray(rows, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        wanted = rows[order]
        out = np.empty(len(rows), dtype=np.float64)
        if len(wanted) and wanted[0] < self._start:
            self._restart()
        i = 0
        while i < len(wanted):
            end = self._start + self._length
            if wanted[i] >= end:
                self._advance()
                continue
            j = int(np.searchsorted(wanted, end, side="left"))
            block = self._block
            out[order[i:j]] = block.value if isinstance(block, Level) else block[wanted[i:j] - self._start]
            i = j
        return out


def _breaks(run: Run, full_params: Callable[..., dict[str, Any]],
            near: Callable[..., list[int]]) -> NDArray[np.int64] | None:
    """The rows where the curve may turn (scheduler breaks moved to rows), or None: evaluate every row."""
    if run.metrics is not None:  # a metric-driven schedule: flat between evaluations, a new LR from each on
        from lrcli.schedules.pieces import MAX_BREAKS

        evaluations = run.metrics.steps
        return np.array(near(evaluations, run.total), dtype=np.int64) if len(evaluations) <= MAX_BREAKS else None
    if run.schedule.breaks is None:
        return None
    from lrcli.schedules import bind_kwargs

    last = run.total if run.per_epoch is None else run.plan.total // run.per_epoch
    try:
        params = full_params(run.schedule.fn, bind_kwargs(run.schedule, run.kwargs))
        positions = run.schedule.breaks(params, lr=run.config.learning_rate, warmup=run.warmup, total=run.total,
                                        last=last)
    except (LrcliError, TypeError, ValueError, ArithmeticError, KeyError):
        return None  # settings the schedule refuses: evaluating every row raises the framework's own error
    if positions is None:
        return None
    turns = np.array(near(positions, last), dtype=np.int64)
    return turns if run.per_epoch is None else turns * run.per_epoch  # the clock steps at these rows


def _scheduler_clock(
    plan: StepPlan, unit: str, schedule: Schedule, notes: list[str]
) -> tuple[int | None, int, int]:
    """How many updates one scheduler step takes (None: one), and T and W in scheduler steps.

    With `epoch` (Lightning's interval="epoch") the scheduler steps once per U updates: row s has had ⌊s/U⌋ steps,
    T becomes ⌈T/U⌉ epochs and W ⌈W/U⌉. Metric-driven schedules step at each evaluation instead.
    """
    if unit == "step":
        return None, plan.total, plan.warmup
    if schedule.needs_metrics:
        notes.append(f"{schedule.name} steps at each evaluation: --step-unit {unit} does not apply")
        return None, plan.total, plan.warmup
    per_epoch = plan.update_steps_per_epoch
    if per_epoch is None:
        raise LrcliError(
            "--step-unit epoch needs the number of optimizer updates per epoch: give the run as --samples/--batch "
            "(with --grad-accum, --world-size, --epochs) instead of --total-steps"
        )
    total, warmup = -(-plan.total // per_epoch), -(-plan.warmup // per_epoch)
    if plan.warmup % per_epoch:
        notes.append(f"warmup of {plan.warmup} updates rounded up to {warmup} epochs of {per_epoch} updates")
    return per_epoch, total, warmup
