"""axolotl's own step count and warmup (axolotl 0.19.0), which it hands to the HF Trainer as max_steps/warmup_steps.

- `utils/config/__init__.py:normalize_config`: batch_size = batch_size or micro_batch_size · GA, times the world
  size when it is not 1 (ddp is on by default then).
- `utils/trainer.py:calculate_total_num_steps`: without packing T = ceil(N · num_epochs / batch_size) (float
  division); with sample_packing (no sample_packing_eff_est) dl_len = max(1, len(dataloader) · micro_batch_size //
  batch_size), T = floor(dl_len · num_epochs), minus ceil(num_epochs) with dataloader_drop_last. lrcli reads N under
  packing as the packed sequences, len(dataloader) · micro_batch_size (= the multipack bins of sequence_len tokens).
- `utils/data/sft.py`: with max_steps, T_w = min(T, max_steps) for warmup; `core/builders/base.py`: the Trainer
  gets max_steps = cfg.max_steps or T, and warmup_steps = warmup_steps, else int(warmup_ratio · T_w), else
  min(int(0.03 · T_w), 100); a warmup of 1 becomes 2. `get_warmup_steps` then keeps that count.
"""

from __future__ import annotations

import math

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps import Stage, StepPlan


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


def plan_axolotl_steps(config: TrainConfig) -> StepPlan:
    """T and W as axolotl computes them; see the module docstring for the source of each rule."""
    mbs, ga, w, epochs = (
        config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size,
        config.num_train_epochs,
    )  # fmt: skip
    max_steps = config.max_steps if config.max_steps > 0 else None
    stages: list[Stage] = []
    notes: list[str] = []
    batch = config.global_batch_size or mbs * ga
    formula = f"batch_size = {config.global_batch_size}" if config.global_batch_size else f"mbs · GA = {mbs} · {ga}"
    if w != 1:
        formula += f", × world size {w}"
        batch *= w
    stages.append(("batch_size (axolotl)", formula, batch))
    if config.total_steps is not None:
        counted = config.total_steps
        stages.append(("total steps T", "--total-steps", counted))
    elif config.dataset_size is None:
        if max_steps is None:
            raise LrcliError("no total step count: add --samples N (the dataset size), or max_steps, or --total-steps")
        counted = max_steps
        stages.append(("total steps T", "max_steps (no dataset size given)", counted))
        notes.append("without --samples the warmup uses T = max_steps; axolotl uses min(its count, max_steps)")
    elif config.packing:
        n = config.dataset_size
        loader = max(1, n // batch)
        stages.append(("dataloader length (packed)", f"max(1, packed sequences // batch_size) = max(1, {n} // {batch})",
                       loader))
        counted = int(math.floor(loader * epochs))
        formula = f"floor(dl_len · num_epochs) = floor({loader} · {epochs!r})"
        if config.dataloader_drop_last:
            counted -= int(math.ceil(epochs))
            formula += f" − ceil({epochs!r}) (dataloader_drop_last)"
        stages.append(("total steps (axolotl)", formula, counted))
        notes.append("sample_packing: --samples is read as the packed sequences (multipack bins × micro_batch_size)")
    else:
        n = config.dataset_size
        counted = int(math.ceil(n * epochs / batch))
        stages.append(("total steps (axolotl)", f"ceil(N · num_epochs / batch_size) = ceil({n} · {epochs!r} / {batch})",
                       counted))
    warmup_basis = min(counted, max_steps) if max_steps is not None else counted
    total = max_steps or counted
    if max_steps is not None:
        stages.append(("total steps T", f"max_steps = {max_steps} (warmup uses min(count, max_steps) = {warmup_basis})",
                       total))
    if total < 1:
        raise LrcliError(f"axolotl counts {total} training steps for this dataset: there is nothing to train")
    warmup, stage = _warmup(config, warmup_basis)
    stages.append(stage)
    if warmup > total:
        notes.append(f"warmup ({warmup} steps) is longer than training ({total} steps): the LR never reaches its peak")
    return StepPlan(
        total=total,
        warmup=warmup,
        notes=tuple(notes),
        total_train_batch_size=batch,
        stages=tuple(stages),
    )
