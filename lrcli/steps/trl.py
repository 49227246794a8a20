"""TRL runs: what `trl <trainer> --config` hands the HF Trainer, and GRPO's step count.

Keys the transformers in force lacks (a `warmup_ratio` under ≥ 5.15): `trl <trainer> --config` parses the file with
`TrlParser.parse_args_and_config(return_remaining_strings=True)` and ignores what comes back (trl 0.24
`scripts/*.py`), so the run goes on without the key; lrcli plans that run and says what was meant. (alignment-handbook
and open-r1 scripts call `parse_args_and_config()` and stop with "Unknown arguments from config file".)

GRPO's step count (trl 0.19 … 0.24 `GRPOConfig.__post_init__`, `GRPOTrainer.get_train_dataloader` /
`_get_train_sampler`, `trainer/utils.py` `RepeatSampler`), before the HF Trainer's own arithmetic.

spg = steps_per_generation (default GA) and gbs = generation_batch_size (default b · w · spg; given alone,
spg = gbs / (b · w)). The sampler yields S = floor(N / (gbs/G)) · (gbs/G) · G · num_iterations · spg indices
(G = num_generations, default 8; a last partial chunk of prompts is dropped) and the dataloader batches them by
b · spg; accelerate shards those batches and the Trainer counts T from them as usual.
"""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps.hf import KEY_FIELDS, plan_hf_steps, version_subject, warmup_ratio_fix
from lrcli.steps.hf_versions import lacking_keys, rules_for
from lrcli.steps.plan import Stage, StepPlan


def plan_trl_steps(config: TrainConfig) -> StepPlan:
    """The HF Trainer's plan of what `trl <trainer> --config` runs: the file without the keys TrlParser drops."""
    launched, dropped = _as_trlparser_passes(config)
    plan = plan_hf_steps(launched)
    return replace(plan, notes=plan.notes + _dropped_notes(config, dropped, plan))


def _as_trlparser_passes(config: TrainConfig) -> tuple[TrainConfig, dict[str, str]]:
    """`config` without the file's TrainingArguments keys that the version in force lacks (each back to the
    Trainer's default, unless a flag set it), and those keys with when they existed."""
    rules, _ = rules_for(config.transformers_version, version_subject(config))
    dropped = {
        key: when for key, when in lacking_keys(rules, config.version_bound_keys).items()
        if not all(config.source_kind(name) == "flag" for name in KEY_FIELDS[key])
    }
    if not dropped:
        return config, {}
    defaults = TrainConfig()
    names = [name for key in dropped for name in KEY_FIELDS[key] if config.source_kind(name) != "flag"]
    sources = MappingProxyType({k: v for k, v in config.sources.items() if k not in names})
    kept = tuple(key for key in config.version_bound_keys if key not in dropped)
    return replace(config, **{name: getattr(defaults, name) for name in names}, version_bound_keys=kept,
                   sources=sources), dropped


def _dropped_notes(config: TrainConfig, dropped: dict[str, str], plan: StepPlan) -> tuple[str, ...]:
    command = f"`trl {config.trainer or '<trainer>'} --config`"
    notes = []
    for key, when in dropped.items():
        meant = ""
        if key == "warmup_ratio" and config.warmup_ratio:
            meant = (f"; the run warms up for W = {plan.warmup} steps, not the ceil(T · {config.warmup_ratio!r}) = "
                     f"{math.ceil(plan.total * config.warmup_ratio)} meant: to get those, "
                     + warmup_ratio_fix(config.warmup_ratio, plan.total, config.warmup_steps))
        notes.append(
            f"{config.source('version_bound_keys')} key {key}: {command} on transformers {plan.transformers_version} "
            f"({plan.transformers_source}) drops it without "
            f"a word ({key} {when}; TrlParser hands back the keys TrainingArguments lacks, and the script ignores "
            f"them){meant}. alignment-handbook and open-r1 scripts stop on it instead ('Unknown arguments from "
            "config file')"
        )
    return tuple(notes)


def plan_grpo_steps(config: TrainConfig) -> StepPlan:
    """GRPO/RLOO (trl 0.19–0.24): the generation batches, then the Trainer's count; launched as `plan_trl_steps`."""
    launched, dropped = _as_trlparser_passes(config)
    plan = _plan_grpo_steps(launched)
    return replace(plan, notes=plan.notes + _dropped_notes(config, dropped, plan))


def _plan_grpo_steps(config: TrainConfig) -> StepPlan:
    options = config.trainer_options
    b, w, ga = config.per_device_train_batch_size, config.world_size, config.gradient_accumulation_steps
    generations = int(options.get("num_generations") or 8)
    iterations = int(options.get("num_iterations") or 1)
    spg, gbs = options.get("steps_per_generation"), options.get("generation_batch_size")
    if spg is not None and gbs is not None:
        raise LrcliError("GRPO: generation_batch_size and steps_per_generation cannot both be set (TRL raises)")
    if gbs is None:
        spg = int(spg or ga)
        gbs = b * w * spg
    else:
        gbs = int(gbs)
        if gbs % (b * w):
            raise LrcliError(f"GRPO: generation_batch_size {gbs} must be divisible by b · w = {b * w} (TRL raises)")
        spg = gbs // (b * w)
    if gbs % generations:
        raise LrcliError(f"GRPO: generation_batch_size {gbs} must be divisible by num_generations {generations} "
                         "(TRL raises)")
    if config.dataset_size is None or config.total_steps is not None:
        return plan_hf_steps(config)
    prompts = gbs // generations
    n = config.dataset_size
    indices = n // prompts * prompts * generations * iterations * spg
    stages: list[Stage] = [
        ("GRPO generation batch", f"gbs = b · w · spg = {b} · {w} · {spg}", gbs),
        ("GRPO sampler length S", f"floor(N / (gbs/G)) · (gbs/G) · G · num_iterations · spg = floor({n} / {prompts}) "
                                  f"· {prompts} · {generations} · {iterations} · {spg}", indices),
    ]
    if indices == 0:
        raise LrcliError(f"GRPO: {n} prompts do not fill one generation batch of {prompts} prompts "
                         f"(gbs {gbs} / num_generations {generations}): no step can run")
    plan = plan_hf_steps(replace(config, dataset_size=indices, per_device_train_batch_size=b * spg))
    return replace(plan, stages=(*stages, *plan.stages),
                   notes=plan.notes + (f"GRPO: the dataloader batch is b · spg = {b * spg} (TRL 0.19–0.24 rules)",))
