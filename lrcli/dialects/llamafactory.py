"""LLaMA-Factory configs (`llamafactory-cli train x.yaml`, 0.9.5) and its v1 trainer's (`examples/v1`).

v0: plain HF keys (no default overrides, every stage included) plus `max_samples` and `val_size`, which shrink the
dataset before the HF count (lrcli.steps.llamafactory), and `deepspeed: path` (relative to the config). OmegaConf
reads `2e-5` as a float, so numeric strings are numbers. `max_samples` cuts EACH dataset of the comma-separated
`dataset:` list (`data/loader.py` `_load_single_dataset`), so the number of datasets goes to the planner.
`val_size` keeps its YAML type (`HfArgumentParser.parse_dict` converts nothing) and `data/data_utils.py`
`split_dataset` passes `int(val_size)` when > 1, else the value itself, to `train_test_split`: an int 1 holds out
one row, a float 1.0 makes `datasets` raise. `stage: pt` packs by default (`packing` None → pt): --samples then
counts blocks of cutoff_len tokens. `warmup_stable_decay` without num_stable_steps/num_decay_steps gets
LLaMA-Factory's split (`train/trainer_utils.py` `create_custom_scheduler`, lrcli.steps.llamafactory.wsd_kwargs).

v1 (`v1/config/training_args.py`, `v1/core/base_trainer.py`, `v1/core/utils/batching.py`): `micro_batch_size`
(default 1), `global_batch_size` (default dp · micro_batch_size), `learning_rate` (1e-4), `num_train_epochs` (3),
`max_steps` (None); always a constant LR (LambdaLR of 1.0). `lr_scheduler_config` and `optim_config` name plugins
that 0.9.5 registers none of (LLaMA-Factory raises), and a dynamic/padding-free `batching_strategy` batches by
token count: lrcli refuses those rather than draw a curve LLaMA-Factory would not follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.config import Source
from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading, Sources, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.installed import Requirement
from lrcli.inputs.values import coerce_number, whole_number

NAME = "llamafactory"
# llamafactory 0.9.5's Requires-Dist (its `check_dependencies` checks the same range at run time): a run on the
# v0 trainer uses the installed transformers when it is in this range, else the newest it allows.
TRANSFORMERS = Requirement("LLaMA-Factory 0.9.5", "!=4.52.0,!=4.57.0,<=5.6.0,>=4.55.0", "5.6")

LF_KEYS = frozenset({"stage", "finetuning_type", "cutoff_len", "template", "dataset_dir", "max_samples", "val_size"})
V1_KEYS = frozenset({"model_class", "train_dataset", "dist_config", "sample_backend", "peft_config", "kernel_config"})
LF_OTHER_KEYS = ("max_new_tokens", "profiler_warmup_steps", "eval_dataset", "preprocessing_num_workers",
                 "packing", "neat_packing", "overwrite_cache", "global_batch_size", "lr_scheduler_config",
                 "mix_strategy", "optim_config", "batching_strategy")

# v1 TrainingArguments defaults (0.9.5 `v1/config/training_args.py`) and the keys lrcli reads.
V1_DEFAULTS = {"learning_rate": 1e-4, "per_device_train_batch_size": 1, "num_train_epochs": 3}
V1_READ = (("learning_rate", "learning_rate"), ("micro_batch_size", "per_device_train_batch_size"),
           ("max_steps", "max_steps"), ("num_train_epochs", "num_train_epochs"))


def claims(raw: Mapping[str, Any]) -> int:
    if "micro_batch_size" in raw and V1_KEYS & set(raw):
        return 8
    return 7 if LF_KEYS & set(raw) else 0


def _refuse_v1(raw: Mapping[str, Any], path: Path) -> None:
    """v1 keys whose effect lrcli cannot reproduce: an error saying what LLaMA-Factory itself would do."""
    for key, plugin in (("lr_scheduler_config", "LRSchedulerPlugin"), ("optim_config", "OptimizerPlugin")):
        if raw.get(key) is not None:
            raise LrcliError(
                f"{path.name}: {key} names a {plugin}, and LLaMA-Factory 0.9.5 registers none (its v1 trainer raises "
                f"'Method __call__ of plugin ... is not registered'); remove {key} to train with v1's constant LR"
            )
    strategy = raw.get("batching_strategy")
    if strategy not in (None, "normal") and not raw.get("max_steps"):
        raise LrcliError(
            f"{path.name}: batching_strategy {strategy!r} fills batches by token count, so the steps per epoch "
            "depend on the token lengths; set max_steps in the config (LLaMA-Factory requires it for "
            "dynamic_batching) or pass --total-steps"
        )


def _read_v1(raw: Mapping[str, Any], path: Path) -> Reading:
    _refuse_v1(raw, path)
    values: dict[str, Any] = {**V1_DEFAULTS, "lr_scheduler_type": "constant", "framework": "llamafactory_v1"}
    sources: Sources = dict.fromkeys(V1_DEFAULTS, Source.default("LLaMA-Factory v1 default"))
    sources["lr_scheduler_type"] = Source.default("LLaMA-Factory v1 (LambdaLR of 1.0; no scheduler plugin exists)")
    sources["framework"] = f"{path.name} (v1 keys)"
    for key, name in V1_READ:
        if raw.get(key) is not None:
            values[name], sources[name] = coerce_number(raw[key]), f"{path.name} key {key}"
    options: dict[str, Any] = {}
    if raw.get("global_batch_size") is not None:
        where = f"{path.name} global_batch_size"
        options["global_batch_size"] = whole_number(raw["global_batch_size"], where, minimum=1)
    dist = raw.get("dist_config")
    if isinstance(dist, Mapping) and dist.get("cp_size") is not None:
        options["cp_size"] = whole_number(dist["cp_size"], f"{path.name} dist_config.cp_size", minimum=1)
    if options:
        values["trainer_options"], sources["trainer_options"] = options, f"{path.name} keys {', '.join(options)}"
    notes = near_miss_notes(raw, [key for key, _ in V1_READ], LF_OTHER_KEYS, path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, transformers=TRANSFORMERS)


def dataset_names(raw: Mapping[str, Any]) -> list[str]:
    """The `dataset:` names: a comma-separated string (`DataArguments.__post_init__` `split_arg`) or a list."""
    value = raw.get("dataset")
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    if isinstance(value, list):
        return [str(name) for name in value]
    return []


def _val_size(value: Any, where: str) -> Any:
    """`val_size` with the meaning LLaMA-Factory gives it (the planner reads ≥ 1 as the count `int(val_size)`)."""
    value = coerce_number(value)
    if isinstance(value, float) and value == 1.0:
        raise LrcliError(
            f"{where} is the float 1.0, which LLaMA-Factory passes to datasets' train_test_split as test_size=1.0 "
            "(it raises: a fraction must be below 1); write val_size: 1 to hold out one row, or a fraction below 1"
        )
    return value


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    if "micro_batch_size" in raw and V1_KEYS & set(raw):
        return _read_v1(raw, path)
    values, sources, notes = hf.read_hf_keys(raw, path)
    values["framework"], sources["framework"] = NAME, f"{path.name} (LLaMA-Factory)"
    names = dataset_names(raw)
    if raw.get("max_samples") is not None:
        values["max_samples"], sources["max_samples"] = coerce_number(raw["max_samples"]), f"{path.name} key max_samples"
        if len(names) > 1:
            values["trainer_options"] = {"datasets": len(names), "mix_strategy": raw.get("mix_strategy") or "concat"}
            sources["trainer_options"] = f"{path.name} key dataset: {', '.join(names)}"
    if len(names) > 1 and str(raw.get("mix_strategy") or "concat").startswith("interleave"):
        notes += (f"{path.name}: mix_strategy {raw['mix_strategy']} interleaves the datasets (datasets' "
                  "interleave_datasets), so the merged dataset is not their concatenation: give --samples as the "
                  "merged row count (lrcli does not model interleaving)",)
    if raw.get("val_size") is not None:
        where = f"{path.name} key val_size"
        values["val_size"], sources["val_size"] = _val_size(raw["val_size"], where), where
    packing = raw.get("packing")
    if packing is True or raw.get("neat_packing") is True or (packing is None and raw.get("stage") == "pt"):
        values["packing"] = True
        sources["packing"] = f"{path.name} key " + ("packing" if packing else "stage: pt (packs by default)")
        notes += (f"{path.name}: packing is on: --samples must count packed blocks of cutoff_len tokens",)
    if values.get("lr_scheduler_type") == "warmup_stable_decay":
        values["derive_kwargs"] = "llamafactory_wsd"
        sources["derive_kwargs"] = Source.default("LLaMA-Factory create_custom_scheduler")
    if raw.get("deepspeed") is not None:
        values, sources, ds_notes = deepspeed.apply_scheduler_section(values, sources, raw["deepspeed"], path)
        notes += ds_notes
    notes += near_miss_notes(raw, (*hf.HF_KEYS, *LF_KEYS), (*hf.HF_OTHER_KEYS, *LF_OTHER_KEYS), path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, transformers=TRANSFORMERS)
