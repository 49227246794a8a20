"""`lrcli steps` output: the short table, the `--explain` derivation and the JSON record; text in, nothing printed."""

from __future__ import annotations

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
    aside = found.split(": ", 1)[1] if found else ""
    rows = [("samples N", _value(config.dataset_size), aside)] if plan.batches_per_epoch is not None else []
    rows += [(label, _value(value), formula) for label, formula, value in plan.stages]
    if not plan.stages:  # a planner that records no stages still has T and W
        rows += [("total steps T", str(plan.total), ""), ("warmup steps W", str(plan.warmup), "")]
    rules = f"HF Trainer rules of {plan.transformers_rules}" if plan.transformers_rules else config.framework
    lines = [f"T = {plan.total} optimizer steps, W = {plan.warmup} warmup steps ({rules})", *_rows(rows)]
    return "\n".join(lines) + "\n"


def explanation(config: TrainConfig, plan: StepPlan, contrast: tuple[str, StepPlan | str] | None) -> str:
    """Every rounding stage with its formula and numbers, then the other rule set's answer when it differs.

    `contrast` is (version, its plan or the error it raises), or None when there is nothing to contrast.
    """
    who = (
        f"the HF Trainer counts the steps ({plan.transformers_rules}; "
        "Trainer.set_initial_training_values, TrainingArguments.get_warmup_steps)"
        if plan.transformers_version
        else f"{config.framework} counts the steps"
    )
    lines = [f"How {who}:"]
    inputs = (
        f"N={_value(config.dataset_size)} samples, b={config.per_device_train_batch_size}, "
        f"GA={config.gradient_accumulation_steps}, w={config.world_size}, E={config.num_train_epochs!r}, "
        f"max_steps={config.max_steps}, drop_last={config.dataloader_drop_last}"
    )
    lines.append(f"  inputs: {inputs}")
    found = samples_source(config)
    if found:
        lines.append(f"  {found}")
    for number, (label, formula, value) in enumerate((*config.dataset_stages, *plan.stages) if found else plan.stages,
                                                     start=1):
        lines.append(f"  {number}. {label}: {formula} = {_value(value)}")
    if plan.final_epoch is not None:
        lines.append(f"  the last optimizer step runs at epoch {plan.final_epoch:.6g}")
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
                f"Under transformers {version} rules it differs: update steps/epoch "
                f"{_value(other.update_steps_per_epoch)}, T = {other.total}, W = {other.warmup}"
                + (f", last step at epoch {other.final_epoch:.6g}" if other.final_epoch is not None else "")
            )
            changed = [
                f"{label}: {formula} = {_value(value)}"
                for label, formula, value in other.stages
                if (label, formula, value) not in plan.stages
            ]
            lines += [f"    {line}" for line in changed]
    return "\n".join(lines) + "\n"


def steps_record(config: TrainConfig, plan: StepPlan, scheduler: dict[str, Any] | None = None) -> dict[str, Any]:
    """`lrcli steps --json`'s run (lrcli.render.document): the settings and the plan."""
    return run_record(config, plan, notes=plan.notes, scheduler=scheduler)
