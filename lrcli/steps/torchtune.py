"""torchtune's step count (torchtune 0.6.1 recipes, e.g. `full_finetune_distributed.py` / `lora_finetune_single_device.py`).

The dataloader uses a DistributedSampler over dp replicas (dp = world size; `full_finetune_distributed.py` with
`tensor_parallel_dim` tp: dp = world // tp, and world % tp ≠ 0 raises ValueError) (ceil(N/dp) samples each, drop_last False)
and `drop_last=True` batching: L = floor(ceil(N/dp) / batch_size). `_steps_per_epoch = L // GA`, capped at
`max_steps_per_epoch`; the scheduler gets `num_training_steps = epochs · _steps_per_epoch`.
The dev GRPO recipe (`dev/grpo_full_finetune_distributed.py`) uses `_steps_per_epoch = len(dataloader)` (no GA) and
stops at `num_steps`, which lrcli reads as max_steps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lrcli.config import TrainConfig
from lrcli.data.refs import CountedDataset
from lrcli.errors import LrcliError
from lrcli.steps.plan import Rows, Stage, StepPlan, counted_stage, no_total_steps


def plan_torchtune_steps(config: TrainConfig) -> StepPlan:
    b, ga, dp, epochs = (
        config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size,
        config.num_train_epochs,
    )  # fmt: skip
    notes: list[str] = []
    stages: list[Stage] = []
    tp = int(config.trainer_options.get("tensor_parallel_dim") or 1)
    if tp > 1:
        if config.world_size % tp:
            raise LrcliError(f"torchtune: world_size {config.world_size} must be divisible by tensor_parallel_dim "
                             f"{tp} (full_finetune_distributed raises ValueError); fix --world-size")
        dp = config.world_size // tp
        stages.append(("data-parallel replicas dp", f"world // tensor_parallel_dim = {config.world_size} // {tp}", dp))
    if epochs != int(epochs):
        raise LrcliError(f"torchtune epochs must be a whole number (range(epochs) in the recipe), got {epochs!r}")
    if config.total_steps is not None:
        total, per_epoch = config.total_steps, None
        stages.append(("total steps T", "--total-steps", total))
    else:
        if config.dataset_size is None:
            raise no_total_steps(config.datasets_missing, "add --samples N (the dataset size) or --total-steps N")
        n = config.dataset_size
        per_rank = -(-n // dp)
        batches = per_rank // b
        replicas = "dp" if tp > 1 else "w"  # without tensor parallelism every process is a data-parallel replica
        stages.append(("batches per epoch per rank L", f"floor(ceil(N / {replicas}) / b) = floor(ceil({n} / {dp}) / {b})",
                       batches))
        if config.trainer == "grpo":
            per_epoch = batches
            stages.append(("steps per epoch", "L (the GRPO recipe does not divide by GA)", per_epoch))
        else:
            per_epoch = batches // ga
            stages.append(("steps per epoch", f"L // GA = {batches} // {ga}", per_epoch))
            cap = config.max_steps_per_epoch
            if cap is not None and cap < per_epoch:
                per_epoch = cap
                stages.append(("steps per epoch", f"capped at max_steps_per_epoch = {cap}", per_epoch))
        total = int(epochs) * per_epoch
        stages.append(("total steps T", f"epochs · steps per epoch = {int(epochs)} · {per_epoch}", total))
        if config.trainer == "grpo" and 0 < config.max_steps < total:
            notes.append(f"the GRPO recipe stops at num_steps = {config.max_steps}, before the schedule's T = {total}")
    if total < 1:
        raise LrcliError(f"torchtune counts {total} steps: the dataset does not fill one batch of {b}·{ga}")
    warmup = int(config.warmup_steps)
    stages.append(("warmup W", "lr_scheduler.num_warmup_steps", warmup))
    # An optimizer step takes GA micro-batches of b on each of dp replicas; GRPO steps on generations instead.
    per_update = None if config.trainer == "grpo" else b * dp * ga
    return StepPlan(total=total, warmup=warmup, notes=tuple(notes), update_steps_per_epoch=per_epoch,
                    samples_per_update=per_update, stages=tuple(stages))


# ------------------------------------------------------------------------------ rows of the datasets a config names
def partition_rows(n: int, partition: str, where: str) -> int:
    """Rows of `n` the dev gsm8k builder keeps for `partition: start-end/total` (`torchtune/dev/grpo/gsm8k.py`
    default_filter_fn: row idx is kept when start ≤ idx % total ≤ end)."""
    match = re.match(r"^(\d+)-(\d+)/(\d+)$", partition)
    if not match:
        raise LrcliError(f"{where}: partition {partition!r} is not start-end/total (the builder raises ValueError)")
    start, end, total = map(int, match.groups())
    if total == 0:
        raise LrcliError(f"{where}: partition {partition!r} divides by 0 (idx % 0 raises)")
    kept_per_round = len([r for r in range(total) if start <= r <= end])
    tail = len([r for r in range(n % total) if start <= r <= end])
    return n // total * kept_per_round + tail


def dataset_rows(datasets: Sequence[CountedDataset], options: Any) -> Rows:
    """The rows of the `dataset:` builder(s): each its source and split (`load_dataset(source, split=…, **kwargs)`);
    a list of builders is a ConcatDataset (the sum); the dev gsm8k builder's `partition` keeps a share."""
    stages: list[Stage] = []
    total = 0
    for i, d in enumerate(datasets, 1):
        stages.append(counted_stage(i, d.count.ref.label, d.count.rows, d.count.source))
        n = d.count.rows
        partition = d.entry.options.get("partition")
        if partition is not None:
            kept = partition_rows(n, str(partition), d.count.ref.where or "dataset")
            stages.append((f"dataset {i} rows", f"partition {partition}: rows with idx % total in range", kept))
            n = kept
        total += n
    if len(datasets) > 1:
        stages.append(("rows concatenated", "ConcatDataset: Σ rows", total))
    return Rows(total, tuple(stages), how="the dataset builder's rows")
