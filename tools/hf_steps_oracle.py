"""The HF Trainer's own step arithmetic, run on the real code without training anything.

Used by tests/test_steps_oracle.py (live, transformers 5.x) and tools/gen_steps_451.py (golden rows from 4.51.3).
For one case it builds:
- a torch `DataLoader(range(N), batch_size=b, drop_last=...)` sharded by accelerate's real `prepare_data_loader`
  for process 0 of w with the `split_batches` / `even_batches` of `accelerator_config`, as
  `Trainer.get_train_dataloader` → `accelerator.prepare` does;
- real `TrainingArguments`, with `world_size` answering w (the property normally asks torch.distributed);
- a `Trainer` shell (no model, no accelerator) on which `set_initial_training_values` runs unchanged;
then returns what the Trainer computes: T, W = `args.get_warmup_steps(T)`, nupe, epochs looped, dataloader length.
"""

from __future__ import annotations

import atexit
import inspect
import shutil
import tempfile
from typing import Any

from accelerate.data_loader import prepare_data_loader
from torch.utils.data import DataLoader
from transformers import Trainer, TrainingArguments

_OUTPUT_DIR = tempfile.mkdtemp(prefix="lrcli-oracle-")  # TrainingArguments wants one; nothing is written
atexit.register(shutil.rmtree, _OUTPUT_DIR, ignore_errors=True)


class _ArgsAtWorldSize(TrainingArguments):
    """TrainingArguments as seen by process 0 of `oracle_world_size` processes."""

    oracle_world_size = 1

    @property
    def world_size(self) -> int:
        return self.oracle_world_size


def _trainer_shell(args: TrainingArguments) -> Trainer:
    trainer = Trainer.__new__(Trainer)  # skip __init__: it wants a model; the step methods need only these
    trainer.args = args
    trainer._train_batch_size = args.train_batch_size
    trainer.model = None
    trainer.accelerator = None
    trainer.is_deepspeed_enabled = False
    return trainer


def hf_steps(
    samples: int,
    batch: int,
    grad_accum: int,
    epochs: float,
    world_size: int,
    drop_last: bool,
    max_steps: int,
    warmup_steps: float,
    warmup_ratio: float | None = None,
    split_batches: bool = False,
    even_batches: bool = True,
) -> dict[str, Any]:
    """The Trainer's numbers for one case, or `{"error": "<ExceptionType>: message"}` where it raises."""
    extra: dict[str, Any] = {} if warmup_ratio is None else {"warmup_ratio": warmup_ratio}
    if split_batches or not even_batches:  # default cases build exactly the TrainingArguments they always did
        extra["accelerator_config"] = {"split_batches": split_batches, "even_batches": even_batches}
    try:
        args = _ArgsAtWorldSize(
            output_dir=_OUTPUT_DIR,
            per_device_train_batch_size=batch,
            gradient_accumulation_steps=grad_accum,
            num_train_epochs=epochs,
            max_steps=max_steps,
            dataloader_drop_last=drop_last,
            warmup_steps=warmup_steps,
            report_to=[],
            use_cpu=True,
            **extra,
        )
    except (ValueError, TypeError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    args.oracle_world_size = world_size
    loader = DataLoader(range(samples), batch_size=args.train_batch_size, drop_last=drop_last)
    dataloader_config = args.accelerator_config  # the Trainer hands these two to accelerate's DataLoaderConfiguration
    try:
        sharded = prepare_data_loader(
            loader, num_processes=world_size, process_index=0, put_on_device=False,
            split_batches=dataloader_config.split_batches, even_batches=dataloader_config.even_batches,
        )
    except ValueError as exc:
        return {"error": f"ValueError: {exc}"}
    trainer = _trainer_shell(args)
    total_train_batch_size = args.train_batch_size * grad_accum * world_size
    try:
        if "total_train_batch_size" in inspect.signature(Trainer.set_initial_training_values).parameters:
            # 4.49 … 4.57: the caller computes the effective batch; returns (…, epoch_based, len_dataloader, T)
            epochs_looped, updates, *_, total = trainer.set_initial_training_values(
                args, sharded, total_train_batch_size
            )
        else:
            # 5.x: returns (epochs, nupe, examples, samples, total_train_batch_size, steps_in_epoch, T)
            epochs_looped, updates, _, _, total_train_batch_size, _, total = trainer.set_initial_training_values(
                args, sharded
            )
    except ValueError as exc:
        return {"error": f"ValueError: {exc}"}
    return {
        "total_steps": total,
        "warmup_steps": args.get_warmup_steps(total),
        "update_steps_per_epoch": updates,
        "num_train_epochs": epochs_looped,
        "batches_per_epoch": len(sharded),
        "total_train_batch_size": total_train_batch_size,
    }
