"""`lrcli show` output: every resolved value with where it came from, then T and W; text in, nothing printed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lrcli.config import TrainConfig
from lrcli.render.document import resolved_fields, run_record
from lrcli.steps import StepPlan


def dataset_lines(config: TrainConfig) -> list[str]:
    """Each dataset of the config with the rows lrcli found, then the framework's arithmetic on them."""
    if config.datasets_missing:
        return [f"Datasets: N not found: {config.datasets_missing}"]
    if not config.datasets:
        return []
    lines = [f"Datasets ({len(config.datasets)}), as the framework loads them:"]
    for number, counted in enumerate(config.datasets, start=1):
        count = counted.count
        kept = ", ".join(f"{key} {value}" for key, value in counted.entry.options.items())
        lines.append(f"  {number}. {count.ref.label}: {count.rows:,} rows ({count.source})" + (f"; {kept}" if kept else ""))
    lines += [f"  {label}: {formula} = {value:,}" if isinstance(value, int) else f"  {label}: {formula} = {value}"
              for label, formula, value in config.dataset_stages if not re.fullmatch(r"dataset \d+", label)]
    return lines


def show_text(
    config: TrainConfig,
    plan: StepPlan | None,
    missing: str | None,
    notes: tuple[str, ...],
    scheduler: Mapping[str, Any] | None = None,
) -> str:
    rows = [(name, value, source) for name, value, source, _ in resolved_fields(config, plan)]
    width = max(len(name) for name, _, _ in rows)
    texts = [repr(value) if not isinstance(value, str) else value for _, value, _ in rows]
    vwidth = min(max(len(text) for text in texts), 40)
    lines = ["Resolved settings (value, then where it came from):"]
    lines += [f"  {name:<{width}}  {text:<{vwidth}}  {source}" for (name, _, source), text in zip(rows, texts, strict=True)]
    lines += dataset_lines(config)
    if plan is not None:
        rules = f"HF Trainer rules of {plan.transformers_rules}" if plan.transformers_rules else f"{config.framework} rules"
        lines.append(f"Plan: T = {plan.total} optimizer steps, W = {plan.warmup} warmup steps ({rules})")
        lines += [f"  {label}: {formula} = {value}" for label, formula, value in plan.stages]
    else:
        lines.append(f"Plan: not computed: {missing}")
    filled = {key: entry for key, entry in (scheduler or {}).get("kwargs", {}).items() if "given" in entry}
    if filled:
        lines.append(f"Scheduler {scheduler['name']}: values the framework fills in:")
        lines += [f"  {key}: {entry['given']!r} -> {entry['value']!r}, {entry['source']}" for key, entry in filled.items()]
    lines += [f"note: {note}" for note in notes + (plan.notes if plan is not None else ())]
    return "\n".join(lines) + "\n"


def show_record(
    config: TrainConfig,
    plan: StepPlan | None,
    missing: str | None,
    notes: tuple[str, ...],
    scheduler: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`lrcli show --json`'s run (lrcli.render.document)."""
    return run_record(config, plan, notes=notes + (plan.notes if plan is not None else ()), plan_error=missing,
                      scheduler=dict(scheduler) if scheduler is not None else None)
