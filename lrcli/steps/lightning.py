"""Lightning's step count (Lightning 2.6.6: `loops/fit_loop.py`, `loops/training_epoch_loop.py`, `trainer.py`).

Per epoch each process sees L batches: its `DistributedSampler` shard (injected when `use_distributed_sampler` and
w > 1) holds ceil(N/w) samples (the sampler pads, drop_last False), batched to ceil(·/b) (floor with the DataLoader's
drop_last); `limit_train_batches` then keeps min(L, lim) (an int) or int(L · lim) (a float; 1 and 1.0 differ).
The optimizer steps when `batch_progress.current.ready % accumulate_grad_batches == 0` or on the epoch's last batch
(`_should_accumulate`), and the counter restarts every epoch, so U = ceil(L / A) steps per epoch.
The run ends when `global_step >= max_steps` or after max_epochs epochs: T = E · U, capped at max_steps when that is
not -1. This equals `trainer.estimated_stepping_batches` except that the property counts one epoch for max_epochs 0.
`max_epochs` unset means 1000 when max_steps is -1 and there is no max_time, else no epoch limit (`_parse_loop_limits`,
run at fit time); w = devices × num_nodes.
An epoch-interval scheduler steps at the epoch's last batch (`update_lr_schedulers("epoch")` after the optimizer
step), so a run cut by max_steps mid-epoch never takes that epoch's scheduler step.
"""

from __future__ import annotations

from lrcli.config import DEFAULT_SOURCE, TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps.plan import Stage, StepPlan

DEFAULT_MAX_EPOCHS = 1000


def _batches(config: TrainConfig, stages: list[Stage]) -> int:
    """L: batches per epoch on each process, after sharding and limit_train_batches."""
    n, b, w = config.dataset_size, config.per_device_train_batch_size, config.world_size
    assert n is not None
    options = config.trainer_options
    sharded = w > 1 and options.get("use_distributed_sampler", True) is not False
    if sharded:
        per_rank = -(-n // w)
        stages.append(("samples per process", f"ceil(N / w) = ceil({n} / {w}) (DistributedSampler pads)", per_rank))
    else:
        per_rank = n
        if w > 1:
            stages.append(("samples per process", "N (use_distributed_sampler false: every process reads all)", n))
    if config.dataloader_drop_last:
        batches = per_rank // b
        stages.append(("batches per epoch per process L", f"floor({per_rank} / b) = floor({per_rank} / {b})", batches))
    else:
        batches = -(-per_rank // b)
        stages.append(("batches per epoch per process L", f"ceil({per_rank} / b) = ceil({per_rank} / {b})", batches))
    limit = options.get("limit_train_batches")
    if limit is None or batches == 0:
        return batches
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
        raise LrcliError(f"trainer.limit_train_batches must be an int or a float in [0.0, 1.0], got {limit!r}")
    if isinstance(limit, float) and limit > 1:
        if limit % 1.0:
            raise LrcliError(f"trainer.limit_train_batches {limit!r}: Lightning takes a float in [0.0, 1.0] or an int")
        limit = int(limit)  # `_determine_batch_limits`: a whole float > 1 becomes an int
    if limit == 0:
        raise LrcliError("trainer.limit_train_batches 0 skips training: no optimizer step is taken")
    if isinstance(limit, int):
        limited = min(batches, limit)
        stages.append(("batches per epoch L (after limit_train_batches)", f"min(L, limit_train_batches) = min({batches}, {limit})", limited))
    else:
        limited = int(batches * limit)
        stages.append(("batches per epoch L (after limit_train_batches)", f"int(L · limit_train_batches) = int({batches} · {limit!r})",
                       limited))
        if limited == 0:
            raise LrcliError(f"trainer.limit_train_batches {limit!r} of {batches} batches is less than one batch "
                             f"(Lightning raises); use at least {1 / batches!r}")
    return limited


def _max_epochs(config: TrainConfig, notes: list[str]) -> int:
    """E, or -1 for no epoch limit, as `_parse_loop_limits` resolves an unset max_epochs."""
    if config.source("num_train_epochs") != DEFAULT_SOURCE:
        epochs = config.num_train_epochs
        if epochs != int(epochs):
            raise LrcliError(f"Lightning max_epochs is a whole number of epochs, got {epochs!r}")
        return int(epochs)
    if config.trainer_options.get("max_epochs") == -1:
        return -1
    if config.trainer_options.get("max_time") is not None:
        return -1  # a Timer callback (max_time) makes an unset max_epochs -1, not 1000
    if config.max_steps == -1:
        notes.append(f"trainer.max_epochs is not set: Lightning trains {DEFAULT_MAX_EPOCHS} epochs "
                     "(its default when max_steps is -1 too)")
        return DEFAULT_MAX_EPOCHS
    return -1


def plan_lightning_steps(config: TrainConfig) -> StepPlan:
    notes: list[str] = []
    stages: list[Stage] = []
    b, a, w = config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size
    if config.dialect == "lightning" and config.source("per_device_train_batch_size") == DEFAULT_SOURCE:
        raise LrcliError("the batch size is not in the config (data.init_args.batch_size): pass --batch B, the "
                         "batch size of the train DataLoader")
    if config.source("world_size") == DEFAULT_SOURCE and "devices" in config.trainer_options:
        nodes = config.trainer_options.get("num_nodes", "num_nodes")
        notes.append(f"trainer.devices {config.trainer_options['devices']!r} depends on the machine: lrcli assumes "
                     f"1 process; pass --world-size (devices × {nodes})")
    max_steps = config.max_steps
    if max_steps == 0 or max_steps < -1:
        raise LrcliError(f"Lightning max_steps must be -1 (no limit) or ≥ 1 to train, got {max_steps}")
    if config.trainer_options.get("max_time") is not None:
        notes.append(f"trainer.max_time {config.trainer_options['max_time']!r} may stop the run earlier than counted")
    if str(config.trainer_options.get("strategy", "")).startswith("deepspeed"):
        raise LrcliError("strategy deepspeed accumulates gradients itself (the last partial window is not stepped "
                         "the same way); lrcli models Lightning's own accumulation only")
    epochs = _max_epochs(config, notes)
    batches = per_epoch = None
    if config.total_steps is not None:
        total = config.total_steps
        stages.append(("total steps T", "--total-steps", total))
    elif config.dataset_size is None:
        if epochs != -1 or max_steps == -1:
            raise LrcliError("no total step count: add --samples N (the number of samples the train dataloader "
                             "yields per epoch), or --total-steps N")
        total = max_steps
        stages.append(("total steps T", "max_steps (no epoch limit)", total))
    else:
        batches = _batches(config, stages)
        if batches == 0:
            raise LrcliError(f"{config.dataset_size} samples make no batch of {b} on each of {w} processes: "
                             "Lightning stops with 'No training batches'")
        per_epoch = -(-batches // a)
        stages.append(("optimizer steps per epoch U", f"ceil(L / GA) = ceil({batches} / {a})", per_epoch))
        if epochs == -1:
            if max_steps == -1:
                until = "until max_time" if config.trainer_options.get("max_time") is not None else "forever"
                raise LrcliError(f"no max_epochs and max_steps -1: Lightning trains {until}; set trainer.max_steps "
                                 "or trainer.max_epochs (or pass --epochs / --max-steps)")
            total = max_steps
            stages.append(("total steps T", "max_steps (no epoch limit)", total))
        else:
            total = epochs * per_epoch
            stages.append(("total steps T", f"max_epochs · U = {epochs} · {per_epoch}", total))
            if max_steps != -1 and max_steps < total:
                total = max_steps
                stages.append(("total steps T", f"capped at max_steps = {max_steps}", total))
        if total % per_epoch and config.step_unit == "epoch":
            notes.append(f"max_steps ends the run {total % per_epoch} steps into epoch {total // per_epoch + 1}: "
                         "an epoch-interval scheduler does not step for that epoch")
    warmup = 0
    if config.warmup_steps or config.warmup_ratio:
        notes.append("Lightning has no warmup setting: --warmup-steps/--warmup-ratio are not used (W = 0)")
    stages.append(("warmup W", "none (Lightning schedulers are the torch classes)", warmup))
    return StepPlan(total=total, warmup=warmup, notes=tuple(notes), batches_per_epoch=batches,
                    update_steps_per_epoch=per_epoch, num_train_epochs=None if epochs == -1 else epochs,
                    total_train_batch_size=b * a * w, samples_per_update=b * a * w, stages=tuple(stages))
