"""How many batches one process sees per epoch once accelerate has sharded the dataloader.

Mirrors accelerate 1.15 `data_loader.BatchSamplerShard.__len__` with its defaults as the HF Trainer uses them
(`split_batches=False`, `even_batches=True`), applied to torch's `BatchSampler` length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sharding:
    """Batches before sharding (`batches`) and per process (`per_process`), with the formulas that gave them."""

    batches: int
    per_process: int
    batches_formula: str
    per_process_formula: str


def shard_batches(samples: int, batch: int, world_size: int, drop_last: bool) -> Sharding:
    """B = ceil(N/b) (floor with drop_last); per process L = B/w if w divides B, else floor(B/w) (drop_last)
    or floor(B/w) + 1 (even_batches: the short ranks wrap around to the first samples)."""
    if drop_last:
        batches = samples // batch
        batches_formula = f"floor(N / b) = floor({samples} / {batch})"
    else:
        batches = -(-samples // batch)
        batches_formula = f"ceil(N / b) = ceil({samples} / {batch})"
    if world_size == 1:
        return Sharding(batches, batches, batches_formula, "B (one process)")
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
    formula = (
        f"floor(B / w) + 1 = floor({batches} / {world_size}) + 1, even_batches: {world_size - rest} of "
        f"{world_size} processes re-read the first samples in the last round"
    )
    return Sharding(batches, per_process, batches_formula, formula)
