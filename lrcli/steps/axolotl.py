"""axolotl's own step count and warmup (axolotl 0.19.0 … 0.21.0: the same code), which it hands to the HF Trainer as max_steps/warmup_steps.

- `utils/config/__init__.py:normalize_config`: batch_size = batch_size or micro_batch_size · GA; when the world size
  is not 1 and ddp (default: on) or fsdp is set, times the data-parallel degree
  world // context_parallel_size // tensor_parallel_size.
- Eval split (`utils/data/sft.py:_handle_train_dataset_split`, `utils/data/rl.py`, `utils/data/shared.py`
  `create_train_validation_split`): `datasets` 4.8.4 `train_test_split(test_size=v)` keeps N − ceil(v · N) rows
  for a float v in (0, 1), N − v for an int v < N, and raises otherwise. SFT passes int(v) when v > 1, else
  float(v); the RL path passes the schema's float as is, so any v ≥ 1 raises there.
- SFT `utils/trainer.py:calculate_total_num_steps`: without packing T = ceil(N · num_epochs / batch_size) (float
  division). With sample_packing and sample_packing_eff_est (and the dataset's total_num_tokens given in the
  config) T = int(floor(0.99 · total_num_tokens / eff_est / sequence_len // batch_size) − 1) · num_epochs. With
  sample_packing alone dl_len = max(1, len(dataloader) · micro_batch_size // batch_size), T = floor(dl_len ·
  num_epochs), minus ceil(num_epochs) with dataloader_drop_last; lrcli reads N under packing as the packed
  sequences len(dataloader) · micro_batch_size (the multipack bins of sequence_len tokens), which only axolotl's
  tokenizer and packer know.
- RL (`common/datasets.py:load_preference_datasets`): dpo, ipo, kto, orpo, simpo, gdpo count
  T = ceil(N · num_epochs / batch_size), packing or not; grpo and ebft leave the count to TRL (dialect).
- Warmup basis: SFT `utils/data/sft.py` uses min(T, max_steps); RL the uncapped count. `core/builders/base.py`:
  the Trainer gets max_steps = cfg.max_steps or T, and warmup_steps = warmup_steps, else int(warmup_ratio · T_w),
  else min(int(0.03 · T_w), 100); a warmup of 1 becomes 2. HF's `get_warmup_steps` then keeps that count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from lrcli.config import TrainConfig
from lrcli.data.refs import CountedDataset
from lrcli.errors import LrcliError
from lrcli.steps.hf_deepspeed import check_deepspeed_auto_warmup
from lrcli.steps.plan import Rows, Stage, StepPlan, counted_stage, no_total_steps

PREFERENCE_TRAINERS = ("dpo", "ipo", "kto", "orpo", "simpo", "gdpo")


def _warmup(config: TrainConfig, total: int) -> tuple[int, Stage]:
    if "warmup_steps" in config.sources:
        warmup = int(config.warmup_steps)
        stage: Stage = ("warmup W (axolotl)", f"warmup_steps = {warmup}", warmup)
    elif config.warmup_ratio is not None:
        warmup = max(int(config.warmup_ratio * total), 0)
        stage = ("warmup W (axolotl)", f"int(warmup_ratio · T) = int({config.warmup_ratio!r} · {total})", warmup)
    else:
        warmup = min(int(0.03 * total), 100)
        stage = ("warmup W (axolotl default)", f"min(int(0.03 · T), 100) = min(int(0.03 · {total}), 100)", warmup)
    if warmup == 1:
        return 2, (stage[0], stage[1] + " = 1, which axolotl turns into 2", 2)
    return warmup, stage


def data_parallel_batch(config: TrainConfig) -> tuple[int, Stage]:
    """normalize_config's batch_size: per-process batch times the data-parallel degree."""
    options = config.trainer_options
    mbs, ga, w = config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size
    batch = config.global_batch_size or mbs * ga
    formula = f"batch_size = {config.global_batch_size}" if config.global_batch_size else f"b · GA = {mbs} · {ga}"
    ddp = options.get("ddp")
    if w != 1 and (options.get("fsdp") or (ddp if ddp is not None else True)):
        cp, tp = options.get("context_parallel_size") or 1, options.get("tensor_parallel_size") or 1
        dp = w // cp // tp
        if dp < 1:
            raise LrcliError(f"axolotl data-parallel degree world // context_parallel_size // tensor_parallel_size = "
                             f"{w} // {cp} // {tp} = 0: raise --world-size")
        formula += f", × data-parallel degree w // context_parallel_size // tensor_parallel_size = {w} // {cp} // {tp} = {dp}" if (cp, tp) != (1, 1) \
            else f", × world size {w}"
        batch *= dp
    elif w != 1:
        formula += f" (ddp: false and no fsdp: not multiplied by world size {w})"
    return batch, ("batch_size (axolotl)", formula, batch)


def training_rows(config: TrainConfig, preference: bool) -> tuple[int, list[Stage]]:
    """N after axolotl's eval split (val_set_size), as datasets' train_test_split leaves it."""
    n, value = config.dataset_size, config.val_size
    assert n is not None
    if not value:
        return n, []
    source = config.source("val_size")
    if preference or value <= 1:
        test: float | int = float(value)  # RL: the schema's float as is; SFT: float(v) when v ≤ 1
    else:
        test = int(value)
    if isinstance(test, float):
        if not 0 < test < 1:
            raise LrcliError(
                f"{source}: axolotl passes val_set_size {test!r} to datasets' train_test_split as a float"
                + (" (its RL path keeps the schema's float)" if preference and value > 1 else "")
                + ", which raises ValueError outside (0, 1); use a fraction below 1"
                + ("" if preference else " or a row count above 1")
            )
        held = math.ceil(test * n)
        formula = f"N − ceil(val_set_size · N) = {n} − ceil({test!r} · {n})"
    else:
        if test >= n:
            raise LrcliError(f"{source}: val_set_size {test} rows is not smaller than the {n} samples; "
                             "datasets' train_test_split raises ValueError")
        held = test
        formula = f"N − int(val_set_size) = {n} − {test}"
    if n - held == 0:
        raise LrcliError(f"{source}: val_set_size {value!r} leaves no training rows out of {n} "
                         "(datasets' train_test_split raises ValueError)")
    return n - held, [("training rows (after eval split)", formula, n - held)]


def _packed_estimate(config: TrainConfig, batch: int) -> tuple[int, Stage]:
    """calculate_total_num_steps with sample_packing_eff_est: the token-count estimate, as axolotl writes it."""
    options = config.trainer_options
    tokens, eff = options["total_num_tokens"], options["sample_packing_eff_est"]
    seq, epochs = options.get("sequence_len") or 512, config.num_train_epochs
    counted = int(math.floor(0.99 * tokens / eff / seq // batch) - 1) * epochs
    formula = (f"int(floor(0.99 · total_num_tokens / sample_packing_eff_est / sequence_len // batch_size) − 1) · num_epochs = "
               f"int(floor(0.99 · {tokens} / {eff!r} / {seq} // {batch}) − 1) · {epochs!r}")
    if counted != int(counted):
        raise LrcliError(
            f"axolotl's packing estimate gives a fractional step count {counted!r} ({formula}), which it hands to the "
            "HF Trainer as max_steps; lrcli does not model that: use whole num_epochs or give --total-steps"
        )
    return int(counted), ("total steps T (axolotl, packing estimate)", formula, int(counted))


def plan_axolotl_steps(config: TrainConfig) -> StepPlan:
    """T and W as axolotl computes them; see the module docstring for the source of each rule."""
    epochs = config.num_train_epochs
    options = config.trainer_options
    preference = options.get("rl") in PREFERENCE_TRAINERS
    max_steps = config.max_steps if config.max_steps > 0 else None
    stages: list[Stage] = []
    notes: list[str] = []
    batch, stage = data_parallel_batch(config)
    stages.append(stage)
    packing = config.packing and not preference
    estimate = packing and options.get("sample_packing_eff_est") and options.get("total_num_tokens")
    if config.total_steps is not None:
        counted = config.total_steps
        stages.append(("total steps T", "--total-steps", counted))
    elif estimate:
        counted, stage = _packed_estimate(config, batch)
        stages.append(stage)
    elif config.dataset_size is None:
        if max_steps is None:
            raise no_total_steps(config.datasets_missing,
                                 "add --samples N (the dataset size), or max_steps, or --total-steps")
        counted = max_steps
        stages.append(("total steps T", "max_steps (no dataset size given)", counted))
        notes.append("without --samples the warmup uses T = max_steps; axolotl uses its own count")
    elif packing:
        n = config.dataset_size
        loader = max(1, n // batch)
        stages.append(("dataloader length (packed)", f"max(1, packed sequences // batch_size) = max(1, {n} // {batch})",
                       loader))
        counted = int(math.floor(loader * epochs))
        formula = f"floor(dataloader length · num_epochs) = floor({loader} · {epochs!r})"
        if config.dataloader_drop_last:
            counted -= int(math.ceil(epochs))
            formula += f" − ceil({epochs!r}) (dataloader_drop_last)"
        stages.append(("total steps T (axolotl)", formula, counted))
        notes.append(
            "sample_packing: axolotl counts steps from its multipack bins of the tokenized train split, which lrcli "
            "cannot build; --samples is read as those packed sequences (bins of sequence_len tokens, after the eval "
            "split). For axolotl's own count set total_num_tokens and sample_packing_eff_est (axolotl logs both) "
            "or give --total-steps"
        )
    else:
        n, split = training_rows(config, preference)
        stages.extend(split)
        counted = int(math.ceil(n * epochs / batch))
        what = "total steps T (axolotl" + (", preference datasets)" if preference else ")")
        stages.append((what, f"ceil(N · num_epochs / batch_size) = ceil({n} · {epochs!r} / {batch})", counted))
    capped = max_steps is not None and not preference and config.total_steps is None
    warmup_basis = min(counted, max_steps) if capped else counted
    total = counted if config.total_steps is not None else max_steps or counted
    if max_steps is not None and config.total_steps is None:
        basis = f"min(count, max_steps) = {warmup_basis}" if capped else f"the count {warmup_basis}"
        stages.append(("total steps T", f"max_steps = {max_steps} (warmup uses {basis})", total))
    if total < 1:
        raise LrcliError(
            f"axolotl counts {total} training steps for this dataset and then leaves the count to the HF Trainer "
            "(max_steps = -1), which lrcli does not follow here: give --total-steps"
        )
    warmup, stage = _warmup(config, warmup_basis)
    stages.append(stage)
    check_deepspeed_auto_warmup(config, warmup)
    if warmup > total:
        notes.append(f"warmup ({warmup} steps) is longer than training ({total} steps): the LR never reaches its peak")
    return StepPlan(
        total=total,
        warmup=warmup,
        notes=tuple(notes),
        total_train_batch_size=batch,
        samples_per_update=batch,
        stages=tuple(stages),
    )


def one_cycle_kwargs(config: TrainConfig, plan: StepPlan) -> dict[str, Any]:
    """axolotl's `one_cycle` (`SchedulerMixin.create_scheduler`): OneCycleLR gets pct_start = W / T unless the
    scheduler kwargs give it."""
    kwargs = dict(config.lr_scheduler_kwargs)
    if config.lr_scheduler_type == "OneCycleLR":
        kwargs.setdefault("pct_start", plan.warmup / plan.total)
    return kwargs


# ------------------------------------------------------------------------------ rows of the datasets a config names
def dataset_rows(datasets: Sequence[CountedDataset], options: Any) -> Rows:
    """The raw rows of `datasets[]` (each loaded with its split; `name: [a, b]` is one dataset per name), merged
    by concatenation (`merge_datasets`). axolotl then tokenizes and drops rows longer than sequence_len (and
    shorter than min_sample_len; RL: prompt + chosen/rejected longer than sequence_len) BEFORE val_set_size is split
    off, so this N is an upper bound of what it trains on: the planner applies val_set_size to it."""
    stages: list[Stage] = []
    kept = []
    for i, d in enumerate(datasets, 1):
        stages.append(counted_stage(i, d.count.ref.label, d.count.rows, d.count.source))
        rows = d.count.rows
        if d.entry.options.get("shards"):
            shards, index = int(d.entry.options["shards"]), int(d.entry.options["shards_idx"])
            if not 0 <= index < shards:
                raise LrcliError(f"{d.count.ref.where}: shards_idx {index} is not below shards {shards} (datasets' "
                                 "shard raises)")
            rows = rows // shards + (1 if index < rows % shards else 0)  # datasets' contiguous shard sizes
            stages.append((f"dataset {i} rows", f"shard {index} of {shards} (contiguous)", rows))
        weight = d.entry.options.get("weight")
        if weight is not None and weight < 1 and rows > 0:  # axolotl 0.20+ sft.py: shuffle().select(range(k))
            rows = min(rows, max(1, int(rows * weight)))
            stages.append((f"dataset {i} rows", f"min(rows, max(1, int(rows · weight))), weight {weight!r} "
                                                f"(axolotl {options.get('axolotl_line')})", rows))
        kept.append(rows)
    n = sum(kept)
    if len(datasets) > 1:
        stages.append(("rows merged", " + ".join(f"{k:,}" for k in kept), n))
    note = (f"axolotl drops rows longer than sequence_len {options.get('sequence_len') or 512} tokens when it tokenizes "
            f"(before val_set_size is split off): N = {n:,} raw rows is an upper bound, and so are the steps; give "
            "--samples with the row count axolotl logs after preprocessing for the exact curve")
    return Rows(n, tuple(stages), (note,), how="the raw rows of datasets[], before tokenization (an upper bound)")
