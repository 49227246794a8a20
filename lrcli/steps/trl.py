"""TRL GRPO's step count (trl 0.19 … 0.24 `GRPOConfig.__post_init__`, `GRPOTrainer.get_train_dataloader` /
`_get_train_sampler`, `trainer/utils.py` `RepeatSampler`), before the HF Trainer's own arithmetic.

spg = steps_per_generation (default GA) and gbs = generation_batch_size (default b · w · spg; given alone,
spg = gbs / (b · w)). The sampler yields S = floor(N / (gbs/G)) · (gbs/G) · G · num_iterations · spg indices
(G = num_generations, default 8; a last partial chunk of prompts is dropped) and the dataloader batches them by
b · spg; accelerate shards those batches and the Trainer counts T from them as usual.
"""

from __future__ import annotations

from dataclasses import replace

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps.hf import plan_hf_steps
from lrcli.steps.plan import Stage, StepPlan


def plan_grpo_steps(config: TrainConfig) -> StepPlan:
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
