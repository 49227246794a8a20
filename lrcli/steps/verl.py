"""verl's step count and warmup: T and W as its trainers hand them to the optimizer's scheduler.

Four releases are modelled (`trainer_options["verl_version"]`, set by lrcli.dialects.verl): 0.9.1 and 0.5.0 below;
0.8.0 is 0.9.1's FSDP engine with the v0 trainer only (`use_v1` came in 0.9) and `gen_batch_size` used when the key is
present; 0.7.1 is that trainer with the legacy `fsdp_workers.py` (W: lr_warmup_steps < 0 delegates, as in 0.5.0).

verl 0.9.1 (the 0.9 line)
  PPO/GRPO, `trainer.use_v1: true` (the default; `verl/trainer/ppo/v1/trainer_base.py`): steps per epoch
  = len(dataset) // data.train_batch_size; T_train = that · trainer.total_epochs, or trainer.total_training_steps when
  set; the optimizer's T = T_train · parameter_sync_step (`trainer.v1.<trainer_mode>.parameter_sync_step`, 1 unless
  the mode's section sets it: separate_async's default is 4), because the scheduler steps once per local update.
  `use_v1: false` (`ray_trainer.py`): T = len(dataloader) · total_epochs with the dataloader's
  batch = data.gen_batch_size or data.train_batch_size and drop_last: N // batch.
  SFT (`verl/trainer/sft_trainer.py`): a DistributedSampler over dp = world // ulysses_sequence_parallel_size
  with drop_last (floor(N / dp) each), batches of train_batch_size // dp with drop_last; T = total_training_steps or
  len(dataloader) · total_epochs.
  len(dataset) is min(N, data.train_max_samples) when train_max_samples > 0 (RLHFDataset / SFT datasets).
  W (FSDP engine `_build_lr_scheduler`): optim.lr_warmup_steps; when ≤ 0, int(optim.lr_warmup_steps_ratio · T).

verl 0.5.0
  PPO (`ray_trainer.py`): T = len(dataloader) · total_epochs (or total_training_steps), batch = data.gen_batch_size
  when the key is present, else data.train_batch_size, drop_last. W (`fsdp_workers.py`): int(optim.lr_warmup_steps);
  when < 0 (0 means no warmup), int(lr_warmup_steps_ratio · T).
  SFT (`fsdp_sft_trainer.py`): train_batch_size must divide by dp; batches of train_batch_size // dp over
  floor(N / dp) samples; the scheduler's T is always steps per epoch · total_epochs (trainer.total_training_steps
  only stops the loop early); W = int(T · optim.warmup_steps_ratio).

Each training step calls `lr_scheduler.step()` once (per local update in separate_async), after the update, so row s
is the LR of training step s + 1 as everywhere in lrcli.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrcli.config import TrainConfig
from lrcli.data.refs import CountedDataset
from lrcli.errors import LrcliError
from lrcli.steps.plan import Rows, Stage, StepPlan, counted_stage, no_total_steps

RELEASES = ("0.9.1", "0.8.0", "0.7.1", "0.5.0")
ENGINE_RELEASES = ("0.9.1", "0.8.0")  # FSDP engine workers (W: lr_warmup_steps ≤ 0 delegates); 0.7.1/0.5.0 legacy (< 0)


def _whole(options: Any, key: str, default: int | None = None) -> int | None:
    value = options.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise LrcliError(f"verl: {key} must be a whole number, got {value!r}")
    return int(value)


def _dataset_length(config: TrainConfig, stages: list[Stage]) -> int:
    if config.dataset_size is None:
        raise no_total_steps(config.datasets_missing, "add --samples N (the rows of data.train_files) or --total-steps N")
    n = int(config.dataset_size)
    cap = _whole(config.trainer_options, "train_max_samples", -1)
    if cap is not None and 0 < cap < n and config.trainer_options.get("verl_version") != "0.5.0":  # 0.7+
        stages.append(("dataset rows", f"min(N, data.train_max_samples) = min({n}, {cap})", cap))
        return cap
    return n


def _epochs(config: TrainConfig) -> int:
    epochs = config.num_train_epochs
    if epochs != int(epochs):
        raise LrcliError(f"verl: trainer.total_epochs must be a whole number (range(total_epochs)), got {epochs!r}")
    return int(epochs)


def _batch(options: Any, key: str) -> int:
    value = _whole(options, key)
    if value is None or value < 1:
        raise LrcliError(f"verl: data.{key} must be a whole number ≥ 1, got {value!r} (the dataloader raises)")
    return value


def _ppo_batches(config: TrainConfig, version: str, n: int, stages: list[Stage]) -> tuple[int, int]:
    """(batches per epoch, prompts per training step)."""
    options = config.trainer_options
    train = _batch(options, "train_batch_size")
    if version == "0.9.1" and options.get("use_v1", True):
        per_epoch = n // train
        stages.append(("steps per epoch", f"len(dataset) // data.train_batch_size = {n} // {train}", per_epoch))
        return per_epoch, train
    if version == "0.9.1":
        batch = _whole(options, "gen_batch_size") or train
        how = "(data.gen_batch_size or data.train_batch_size)"
    else:
        batch = _batch(options, "gen_batch_size") if "gen_batch_size" in options else train
        how = "data.gen_batch_size" if "gen_batch_size" in options else "data.train_batch_size"
    per_epoch = n // batch
    stages.append(("steps per epoch", f"len(dataloader) = N // {how} = {n} // {batch} (drop_last)", per_epoch))
    return per_epoch, batch


def _sft_batches(config: TrainConfig, version: str, n: int, stages: list[Stage]) -> tuple[int, int]:
    options = config.trainer_options
    train = _batch(options, "train_batch_size")
    sp = _whole(options, "ulysses_sequence_parallel_size", 1) or 1
    if sp < 1 or config.world_size % sp:
        raise LrcliError(f"verl SFT: the world size {config.world_size} must be a multiple of "
                         f"ulysses_sequence_parallel_size {sp} (the device mesh cannot be built); fix --world-size")
    dp = config.world_size // sp
    if sp > 1:
        stages.append(("data-parallel ranks dp", f"world // ulysses_sequence_parallel_size = {config.world_size} // {sp}", dp))
    if version == "0.5.0" and train % dp:
        raise LrcliError(f"verl SFT: data.train_batch_size {train} is not divisible by dp {dp} (fsdp_sft_trainer "
                         "asserts it); change data.train_batch_size or --world-size")
    per_rank_batch = train // dp
    if per_rank_batch < 1:
        raise LrcliError(f"verl SFT: data.train_batch_size {train} // dp {dp} is 0: the dataloader raises ValueError")
    per_rank = n // dp
    per_epoch = per_rank // per_rank_batch
    stages.append(("batches per epoch per rank L",
                   f"floor(floor(N / dp) / (train_batch_size // dp)) = floor({per_rank} / {per_rank_batch})", per_epoch))
    return per_epoch, per_rank_batch * dp


def plan_verl_steps(config: TrainConfig) -> StepPlan:
    options = config.trainer_options
    version = str(options.get("verl_version", RELEASES[0]))
    if version not in RELEASES:
        raise LrcliError(f"verl {version} is not a release lrcli models ({', '.join(RELEASES)})")
    role = config.trainer or "actor"
    stages: list[Stage] = []
    notes: list[str] = []
    per_epoch = per_update = None
    fixed = config.max_steps if config.max_steps > 0 else None  # trainer.total_training_steps
    if config.total_steps is not None:
        total = config.total_steps
        stages.append(("total steps T", "--total-steps", total))
    else:
        epochs = _epochs(config)
        if config.dataset_size is not None or fixed is None or (role == "sft" and version == "0.5.0"):
            n = _dataset_length(config, stages)
            counter = _sft_batches if role == "sft" else _ppo_batches
            per_epoch, per_update = counter(config, version, n, stages)
            if per_epoch < 1:
                raise LrcliError(f"verl: {n} rows make no full batch, so an epoch has no step (drop_last): the "
                                 "trainer stops with an empty dataloader (AssertionError or ZeroDivisionError); "
                                 "check --samples and data.train_batch_size")
        if fixed is not None and not (role == "sft" and version == "0.5.0"):
            train_steps = fixed
            stages.append(("training steps", "trainer.total_training_steps", fixed))
        else:
            train_steps = per_epoch * epochs
            stages.append(("training steps", f"steps per epoch · total_epochs = {per_epoch} · {epochs}", train_steps))
            if fixed is not None:
                notes.append(f"verl 0.5 SFT: trainer.total_training_steps = {fixed} stops training but the schedule "
                             f"is built for steps per epoch · total_epochs = {train_steps}")
        sync = 1
        if role != "sft" and version == "0.9.1" and options.get("use_v1", True):
            sync = _whole(options, "parameter_sync_step", 1) or 1
        total = train_steps * sync
        if sync != 1:
            stages.append(("total steps T", f"training steps · parameter_sync_step = {train_steps} · {sync}", total))
        else:
            stages.append(("total steps T", "the optimizer's total_training_steps", total))
    if total < 1:
        raise LrcliError(f"verl counts T = {total} training steps: the data does not fill one batch (the trainer "
                         "asserts a non-empty dataloader); check --samples and data.train_batch_size")
    warmup = _warmup(config, version, role, total, stages)
    return StepPlan(total=total, warmup=warmup, notes=tuple(notes), update_steps_per_epoch=per_epoch,
                    samples_per_update=per_update, stages=tuple(stages))


def _warmup(config: TrainConfig, version: str, role: str, total: int, stages: list[Stage]) -> int:
    options = config.trainer_options
    if role == "sft" and version == "0.5.0":
        ratio = float(options.get("warmup_steps_ratio", 0.0))
        warmup = int(total * ratio)
        stages.append(("warmup W", f"int(T · optim.warmup_steps_ratio) = int({total} · {ratio})", warmup))
        return warmup
    steps = options.get("lr_warmup_steps", -1)
    if steps is None:
        raise LrcliError("verl: optim.lr_warmup_steps is null, which verl's FSDP scheduler cannot compare "
                         "(TypeError); set it to -1 to use lr_warmup_steps_ratio")
    steps = int(steps)
    delegate = steps <= 0 if version in ENGINE_RELEASES else steps < 0
    if not delegate:
        stages.append(("warmup W", "optim.lr_warmup_steps", steps))
        return steps
    ratio = float(options.get("lr_warmup_steps_ratio", 0.0))
    warmup = int(ratio * total)
    rule = "≤ 0" if version in ENGINE_RELEASES else "< 0"
    stages.append(("warmup W", f"lr_warmup_steps {steps} {rule}: int(lr_warmup_steps_ratio · T) = int({ratio} · {total})",
                   warmup))
    return warmup


def dataset_rows(datasets: Sequence[CountedDataset], options: Any) -> Rows:
    """The rows of `data.train_files`: each parquet file loaded and concatenated (RLHFDataset / SFT datasets)."""
    stages: list[Stage] = []
    total = 0
    for i, d in enumerate(datasets, 1):
        stages.append(counted_stage(i, d.count.ref.label, d.count.rows, d.count.source))
        total += d.count.rows
    if len(datasets) > 1:
        stages.append(("rows concatenated", "Σ rows of data.train_files", total))
    return Rows(total, tuple(stages), how="the rows of data.train_files")
