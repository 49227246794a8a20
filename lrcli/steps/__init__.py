"""Step planners: T (optimizer steps) and W (warmup steps) of a run, by the rules of the framework that runs it.

One module per framework, named as in `lrcli.dialects`, holding that framework's whole step arithmetic and the
scheduler kwargs it derives from T and W: `hf` (the Trainer; also TRL, except GRPO/RLOO), `trl` (GRPO/RLOO
generation batches), `llamafactory` (max_samples/val_size rows, v1 trainer, WSD split), `axolotl` (its own count,
warmup and one_cycle pct_start), `deepspeed` (a DeepSpeed file run alone: its batch trio, then the Trainer),
`torchtune`, `lightning`, `torchtitan` (T = training.steps; the WSD split), `megatron` (iterations and the scheduler's horizon in samples). Shared HF pieces sit beside `hf`: `hf_versions` (rules per transformers version),
`hf_accelerate` (dataloader sharding), `hf_deepspeed` (the Trainer's DeepSpeed "auto" fill and mismatch check).
`plan` holds the types and imports no planner.

The tables name each framework's function as `module:function`, imported when a run first looks it up: a run plans
with one framework, and `lrcli steps` from flags should not pay for importing all thirteen.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.inputs.values import number_text
from lrcli.steps.hf import contrast_hf_plan
from lrcli.steps.hf_deepspeed import check_deepspeed_values, fill_deepspeed_auto
from lrcli.steps.plan import Rows, Stage, StepPlan


class _ByName(dict):
    """name -> function, given as `lrcli.steps.<module>:<function>` and imported on its first lookup (a value set
    as a function, e.g. by a test, is used as it is)."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, str):
            module, _, name = value.partition(":")
            value = getattr(importlib.import_module(f"lrcli.steps.{module}"), name)
            super().__setitem__(key, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        return (self[key] for key in self)

    def items(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        return ((key, self[key]) for key in self)


# TrainConfig.framework -> that framework's step arithmetic.
PLANNERS: dict[str, Callable[[TrainConfig], StepPlan]] = _ByName({
    "hf": "hf:plan_hf_steps",
    "trl": "trl:plan_trl_steps",
    "trl_grpo": "trl:plan_grpo_steps",
    "llamafactory": "llamafactory:plan_llamafactory_steps",
    "llamafactory_v1": "llamafactory:plan_llamafactory_v1_steps",
    "axolotl": "axolotl:plan_axolotl_steps",
    "deepspeed": "deepspeed:plan_deepspeed_steps",
    "torchtune": "torchtune:plan_torchtune_steps",
    "lightning": "lightning:plan_lightning_steps",
    "torchtitan": "torchtitan:plan_torchtitan_steps",
    "megatron": "megatron:plan_megatron_steps",
    "verl": "verl:plan_verl_steps",
    "swift": "swift:plan_swift_steps",
})

# DataSpec.rule (set by the dialect) -> the framework's arithmetic from the rows of each dataset it names to the N its
# planner takes; lrcli/inputs/datasets.py applies it after counting, before planning.
ROW_RULES: dict[str, Callable[..., Rows]] = _ByName({
    "trl_dataset_name": "trl:dataset_name_rows",
    "trl_datasets": "trl:datasets_rows",
    "handbook_mixture": "trl:mixture_rows",
    "llamafactory": "llamafactory:dataset_rows",
    "llamafactory_v1": "llamafactory:v1_dataset_rows",
    "axolotl": "axolotl:dataset_rows",
    "torchtune": "torchtune:dataset_rows",
    "verl": "verl:dataset_rows",
    "swift": "swift:dataset_rows",
})

# TrainConfig.derive_kwargs -> the framework rule that fills scheduler kwargs from T and W (set by its dialect).
KWARG_RULES: dict[str, Callable[[TrainConfig, StepPlan], dict[str, Any]]] = _ByName({
    "axolotl_one_cycle": "axolotl:one_cycle_kwargs",
    "llamafactory_wsd": "llamafactory:wsd_kwargs",
    "megatron": "megatron:megatron_kwargs",
})

# Above 2^53 the float step arithmetic the frameworks use (ceil(E · updates)) is no longer exact, and int64 step
# arrays overflow soon after: such a T is a typo, reported instead of a traceback.
MAX_TOTAL_STEPS = 2**53


def contrast_plan(config: TrainConfig) -> tuple[str, StepPlan | str] | None:
    """For a plan that is the HF Trainer's alone (`hf`, `trl`): the same inputs under the other side of the 4.52
    floor/ceil change, as (version, its plan or its error); None for other frameworks."""
    if config.framework not in ("hf", "trl"):
        return None
    return contrast_hf_plan(config, PLANNERS[config.framework])


def plan_steps(config: TrainConfig) -> StepPlan:
    """T and W for `config`, by the rules of the framework that will run it."""
    try:
        plan = PLANNERS[config.framework](config)
    except ArithmeticError as exc:
        # The planners repeat the framework's own arithmetic (e.g. the Trainer's ceil(E · nupe) of an infinite
        # product), so the framework's count fails the same way.
        raise LrcliError(
            f"the {config.framework} step count fails with these values: {type(exc).__name__} ({exc}), as the "
            "framework's own count does; check --epochs/--samples/--batch/--world-size and the config's values"
        ) from None
    for name, count in (("T", plan.total), ("warmup W", plan.warmup)):
        if abs(count) > MAX_TOTAL_STEPS:
            raise LrcliError(
                f"{name} = {number_text(count)} optimizer steps is beyond any run lrcli can count exactly (2^53); "
                "check --total-steps/--max-steps/--samples/--epochs/--warmup-steps and the config's values"
            )
    return plan


class SchedulerKwargs(NamedTuple):
    """The kwargs the run builds its scheduler with, and where each came from (in words)."""

    values: dict[str, Any]
    sources: dict[str, str]


def scheduler_kwargs(config: TrainConfig, plan: StepPlan) -> SchedulerKwargs:
    """The scheduler kwargs the run builds its scheduler with: the config's, plus what its framework derives from
    T and W, with DeepSpeed's "auto" values filled as transformers fills them; and the DeepSpeed values the HF
    Trainer checks against T and W (a mismatch is its ValueError)."""
    rule = KWARG_RULES.get(config.derive_kwargs or "")
    given = dict(config.lr_scheduler_kwargs)
    kwargs = rule(config, plan) if rule is not None else given
    derived = f"{config.source('derive_kwargs')}, from T = {plan.total} and W = {plan.warmup}"
    sources = {
        key: config.source("lr_scheduler_kwargs") if key in given else derived  # the rules only add keys
        for key in kwargs
    }
    check_deepspeed_values(config, plan)
    filled, fill_sources = fill_deepspeed_auto(config, plan, kwargs)
    return SchedulerKwargs(filled, {**sources, **fill_sources})


__all__ = [
    "KWARG_RULES", "PLANNERS", "ROW_RULES", "Rows", "SchedulerKwargs", "Stage", "StepPlan", "contrast_plan",
    "plan_steps", "scheduler_kwargs",
]
