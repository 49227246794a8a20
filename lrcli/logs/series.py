"""`LoggedSeries`: the learning rates a run logged, with the step each was logged at and the facts the log records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lrcli.errors import LrcliError

# How closely a logged value can match the true one, as a fraction of the value (the logger's rounding):
# JSON/CSV written with Python's repr round-trip exactly; TensorBoard and W&B keep float32 (24-bit significand).
EXACT = "float64"
FLOAT32 = "float32"
RELATIVE_ROUNDING = {EXACT: 0.0, FLOAT32: 2.0**-24}


@dataclass(frozen=True)
class LoggedSeries:
    """The LR logged at each of `steps` (the framework's own step counter, e.g. the HF Trainer's global_step), in
    step order, one value per step.

    `row_offset`: the logged value at step g is row g − row_offset of lrcli's curve (row s = the LR after s
    scheduler steps = the LR of update s + 1); it is the framework's logging rule for the version that wrote the log,
    `rule` says which rule in words. `recorded`: what the log itself says about the run, in TrainConfig field names
    (`max_steps`, `num_train_epochs`, `per_device_train_batch_size`, …), used when no config is given.
    """

    steps: tuple[int, ...]
    lrs: tuple[float, ...]
    source: str  # the file, as the user named it (or the file found in the directory they named)
    log_format: str  # "HF trainer_state.json", "Lightning CSVLogger", …
    precision: str = EXACT
    row_offset: int = 0
    rule: str = "the logged step is the row"
    recorded: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.steps) != len(self.lrs):
            raise ValueError("steps and lrs differ in length")

    # The diagnosis fits the same points against hundreds of curves: the arrays are made once (numpy is imported
    # only when they are asked for, so reading a log does not need it).
    @cached_property
    def step_array(self) -> Any:
        import numpy as np

        return np.asarray(self.steps, dtype=np.int64)

    @cached_property
    def lr_array(self) -> Any:
        import numpy as np

        return np.asarray(self.lrs, dtype=np.float64)


def series_from_points(points: list[tuple[int, float]], where: str, what: str) -> tuple[tuple[int, ...],
                                                                                       tuple[float, ...],
                                                                                       tuple[str, ...]]:
    """Points (step, lr) in file order → steps and LRs in step order, one per step: when a step was logged twice (a
    run resumed from an earlier checkpoint logs its steps again), the later value wins, and a note says so."""
    if not points:
        raise LrcliError(f"{where} has no {what} values; is it the log of a training run that logged its LR?")
    latest: dict[int, float] = {}
    repeated = 0
    for step, lr in points:
        repeated += step in latest
        latest[step] = lr
    notes: tuple[str, ...] = ()
    if repeated:
        notes = (f"{where}: {repeated} step(s) were logged more than once (a resumed run?); the last value of each is used",)
    ordered = sorted(latest)
    return tuple(ordered), tuple(latest[s] for s in ordered), notes


def logged_step(value: Any, where: str) -> int:
    """A step counter from a log: a whole number ≥ 0 (JSON/CSV may write it as 12 or 12.0)."""
    number = logged_number(value, where)
    if number != int(number) or number < 0:
        raise LrcliError(f"{where}: step {value!r} is not a whole number ≥ 0; is it the right column?")
    return int(number)


def logged_number(value: Any, where: str) -> float:
    """A finite number from a log (a JSON number, or CSV text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise LrcliError(f"{where}: {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise LrcliError(f"{where}: {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise LrcliError(f"{where}: {value!r} is not a finite number")
    return number


# What a log may record about its run that stands in for a config file (TrainConfig field names): the Trainer's
# max_steps (trainer_state.json, trainer_log.jsonl), a W&B run's TrainingArguments and transformers version.
SETTINGS_FROM_LOG = ("max_steps", "learning_rate", "lr_scheduler_type", "warmup_steps", "warmup_ratio",
                     "num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps",
                     "transformers_version")  # fmt: skip


def log_settings(series: LoggedSeries) -> dict[str, Any]:
    """The settings `series` records about its run, for a comparison without a config file."""
    values = {name: series.recorded[name] for name in SETTINGS_FROM_LOG if name in series.recorded}
    if not isinstance(values.get("max_steps", 1), (int, float)) or values.get("max_steps", 1) <= 0:
        values.pop("max_steps", None)
    return values
