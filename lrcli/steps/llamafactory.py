"""LLaMA-Factory's dataset size before the HF Trainer counts steps (0.9.5 `data/loader.py`, `data/data_utils.py`),
and its v1 trainer (`v1/core/base_trainer.py`).

`max_samples` cuts each dataset to its first max_samples rows (`_load_single_dataset`), before the datasets are
concatenated; `val_size` then splits off rows for evaluation: ≥ 1 is a count (`int(val_size)`; the dialect refuses
the float 1.0, which `datasets` rejects), otherwise `datasets.train_test_split(test_size=val_size)`, which keeps
n − ceil(val_size · n) for training. The HF Trainer's arithmetic follows on what is left.

v1 (`BatchGenerator`): a `StatefulDistributedSampler(num_replicas=dp, drop_last=True)` gives each rank floor(N/dp)
samples and a DataLoader (drop_last=True) batches them by micro_batch_size · num_micro_batch, where num_micro_batch
= global_batch_size / (dp · micro_batch_size) (1 without global_batch_size); dp = world size / cp_size.
`BaseTrainer` sets T = max_steps when > 0, else num_train_epochs · len(generator), and loops while step < T.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lrcli.config import TrainConfig
from lrcli.data.refs import CountedDataset
from lrcli.errors import LrcliError
from lrcli.inputs.values import SampleCount
from lrcli.steps.hf import plan_hf_steps
from lrcli.steps.plan import Rows, Stage, StepPlan, counted_stage, no_total_steps


def training_rows(config: TrainConfig) -> tuple[int | None, list[Stage]]:
    """The rows the HF Trainer gets, in LLaMA-Factory's order: each dataset cut to max_samples
    (`_load_single_dataset`), the cut datasets concatenated (`merge_dataset`), then val_size split off the merged
    rows (`split_dataset`, called by `get_dataset` after `_get_merged_dataset`)."""
    n = config.dataset_size
    stages: list[Stage] = []
    if n is None:
        return None, stages
    if config.max_samples is not None:
        n, stages = _cut_each_dataset(config, n)
    val = config.val_size
    if val is not None and val > 1e-6:
        if val >= 1:
            held = int(val)
            stages.append(("training samples", f"N − int(val_size) = {n} − {held}", n - held))
        else:
            held = math.ceil(val * n)
            stages.append(("training samples", f"N − ceil(val_size · N) = {n} − ceil({val!r} · {n})", n - held))
        n -= held
        if n < 1:
            raise LrcliError(f"val_size {val!r} leaves no training samples out of {config.dataset_size}")
    return n, stages


def _cut_each_dataset(config: TrainConfig, n: int) -> tuple[int, list[Stage]]:
    """Σ min(n_i, max_samples) over the datasets: from `--samples n_1+n_2+…` (one count per dataset, in the
    config's order), or from one total when that is unambiguous (one dataset, or N ≤ max_samples)."""
    cap = config.max_samples
    datasets = int(config.trainer_options.get("datasets", 1))
    if not isinstance(n, SampleCount):
        if cap >= n:
            return n, []
        if datasets > 1:
            raise LrcliError(
                f"LLaMA-Factory cuts EACH of the {datasets} datasets to max_samples {cap}, so one total N = {n} "
                f"does not say how many rows are left: give one count per dataset, joined by '+' in the order of "
                f"the config's dataset list ({config.source('trainer_options')}): --samples "
                + "+".join(f"N{i}" for i in range(1, datasets + 1))
            )
        return cap, [("samples after max_samples", f"min(N, max_samples) = min({n}, {cap})", cap)]
    parts = n.parts
    strategy = str(config.trainer_options.get("mix_strategy", "concat"))
    if strategy != "concat":
        raise LrcliError(
            f"--samples {'+'.join(map(str, parts))}: mix_strategy {strategy} interleaves the cut datasets, so the "
            "merged row count is not their sum and lrcli does not model interleaving; give --total-steps, or use "
            "mix_strategy: concat"
        )
    if len(parts) != datasets:
        raise LrcliError(
            f"--samples {'+'.join(map(str, parts))}: {len(parts)} counts, but the config lists {datasets} "
            + (f"datasets ({config.source('trainer_options')}); " if datasets > 1 else "dataset; ")
            + "give one count per dataset, joined by '+', in the order of its dataset list"
        )
    kept = [min(part, cap) for part in parts]
    formula = " + ".join(f"min({part}, {cap})" for part in parts)
    return sum(kept), [("samples after max_samples", f"Σ min(n_i, max_samples) = {formula}", sum(kept))]


def plan_llamafactory_steps(config: TrainConfig) -> StepPlan:
    n, stages = training_rows(config)
    plan = plan_hf_steps(replace(config, dataset_size=n))
    return replace(plan, stages=tuple(stages) + plan.stages)


def v1_batches_per_epoch(n: int, micro_batch: int, global_batch: int | None, dp: int) -> tuple[int, list[Stage]]:
    """len(BatchGenerator) for NORMAL batching: floor(floor(N / dp) / (micro_batch · num_micro_batch))."""
    if global_batch is None:
        micro_batches = 1
    elif global_batch % (dp * micro_batch):
        raise LrcliError(
            f"LLaMA-Factory v1: global_batch_size {global_batch} must be divisible by dp · micro_batch_size = "
            f"{dp} · {micro_batch} (its BatchGenerator raises)"
        )
    else:
        micro_batches = global_batch // dp // micro_batch
    per_rank = n // dp
    batch = micro_batch * micro_batches
    batches = per_rank // batch
    return batches, [
        ("samples per rank", f"floor(N / dp) = floor({n} / {dp}) (DistributedSampler, drop_last)", per_rank),
        ("optimizer steps per epoch", f"floor(samples per rank / (micro_batch_size · num_micro_batch)) = "
                                      f"floor({per_rank} / ({micro_batch} · {micro_batches}))", batches),
    ]


def v1_data_parallel_size(world_size: int, cp_size: int) -> int:
    """LLaMA-Factory 0.9.5 `v1/accelerator/interface.py` DistributedStrategy: dp = world // cp when launched
    distributed; a single process (no RANK) is dp 1 whatever cp_size says. A world that cp does not divide leaves
    the (dp, cp) data mesh smaller than the world, which torch's device mesh refuses: lrcli refuses it here."""
    if world_size == 1:
        return 1
    if world_size % cp_size:
        raise LrcliError(f"LLaMA-Factory v1: world size {world_size} is not a multiple of dist_config.cp_size {cp_size}")
    return world_size // cp_size


def plan_llamafactory_v1_steps(config: TrainConfig) -> StepPlan:
    """v1: T = max_steps when > 0, else ceil(num_train_epochs · len(batch generator)); no warmup (constant LR)."""
    if config.total_steps is not None:
        return StepPlan(total=config.total_steps, warmup=0, stages=(("total steps T", "--total-steps",
                                                                     config.total_steps),))
    if config.max_steps > 0:
        return StepPlan(total=config.max_steps, warmup=0, stages=(("total steps T", "max_steps (> 0)",
                                                                   config.max_steps),))
    if config.dataset_size is None:
        raise no_total_steps(config.datasets_missing, "LLaMA-Factory v1 counts steps from the dataset: add --samples N, "
                                                      "or max_steps in the config")
    options = config.trainer_options
    dp = v1_data_parallel_size(config.world_size, int(options.get("cp_size", 1)))
    global_batch = options.get("global_batch_size")
    batches, stages = v1_batches_per_epoch(config.dataset_size, config.per_device_train_batch_size,
                                           None if global_batch is None else int(global_batch), dp)
    epochs = config.num_train_epochs
    total = math.ceil(epochs * batches)
    if total == 0:
        raise LrcliError(
            f"LLaMA-Factory v1: {config.dataset_size} samples do not fill one batch on each of {dp} data-parallel "
            "ranks (its sampler and loader drop the remainder): no step would run"
        )
    stages.append(("total steps T", f"ceil(num_train_epochs · steps per epoch) = ceil({epochs!r} · {batches})",
                   total))
    return StepPlan(total=total, warmup=0, batches_per_epoch=batches, update_steps_per_epoch=batches,
                    num_train_epochs=math.ceil(epochs), stages=tuple(stages))


def wsd_kwargs(config: TrainConfig, plan: StepPlan) -> dict[str, Any]:
    """LLaMA-Factory `create_custom_scheduler`: warmup_stable_decay gets num_stable_steps = (T − W) // 3 and
    num_decay_steps = the rest, each unless the scheduler kwargs give it."""
    kwargs = dict(config.lr_scheduler_kwargs)
    if config.lr_scheduler_type == "warmup_stable_decay":
        remaining = plan.total - plan.warmup
        kwargs.setdefault("num_stable_steps", remaining // 3)
        kwargs.setdefault("num_decay_steps", remaining - remaining // 3)
    return kwargs


# ------------------------------------------------------------------------------ rows of the datasets a config names
def dataset_rows(datasets: Sequence[CountedDataset], options: Any) -> Rows:
    """v0 (`_load_single_dataset`): a dataset_info `num_samples` makes exactly that many rows (a random permutation
    cut to num_samples, topped up by random choices when it asks for more than there are); max_samples and val_size
    then follow in the planner (training_rows), which needs one count per dataset: a SampleCount of them."""
    stages: list[Stage] = []
    parts = []
    for i, d in enumerate(datasets, 1):
        stages.append(counted_stage(i, d.count.ref.label, d.count.rows, d.count.source))
        target = d.entry.options.get("num_samples")
        if target is not None:
            stages.append((f"dataset {i} rows", f"num_samples {target:,} (dataset_info.json; LLaMA-Factory samples "
                                                f"{'with' if target > d.count.rows else 'without'} repeats)", target))
        parts.append(d.count.rows if target is None else int(target))
    if any(p == 0 for p in parts):
        empty = next(d for d, p in zip(datasets, parts, strict=True) if p == 0)
        raise LrcliError(f"{empty.count.ref.label}: no rows to train on ({empty.count.source})")
    return Rows(SampleCount(parts) if len(parts) > 1 else parts[0], tuple(stages),
                how="one count each: max_samples and val_size follow in the steps")


def v1_dataset_rows(datasets: Sequence[CountedDataset], options: Any) -> Rows:
    """v1 (`v1/core/data_engine.py` `_build_data_index` with `plugins/data_plugins/loader.py` `adjust_data_index`):
    each dataset's index is redrawn to `size` rows (random.choices, k=size), then to int(len · weight), and the
    indexes are concatenated."""
    stages: list[Stage] = []
    total = 0
    for i, d in enumerate(datasets, 1):
        stages.append(counted_stage(i, d.count.ref.label, d.count.rows, d.count.source))
        n = d.count.rows
        size, weight = d.entry.options.get("size"), d.entry.options.get("weight")
        if size:  # `if size or weight` gates the call; None and 0 leave the index alone
            n = int(size)
            stages.append((f"dataset {i} rows", f"size {n:,} (random.choices, k=size)", n))
        if weight:
            kept = int(n * weight)
            stages.append((f"dataset {i} rows", f"int(rows · weight) = int({n:,} · {weight!r})", kept))
            n = kept
        total += n
    if len(datasets) > 1:
        stages.append(("rows concatenated", "Σ rows of the datasets", total))
    return Rows(total, tuple(stages), how="Σ of each dataset's rows after size and weight")
