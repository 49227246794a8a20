"""The one JSON data model lrcli writes: `steps --json`, `show --json`, `plot -o x.json` and `compare -o x.json` are
all a document of schema 1 (docs/output.md; JSON Schema in docs/lrcli-output.schema.json), a list of runs that each
command fills as far as it goes: `steps` the settings and the plan, `show` also the scheduler (DeepSpeed "auto"
values filled, each with its source), `plot`/`compare` also the curve. Floats are written so they read back
bit-identical. Text in, nothing printed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lrcli.config import FIELD_NAMES, TrainConfig
from lrcli.steps import StepPlan

if TYPE_CHECKING:  # `steps --json` and `show --json` write documents without curves, and without numpy
    from lrcli.curve import Curve

SCHEMA_VERSION = 1

STEP_CONVENTION = (
    "row s is the LR after s scheduler steps, i.e. the LR the optimizer uses for update s+1 "
    "(get_last_lr() after s calls to scheduler.step())"
)
EPOCH_STEP_CONVENTION = (
    "row s is the LR the optimizer uses for update s+1; the scheduler steps once per epoch, so row s is the LR after "
    "floor(s / update steps per epoch) scheduler steps"
)
BEHIND_CONVENTION = "; DeepSpeed's scheduler runs one update behind: row s is its own step s-1"

# Fields that only matter to some commands: listed only when something set them.
QUIET_WHEN_DEFAULT = ("label", "metrics_path", "metric_name", "step_unit", "total_steps", "derive_kwargs",
                      "deepspeed_values", "global_batch_size", "max_samples", "val_size", "max_steps_per_epoch",
                      "trainer", "framework_version", "packing", "trainer_options", "split_batches", "even_batches")
INTERNAL = ("version_bound_keys", "framework_leftover_keys")  # bookkeeping for the planners; the keys themselves are listed under their fields
DATA_FIELDS = ("datasets", "dataset_stages", "datasets_missing")  # a run's `data`, not settings


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def resolved_fields(config: TrainConfig, plan: StepPlan | None = None) -> list[tuple[str, Any, str, str]]:
    """(field, value, source words, source kind) for every field that applies; the transformers version only where
    a plan used transformers' rules (torchtune, Lightning and DeepSpeed-alone plans do not)."""
    not_used = ("transformers_version",) if plan is not None and plan.transformers_version is None else ()
    return [
        (name, _plain(getattr(config, name)), config.source(name), config.source_kind(name))
        for name in FIELD_NAMES
        if (name in config.sources or name not in QUIET_WHEN_DEFAULT) and name not in not_used + INTERNAL + DATA_FIELDS
    ]


def settings_record(config: TrainConfig, plan: StepPlan | None) -> dict[str, Any]:
    return {name: {"value": value, "source": source, "kind": kind}
            for name, value, source, kind in resolved_fields(config, plan)}


def data_record(config: TrainConfig) -> dict[str, Any]:
    """The datasets the config names with the rows lrcli found for each (lrcli.inputs.datasets), the framework's row
    arithmetic from them to N, the counts per dataset a planner takes one by one, and why N was not found."""
    parts = getattr(config.dataset_size, "parts", ()) if config.datasets else ()
    return {
        "datasets": [
            {"dataset": c.count.ref.path, "config": c.count.ref.name, "split": c.count.ref.split,
             "where": c.count.ref.where, "rows": c.count.rows, "split_rows": dict(c.count.split_rows),
             "source": c.count.source, "options": _plain(dict(c.entry.options))}
            for c in config.datasets
        ],
        "stages": [{"what": what, "formula": formula, "value": value} for what, formula, value in config.dataset_stages],
        "dataset_size_parts": list(parts) or None,
        "missing": config.datasets_missing,
    }


def plan_record(plan: StepPlan, framework: str) -> dict[str, Any]:
    """T and W under the Trainer's names, every stage of the count, and whose rules counted them."""
    transformers = (
        {"version": plan.transformers_version, "source": plan.transformers_source}
        if plan.transformers_version is not None else None
    )
    return {
        "total_steps": plan.total,
        "warmup_steps": plan.warmup,
        "update_steps_per_epoch": plan.update_steps_per_epoch,
        "batches_per_epoch": plan.batches_per_epoch,
        "num_train_epochs": plan.num_train_epochs,
        "total_train_batch_size": plan.total_train_batch_size,
        "samples_per_update": plan.samples_per_update,
        "final_epoch": plan.final_epoch,
        "rules": {"framework": framework, "transformers": transformers},
        "stages": [{"what": what, "formula": formula, "value": value} for what, formula, value in plan.stages],
    }


def scheduler_record(
    name: str, lr: float, kwargs: Mapping[str, Any], sources: Mapping[str, str], given: Mapping[str, Any]
) -> dict[str, Any]:
    """The scheduler the run builds: its name, the optimizer's lr, and each kwarg with where it came from; a value
    the framework filled in (a DeepSpeed `"auto"`) also has `given`, what the config said."""
    record: dict[str, Any] = {"name": name, "lr": lr, "kwargs": {}}
    for key, value in kwargs.items():
        entry = {"value": _plain(value), "source": sources.get(key, "")}
        if key in given and given[key] != value:
            entry["given"] = _plain(given[key])
        record["kwargs"][key] = entry
    return record


def curve_record(curve: Curve) -> dict[str, Any]:
    from lrcli.curve import summarize

    summary = summarize(curve)
    convention = STEP_CONVENTION if curve.step_unit == "step" else EPOCH_STEP_CONVENTION
    return {
        "step_unit": curve.step_unit,
        "step_convention": convention + (BEHIND_CONVENTION if curve.one_update_behind else ""),
        "one_update_behind": curve.one_update_behind,
        "summary": {
            "total_steps": summary.total_steps,
            "warmup_steps": summary.warmup_steps,
            "peak_lr": summary.peak_lr,
            "peak_step": summary.peak_step,
            "final_lr": summary.final_lr,
            "mean_lr": summary.mean_lr,
            "lr_sum": summary.lr_sum,
            "steps_near_peak": summary.steps_near_peak,
        },
        "lr": [ROWS_MARKER] if curve.outlined else curve.lr.tolist(),  # streamed in its place (render/table.py)
    }


def run_record(
    config: TrainConfig,
    plan: StepPlan | None,
    *,
    label: str | None = None,
    notes: Sequence[str] = (),
    plan_error: str | None = None,
    scheduler: dict[str, Any] | None = None,
    curve: Curve | None = None,
) -> dict[str, Any]:
    return {
        "label": label if label is not None else config.label,
        "settings": settings_record(config, plan),
        "data": data_record(config),
        "plan": plan_record(plan, config.framework) if plan is not None else None,
        "plan_error": plan_error,
        "scheduler": scheduler,
        "curve": curve_record(curve) if curve is not None else None,
        "notes": list(notes),
    }


def curve_run_record(curve: Curve, notes: Sequence[str] = ()) -> dict[str, Any]:
    """A drawn curve as a run: everything `show` has, and the curve."""
    config = curve.config if curve.config is not None else TrainConfig(label=curve.label)
    given = config.lr_scheduler_kwargs
    scheduler = scheduler_record(curve.schedule, curve.base_lr, curve.kwargs, curve.kwarg_sources, given)
    return run_record(config, curve.plan, label=curve.label, notes=(*notes, *curve.notes), scheduler=scheduler,
                      curve=curve)


ROWS_MARKER = "\u2063lrcli rows\u2063"  # stands for the values of an outlined curve, written block by block


def document(runs: Sequence[dict[str, Any]]) -> str:
    """The JSON text of one command's output."""
    payload = {"schema": SCHEMA_VERSION, "runs": list(runs)}
    import json  # here: the table and text outputs need none of it

    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"
