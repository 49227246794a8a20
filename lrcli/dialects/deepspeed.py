"""DeepSpeed JSON configs: the `scheduler` section, alone or referenced from an HF-family config (`deepspeed: path`).

With a `scheduler` section DeepSpeed builds the scheduler and HF's `lr_scheduler_type` is unused
(transformers `integrations/deepspeed.py` `deepspeed_optim_sched`). Its `type` is a registry name as is (DeepSpeed's
five, or a torch class name) and `params` are its kwargs; `"auto"` stays in them and the schedule fills it from
lr/T/W as `HfTrainerDeepSpeedConfig` does. Explicit values that HF checks against its own (`fill_match`) are kept
in `deepspeed_values` and compared once T and W are known (`lrcli.steps.hf_deepspeed`), so a mismatch is the error HF raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.config import Source
from lrcli.dialects.reading import Reading, Sources, get_nested
from lrcli.errors import LrcliError
from lrcli.inputs.files import find_referenced_file, load_mapping
from lrcli.inputs.values import coerce_number

NAME = "deepspeed"

# DeepSpeed keys that `HfTrainerDeepSpeedConfig.fill_match` compares with TrainingArguments (must_match=True).
MATCHED_KEYS = (
    "train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "train_batch_size", "optimizer.params.lr",
    "scheduler.params.warmup_max_lr", "scheduler.params.total_num_steps", "scheduler.params.warmup_num_steps",
)  # fmt: skip

_DS_ONLY_KEYS = {"zero_optimization", "train_micro_batch_size_per_gpu", "train_batch_size"}


def claims(raw: Mapping[str, Any]) -> int:
    scheduler = raw.get("scheduler")
    if isinstance(scheduler, Mapping) and "type" in scheduler:
        return 9
    return 5 if _DS_ONLY_KEYS & set(raw) and "learning_rate" not in raw else 0


def explicit_values(ds: Mapping[str, Any]) -> dict[str, Any]:
    """The values HF will check against its own: those present and not "auto"."""
    found = {key: get_nested(ds, key) for key in MATCHED_KEYS}
    return {key: value for key, value in found.items() if value is not None and value != "auto"}


def scheduler_reading(ds: Mapping[str, Any], name: str) -> tuple[dict[str, Any], Sources]:
    """lr_scheduler_type and kwargs from the `scheduler` section of DeepSpeed config `name` (empty when none)."""
    section = ds.get("scheduler")
    if section is None:
        return {}, {}
    if not isinstance(section, Mapping) or not isinstance(section.get("type"), str):
        raise LrcliError(f'{name}: "scheduler" must be {{"type": NAME, "params": {{...}}}}, got {section!r}')
    params = section.get("params") or {}
    if not isinstance(params, Mapping):
        raise LrcliError(f'{name}: "scheduler.params" must be a mapping, got {params!r}')
    values = {"lr_scheduler_type": section["type"], "lr_scheduler_kwargs": dict(params)}
    sources = {"lr_scheduler_type": f"{name} scheduler.type", "lr_scheduler_kwargs": f"{name} scheduler.params"}
    return values, sources


def referenced(value: Any, config_path: Path) -> tuple[dict[str, Any], Sources, tuple[str, ...]]:
    """The part of an HF-family config's `deepspeed:` value (a path, or a mapping) that changes the curve: its
    scheduler section, and the explicit values HF must match. A path is found by `inputs.files.find_referenced_file`."""
    if isinstance(value, Mapping):
        ds, name = value, f"{config_path.name} key deepspeed"
    elif isinstance(value, str) and value.strip():
        ds_path, where = find_referenced_file(value, config_path, "deepspeed", "the DeepSpeed JSON file")
        if ds_path is None:
            return {}, {}, (
                f"{config_path.name}: deepspeed config {value} not found (looked in {where}); "
                "its scheduler section, if it has one, is not applied (the framework itself would fail to open it)",
            )
        ds, name = load_mapping(ds_path), f"{ds_path} ({where})"
    else:
        return {}, {}, ()
    values, sources = scheduler_reading(ds, name)
    fixed = explicit_values(ds)
    if fixed:
        values["deepspeed_values"], sources["deepspeed_values"] = fixed, name
    notes = (f"{name} has a scheduler section: DeepSpeed's {values['lr_scheduler_type']} replaces "
             f"lr_scheduler_type",) if "lr_scheduler_type" in values else ()
    return values, sources, notes


def apply_scheduler_section(
    values: Mapping[str, Any], sources: Mapping[str, Source | str], value: Any, config_path: Path
) -> tuple[dict[str, Any], Sources, tuple[str, ...]]:
    """`values`/`sources` of an HF-family config with its `deepspeed:` file (`value`) merged in.

    A `scheduler` section replaces the config's scheduler: its `type` and `params` become lr_scheduler_type and
    lr_scheduler_kwargs, and the config's own kwargs rules (derive_kwargs) no longer apply, as
    `deepspeed_optim_sched` builds DeepSpeed's scheduler instead of the Trainer's. "auto" params stay "auto"
    until T and W are known; the schedule fills them as `HfTrainerDeepSpeedConfig` does. Explicit values HF
    compares with its own go to deepspeed_values."""
    ds_values, ds_sources, notes = referenced(value, config_path)
    merged, merged_sources = dict(values), dict(sources)
    if "lr_scheduler_type" in ds_values:
        for key in ("lr_scheduler_kwargs", "derive_kwargs"):
            merged.pop(key, None)
            merged_sources.pop(key, None)
    merged.update(ds_values)
    merged_sources.update(ds_sources)
    return merged, merged_sources, notes


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    """A DeepSpeed config on its own: the optimizer's lr, the batch trio (resolved per world size by the
    `deepspeed` planner, as DeepSpeed's `_set_batch_related_parameters`) and the scheduler section
    (none: the optimizer's lr, constant). "auto" values are left to the HF defaults."""
    values, sources = scheduler_reading(raw, path.name)
    if not values:
        values["lr_scheduler_type"], sources["lr_scheduler_type"] = "constant", f"{path.name} (no scheduler section)"
    for key, name in (
        ("optimizer.params.lr", "learning_rate"),
        ("train_micro_batch_size_per_gpu", "per_device_train_batch_size"),
        ("gradient_accumulation_steps", "gradient_accumulation_steps"),
        ("train_batch_size", "global_batch_size"),
    ):
        value = get_nested(raw, key)
        if value is not None and value != "auto":
            values[name], sources[name] = coerce_number(value), f"{path.name} key {key}"
    if "global_batch_size" in values:
        values["framework"], sources["framework"] = NAME, f"{path.name} key train_batch_size"
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources)
