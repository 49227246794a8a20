"""LLaMA-Factory configs (`llamafactory-cli train x.yaml`, 0.9.5) and its v1 trainer's (`examples/v1`).

v0: plain HF keys (no default overrides, every stage included) plus `max_samples` and `val_size`, which shrink the
dataset before the HF count (lrcli.steps_llamafactory), and `deepspeed: path` (relative to the config). OmegaConf
reads `2e-5` as a float, so numeric strings are numbers. `stage: pt` packs by default (`packing` None → pt):
--samples then counts blocks of cutoff_len tokens. `warmup_stable_decay` without num_stable_steps/num_decay_steps
gets LLaMA-Factory's split (`train/trainer_utils.py` `create_custom_scheduler`, lrcli.plan_kwargs).
v1 (`v1/config/training_args.py`, `v1/core/base_trainer.py`): `micro_batch_size`, `learning_rate` default 1e-4,
`max_steps`, `num_train_epochs`; a constant LR (LambdaLR of 1.0) unless `lr_scheduler_config` names a plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading
from lrcli.load import near_miss_notes
from lrcli.values import coerce_number

NAME = "llamafactory"

LF_KEYS = frozenset({"stage", "finetuning_type", "cutoff_len", "template", "dataset_dir", "max_samples", "val_size"})
V1_KEYS = frozenset({"model_class", "train_dataset", "dist_config", "sample_backend", "peft_config", "kernel_config"})
LF_OTHER_KEYS = ("max_new_tokens", "profiler_warmup_steps", "eval_dataset", "preprocessing_num_workers",
                 "packing", "neat_packing", "overwrite_cache", "global_batch_size", "lr_scheduler_config")


def claims(raw: Mapping[str, Any]) -> int:
    if "micro_batch_size" in raw and V1_KEYS & set(raw):
        return 8
    return 7 if LF_KEYS & set(raw) else 0


def _read_v1(raw: Mapping[str, Any], path: Path) -> Reading:
    values: dict[str, Any] = {"learning_rate": 1e-4, "lr_scheduler_type": "constant", "framework": "llamafactory_v1"}
    sources = {
        "learning_rate": "LLaMA-Factory v1 default",
        "lr_scheduler_type": "LLaMA-Factory v1 (no lr_scheduler_config: LambdaLR of 1.0)",
        "framework": f"{path.name} (v1 keys)",
    }
    for key, name in (("learning_rate", "learning_rate"), ("micro_batch_size", "per_device_train_batch_size"),
                      ("max_steps", "max_steps"), ("num_train_epochs", "num_train_epochs")):
        if raw.get(key) is not None:
            values[name], sources[name] = coerce_number(raw[key]), f"{path.name} key {key}"
    notes: tuple[str, ...] = ()
    if raw.get("lr_scheduler_config") is not None:
        notes += (f"{path.name}: lr_scheduler_config plugins are not modelled; the curve shown is v1's constant LR",)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes)


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    if "micro_batch_size" in raw and V1_KEYS & set(raw):
        return _read_v1(raw, path)
    values, sources, notes = hf.read_hf_keys(raw, path)
    values["framework"], sources["framework"] = NAME, f"{path.name} (LLaMA-Factory)"
    values["transformers_version"] = "5.6"
    sources["transformers_version"] = "LLaMA-Factory 0.9.5 requires transformers ≤ 5.6.0 (newest allowed)"
    for key in ("max_samples", "val_size"):
        if raw.get(key) is not None:
            values[key], sources[key] = coerce_number(raw[key]), f"{path.name} key {key}"
    packing = raw.get("packing")
    if packing is True or raw.get("neat_packing") is True or (packing is None and raw.get("stage") == "pt"):
        values["packing"] = True
        sources["packing"] = f"{path.name} key " + ("packing" if packing else "stage: pt (packs by default)")
        notes += (f"{path.name}: packing is on: --samples must count packed blocks of cutoff_len tokens",)
    if values.get("lr_scheduler_type") == "warmup_stable_decay":
        values["derive_kwargs"], sources["derive_kwargs"] = "llamafactory_wsd", "LLaMA-Factory create_custom_scheduler"
    if raw.get("deepspeed") is not None:
        ds_values, ds_sources, ds_notes = deepspeed.referenced(raw["deepspeed"], path)
        values.update(ds_values)
        sources.update(ds_sources)
        notes += ds_notes
    notes += near_miss_notes(raw, (*hf.HF_KEYS, *LF_KEYS), (*hf.HF_OTHER_KEYS, *LF_OTHER_KEYS), path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes)
