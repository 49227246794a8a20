"""ms-swift's step count: its own dataset sampling and batch sampler, then the HF Trainer's count (lrcli.steps.hf).

- Rows (`swift/dataset/dataset_meta.py` post_process, per dataset of `dataset: [a#500, b]`, 4.6.0 and 3.12.6): with
  s = the `#` sample (else the dataset's n rows) and r = split_dataset_ratio: r = 0 keeps s rows (sample_dataset
  repeats rows when s > n); 0 < r < 1 moves max(int(min(n, s) · r), 1) of them to validation; the training set is
  the concatenation. So a config whose every dataset has `#s` and r = 0 gives N itself.
- Batches (`SwiftMixin.get_train_dataloader` → `BatchSamplerShard`, not accelerate's sharding): each of
  w' = world // autotp_size ranks takes floor(N / w') samples; L = ceil(that / b) (floor with dataloader_drop_last).
- GA (`TrainArgumentsMixin.__post_init__`): unless given, max(1, ceil(16 / b / world)), world = the processes.
- Warmup (4.6.0 `_handle_hf_removed_args`): warmup_ratio with warmup_steps is a ValueError, a ratio ≥ 1 too; on a
  transformers without `warmup_ratio` (≥ 5.15) the ratio becomes `warmup_steps` (a fraction of T). 3.12.6 hands both
  to transformers 4.x unchanged.
Then U, T and W are the HF Trainer's for the transformers in force (the newest the release allows, unless pinned).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lrcli.config import Layer, Source, TrainConfig, resolve
from lrcli.data.refs import CountedDataset
from lrcli.errors import LrcliError
from lrcli.inputs.values import SampleCount
from lrcli.steps.hf import plan_hf_steps
from lrcli.steps.hf_versions import lacking_keys, rules_for
from lrcli.steps.plan import Rows, Stage, StepPlan, counted_stage, no_total_steps


def dataset_rows(datasets: Sequence[CountedDataset], options: Any) -> Rows:
    """The rows of each dataset of `dataset:` (one count each: the `#` samples and split_dataset_ratio follow in the
    planner, per dataset, as ms-swift's post_process applies them before concatenating)."""
    stages = [counted_stage(i, d.count.ref.label, d.count.rows, d.count.source) for i, d in enumerate(datasets, 1)]
    parts = [d.count.rows for d in datasets]
    return Rows(SampleCount(parts) if len(parts) > 1 else parts[0], tuple(stages),
                how="one count each: dataset#N and split_dataset_ratio follow in the steps")


def _training_rows(config: TrainConfig, stages: list[Stage]) -> int | None:
    options = config.trainer_options
    samples = tuple(options.get("dataset_samples") or ())
    ratio = float(options.get("split_dataset_ratio") or 0.0)
    if not 0 <= ratio <= 1:
        raise LrcliError(f"ms-swift: split_dataset_ratio {ratio} must be in [0, 1] (post_process asserts it)")
    if ratio == 1:
        raise LrcliError("ms-swift: split_dataset_ratio 1 moves every row to validation: no training set")
    given = config.dataset_size
    if samples and all(s is not None for s in samples) and ratio == 0:
        # sample_dataset takes exactly s rows of each (repeating rows when s > n): the datasets' sizes do not matter
        n = sum(samples)
        stages.append(("training rows N", f"Σ dataset#samples = {' + '.join(map(str, samples))}", n))
        if given is not None:
            stages.append(("dataset size", "not used: every dataset is sampled with #N", int(given)))
        return n
    if given is None:
        return None
    parts = given.parts if isinstance(given, SampleCount) else (int(given),)
    if not samples or (all(s is None for s in samples) and ratio == 0):
        return int(given)
    if len(parts) != len(samples):
        if len(parts) == 1 and ratio == 0 and all(s is None for s in samples):
            return int(given)
        raise LrcliError(f"ms-swift samples or splits each of the {len(samples)} datasets on its own: give one row "
                         f"count per dataset, --samples {'+'.join('N' for _ in samples)}")
    total = 0
    for i, (n, s) in enumerate(zip(parts, samples, strict=True), 1):
        sample = n if s is None else s
        if ratio == 0:
            kept, how = sample, f"dataset#{sample}" if s is not None else "all rows"
        else:
            val = max(int(min(n, sample) * ratio), 1)
            kept = sample - val
            how = f"{sample} − max(int(min({n}, {sample}) · {ratio}), 1)"
            if kept <= 0:
                raise LrcliError(f"ms-swift: dataset {i} keeps no training row after split_dataset_ratio {ratio} "
                                 "(post_process asserts train_sample > 0)")
        stages.append((f"dataset {i} training rows", how, kept))
        total += kept
    if len(parts) > 1:
        stages.append(("training rows N", "Σ over the datasets (concatenated)", total))
    return total


def plan_swift_steps(config: TrainConfig) -> StepPlan:
    options = config.trainer_options
    release = options.get("swift_version", "4.6.0")
    stages: list[Stage] = []
    changes: dict = {}
    notes: list[str] = []
    b, world = config.per_device_train_batch_size, config.world_size
    if config.source_kind("gradient_accumulation_steps") == "default":
        ga = max(1, math.ceil(16 / b / world))
        changes["gradient_accumulation_steps"] = ga
        stages.append(("gradient accumulation GA", f"max(1, ceil(16 / b / world)) = max(1, ceil(16 / {b} / {world}))", ga))
    ratio, steps = config.warmup_ratio, config.warmup_steps
    if release == "4.6.0" and ratio:
        if steps:
            raise LrcliError("ms-swift: warmup_ratio and warmup_steps cannot be set at the same time (its arguments "
                             "raise ValueError); keep one")
        if ratio >= 1:
            raise LrcliError(f"ms-swift: warmup_ratio {ratio} must be less than 1 (its arguments raise ValueError); "
                             "use warmup_steps for a count")
        rules, _ = rules_for(config.transformers_version)
        if lacking_keys(rules, ("warmup_ratio",)):
            changes["warmup_steps"], changes["warmup_ratio"] = ratio, None
            stages.append(("warmup_steps", f"warmup_ratio {ratio} (transformers {rules.name} has no warmup_ratio: "
                                           "ms-swift sets warmup_steps to it)", ratio))
    streaming = bool(options.get("streaming"))
    if streaming and config.total_steps is None and config.max_steps <= 0:
        raise LrcliError("ms-swift: a streamed dataset has no length: set max_steps (ms-swift requires it)")
    n = _training_rows(config, stages) if config.total_steps is None and not streaming else None
    if streaming:
        notes.append("streaming: the dataset has no length, so T = max_steps (the dataset size is not used)")
    tp = int(options.get("autotp_size") or 1)
    ranks = world // tp
    if ranks < 1:
        raise LrcliError(f"ms-swift: world {world} // deepspeed_autotp_size {tp} is 0 data-parallel ranks")
    per_rank = None
    if n is not None:
        per_rank = n // ranks
        stages.append(("samples per rank", f"floor(N / w') = floor({n} / {ranks})", per_rank))
        if per_rank == 0:
            raise LrcliError(f"ms-swift: {n} rows give each of {ranks} ranks no sample: the dataloader is empty")
        changes["dataset_size"] = per_rank
    elif config.total_steps is None and config.max_steps <= 0:
        raise no_total_steps(config.datasets_missing, "add --samples N (the training rows, one count per dataset with "
                             "dataset#N or split_dataset_ratio), or --max-steps N, or --total-steps N")
    changes["world_size"] = 1  # BatchSamplerShard already gave this rank its share; the HF count sees one loader
    derived = Source.derived(f"ms-swift {release} (BatchSamplerShard, TrainArgumentsMixin)")
    drop_ratio = changes.pop("warmup_ratio", 0) is None
    inner = resolve([Layer(changes, derived)], base=config)
    if drop_ratio:  # a None layer value means "not given", so the ratio is taken out here
        inner = replace(inner, warmup_ratio=None)
    if streaming:
        inner = replace(inner, dataset_size=None)
    plan = plan_hf_steps(inner)
    hf_stages = [s for s in plan.stages if not s[0].startswith(("batches per epoch", "effective batch"))]
    if per_rank is not None:
        drop = config.dataloader_drop_last
        batches = per_rank // b if drop else -(-per_rank // b)
        rule = "floor" if drop else "ceil"
        stages.append(("batches per epoch per rank L", f"{rule}(samples per rank / b) = {rule}({per_rank} / {b})",
                       batches))
    ga = inner.gradient_accumulation_steps
    per_update = b * ga * ranks
    stages_after = [("effective batch", f"b · GA · w' = {b} · {ga} · {ranks}", per_update)]
    notes.extend(plan.notes)
    return StepPlan(
        total=plan.total, warmup=plan.warmup, notes=tuple(notes), batches_per_epoch=plan.batches_per_epoch,
        update_steps_per_epoch=plan.update_steps_per_epoch, num_train_epochs=plan.num_train_epochs,
        total_train_batch_size=per_update, samples_per_update=per_update, final_epoch=plan.final_epoch,
        transformers_version=plan.transformers_version, transformers_source=plan.transformers_source,
        stages=(*stages, *hf_stages, *stages_after),
    )
