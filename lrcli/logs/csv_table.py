"""LR columns of CSV logs: Lightning's `CSVLogger` `metrics.csv` (`LearningRateMonitor` columns `lr-<Optimizer>`),
W&B's CSV files, or any CSV with a step column and an LR column (`--lr-column`).

W&B writes two kinds of CSV with a run's history (see tests/data/overlay/wandb/, real files):
- a chart's "Download CSV": the chart's x-axis as the first column ("Step" = W&B's own row counter `_step`, or the
  step metric the run defined, e.g. the HF Trainer's "train/global_step"), then per run and metric
  "<run> - <metric>" with "…__MIN" / "…__MAX" beside it (the band of a bucket when the chart sampled the run; equal to
  the value when it did not); several runs share one file, a run's cell is empty where it logged nothing;
- the API's history (`run.history()` / `scan_history()` written by pandas): one column per logged key, W&B's
  `_step`, `_timestamp`, `_runtime` beside the run's own step key ("train/global_step", "iter", …), empty cells where
  a row did not log that key.
The runs table ("Name", "State", … one row per run) holds no history and is refused with what to export instead.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, read_text
from lrcli.logs.lightning import LIGHTNING_FORMAT, lightning_rule
from lrcli.logs.series import EXACT, FLOAT32, LoggedSeries, logged_number, logged_step, series_from_points

# The run's own step first; W&B's row counters ("Step" in a chart export is `_step`) last.
STEP_COLUMNS = ("step", "global_step", "train/global_step", "trainer/global_step", "iter", "Step", "_step")
WANDB_COUNTERS = ("Step", "_step")
LR_COLUMNS = ("lr", "learning_rate", "train/learning_rate", "train/lr")
WANDB_SEPARATOR = " - "  # "<run> - <metric>"
WANDB_BAND = ("__MIN", "__MAX")  # a chart export's band columns beside each series
RUNS_TABLE = {"Name", "State", "Runtime", "Created"}


def _rows(path: str, where: str) -> tuple[list[str], list[dict[str, str]]]:
    text = read_text(path, where, limit=TABLE_BYTES)
    try:
        reader = csv.DictReader(text.splitlines())
        columns = [(c or "").strip() for c in reader.fieldnames or []]
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)} for row in reader]
    except csv.Error as exc:
        raise LrcliError(f"{where}: not a CSV file lrcli can read ({exc})") from None
    return columns, rows


def _is_lr(name: str) -> bool:
    return name in LR_COLUMNS or name.startswith("lr-")


@dataclass(frozen=True)
class ChartSeries:
    """One "<run> - <metric>" series of a W&B chart export."""

    column: str
    run: str
    metric: str


def chart_series(columns: list[str]) -> list[ChartSeries]:
    """The "<run> - <metric>" series of a W&B chart export (none when it is not one). The metric is what follows
    the last " - " (run names may hold one; W&B metric keys do not)."""
    found = []
    for column in columns[1:]:
        if column.endswith(WANDB_BAND) or WANDB_SEPARATOR not in column:
            continue
        run, _, metric = column.rpartition(WANDB_SEPARATOR)
        if f"{column}__MIN" in columns or f"{column}__MAX" in columns:
            found.append(ChartSeries(column, run, metric))
    return found


def _chart_column(series: list[ChartSeries], wanted: str | None, run: str | None, where: str) -> ChartSeries:
    if wanted is not None:
        chosen = [s for s in series if wanted in (s.metric, s.column)]
        if not chosen:
            metrics = sorted({s.metric for s in series})
            raise LrcliError(f"{where} has no metric {shown(wanted)}; its metrics: {', '.join(map(shown, metrics))}")
    else:
        chosen = [s for s in series if _is_lr(s.metric)]
        if not chosen:
            metrics = sorted({s.metric for s in series})
            raise LrcliError(f"{where}: a W&B chart export without a learning-rate metric ({', '.join(LR_COLUMNS)}); "
                             f"name it with --lr-column (its metrics: {', '.join(map(shown, metrics))})")
        if len({s.metric for s in chosen}) > 1:
            raise LrcliError(f"{where} has several learning-rate metrics ({', '.join(sorted({shown(s.metric) for s in chosen}))}); "
                             "pick one with --lr-column")  # fmt: skip
    if run is not None:
        of_run = [s for s in chosen if s.run == run]
        if not of_run:
            raise LrcliError(f"{where} has no run {shown(run)} with {shown(chosen[0].metric)}; its runs: "
                             f"{', '.join(shown(s.run) for s in chosen)}")
        return of_run[0]
    if len(chosen) > 1:
        raise LrcliError(f"{where} holds {len(chosen)} runs ({', '.join(shown(s.run) for s in chosen)}); pick one with "
                         "--run NAME")
    return chosen[0]


def _lr_column(columns: list[str], wanted: str | None, where: str) -> str:
    if wanted is not None:
        if wanted in columns:
            return wanted
        raise LrcliError(f"{where} has no column {shown(wanted)}; it has: {', '.join(map(shown, columns)) or 'none'}")
    found = [c for c in columns if _is_lr(c)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise LrcliError(f"{where}: no learning-rate column ({', '.join(LR_COLUMNS)} or lr-*); "
                         f"name it with --lr-column (columns: {', '.join(map(shown, columns)) or 'none'})")
    raise LrcliError(f"{where} has several learning-rate columns ({', '.join(map(shown, found))}); pick one with --lr-column")


def _read_chart(columns: list[str], rows: list[dict[str, str]], series: list[ChartSeries], where: str,
                lr_column: str | None, run: str | None) -> LoggedSeries:  # fmt: skip
    chosen = _chart_column(series, lr_column, run, where)
    x = columns[0]
    points, bucketed = [], 0
    for row in rows:
        value, low, high = (row.get(chosen.column + suffix, "") for suffix in ("", *WANDB_BAND))
        if not value or not row.get(x, ""):
            continue  # this run logged nothing at this x
        step = logged_step(row[x], f"{where} {x}")
        number = logged_number(value, f"{where} {chosen.column} at {x} {step}")
        if (low and logged_number(low, where) != number) or (high and logged_number(high, where) != number):
            bucketed += 1  # the chart sampled the run: this row is a bucket's mean, not a logged value
            continue
        points.append((step, number))
    steps, lrs, notes = series_from_points(points, where, chosen.column)
    if bucketed:
        notes += (f"{where}: {bucketed} row(s) of {shown(chosen.run)} are W&B's averages over a sampled bucket "
                  f"(__MIN ≠ __MAX) and are left out; export the chart with all points, or give the run directory",)
    if x in WANDB_COUNTERS:
        notes += (f"{where}: the x column {shown(x)} is W&B's count of wandb.log calls, taken as the optimizer step; "
                  "for an HF Trainer run, choose train/global_step as the chart's x-axis before exporting",)
    return LoggedSeries(steps, lrs, where, "W&B chart export", FLOAT32, 0, f"the {x} column is the row", {"run": chosen.run},
                        notes)  # fmt: skip


def read_csv_log(path: str, where: str, lr_column: str | None, run: str | None = None) -> LoggedSeries:
    columns, rows = _rows(path, where)
    series = chart_series(columns)
    if series:
        return _read_chart(columns, rows, series, where, lr_column, run)
    if run is not None:
        raise LrcliError(f"--run {shown(run)}: {where} is not a W&B chart export holding several runs")
    if len(RUNS_TABLE & set(columns)) >= 2 and "Name" in columns:
        raise LrcliError(f"{where} is a W&B runs table (one row per run, its last values), not a run's history: "
                         "download the learning-rate chart's CSV, or give the run's directory (wandb/run-…)")
    steps_column = next((c for c in STEP_COLUMNS if c in columns), None)
    if steps_column is None:
        raise LrcliError(f"{where}: no step column ({', '.join(STEP_COLUMNS)}); expected a header like 'step,lr'")
    name = _lr_column(columns, lr_column, where)
    points = []
    for row in rows:
        if row.get(name, "") and row.get(steps_column, ""):  # Lightning and W&B leave other keys' cells empty
            step = logged_step(row[steps_column], f"{where} {steps_column}")
            points.append((step, logged_number(row[name], f"{where} {name} at step {step}")))
    steps, lrs, notes = series_from_points(points, where, name)
    if name.startswith("lr-"):  # LearningRateMonitor's name: lr-<Optimizer class>[/pg<i>] (or lr-<scheduler name>)
        offset, rule = lightning_rule(steps)
        return LoggedSeries(steps, lrs, where, LIGHTNING_FORMAT, EXACT, offset, rule, {}, notes)
    if "_step" in columns:  # W&B's history through its API, written by pandas (repr floats)
        if steps_column in WANDB_COUNTERS:
            notes += (f"{where}: no step column of the run's own, so W&B's _step (its count of wandb.log calls) is "
                      "taken as the optimizer step",)
        return LoggedSeries(steps, lrs, where, "W&B history CSV", EXACT, 0, f"the {steps_column} column is the row",
                            {}, notes)  # fmt: skip
    return LoggedSeries(steps, lrs, where, "CSV", EXACT, 0, f"the {steps_column} column is the row (LR after that many "
                        "scheduler steps)", {}, notes)
