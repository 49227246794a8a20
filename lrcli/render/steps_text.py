"""`lrcli steps` output: the short table, the `--explain` derivation and the JSON record; text in, nothing printed."""

from __future__ import annotations

import textwrap
from typing import Any

from lrcli.config import TrainConfig
from lrcli.render.document import run_record
from lrcli.steps import StepPlan


def _value(value: int | float | str | None) -> str:
    if value is None:
        return "-"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _rows(rows: list[tuple[str, str, str]]) -> list[str]:
    width = max(len(label) for label, _, _ in rows)
    vwidth = max(len(value) for _, value, _ in rows)
    return [f"  {label:<{width}}  {value:>{vwidth}}{'  ' + aside if aside else ''}" for label, value, aside in rows]


def samples_source(config: TrainConfig) -> str | None:
    """`N = 51,760 rows: yahma/alpaca-cleaned, split train (Hub, revision 12567ca, cached)` when lrcli found N in
    the data the config names; None when N was given (--samples) or not found."""
    if config.datasets and config.source_kind("dataset_size") == "derived":
        return config.source("dataset_size")
    return None


def summary_table(config: TrainConfig, plan: StepPlan) -> str:
    """N → per-process batches/epoch → updates/epoch → T → W and the effective batch, each with its formula."""
    found = samples_source(config)
    # `N = 51,760 rows: <where>` -> `<where>`; a source without that form (LLaMA-Factory v1's) is shown whole
    aside = found.partition(": ")[2] or found if found else ""
    rows = [("samples N", _value(config.dataset_size), aside)] if plan.batches_per_epoch is not None else []
    rows += [(label, _value(value), formula) for label, formula, value in plan.stages]
    if not plan.stages:  # a planner that records no stages still has T and W
        rows += [("total steps T", str(plan.total), ""), ("warmup steps W", str(plan.warmup), "")]
    rules = f"HF Trainer rules of {plan.transformers_rules}" if plan.transformers_rules else config.framework
    lines = [f"T = {plan.total} optimizer steps, W = {plan.warmup} warmup steps ({rules})", *_rows(rows)]
    return "\n".join(lines) + "\n"


_WIDTH = 116  # explanation lines wrap here


def _stage_lines(label: str, formula: str, value: int | float | str) -> list[str]:
    """A stage as its result first, then how it was reached: `update steps per epoch U = 3 (floor before
    4.52.1)` over `max(floor(L / GA), 1) = …`; a label's parenthesis is its footnote, after the result."""
    name, paren, qualifier = label.partition(" (")
    head = f"{name} = {_value(value)}" + (f" ({qualifier}" if paren else "")
    return [head, *textwrap.wrap(formula, _WIDTH - 9, break_on_hyphens=False)]


# The inputs each framework's planner reads, in the order its arithmetic uses them: (where, name, text), where is
# "field" (a TrainConfig field), "option" (trainer_options) or "kwarg" (lr_scheduler_kwargs); `text` takes the
# value; an input that is not set is left out. A framework not listed counts as the HF Trainer does (b, GA, w, E).
_INPUTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "megatron": (  # no dataset, epochs or accumulation: iterations or samples, a global batch
        ("field", "per_device_train_batch_size", "micro_batch_size = {} samples per GPU in each micro-batch"),
        ("field", "world_size", "world = {} processes"),
        ("option", "tensor_model_parallel_size", "tp = {}"), ("option", "pipeline_model_parallel_size", "pp = {}"),
        ("option", "context_parallel_size", "cp = {}"),
        ("option", "train_iters", "train_iters = {}"), ("option", "train_samples", "train_samples = {}"),
        ("option", "global_batch_size", "global_batch_size = {}"),
        ("option", "rampup_batch_size", "rampup_batch_size = {}"),
        ("option", "step_batch_size_schedule", "step_batch_size_schedule = {!r}"),
        ("option", "seq_length", "seq_length = {} tokens per sample"),
        ("option", "decrease_batch_size_if_needed", "decrease_batch_size_if_needed = {}"),
        ("option", "megatron_core", "megatron-core {} rules"),
    ),
    "torchtitan": (  # T is training.steps; no dataset or epochs
        ("field", "max_steps", "training.steps = {}"), ("field", "warmup_steps", "lr_scheduler.warmup_steps = {:g}"),
        ("kwarg", "decay_ratio", "lr_scheduler.decay_ratio = {}"), ("kwarg", "total_steps", "lr_scheduler.total_steps = {}"),
        ("field", "global_batch_size", "training.global_batch_size = {} samples per step"),
        ("option", "torchtitan", "torchtitan {} rules"),
    ),
    "verl": (  # N rows, the data.train_batch_size prompts per step, epochs or total_training_steps
        ("field", "dataset_size", "N = {} samples"), ("option", "train_batch_size", "data.train_batch_size = {}"),
        ("option", "gen_batch_size", "data.gen_batch_size = {}"),
        ("option", "train_max_samples", "data.train_max_samples = {}"),
        ("field", "num_train_epochs", "trainer.total_epochs = {}"),
        ("field", "max_steps", "trainer.total_training_steps = {} (> 0: it is T)"),
        ("option", "parameter_sync_step", "parameter_sync_step = {}"),
        ("option", "lr_warmup_steps", "lr_warmup_steps = {}"), ("option", "lr_warmup_steps_ratio", "lr_warmup_steps_ratio = {}"),
        ("option", "verl_version", "verl {} rules"),
    ),
    "swift": (  # ms-swift samples its datasets, then the HF Trainer counts (the HF inputs follow)
        ("option", "dataset_samples", "rows sampled per dataset (`dataset#N`) = {}"),
        ("option", "split_dataset_ratio", "split_dataset_ratio = {}"),
        ("option", "swift_version", "ms-swift {}"), ("option", "command", "command {}"),
    ),
}
_UNSET = {"max_steps": (-1, 0), "global_batch_size": (None, -1, 0)}


def _framework_parts(config: TrainConfig, inputs: tuple[tuple[str, str, str], ...]) -> list[str]:
    parts = []
    for where, name, text in inputs:
        holder = {"option": config.trainer_options, "kwarg": config.lr_scheduler_kwargs or {}}.get(where)
        value = holder.get(name) if holder is not None else getattr(config, name, None)
        if value is None or value in _UNSET.get(name, ()) or value is False:
            continue
        parts.append(text.format(value))
    return parts


def _inputs(config: TrainConfig) -> str:
    """The inputs, each symbol with its meaning, so the formulas below read without the framework's code."""
    parts = _framework_parts(config, _INPUTS.get(config.framework or "", ()))
    if config.framework in _INPUTS and config.framework != "swift":
        return "\n".join(_join_wrapped(parts, "; ", _WIDTH, indent="  "))
    n = config.dataset_size
    max_steps = config.max_steps
    parts += [
        f"N = {_value(n)} samples" if n is not None else "N not given",
        f"b = {config.per_device_train_batch_size} samples per device in each micro-batch",
        f"GA = {config.gradient_accumulation_steps} micro-batches per optimizer update (gradient accumulation)",
        f"w = {config.world_size} data-parallel process{'' if config.world_size == 1 else 'es'}",
        f"E = {config.num_train_epochs!r} epochs",
        f"max_steps = {max_steps}" + (" (> 0: it is T, E is not used)" if max_steps > 0 else " (not set)"),
        f"drop_last = {config.dataloader_drop_last}",
    ]
    return "\n".join(_join_wrapped(parts, "; ", _WIDTH, indent="  "))


def _join_wrapped(parts: list[str], separator: str, width: int, indent: str) -> list[str]:
    """`parts` joined by `separator` into lines of at most `width`, breaking only between parts."""
    lines = [indent]
    for part in parts:
        if lines[-1] != indent and len(lines[-1]) + len(separator) + len(part) > width:
            lines[-1] += separator.rstrip()
            lines.append(indent)
        lines[-1] += (separator if lines[-1] != indent else "") + part
    return lines


def explanation(config: TrainConfig, plan: StepPlan, contrast: tuple[str, StepPlan | str] | None) -> str:
    """Every rounding stage with its formula and numbers, then the other rule set's answer when it differs.

    `contrast` is (version, its plan or the error it raises), or None when there is nothing to contrast.
    """
    who = (
        f"the HF Trainer counts the optimizer steps ({plan.transformers_rules}; "
        "Trainer.set_initial_training_values, then TrainingArguments.get_warmup_steps)"
        if plan.transformers_version
        else f"{config.framework} counts the optimizer steps"
    )
    lines = [*textwrap.wrap(f"How {who}, from:", _WIDTH, break_on_hyphens=False), _inputs(config)]
    found = samples_source(config)
    if found:
        lines.append(f"  {found}")
    stages = (*config.dataset_stages, *plan.stages) if found else plan.stages
    for number, (label, formula, value) in enumerate(stages, start=1):
        head, *rest = _stage_lines(label, formula, value)
        lines.append(f"  {number}. {head}")
        lines += [f"       {line}" for line in rest]
    if plan.final_epoch is not None:
        lines.append(f"  The last optimizer step runs at epoch {plan.final_epoch:.6g}.")
    if contrast is not None:
        version, other = contrast
        if isinstance(other, str):
            lines.append(f"Under transformers {version} rules these inputs are an error: {other}")
        elif (other.total, other.warmup, other.update_steps_per_epoch) == (
            plan.total,
            plan.warmup,
            plan.update_steps_per_epoch,
        ):
            lines.append(f"Under transformers {version} rules: the same T = {plan.total} and W = {plan.warmup}.")
        else:
            lines.append(
                f"Under transformers {version} rules it differs: U = {_value(other.update_steps_per_epoch)} update "
                f"steps per epoch, T = {other.total}, W = {other.warmup}"
                + (f", the last step at epoch {other.final_epoch:.6g}" if other.final_epoch is not None else "")
                + ":"
            )
            for label, formula, value in other.stages:
                if (label, formula, value) not in plan.stages:
                    head, *rest = _stage_lines(label, formula, value)
                    lines.append(f"     {head}")
                    lines += [f"       {line}" for line in rest]
    return "\n".join(lines) + "\n"


def steps_record(config: TrainConfig, plan: StepPlan, scheduler: dict[str, Any] | None = None) -> dict[str, Any]:
    """`lrcli steps --json`'s run (lrcli.render.document): the settings and the plan."""
    return run_record(config, plan, notes=plan.notes, scheduler=scheduler)
