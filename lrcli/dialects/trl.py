"""TRL configs (`trl sft --config x.yaml`, alignment-handbook and open-r1 recipes): flat HF keys plus TRL's own.

Which trainer runs, and which TRL release, decide the defaults: each `<X>Config` overrides some TrainingArguments
defaults (TRL_TRAINERS, read from the newest patch of every TRL minor line 0.9 … 1.16 by tools/gen_trl_defaults.py;
tests check the table against that golden). The release is `--trainer NAME@VERSION` (`sft@0.24`), else the trl
installed beside lrcli (package metadata; never imported), else 1.16.0 (lrcli.inputs.releases); it is the
`framework_version` setting. The trainer is `--trainer NAME[@VERSION]`, else a word of the file name (`..._dpo_...yaml`), else a folder of its path (alignment-handbook and open-r1 keep
recipes as `recipes/<model>/<trainer>/config.yaml`), else a key only that trainer's config has (TRL_KEY_HINTS),
else plain HF defaults apply. GRPO (0.14+, each line's sampler) and RLOO (0.22+) count steps with lrcli.steps.trl. PPO and TRL ≤ 0.21's RLOO/PPOv2 are on-policy trainers counting `total_episodes`: refused; so are
trainers lrcli does not model (TRL's experimental async/distillation trainers sample their own way).
TrlParser converts YAML strings such as `2e-5` through argparse's `type=float`, so numeric strings are numbers.
The `env:` block only sets environment variables; accelerate keys left to `accelerate launch` give the world size:
`num_processes`/`num_machines`, or `accelerate_config: NAME` (TRL's shipped `accelerate_configs/NAME.yaml`; trl 0.24
`cli.py`) or a path to an accelerate config.

Data (lrcli counts it for N; lrcli.steps.trl has the row rules): `dataset_mixture` (alignment-handbook, open-r1:
`datasets: [{id, config, split, columns, weight}]`, `seed`, `test_split_size`) wins over `dataset_name`
(src/alignment/data.py `get_dataset`); TRL 0.24's own `datasets: [{path, name, data_dir, data_files, split,
columns}]` + `test_split_size` (scripts/utils.py DatasetMixtureConfig; `fraction` shares from TRL 1.8) wins over `dataset_name` too; else
`dataset_name` + `dataset_config`, indexed by `dataset_train_split` (default train: `dataset[split]`, so no slice).
A relative local path is looked up in the working directory (where the script opens it), then beside the config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrcli.config import Source
from lrcli.data.refs import DataEntry, DatasetRef, DataSpec, data_files_pairs
from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.files import find_referenced_file
from lrcli.inputs.launcher import accelerate_world_size, launched_world_size
from lrcli.inputs.releases import Release, framework_release, minor_of, release_line, split_pin
from lrcli.inputs.values import coerce_number

NAME = "trl"

# trainer -> its lines: (first minor, last minor, the LR-relevant TrainingArguments/GRPO defaults its Config
# overrides), read from every TRL release line's `trainer/*_config.py` (and `experimental/<x>/<x>_config.py` for the
# trainers TRL 0.29+ moved there), inheritance resolved: tests/data/trl_defaults_history.json from
# tools/gen_trl_defaults.py, which tests/test_trl_releases.py compares with this table release by release.
TRL_TRAINERS: dict[str, tuple[tuple[str, str, dict[str, Any]], ...]] = {
    "sft": (("0.9", "0.11", {}), ("0.12", "1.16", {"learning_rate": 2e-5})),
    "gkd": (("0.11", "0.11", {}), ("0.12", "1.16", {"learning_rate": 2e-5})),
    "dpo": (("0.9", "0.11", {}), ("0.12", "1.16", {"learning_rate": 1e-6})),
    "cpo": (("0.9", "0.11", {}), ("0.12", "1.16", {"learning_rate": 1e-6})),
    "orpo": (("0.9", "0.11", {}), ("0.12", "1.16", {"learning_rate": 1e-6})),
    "kto": (("0.9", "0.10", {}), ("0.11", "0.11", {"learning_rate": 5e-7}), ("0.12", "1.16", {"learning_rate": 1e-6})),
    "bco": (("0.10", "0.28", {}), ("0.29", "1.13", {"learning_rate": 5e-7})),
    "online_dpo": (("0.10", "0.10", {}), ("0.11", "1.16", {"learning_rate": 5e-7})),
    "nash_md": (("0.11", "1.13", {"learning_rate": 5e-7}),),
    "xpo": (("0.11", "1.13", {"learning_rate": 5e-7}),),
    "prm": (("0.13", "1.13", {"learning_rate": 1e-5}),),
    "reward": (("0.9", "0.23", {}), ("0.24", "1.16", {"learning_rate": 1e-4})),
    "grpo": (("0.14", "0.14", {"learning_rate": 1e-6, "num_generations": 8, "per_device_train_batch_size": 1,
                               "gradient_accumulation_steps": 8}),
             ("0.15", "0.15", {"learning_rate": 1e-6, "num_generations": 8}),
             ("0.16", "1.16", {"learning_rate": 1e-6, "num_generations": 8, "num_iterations": 1})),
    "rloo": (("0.22", "1.16", {"learning_rate": 1e-6, "num_generations": 2, "num_iterations": 1}),),
}  # fmt: skip
# On-policy trainers: T = total_episodes / batch (OnPolicyConfig), not the HF Trainer's count: refused.
ON_POLICY: dict[str, tuple[str, str]] = {"ppov2": ("0.9", "0.12"), "ppo": ("0.12", "1.12"), "rloo": ("0.9", "0.21")}
NEWEST = "1.16.0"  # the newest TRL release lrcli models (the default when no trl is installed nor pinned)
OLDEST = "0.9"
# GRPO/RLOO lines whose step count lrcli.steps.trl models: GRPO from its first release (0.14; each line's sampler in
# lrcli.steps.trl.GRPO_LINES), RLOO from 0.22, when it became GRPO-like (trainer/utils.py RepeatSampler).
GENERATION_SAMPLING = {"grpo": "0.14", "rloo": "0.22"}
# GRPOConfig keys that shape the count -> the TRL line that added them (TRL < that: TrlParser hands the key back and
# `trl grpo --config` drops it; read in each release's grpo_config.py).
GRPO_KEYS_SINCE = {"num_iterations": "0.16", "steps_per_generation": "0.18", "generation_batch_size": "0.18"}
KNOWN_TRAINERS = sorted({*TRL_TRAINERS, *ON_POLICY})
SUBCLASS_OF = {"gkd": "sft", "nash_md": "online_dpo", "xpo": "online_dpo"}


def _minor(version: str) -> tuple[int, int]:
    """(major, minor) of a TRL version; one newer than lrcli's newest follows the newest line (with a note)."""
    return min(minor_of(version, "TRL"), minor_of(NEWEST, "TRL"))


def trainer_line(trainer: str, version: str) -> tuple[str, str, dict[str, Any]] | None:
    """The line of `trainer` that TRL `version` belongs to, or None when that release has no such trainer."""
    minor = _minor(version)
    for first, last, defaults in TRL_TRAINERS.get(trainer, ()):
        if _minor(first) <= minor <= _minor(last):
            return first, last, defaults
    return None


def on_policy(trainer: str, version: str) -> bool:
    span = ON_POLICY.get(trainer)
    return span is not None and _minor(span[0]) <= _minor(version) <= _minor(span[1])


def generation_sampled(trainer: str | None, version: str | None) -> bool:
    first = GENERATION_SAMPLING.get(trainer or "")
    return first is not None and version is not None and _minor(version) >= _minor(first)


# A key that only one trainer's Config (and its subclasses) has in trl 0.24.0: evidence of that trainer.
TRL_KEY_HINTS = {
    **dict.fromkeys(("packing_strategy", "completion_only_loss", "assistant_only_loss", "dataset_text_field",
                     "eval_packing"), "sft"),
    **dict.fromkeys(("lmbda", "seq_kd", "teacher_model_name_or_path"), "gkd"),
    **dict.fromkeys(("rpo_alpha", "reference_free", "f_divergence_type", "force_use_ref_model", "use_weighting",
                     "ld_alpha", "discopop_tau", "loss_weights"), "dpo"),  # not precompute_ref_batch_size: KTO has it in 1.16
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


def parse_trainer(name: str, version: str, where: str) -> tuple[str, tuple[str, ...]]:
    """`name` under TRL `version` (pinned, installed or the newest) -> (trainer, notes); refused when that release has
    no such trainer or lrcli does not model its step count."""
    _, notes = release_line(version, [OLDEST, ".".join(NEWEST.split(".")[:2])], "TRL", where)
    if on_policy(name, version):
        raise LrcliError(
            f"{where}: TRL {version}'s {name} is an on-policy trainer whose step count comes from total_episodes "
            "(OnPolicyConfig), which lrcli does not model; use --dialect hf with --total-steps"
        )
    if trainer_line(name, version) is None:
        known = ", ".join(t for t in sorted(TRL_TRAINERS) if trainer_line(t, version) is not None)
        if name in KNOWN_TRAINERS:
            raise LrcliError(f"{where}: TRL {version} has no {name} trainer; its trainers lrcli models: {known}")
        raise LrcliError(f"{where}: unknown TRL trainer {name!r}; for TRL {version} use one of: {known}")
    if name in GENERATION_SAMPLING and not generation_sampled(name, version):
        raise LrcliError(f"{where}: lrcli counts TRL {name}'s generation batches from TRL "
                         f"{GENERATION_SAMPLING[name]} on (its RepeatSampler length changed before); TRL {version} "
                         "is older: give --total-steps")
    return name, notes


def trl_release(trainer_text: str | None) -> tuple[str | None, Release, str]:
    """(the trainer `--trainer` names or None, the TRL release the run follows, the words naming the flag)."""
    if trainer_text is None:
        return None, framework_release("trl", NEWEST, None, Source.default("")), "TRL"
    name, pinned = split_pin(trainer_text)
    if pinned is not None:
        minor_of(pinned, f"--trainer {trainer_text}")
    release = framework_release("trl", NEWEST, pinned, Source.flag(f"--trainer {trainer_text}"))
    return name or None, release, f"--trainer {trainer_text}"


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
        elif item.get("fraction") is not None:  # TRL's DatasetConfig.fraction (1.8+)
            options["fraction"] = coerce_number(item["fraction"])
        entries.append(DataEntry(ref, options))
    return entries


# Keys the recipes of TRL's era write that a later release's dataclasses no longer take -> (the TRL line that dropped
# it, its new name): `trl <trainer> --config` (and a recipe script's TrlParser) hands them back (lrcli.steps.trl says
# what the launcher then does). Read in each release's trainer/model_config.py.
TRL_REMOVED_KEYS = {"torch_dtype": ("0.27", "dtype")}
# TRL's DatasetConfig `fraction` (scripts/utils.py `get_dataset`: target shares of the mixture) from this line on;
# before it DatasetConfig(**entry) raises TypeError on the key.
FRACTION_SINCE = "1.8"


def read_data(raw: Mapping[str, Any], path: Path, version: str = NEWEST) -> DataSpec | None:
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
        with_fraction = [i for i, entry in enumerate(entries) if "fraction" in entry.options]
        if with_fraction and _minor(version) < _minor(FRACTION_SINCE):
            raise LrcliError(f"{where}[{with_fraction[0]}]: fraction: TRL {version}'s DatasetConfig has no fraction "
                             f"(added in {FRACTION_SINCE}), so its script stops with a TypeError; remove it or run "
                             f"TRL ≥ {FRACTION_SINCE}")
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
    pinned_name, release, flag_words = trl_release(trainer)
    version = release.version
    how: Source | str = ""
    if trainer is not None:
        how = Source.flag(f"--trainer {trainer}")
        trainer = pinned_name
    if trainer is None:
        trainer, how = trainer_from_name(path), f"{path} (its path names the trainer)"
        if trainer is None:
            trainer, how = trainer_from_keys(raw, path), f"{path.name} (keys only that trainer's config has)"
    values["framework_version"], sources["framework_version"] = version, release.source
    removed = tuple(key for key, (since, _) in TRL_REMOVED_KEYS.items() if key in raw and _minor(version) >= _minor(
        since))
    if removed:
        values["framework_leftover_keys"] = removed
        sources["framework_leftover_keys"] = f"{path.name} keys {', '.join(removed)} (TRL {version}'s dataclasses " + (
            "; ".join(f"have no {key}: {TRL_REMOVED_KEYS[key][1]} since {TRL_REMOVED_KEYS[key][0]}"
                      for key in removed)) + ")"
    if trainer is not None:
        trainer, trainer_notes = parse_trainer(trainer, version, flag_words if pinned_name else f"{path.name}")
        notes += trainer_notes
        values["trainer"], sources["trainer"] = trainer, how
        first, last, defaults = trainer_line(trainer, version) or ("", "", {})
        for key, default in defaults.items():
            if key in hf.HF_KEYS and key not in values:
                values[key], sources[key] = default, Source.default(f"TRL {version} {trainer} default")
    else:
        release_line(version, [OLDEST, ".".join(NEWEST.split(".")[:2])], "TRL", flag_words)
        if "learning_rate" not in values:
            notes += (f"{path.name}: no learning_rate and no trainer named; using the HF default 5e-5 "
                      "(say which TRL trainer with --trainer sft|dpo|grpo|…, whose default lr differs)",)
    world, where = _world_size(raw, path)
    if world is not None:
        values["world_size"], sources["world_size"] = world, where
    data = read_data(raw, path, version)
    if raw.get("packing") is True:
        values["packing"], sources["packing"] = True, f"{path.name} key packing"
        notes += (f"{path.name}: packing is on: --samples must count packed rows (of max_length tokens), "
                  "not the raw examples",)
        if data is not None:
            data = replace(data, notes=data.notes + (
                f"{path.name}: packing is on: N counts the dataset's rows, and TRL trains on fewer packed sequences "
                "of max_length tokens, so T and the curve are upper bounds; give --samples with the packed count "
                "(TRL logs it) for the exact curve",))
    if generation_sampled(trainer, version):
        _, _, defaults = trainer_line(trainer, version) or ("", "", {})
        options = {key: defaults[key] for key in ("num_generations", "num_iterations") if key in defaults}
        given = {key: coerce_number(raw[key]) for key in GRPO_KEYS if raw.get(key) is not None}
        for key in [key for key in given if key in GRPO_KEYS_SINCE and _minor(version) < _minor(GRPO_KEYS_SINCE[key])]:
            del given[key]
            notes += (f"{path.name} key {key}: TRL {version}'s GRPOConfig has no {key} (added in "
                      f"{GRPO_KEYS_SINCE[key]}): `trl {trainer} --config` drops it (TrlParser hands it back; a "
                      "script calling parse_args_and_config() stops on it instead); counted without it",)
        values["framework"] = "trl_grpo"
        sources["framework"] = Source.derived(f"{how} ({trainer}: RepeatSampler generation batches)")
        values["trainer_options"] = {**options, **given}
        sources["trainer_options"] = (f"{path.name} keys {', '.join(given)}; " if given else "") + (
            f"TRL {version} {trainer} defaults")
    if raw.get("deepspeed") is not None:
        values, sources, ds_notes = deepspeed.apply_scheduler_section(values, sources, raw["deepspeed"], path)
        notes += ds_notes
    notes += near_miss_notes(raw, hf.HF_KEYS, (*hf.HF_OTHER_KEYS, *TRL_KEYS), path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, data=data)
