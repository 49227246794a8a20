"""`lrcli show` output: every resolved value with where it came from, then T and W; text in, nothing printed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lrcli.config import FIELD_NAMES, TrainConfig
from lrcli.steps import StepPlan

# Fields that only matter to some commands: shown only when something set them.
_QUIET_WHEN_DEFAULT = ("label", "metrics_path", "metric_name", "step_unit", "total_steps", "derive_kwargs",
                       "deepspeed_values", "global_batch_size", "max_samples", "val_size", "max_steps_per_epoch",
                       "trainer", "packing", "trainer_options", "split_batches", "even_batches")


def _shown(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def resolved_fields(config: TrainConfig, plan: StepPlan | None = None) -> list[tuple[str, Any, str]]:
    """(field, value, source) for every field that applies; the transformers version only where a plan used
    transformers' rules (torchtune, Lightning and DeepSpeed-alone plans do not)."""
    not_used = ("transformers_version",) if plan is not None and plan.transformers_version is None else ()
    return [
        (name, _shown(getattr(config, name)), config.source(name))
        for name in FIELD_NAMES
        if (name in config.sources or name not in _QUIET_WHEN_DEFAULT) and name not in not_used
    ]


def show_text(config: TrainConfig, plan: StepPlan | None, missing: str | None, notes: tuple[str, ...]) -> str:
    rows = resolved_fields(config, plan)
    width = max(len(name) for name, _, _ in rows)
    texts = [repr(value) if not isinstance(value, str) else value for _, value, _ in rows]
    vwidth = min(max(len(text) for text in texts), 40)
    lines = ["Resolved settings (value, then where it came from):"]
    lines += [f"  {name:<{width}}  {text:<{vwidth}}  {source}" for (name, _, source), text in zip(rows, texts, strict=True)]
    if plan is not None:
        rules = f"HF Trainer rules of {plan.transformers_rules}" if plan.transformers_rules else f"{config.framework} rules"
        lines.append(f"Plan: T = {plan.total} optimizer steps, W = {plan.warmup} warmup steps ({rules})")
        lines += [f"  {label}: {formula} = {value}" for label, formula, value in plan.stages]
    else:
        lines.append(f"Plan: not computed: {missing}")
    lines += [f"note: {note}" for note in notes + (plan.notes if plan is not None else ())]
    return "\n".join(lines) + "\n"


def show_json(config: TrainConfig, plan: StepPlan | None, missing: str | None, notes: tuple[str, ...]) -> str:
    record: dict[str, Any] = {
        "settings": {
            name: {"value": value, "source": source} for name, value, source in resolved_fields(config, plan)
        },
        "total_steps": plan.total if plan is not None else None,
        "warmup_steps": plan.warmup if plan is not None else None,
        "stages": [{"what": a, "formula": b, "value": c} for a, b, c in plan.stages] if plan is not None else [],
        "missing": missing,
        "notes": list(notes + (plan.notes if plan is not None else ())),
    }
    return json.dumps(record, indent=1, ensure_ascii=False, default=str) + "\n"
