"""Hugging Face `TrainingArguments` configs: flat YAML/JSON keys, including `training_args.json`-style dumps.

The keys below are read under their own names (TrainConfig uses HF names). `lr_scheduler_kwargs` may be a mapping
or a JSON string; a string is parsed as `TrainingArguments.__post_init__` does (transformers 4.40+): `json.loads`,
then `_convert_str_dict` turns "true"/"false" into bools, digit strings into ints and "1.5"-like strings into floats
("1e-5" and "-1" stay strings there).

Numeric strings (PyYAML reads `2e-5` as a string: YAML 1.1 floats need a dot) are read as numbers, as TRL's and
LLaMA-Factory's parsers convert them; but `HfArgumentParser.parse_yaml_file` / `parse_json_file` (transformers 5.25)
pass values to `TrainingArguments` unconverted, so a plain HF run keeps the string and fails: `warmup_steps` in
`__post_init__` (TypeError), `learning_rate` when torch builds the optimizer (TypeError). `string_number_notes`
warns about each.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.dialects import deepspeed
from lrcli.dialects.reading import Reading, Sources, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.bounded import parse_json
from lrcli.inputs.files import find_referenced_file, load_mapping
from lrcli.inputs.values import coerce_number, number_text
from lrcli.steps.hf_versions import KEY_VERSIONS

NAME = "hf"

# TrainingArguments key -> TrainConfig field.
HF_KEYS = {
    "learning_rate": "learning_rate",
    "lr_scheduler_type": "lr_scheduler_type",
    "lr_scheduler_kwargs": "lr_scheduler_kwargs",
    "warmup_steps": "warmup_steps",
    "warmup_ratio": "warmup_ratio",
    "max_steps": "max_steps",
    "num_train_epochs": "num_train_epochs",
    "per_device_train_batch_size": "per_device_train_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "dataloader_drop_last": "dataloader_drop_last",
}

# TrainingArguments keys lrcli does not use but that sit one typo away from one it does (never warned about).
HF_OTHER_KEYS = (
    "per_device_eval_batch_size", "eval_steps", "save_steps", "logging_steps", "eval_accumulation_steps",
    "max_grad_norm", "learning_rate_scheduler", "lr_scheduler_type_kwargs", "per_gpu_train_batch_size",
    "per_gpu_eval_batch_size", "eval_batch_size", "train_batch_size", "max_length", "max_seq_length",
    "dataloader_num_workers", "dataloader_pin_memory", "save_total_limit", "logging_first_step",
    "warmup_type", "num_generations", "max_prompt_length", "max_completion_length", "deepspeed",
    "accelerator_config",
)  # fmt: skip

# Keys that only a TrainingArguments-family file has: detection evidence.
HF_ONLY_KEYS = frozenset(HF_KEYS) | {
    "output_dir", "per_device_eval_batch_size", "eval_strategy", "evaluation_strategy", "save_strategy",
    "logging_steps", "weight_decay", "adam_beta1", "optim", "bf16", "fp16", "seed", "report_to",
    "accelerator_config",
}  # fmt: skip


def convert_str_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """transformers `_convert_str_dict`: string values "true"/"false" -> bool, "12" -> int, "0.5" -> float."""
    converted: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, Mapping):
            converted[key] = convert_str_dict(item)
        elif isinstance(item, str) and item.lower() in ("true", "false"):
            converted[key] = item.lower() == "true"
        elif isinstance(item, str) and item.isdigit():
            converted[key] = int(item)
        elif isinstance(item, str) and item.replace(".", "", 1).isdigit():
            converted[key] = float(item)
        else:
            converted[key] = item
    return converted


def scheduler_kwargs(value: Any, where: str) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """`lr_scheduler_kwargs` as a mapping (None when empty), with notes on values transformers keeps as strings."""
    if value is None or value == "":
        return None, ()
    if isinstance(value, str):
        if not value.startswith("{"):
            raise LrcliError(f"{where} must be a mapping or a JSON object string, got {number_text(value)}")
        value = convert_str_dict(parse_json(value, where))  # the bounded reader's depth cap, for a string too
    if not isinstance(value, Mapping):
        raise LrcliError(f"{where} must be a mapping of scheduler arguments, got {number_text(value)}")
    notes = tuple(
        f"{where}: {key} = {item!r} is a string to transformers (it may raise); lrcli reads it as {coerce_number(item)!r}"
        for key, item in value.items()
        if isinstance(item, str) and not isinstance(coerce_number(item), str)
    )
    return dict(value) or None, notes


def scheduler_type(value: Any) -> Any:
    """`SchedulerType.COSINE` (an enum repr in some dumps) -> `cosine`."""
    if isinstance(value, str) and value.startswith("SchedulerType."):
        return value.split(".", 1)[1].lower()
    return value


def read_hf_keys(raw: Mapping[str, Any], path: Path) -> tuple[dict[str, Any], Sources, tuple[str, ...]]:
    """The TrainingArguments keys of `raw` as TrainConfig values, their sources, and notes."""
    values: dict[str, Any] = {}
    sources: Sources = {}
    notes: tuple[str, ...] = ()
    for key, name in HF_KEYS.items():
        if key not in raw or raw[key] is None:
            continue
        where = f"{path.name} key {key}"
        value = raw[key]
        if name == "lr_scheduler_kwargs":
            value, kw_notes = scheduler_kwargs(value, where)
            notes += kw_notes
            if value is None:
                continue
        elif name == "lr_scheduler_type":
            value = scheduler_type(value)
        elif name == "dataloader_drop_last":
            value = _boolean(value, where)
        else:
            value = coerce_number(value)
        values[name] = value
        sources[name] = where
    if raw.get("accelerator_config") is not None:
        for name, value in accelerator_switches(raw["accelerator_config"], path).items():
            values[name], sources[name] = value, f"{path.name} key accelerator_config.{name}"
    bound = tuple(key for key in KEY_VERSIONS if raw.get(key) is not None)
    if bound:
        values["version_bound_keys"], sources["version_bound_keys"] = bound, path.name
    return values, sources, notes


# The AcceleratorConfig fields that change how many batches a process sees (the rest: dispatch, seeding, …).
ACCELERATOR_SWITCHES = ("split_batches", "even_batches")


def accelerator_switches(value: Any, path: Path) -> dict[str, bool]:
    """`accelerator_config` as TrainingArguments takes it: a mapping, a JSON string, or a JSON file path
    (`AcceleratorConfig.from_json_file` opens it from the current directory; lrcli looks beside the config first,
    as for every file a config names: `inputs.files.find_referenced_file`)."""
    where = f"{path.name} key accelerator_config"
    if isinstance(value, str) and value.lstrip().startswith("{"):
        value = parse_json(value, where)
    elif isinstance(value, str):
        found, looked = find_referenced_file(value, path, "accelerator_config", "an AcceleratorConfig JSON file")
        if found is None:
            raise LrcliError(f"{where}: no file {value!r} (looked in {looked})")
        try:
            value = load_mapping(found)
        except LrcliError as exc:
            raise LrcliError(f"{where}: {exc}") from None
    if not isinstance(value, Mapping):
        raise LrcliError(f"{where} must be a mapping (split_batches, even_batches, …), got {number_text(value)}")
    return {key: _boolean(value[key], f"{where}.{key}") for key in ACCELERATOR_SWITCHES if key in value}


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, bool):
        return value
    raise LrcliError(f"{where} must be true or false, got {value!r}")


# What transformers 5.25 does with a numeric string it was given for these keys (checked live in
# tests/test_configs_fidelity.py).
STRING_CONSEQUENCE = {
    "warmup_steps": "TrainingArguments.__post_init__ raises TypeError",
    "learning_rate": "torch's optimizer raises TypeError",
}
NUMERIC_KEYS = ("learning_rate", "warmup_steps", "warmup_ratio", "max_steps", "num_train_epochs",
                "per_device_train_batch_size", "gradient_accumulation_steps")


def string_number_notes(raw: Mapping[str, Any], path: Path) -> tuple[str, ...]:
    """Warnings for numeric strings that HfArgumentParser would hand to TrainingArguments as strings."""
    notes = []
    for key in NUMERIC_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and not isinstance(coerce_number(value), str):
            consequence = STRING_CONSEQUENCE.get(key, "it stays a string, and the Trainer's arithmetic with it fails")
            notes.append(
                f"{path.name}: {key}: {value!r} is a string, which transformers' HfArgumentParser does not convert: "
                f"{consequence} (write a YAML number; floats need a dot: 2.0e-5); lrcli reads it as "
                f"{coerce_number(value)!r}"
            )
    return tuple(notes)


def claims(raw: Mapping[str, Any]) -> int:
    return 3 if HF_ONLY_KEYS & set(raw) else 0


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    values, sources, notes = read_hf_keys(raw, path)
    notes += string_number_notes(raw, path)
    if raw.get("deepspeed") is not None:
        values, sources, ds_notes = deepspeed.apply_scheduler_section(values, sources, raw["deepspeed"], path)
        notes += ds_notes
    notes += near_miss_notes(raw, HF_KEYS, HF_OTHER_KEYS, path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes)
