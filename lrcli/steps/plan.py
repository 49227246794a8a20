"""StepPlan: the total number of optimizer steps T and the warmup W, with how they were reached. Imports no planner."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lrcli.errors import LrcliError

Stage = tuple[str, str, int | float | str]  # (what, formula with the numbers substituted, value)


@dataclass(frozen=True)
class StepPlan:
    """T (`total`) optimizer steps, of which the first W (`warmup`) warm up; `notes` are warnings for the user.

    The other fields are the stages on the way, `None` when T did not come from a dataset (`--total-steps`,
    or `max_steps` without `--samples`). `stages` lists every rounding step as (what, formula, value).
    """

    total: int
    warmup: int
    notes: tuple[str, ...] = ()
    batches_per_epoch: int | None = None  # per process, after accelerate's sharding
    update_steps_per_epoch: int | None = None
    num_train_epochs: int | None = None  # epochs the Trainer loops over (its `num_train_epochs`)
    total_train_batch_size: int | None = None  # b · GA · w
    samples_per_update: int | None = None  # samples one optimizer update consumes, over all processes
    final_epoch: float | None = None  # the epoch counter when the last optimizer step is taken
    transformers_version: str | None = None  # the transformers whose rules counted T and W (None: not the Trainer's)
    transformers_source: str | None = None  # why that version: "installed", "--transformers-version", a framework pin
    stages: tuple[Stage, ...] = ()

    @property
    def transformers_rules(self) -> str | None:
        """Which transformers counted T and W, and why that one: `"transformers 4.57.6, installed"`."""
        if self.transformers_version is None:
            return None
        return f"transformers {self.transformers_version}, {self.transformers_source or 'default'}"


@dataclass(frozen=True)
class Rows:
    """What a framework's row rule makes of the counted datasets: the N its planner takes (`dataset_size`: a
    `SampleCount` when the planner treats datasets one by one), the stages of that arithmetic, and warnings."""

    n: int
    stages: tuple[Stage, ...] = ()
    notes: tuple[str, ...] = ()
    how: str = ""  # the rule in words, for the one-line source of N ("Σ int(rows · weight) − test_split_size")


def counted_stage(index: int, label: str, rows: int, source: str) -> Stage:
    """The stage that records one dataset's count: `dataset 2: <label> (<source>) = 999`."""
    return (f"dataset {index}", f"{label} ({source})", rows)


def held_out_rows(n: int, test_size: float | int, what: str) -> int:
    """Rows `datasets`' train_test_split moves to the test split (arrow_dataset.py: a float takes ceil(t · n), an
    int t rows); its refusals are refusals here."""
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise LrcliError(f"{what} must be a number, got {test_size!r}")
    if isinstance(test_size, int):
        if not 0 < test_size < n:
            raise LrcliError(f"{what} {test_size} must be positive and smaller than the {n:,} rows (datasets' "
                             "train_test_split raises)")
        held = test_size
    else:
        if not 0 < test_size < 1:
            raise LrcliError(f"{what} {test_size!r} must be a float in (0, 1) or a row count (datasets' "
                             "train_test_split raises)")
        held = math.ceil(test_size * n)
    if n - held <= 0:
        raise LrcliError(f"{what} {test_size!r} leaves no training rows out of {n:,}")
    return held


def no_total_steps(missing: str | None, advice: str) -> LrcliError:
    """The error of a planner that needs N and has none: when the config names its data, what lrcli tried for
    it (TrainConfig.datasets_missing), then how to give N."""
    if missing:
        return LrcliError(f"no total step count: {missing}; {advice}")
    return LrcliError(f"no total step count: {advice}")
