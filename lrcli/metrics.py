"""An evaluation-metric history (step, value) from a HF `trainer_state.json` or a CSV, for metric-driven schedules."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from typing import Any

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, parse_json, read_text

# Tried in order when the metric is not named: HF's default metric_for_best_model ("loss" -> "eval_loss"), Lightning's.
DEFAULT_METRICS = ("eval_loss", "val_loss")


@dataclass(frozen=True)
class MetricHistory:
    """The metric value after each evaluation, in file order; `steps[i]` counts scheduler steps done before eval i."""

    name: str
    steps: tuple[int, ...]
    values: tuple[float, ...]
    source: str


def _pick(available: list[str], wanted: str | None, where: str) -> str:
    if wanted is not None:
        if wanted in available:
            return wanted
        if f"eval_{wanted}" in available:  # HF prefixes metric_for_best_model with eval_
            return f"eval_{wanted}"
        raise LrcliError(f"{where} has no metric {wanted!r}; it has: {', '.join(available) or 'none'}")
    for name in DEFAULT_METRICS:
        if name in available:
            return name
    if len(available) == 1:
        return available[0]
    raise LrcliError(f"{where} has several metrics ({', '.join(available)}); pick one with --metric NAME")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise LrcliError(f"{where}: {value!r} is not a number")
    try:
        return float(value)  # "nan" is allowed: torch counts a NaN metric as a bad epoch
    except ValueError:
        raise LrcliError(f"{where}: {value!r} is not a number") from None


def _step(value: Any, where: str) -> int:
    number = _number(value, where)
    if not math.isfinite(number) or number != int(number) or number < 0:
        raise LrcliError(f"{where}: step {value!r} must be a whole number ≥ 0")
    return int(number)


def _from_trainer_state(data: Any, path: str, metric: str | None) -> MetricHistory:
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise LrcliError(f"{path}: no log_history list; expected a transformers trainer_state.json")
    entries = [e for e in history if isinstance(e, dict) and "step" in e]
    available = sorted({k for e in entries for k in e if k.startswith("eval_") and not k.startswith("eval_runtime")
                        and k not in ("eval_samples_per_second", "eval_steps_per_second")})  # fmt: skip
    name = _pick(available, metric, path)
    rows = [(e["step"], e[name]) for e in entries if name in e]
    return _history(name, rows, path)


def _from_csv(text: str, path: str, metric: str | None) -> MetricHistory:
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    if "step" not in columns:
        raise LrcliError(f"{path}: no 'step' column; expected a header like 'step,eval_loss'")
    name = _pick([c for c in columns if c not in ("step", "epoch")], metric, path)
    rows = []
    for row in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if cleaned.get(name, ""):  # Lightning's metrics.csv leaves other metrics' cells empty
            rows.append((cleaned["step"], cleaned[name]))
    return _history(name, rows, path)


def _history(name: str, rows: list[tuple[Any, Any]], path: str) -> MetricHistory:
    if not rows:
        raise LrcliError(f"{path} has no {name} values; a metric-driven schedule needs at least one evaluation")
    steps = tuple(_step(s, f"{path} {name}") for s, _ in rows)
    values = tuple(_number(v, f"{path} {name} at step {s}") for s, v in rows)
    if list(steps) != sorted(steps):
        raise LrcliError(f"{path}: the {name} entries are not in step order")
    return MetricHistory(name=name, steps=steps, values=values, source=path)


def load_metrics(path: str, metric: str | None = None) -> MetricHistory:
    """The history of `metric` (default eval_loss, val_loss, or the only one) from a trainer_state.json or CSV,
    read through the bounded reader (a regular file of at most TABLE_BYTES)."""
    what = f"--metrics {shown(path)}"
    try:
        text = read_text(path, what, limit=TABLE_BYTES)
    except LrcliError as exc:
        if "not UTF-8" not in str(exc):
            raise
        raise LrcliError(
            f"{what} is not UTF-8 text; give a trainer_state.json or a CSV with step and metric columns"
        ) from None
    if path.endswith(".json"):
        return _from_trainer_state(parse_json(text, what), shown(path), metric)
    try:
        return _from_csv(text, shown(path), metric)
    except csv.Error as exc:
        raise LrcliError(f"{what}: not a CSV file lrcli can read ({exc})") from None
