"""LR columns of CSV logs: Lightning's `CSVLogger` `metrics.csv` (`LearningRateMonitor` columns `lr-<Optimizer>`),
a W&B chart export, or any CSV with a step column and an LR column (`--lr-column`)."""

from __future__ import annotations

import csv

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, read_text
from lrcli.logs.lightning import LIGHTNING_FORMAT, lightning_rule
from lrcli.logs.series import EXACT, FLOAT32, LoggedSeries, logged_number, logged_step, series_from_points

STEP_COLUMNS = ("step", "global_step", "train/global_step", "Step", "trainer/global_step", "_step")
LR_COLUMNS = ("lr", "learning_rate", "train/learning_rate", "train/lr")
WANDB_SUFFIXES = ("__MIN", "__MAX")  # a W&B export's band columns beside each series


def _rows(path: str, where: str) -> tuple[list[str], list[dict[str, str]]]:
    text = read_text(path, where, limit=TABLE_BYTES)
    try:
        reader = csv.DictReader(text.splitlines())
        columns = [(c or "").strip() for c in reader.fieldnames or []]
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items() if isinstance(v, str)} for row in reader]
    except csv.Error as exc:
        raise LrcliError(f"{where}: not a CSV file lrcli can read ({exc})") from None
    return columns, rows


def _lr_column(columns: list[str], wanted: str | None, where: str) -> str:
    if wanted is not None:
        if wanted in columns:
            return wanted
        raise LrcliError(f"{where} has no column {shown(wanted)}; it has: {', '.join(map(shown, columns)) or 'none'}")
    found = [c for c in columns if c in LR_COLUMNS or c.startswith("lr-")
             or (c.endswith(LR_COLUMNS) and " - " in c and not c.endswith(WANDB_SUFFIXES))]  # fmt: skip
    if len(found) == 1:
        return found[0]
    if not found:
        raise LrcliError(f"{where}: no learning-rate column ({', '.join(LR_COLUMNS)} or lr-*); "
                         f"name it with --lr-column (columns: {', '.join(map(shown, columns)) or 'none'})")
    raise LrcliError(f"{where} has several learning-rate columns ({', '.join(map(shown, found))}); pick one with --lr-column")


def read_csv_log(path: str, where: str, lr_column: str | None) -> LoggedSeries:
    columns, rows = _rows(path, where)
    steps_column = next((c for c in STEP_COLUMNS if c in columns), None)
    if steps_column is None:
        raise LrcliError(f"{where}: no step column ({', '.join(STEP_COLUMNS)}); expected a header like 'step,lr'")
    name = _lr_column(columns, lr_column, where)
    points = []
    for row in rows:
        if row.get(name, "") and row.get(steps_column, ""):  # Lightning leaves other metrics' cells empty
            step = logged_step(row[steps_column], f"{where} {steps_column}")
            points.append((step, logged_number(row[name], f"{where} {name} at step {step}")))
    steps, lrs, notes = series_from_points(points, where, name)
    if name.startswith("lr-"):  # LearningRateMonitor's name: lr-<Optimizer class>[/pg<i>] (or lr-<scheduler name>)
        offset, rule = lightning_rule(steps)
        return LoggedSeries(steps, lrs, where, LIGHTNING_FORMAT, EXACT, offset, rule, {}, notes)
    if " - " in name:  # W&B: "<run> - train/learning_rate", values kept as float32
        return LoggedSeries(steps, lrs, where, "W&B CSV export", FLOAT32, 0,
                            f"the {steps_column} column is the row", {}, notes)
    return LoggedSeries(steps, lrs, where, "CSV", EXACT, 0, f"the {steps_column} column is the row (LR after that many "
                        "scheduler steps)", {}, notes)
