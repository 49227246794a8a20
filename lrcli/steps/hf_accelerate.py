"""How many batches one process sees per epoch once accelerate has sharded the dataloader.

Mirrors accelerate 1.15–1.16 `data_loader.BatchSamplerShard.__len__` for process 0, applied to torch's `BatchSampler`
length, with the two `DataLoaderConfiguration` switches the HF Trainer takes from `TrainingArguments.accelerator_config`:
`split_batches` (default False) and `even_batches` (default True).
"""

from __future__ import annotations

from dataclasses import dataclass

from lrcli.errors import LrcliError


@dataclass(frozen=True)
class Sharding:
    """Batches before sharding (`batches`) and per process (`per_process`), with the formulas that gave them."""

    batches: int
    per_process: int
    batches_formula: str
    per_process_formula: str


def shard_batches(
    samples: int, batch: int, world_size: int, drop_last: bool, *, split_batches: bool = False, even_batches: bool = True
) -> Sharding:
    """B = ceil(N/b) (floor with drop_last); per process L = B/w if w divides B, else floor(B/w) (drop_last)
    or floor(B/w) + 1 (even_batches: the short ranks wrap around to the first samples; without it process 0 still
    gets the extra batch, the last ranks one fewer). With split_batches every process walks all B batches, b/w
    samples of each, so L = B (accelerate refuses a b that w does not divide)."""
    if drop_last:
        batches = samples // batch
        batches_formula = f"floor(N / b) = floor({samples} / {batch})"
    else:
        batches = -(-samples // batch)
        batches_formula = f"ceil(N / b) = ceil({samples} / {batch})"
    if world_size == 1:  # accelerate shards nothing for one process, whatever the switches say
        return Sharding(batches, batches, batches_formula, "B (one process)")
    if split_batches:
        if batch % world_size:
            raise LrcliError(
                f"split_batches: accelerate splits each batch of {batch} across {world_size} processes and raises "
                f"unless the batch size is a multiple of the process count; use a batch size divisible by {world_size}"
            )
        return Sharding(
            batches, batches, batches_formula,
            f"B, split_batches: each process takes b / w = {batch // world_size} samples of every batch",
        )
    rest = batches % world_size
    if rest == 0:
        per_process = batches // world_size
        formula = f"B / w = {batches} / {world_size}"
        return Sharding(batches, per_process, batches_formula, formula)
    if drop_last:
        per_process = batches // world_size
        formula = f"floor(B / w) = floor({batches} / {world_size}), drop_last drops the {rest} batches left over"
        return Sharding(batches, per_process, batches_formula, formula)
    per_process = batches // world_size + 1
    if even_batches:
        formula = (
            f"floor(B / w) + 1 = floor({batches} / {world_size}) + 1, even_batches: {world_size - rest} of "
            f"{world_size} processes re-read the first samples in the last round"
        )
    else:
        formula = (
            f"floor(B / w) + 1 = floor({batches} / {world_size}) + 1 on process 0, even_batches=False: "
            f"{world_size - rest} of {world_size} processes get {per_process - 1}"
        )
    return Sharding(batches, per_process, batches_formula, formula)
