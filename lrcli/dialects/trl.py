"""TRL configs (`trl sft --config x.yaml`, alignment-handbook and open-r1 recipes): flat HF keys plus TRL's own.

Which trainer runs decides the defaults: each `<X>Config` overrides some TrainingArguments defaults (TRL_DEFAULTS,
read from trl 0.24.0 and 0.11.4 `trainer/*_config.py`; tools/gen_trl_defaults.py and tests check them against the
source). The trainer is `--trainer NAME[@VERSION]` (`sft@0.11`: TRL 0.9–0.11 defaults; any 0.12+ version: 0.24's),
else a word of the file name (`..._dpo_...yaml`), else a folder of its path (alignment-handbook and open-r1 keep
recipes as `recipes/<model>/<trainer>/config.yaml`), else a key only that trainer's config has (TRL_KEY_HINTS),
else plain HF defaults apply. GRPO and RLOO (0.24: both sample with `RepeatSampler`) count steps with
lrcli.steps.trl. PPO and TRL ≤ 0.11's RLOO/PPOv2 are on-policy trainers counting `total_episodes`: refused.
TrlParser converts YAML strings such as `2e-5` through argparse's `type=float`, so numeric strings are numbers.
The `env:` block only sets environment variables; accelerate keys left to `accelerate launch` give the world size:
`num_processes`/`num_machines`, or `accelerate_config: NAME` (TRL's shipped `accelerate_configs/NAME.yaml`; trl 0.24
`cli.py`) or a path to an accelerate config.

Data (lrcli counts it for N; lrcli.steps.trl has the row rules): `dataset_mixture` (alignment-handbook, open-r1:
`datasets: [{id, config, split, columns, weight}]`, `seed`, `test_split_size`) wins over `dataset_name`
(src/alignment/data.py `get_dataset`); TRL 0.24's own `datasets: [{path, name, data_dir, data_files, split,
columns}]` + `test_split_size` (scripts/utils.py DatasetMixtureConfig) wins over `dataset_name` too; else
`dataset_name` + `dataset_config`, indexed by `dataset_train_split` (default train: `dataset[split]`, so no slice).
A relative local path is looked up in the working directory (where the script opens it), then beside the config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from lrcli.config import Source
from lrcli.data.refs import DataEntry, DatasetRef, DataSpec, data_files_pairs
from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.files import find_referenced_file
from lrcli.inputs.launcher import accelerate_world_size, launched_world_size
from lrcli.inputs.values import coerce_number

NAME = "trl"

# TRL version -> trainer -> the LR-relevant TrainingArguments defaults its Config overrides (trl 0.24.0 and 0.11.4
# `trainer/*_config.py`, inheritance resolved; tests/data/trl_defaults.json from tools/gen_trl_defaults.py).
TRL_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "0.24.0": {
        "sft": {"learning_rate": 2e-5}, "gkd": {"learning_rate": 2e-5}, "dpo": {"learning_rate": 1e-6},
        "cpo": {"learning_rate": 1e-6}, "orpo": {"learning_rate": 1e-6}, "kto": {"learning_rate": 1e-6},
        "bco": {}, "online_dpo": {"learning_rate": 5e-7}, "nash_md": {"learning_rate": 5e-7},
        "xpo": {"learning_rate": 5e-7}, "prm": {"learning_rate": 1e-5}, "reward": {"learning_rate": 1e-4},
        "grpo": {"learning_rate": 1e-6, "num_generations": 8, "num_iterations": 1},
        "rloo": {"learning_rate": 1e-6, "num_generations": 2, "num_iterations": 1},
    },
    "0.11.4": {
        "sft": {}, "gkd": {}, "dpo": {}, "cpo": {}, "orpo": {}, "bco": {}, "reward": {},
        "kto": {"learning_rate": 5e-7}, "online_dpo": {"learning_rate": 5e-7}, "nash_md": {"learning_rate": 5e-7},
        "xpo": {"learning_rate": 5e-7},
    },
}  # fmt: skip
CURRENT = "0.24.0"
# On-policy trainers: T = total_episodes / batch (OnPolicyConfig), not the HF Trainer's count.
ON_POLICY = {"0.24.0": {"ppo"}, "0.11.4": {"ppov2", "rloo"}}
GENERATION_SAMPLING = {"grpo", "rloo"}  # RepeatSampler step count (lrcli.steps.trl) in 0.24
KNOWN_TRAINERS = sorted({*TRL_DEFAULTS[CURRENT], *TRL_DEFAULTS["0.11.4"], "ppo", "ppov2"})
SUBCLASS_OF = {"gkd": "sft", "nash_md": "online_dpo", "xpo": "online_dpo"}

# A key that only one trainer's Config (and its subclasses) has in trl 0.24.0: evidence of that trainer.
TRL_KEY_HINTS = {
    **dict.fromkeys(("packing_strategy", "completion_only_loss", "assistant_only_loss", "dataset_text_field",
                     "eval_packing"), "sft"),
    **dict.fromkeys(("lmbda", "seq_kd", "teacher_model_name_or_path"), "gkd"),
    **dict.fromkeys(("rpo_alpha", "reference_free", "f_divergence_type", "force_use_ref_model", "use_weighting",
                     "ld_alpha", "discopop_tau", "loss_weights", "precompute_ref_batch_size"), "dpo"),
    **dict.fromkeys(("importance_sampling_level", "top_entropy_quantile", "scale_rewards"), "grpo"),
    **dict.fromkeys(("desirable_weight", "undesirable_weight"), "kto"),
    **dict.fromkeys(("cpo_alpha", "simpo_gamma"), "cpo"),
    **dict.fromkeys(("max_density_ratio", "min_density_ratio", "prompt_sample_size"), "bco"),
    "mixture_coef": "nash_md", "judge": "online_dpo",
    **dict.fromkeys(("step_separator", "train_on_last_step_only"), "prm"),
    "center_rewards_coefficient": "reward",
    **dict.fromkeys(("normalize_advantages", "reward_clip_range", "token_level_kl"), "rloo"),
    **dict.fromkeys(("cliprange_value", "vf_coef"), "ppo"),
}  # fmt: skip

# GRPOConfig keys that shape its generation batches (lrcli.steps.trl); axolotl reads them from its `trl:` section.
GRPO_KEYS = ("num_generations", "num_iterations", "steps_per_generation", "generation_batch_size")

# trl 0.24 `accelerate_configs/NAME.yaml` -> distributed_type; every one says num_processes 8, num_machines 1
# (single_gpu too, but its distributed_type NO launches one process).
TRL_SHIPPED_ACCELERATE = {
    "fsdp1": "FSDP", "fsdp2": "FSDP", "multi_gpu": "MULTI_GPU", "single_gpu": "NO",
    "zero1": "DEEPSPEED", "zero2": "DEEPSPEED", "zero3": "DEEPSPEED",
}  # fmt: skip

TRL_KEYS = frozenset({
    "packing", "packing_strategy", "max_length", "max_seq_length", "max_prompt_length", "max_completion_length",
    "beta", "num_generations", "dataset_name", "dataset_mixture", "model_name_or_path", "env", "num_processes",
    "accelerate_config", "use_vllm", "dataset_text_field", "loss_type", "chat_template", "completion_only_loss",
    "num_iterations", "steps_per_generation", "generation_batch_size",
})  # fmt: skip


def claims(raw: Mapping[str, Any]) -> int:
    return 4 if (TRL_KEYS | set(TRL_KEY_HINTS)) & set(raw) else 0


def _trainer_word(text: str) -> str | None:
    words = re.split(r"[^a-z0-9]+", text.lower())
    joined = "_".join(words)
    for compound in ("online_dpo", "nash_md"):
        if compound in joined or compound.replace("_", "") in words:
            return compound
    found = [word for word in words if word in KNOWN_TRAINERS]
    return found[0] if found else None


def trainer_from_name(path: Path) -> str | None:
    """The trainer a file name names (`zephyr_dpo_full.yaml`), else its folder or the folder above
    (`recipes/zephyr-7b-beta/dpo/config_full.yaml`); farther folders say nothing about the run."""
    for part in (path.stem, path.parent.name, path.parent.parent.name):
        found = _trainer_word(part)
        if found is not None:
            return found
    return None


def trainer_from_keys(raw: Mapping[str, Any], path: Path) -> str | None:
    """The trainer whose Config alone has some key of `raw` (the most derived one when they are related)."""
    hinted = {TRL_KEY_HINTS[key] for key in raw if key in TRL_KEY_HINTS}
    hinted -= {SUBCLASS_OF[name] for name in hinted if name in SUBCLASS_OF}
    if len(hinted) > 1:
        raise LrcliError(
            f"{path.name}: keys of several TRL trainers ({', '.join(sorted(hinted))}); say which runs with --trainer"
        )
    return next(iter(hinted), None)


def parse_trainer(text: str) -> tuple[str, str, tuple[str, ...]]:
    """`--trainer sft` or `sft@0.11` -> (trainer, the TRL_DEFAULTS version that applies, notes)."""
    name, _, version = text.strip().lower().partition("@")
    name = name.replace("-", "_")
    notes: tuple[str, ...] = ()
    if not version:
        table = CURRENT
    else:
        try:
            minor = (*Version(version).release, 0)[:2]  # as pip reads it: `0.11`, `v0.11.4`, `0.12.0rc1`
        except InvalidVersion:
            raise LrcliError(f"--trainer {text!r}: write the TRL version like sft@0.11 or sft@0.24.0") from None
        if minor < (0, 9):
            raise LrcliError(f"--trainer {text!r}: lrcli knows TRL's defaults from 0.9 on")
        table = "0.11.4" if minor < (0, 12) else CURRENT
        if minor >= (0, 12) and minor != (0, 24):
            notes = (f"--trainer {text}: using TRL 0.24.0's {name} defaults (the learning rates are the same from "
                     f"0.12 on; other defaults of {version} are not checked)",)
    if name in ON_POLICY[table]:
        raise LrcliError(
            f"--trainer {text}: TRL {table}'s {name} is an on-policy trainer whose step count comes from "
            "total_episodes (OnPolicyConfig), which lrcli does not model; use --dialect hf with --total-steps"
        )
    if name not in TRL_DEFAULTS[table]:
        known = ", ".join(sorted(TRL_DEFAULTS[table]))
        raise LrcliError(f"unknown --trainer {name!r} for TRL {table}; use one of: {known}")
    return name, table, notes


def _world_size(raw: Mapping[str, Any], path: Path) -> tuple[int | None, str]:
    """`trl <trainer> --config` hands `num_processes`, `num_machines` and `accelerate_config` to `accelerate launch`
    (trl 0.24 `cli.py`: a shipped config name becomes `--config_file trl/accelerate_configs/NAME.yaml`)."""
    flags = {key: raw[key] for key in ("num_processes", "num_machines") if raw.get(key) is not None}
    name = raw.get("accelerate_config")
    if not isinstance(name, str):
        if "num_processes" not in flags:
            return None, ""
        return launched_world_size(None, flags, f"{path.name} keys {', '.join(flags)}")
    if name in TRL_SHIPPED_ACCELERATE:
        shipped = {"distributed_type": TRL_SHIPPED_ACCELERATE[name], "num_processes": 8, "num_machines": 1}
        size, how = launched_world_size(shipped, flags, f"TRL's accelerate_configs/{name}.yaml")
        return size, f"{path.name} key accelerate_config: {how}"
    config_path, looked = find_referenced_file(name, path, "accelerate_config", "an accelerate config file")
    if config_path is None:
        raise LrcliError(f"{path.name}: accelerate_config {name!r} is neither a TRL config name nor a file "
                         f"(looked in {looked})")
    size, how = accelerate_world_size(config_path, flags)
    return size, f"{path.name} key accelerate_config: {how}"


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise LrcliError(f"{where} must be a string, got {value!r}")
    return str(value)


def _entries(items: Any, where: str, keys: tuple[str, str, str], roots: tuple[Path, ...]) -> list[DataEntry]:
    """DataEntries of a list of dataset mappings; keys = (path key, config key, weight key or "")."""
    if not isinstance(items, list) or not items:
        raise LrcliError(f"{where} must be a non-empty list of datasets")
    path_key, config_key, weight_key = keys
    entries = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get(path_key), str):
            raise LrcliError(f"{at} needs a {path_key!r} naming the dataset")
        ref = DatasetRef(
            item[path_key], name=_text(item.get(config_key), f"{at}.{config_key}"),
            split=_text(item.get("split"), f"{at}.split") or "train",
            data_dir=_text(item.get("data_dir"), f"{at}.data_dir"),
            data_files=data_files_pairs(item.get("data_files")), where=at, roots=roots,
        )
        options: dict[str, Any] = {}
        if weight_key:
            weight = coerce_number(item.get(weight_key, 1.0))  # ScriptArguments.__post_init__: .get("weight", 1.0)
            if weight is not None:
                options["weight"] = weight
        entries.append(DataEntry(ref, options))
    return entries


def read_data(raw: Mapping[str, Any], path: Path) -> DataSpec | None:
    """The datasets a TRL / alignment-handbook / open-r1 config trains on (see the module docstring)."""
    roots = (Path.cwd(), path.parent)
    mixture = raw.get("dataset_mixture")
    if mixture is not None:
        where = f"{path.name} key dataset_mixture"
        if not isinstance(mixture, Mapping) or "datasets" not in mixture:
            raise LrcliError(f"{where} must be a mapping with a 'datasets' list (the handbook's ScriptArguments raises)")
        entries = _entries(mixture["datasets"], f"{where}.datasets", ("id", "config", "weight"), roots)
        options = {"test_split_size": coerce_number(mixture.get("test_split_size"))}
        return DataSpec("handbook_mixture", tuple(entries), options, where)
    listed = raw.get("datasets")
    if listed is not None:
        where = f"{path.name} key datasets"
        entries = _entries(listed, where, ("path", "name", ""), roots)
        options = {"test_split_size": coerce_number(raw.get("test_split_size"))}
        problem = f"{where}: streaming datasets have no length (TRL needs max_steps)" if raw.get("streaming") else None
        return DataSpec("trl_datasets", tuple(entries), options, where, problem)
    name = raw.get("dataset_name")
    if name is None:
        return None
    where = f"{path.name} key dataset_name"
    split = _text(raw.get("dataset_train_split"), f"{path.name} key dataset_train_split") or "train"
    if "[" in split:
        raise LrcliError(f"{path.name} key dataset_train_split: {split!r} is used as dataset[{split!r}] on the loaded "
                         "DatasetDict, which has no such key; name a split (slicing needs the `datasets:` key)")
    ref = DatasetRef(str(name), name=_text(raw.get("dataset_config"), f"{path.name} key dataset_config"),
                     split=split, where=where, roots=roots)
    problem = f"{where}: dataset_streaming has no length (TRL needs max_steps)" if raw.get("dataset_streaming") else None
    return DataSpec("trl_dataset_name", (DataEntry(ref),), {}, where, problem)


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    values, sources, notes = hf.read_hf_keys(raw, path)
    values["framework"], sources["framework"] = NAME, f"{path.name} (`trl <trainer> --config`: TrlParser)"
    if trainer is not None:
        how: Source | str = Source.flag(f"--trainer {trainer}")
    else:
        trainer, how = trainer_from_name(path), f"{path} (its path names the trainer)"
        if trainer is None:
            trainer, how = trainer_from_keys(raw, path), f"{path.name} (keys only that trainer's config has)"
    table = CURRENT
    if trainer is not None:
        trainer, table, trainer_notes = parse_trainer(trainer)
        notes += trainer_notes
        values["trainer"], sources["trainer"] = trainer, how
        for key, default in TRL_DEFAULTS[table][trainer].items():
            if key in hf.HF_KEYS and key not in values:
                values[key], sources[key] = default, Source.default(f"TRL {table} {trainer} default")
    elif "learning_rate" not in values:
        notes += (f"{path.name}: no learning_rate and no trainer named; using the HF default 5e-5 "
                  "(say which TRL trainer with --trainer sft|dpo|grpo|…, whose default lr differs)",)
    world, where = _world_size(raw, path)
    if world is not None:
        values["world_size"], sources["world_size"] = world, where
    data = read_data(raw, path)
    if raw.get("packing") is True:
        values["packing"], sources["packing"] = True, f"{path.name} key packing"
        notes += (f"{path.name}: packing is on: --samples must count packed rows (of max_length tokens), "
                  "not the raw examples",)
        if data is not None:
            data = replace(data, notes=data.notes + (
                f"{path.name}: packing is on: N counts the dataset's rows, and TRL trains on fewer packed sequences "
                "of max_length tokens, so T and the curve are upper bounds; give --samples with the packed count "
                "(TRL logs it) for the exact curve",))
    if trainer in GENERATION_SAMPLING and table == CURRENT:
        options = {key: TRL_DEFAULTS[table][trainer][key] for key in ("num_generations", "num_iterations")}
        given = {key: coerce_number(raw[key]) for key in GRPO_KEYS if raw.get(key) is not None}
        values["framework"] = "trl_grpo"
        sources["framework"] = Source.derived(f"{how} ({trainer}: RepeatSampler generation batches)")
        values["trainer_options"] = {**options, **given}
        sources["trainer_options"] = (f"{path.name} keys {', '.join(given)}; " if given else "") + (
            f"TRL {table} {trainer} defaults")
    if raw.get("deepspeed") is not None:
        values, sources, ds_notes = deepspeed.apply_scheduler_section(values, sources, raw["deepspeed"], path)
        notes += ds_notes
    notes += near_miss_notes(raw, hf.HF_KEYS, (*hf.HF_OTHER_KEYS, *TRL_KEYS), path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, data=data)
