"""StepPlan: the total number of optimizer steps T and the warmup W, with how they were reached. Imports no planner."""

from __future__ import annotations

from dataclasses import dataclass

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
