"""A DeepSpeed config run on its own: DeepSpeed's batch trio first (`runtime/config.py`
`_set_batch_related_parameters`), then the HF Trainer's count with that micro batch and GA.

train_batch_size = micro · GA · world size must hold; when one of micro/GA is missing it is derived from the others.
"""

from __future__ import annotations

from dataclasses import replace

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.steps.hf import plan_hf_steps
from lrcli.steps.plan import StepPlan


def plan_deepspeed_steps(config: TrainConfig) -> StepPlan:
    tb, w = config.global_batch_size, config.world_size
    micro = config.per_device_train_batch_size if "per_device_train_batch_size" in config.sources else None
    ga = config.gradient_accumulation_steps if "gradient_accumulation_steps" in config.sources else None
    if tb is not None:
        if micro is None and ga is None:
            micro, ga = tb // w, 1
        elif micro is None:
            micro = tb // ga // w
        elif ga is None:
            ga = tb // micro // w
        if micro < 1 or ga < 1 or micro * ga * w != tb:
            raise LrcliError(
                f"DeepSpeed train_batch_size {tb} is not train_micro_batch_size_per_gpu × gradient_accumulation_steps "
                f"× world size ({micro} × {ga} × {w}); DeepSpeed asserts it. Fix the file or --world-size"
            )
    stage = ("DeepSpeed batch", f"train_batch_size {tb} = micro {micro} · GA {ga} · world {w}", tb or 0)
    config = replace(config, per_device_train_batch_size=micro or config.per_device_train_batch_size,
                     gradient_accumulation_steps=ga or config.gradient_accumulation_steps)
    plan = plan_hf_steps(config)
    return replace(plan, stages=(stage, *plan.stages) if tb is not None else plan.stages)
