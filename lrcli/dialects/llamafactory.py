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

Data (counted for N; lrcli.steps.llamafactory has the row rules): v0 `dataset:` names looked up in
`<dataset_dir>/dataset_info.json` (dataset_dir default `data`, relative to the working directory LLaMA-Factory runs
in; lrcli also looks beside the config), each entry `hf_hub_url` (+ subset, folder, split) or `file_name` (a file, or
a folder whose every file is read), with `num_samples`; dataset_dir `ONLINE` makes every name a Hub id
(`data/parser.py` `get_dataset_list`). v1 `train_dataset:` a local YAML of {name: {path, source, split, size,
weight}} (`v1/core/data_engine.py`), a local path, or a Hub id.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.config import Source
from lrcli.data.refs import DataEntry, DatasetRef, DataSpec
from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading, Sources, near_miss_notes
from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, PathKind, parse_json, probe, read_text
from lrcli.inputs.files import load_mapping
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
                 "mix_strategy", "optim_config", "batching_strategy", "dataset", "streaming", "tokenized_path")

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
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, data=read_v1_data(raw, path))


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


DATA_CONFIG = "dataset_info.json"


def _hub_choice(entry: Mapping[str, Any]) -> str | None:
    """Which hub an entry loads from (`get_dataset_list`): ModelScope or Modelers when asked for by
    USE_MODELSCOPE_HUB / USE_OPENMIND_HUB or when they are the only url, else the HF Hub."""
    on = {"1", "true"}
    has_hf, has_ms, has_om = "hf_hub_url" in entry, "ms_hub_url" in entry, "om_hub_url" in entry
    if not (has_hf or has_ms or has_om):
        return None
    if has_ms and (os.environ.get("USE_MODELSCOPE_HUB", "0").lower() in on or not has_hf):
        return "ms_hub"
    if has_om and (os.environ.get("USE_OPENMIND_HUB", "0").lower() in on or not has_hf):
        return "om_hub"
    return "hf_hub"


def _info_entry(name: str, entry: Mapping[str, Any], info_dir: Path, where: str) -> DataEntry | str:
    """The DataEntry of one dataset_info.json entry, or why lrcli cannot count it."""
    at = f"{where}: dataset {name!r}"
    split = str(entry.get("split") or "train")
    options = {"num_samples": int(entry["num_samples"])} if entry.get("num_samples") is not None else {}
    hub = _hub_choice(entry)
    if hub == "hf_hub":
        ref = DatasetRef(str(entry["hf_hub_url"]), name=entry.get("subset"), split=split, data_dir=entry.get("folder"),
                         where=at, roots=(Path.cwd(),), title=name)
        return DataEntry(ref, options)
    if hub is not None:
        return f"{at} loads from {'ModelScope' if hub == 'ms_hub' else 'Modelers'}, which lrcli does not ask"
    if "script_url" in entry:
        return f"{at} is a loading script ({entry['script_url']}), which lrcli does not run"
    if "cloud_file_name" in entry:
        return f"{at} is a cloud file ({entry['cloud_file_name']}), which lrcli does not read"
    if "file_name" not in entry:
        return f"{at} names no file_name nor hf_hub_url"
    ref = DatasetRef(str(entry["file_name"]), split=split, where=at, roots=(info_dir,), hub=False, flat_dir=True,
                     title=name)
    return DataEntry(ref, options)


def read_data(raw: Mapping[str, Any], path: Path) -> DataSpec | None:
    """The datasets of `dataset:` as LLaMA-Factory 0.9.5 finds them (see the module docstring)."""
    names = dataset_names(raw)
    if not names:
        return None
    where = f"{path.name} key dataset"
    rule = "llamafactory"
    if raw.get("streaming"):
        return DataSpec(rule, (), {}, where, f"{where}: streaming datasets have no length (LLaMA-Factory needs max_steps)")
    tokenized = raw.get("tokenized_path")
    if isinstance(tokenized, str) and probe(Path.cwd() / tokenized) is PathKind.DIRECTORY:
        ref = DatasetRef(tokenized, split="train", where=f"{path.name} key tokenized_path", roots=(Path.cwd(),),
                         hub=False)
        return DataSpec(rule, (DataEntry(ref),), {}, f"{path.name} key tokenized_path")
    dataset_dir = str(raw.get("dataset_dir") or "data")
    if dataset_dir == "ONLINE":
        entries = tuple(DataEntry(DatasetRef(n, where=f"{where}: {n}", roots=(Path.cwd(),))) for n in names)
        return DataSpec(rule, entries, {}, where)
    if dataset_dir.startswith("REMOTE:"):
        return DataSpec(rule, (), {}, where, f"{where}: dataset_dir {dataset_dir} keeps dataset_info.json on the Hub, "
                                             "which lrcli does not download")
    candidates = [Path.cwd() / dataset_dir, path.parent / dataset_dir]
    info_dir = next((d for d in candidates if probe(d / DATA_CONFIG) is not PathKind.MISSING), None)
    if info_dir is None:
        looked = " and ".join(str(d / DATA_CONFIG) for d in dict.fromkeys(candidates))
        return DataSpec(rule, (), {}, where, f"{where}: tried {looked}: none there (LLaMA-Factory reads "
                                             f"{dataset_dir}/{DATA_CONFIG} from the directory it runs in: run lrcli there)")
    info_file = info_dir / DATA_CONFIG
    info = parse_json(read_text(info_file, shown(str(info_file)), limit=TABLE_BYTES), shown(str(info_file)))
    entries = []
    for name in names:
        if not isinstance(info, Mapping) or not isinstance(info.get(name), Mapping):
            raise LrcliError(f"{where}: no dataset {name!r} in {info_dir / DATA_CONFIG} (LLaMA-Factory raises "
                             "'Undefined dataset')")
        made = _info_entry(name, info[name], info_dir, f"{info_dir / DATA_CONFIG}")
        if isinstance(made, str):
            return DataSpec(rule, (), {}, where, made)
        entries.append(made)
    notes = ()
    if raw.get("stage") == "pt" and raw.get("packing") is not False:
        notes = (f"{path.name}: stage pt packs the text into blocks of cutoff_len tokens: N counts rows, not blocks, "
                 "and the blocks depend on the tokenizer; give --samples <blocks> for the exact curve",)
    return DataSpec(rule, tuple(entries), {}, where, None, notes)


def read_v1_data(raw: Mapping[str, Any], path: Path) -> DataSpec | None:
    """`train_dataset` of a v1 config (`DataEngine._get_dataset_info`)."""
    given = raw.get("train_dataset")
    if not isinstance(given, str):
        return None
    where = f"{path.name} key train_dataset"
    rule = "llamafactory_v1"
    local = next((root / given for root in (Path.cwd(), path.parent) if probe(root / given) is not PathKind.MISSING),
                 None)
    if given.endswith(".yaml") and local is None:
        return DataSpec(rule, (), {}, where, f"{where}: {given} is neither a local file (in {Path.cwd()} or "
                                             f"{path.parent}) nor something lrcli downloads from the Hub")
    if given.endswith(".yaml"):
        infos = load_mapping(local)
    elif local is not None:
        infos = {"default": {"path": given, "source": "local"}}
    else:
        infos = {"default": {"path": given}}
    entries = []
    for name, info in infos.items():
        at = f"{where} ({given}): {name}"
        if not isinstance(info, Mapping) or not isinstance(info.get("path"), str):
            raise LrcliError(f"{at} needs a path")
        if info.get("streaming"):
            return DataSpec(rule, (), {}, where, f"{at}: streaming datasets have no length")
        source = str(info.get("source", "hf_hub"))
        if source not in ("hf_hub", "local"):
            return DataSpec(rule, (), {}, where, f"{at}: data source {source!r} is not one lrcli reads")
        is_local = source == "local"
        ref = DatasetRef(info["path"], split=str(info.get("split", "train")), where=at, roots=(Path.cwd(), path.parent),
                         hub=not is_local, local=is_local, title=str(name))
        options = {key: coerce_number(info[key]) for key in ("size", "weight") if info.get(key) is not None}
        entries.append(DataEntry(ref, options))
    return DataSpec(rule, tuple(entries), {}, where)


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
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, data=read_data(raw, path),
                   transformers=TRANSFORMERS)
