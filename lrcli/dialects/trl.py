"""TRL configs (`trl sft --config x.yaml`, alignment-handbook and open-r1 recipes): flat HF keys plus TRL's own.

Which trainer runs decides the defaults (`<X>Config` learning rates, TRL 0.12 … 1.16: SFT 2e-5, DPO/GRPO/CPO/ORPO/
KTO/RLOO 1e-6, OnlineDPO 5e-7, PRM 1e-5, Reward 1e-4; checked in trl 0.24.0 `trainer/*_config.py`). lrcli takes the
trainer from `--trainer`, else from a word of the file name (`..._dpo_...yaml`), else applies plain HF defaults.
The `env:` block only sets environment variables; accelerate keys left to `accelerate launch` give the world size:
`num_processes`, or `accelerate_config: NAME` (TRL's shipped `accelerate_configs/NAME.yaml`, all with
num_processes 8 in 0.24.0; trl 0.24 `cli.py`) or a path to an accelerate config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading
from lrcli.errors import LrcliError
from lrcli.load import accelerate_world_size, launched_world_size, near_miss_notes, relative_to_config
from lrcli.values import coerce_number

NAME = "trl"

# trainer -> its Config's learning_rate default (TRL 0.12+; TRL ≤ 0.11 used HF's 5e-5 for SFT and DPO).
TRAINER_LR = {
    "sft": 2e-5, "dpo": 1e-6, "grpo": 1e-6, "cpo": 1e-6, "orpo": 1e-6, "kto": 1e-6, "rloo": 1e-6,
    "online_dpo": 5e-7, "prm": 1e-5, "reward": 1e-4,
}  # fmt: skip

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
    return 4 if TRL_KEYS & set(raw) else 0


def trainer_from_name(path: Path) -> str | None:
    words = re.split(r"[^a-z0-9]+", path.stem.lower())
    joined = "_".join(words)
    if "online_dpo" in joined or "onlinedpo" in words:
        return "online_dpo"
    found = [word for word in words if word in TRAINER_LR]
    return found[0] if found else None


def _world_size(raw: Mapping[str, Any], path: Path) -> tuple[int | None, str]:
    """`trl <trainer> --config` hands `num_processes`, `num_machines` and `accelerate_config` to `accelerate launch`
    (trl 0.24 `cli.py`: a shipped config name becomes `--config_file trl/accelerate_configs/NAME.yaml`)."""
    flags = {key: raw[key] for key in ("num_processes", "num_machines") if raw.get(key) is not None}
    name = raw.get("accelerate_config")
    if not isinstance(name, str):
        if "num_processes" not in flags:
            return None, ""
        size, how = launched_world_size(None, flags, f"{path.name} keys {', '.join(flags)}")
        return size, how
    if name in TRL_SHIPPED_ACCELERATE:
        shipped = {"distributed_type": TRL_SHIPPED_ACCELERATE[name], "num_processes": 8, "num_machines": 1}
        size, how = launched_world_size(shipped, flags, f"TRL's accelerate_configs/{name}.yaml")
        return size, f"{path.name} key accelerate_config: {how}"
    config_path = relative_to_config(path, name)
    if not config_path.is_file():
        raise LrcliError(f"{path.name}: accelerate_config {name!r} is neither a TRL config name nor a file")
    size, how = accelerate_world_size(config_path, flags)
    return size, f"{path.name} key accelerate_config: {how}"


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    values, sources, notes = hf.read_hf_keys(raw, path)
    if trainer is not None:
        if trainer not in TRAINER_LR:
            raise LrcliError(f"unknown --trainer {trainer!r}; use one of: {', '.join(TRAINER_LR)}")
        how = "--trainer"
    else:
        trainer, how = trainer_from_name(path), f"{path.name} (file name)"
    if trainer is not None:
        values["trainer"], sources["trainer"] = trainer, how
        if "learning_rate" not in values:
            values["learning_rate"] = TRAINER_LR[trainer]
            sources["learning_rate"] = f"TRL {trainer} default (TRL ≥ 0.12)"
    elif "learning_rate" not in values:
        notes += (f"{path.name}: no learning_rate and no trainer named; using the HF default 5e-5 "
                  "(say which TRL trainer with --trainer sft|dpo|grpo|…, whose default lr differs)",)
    world, where = _world_size(raw, path)
    if world is not None:
        values["world_size"], sources["world_size"] = world, where
    if raw.get("packing") is True:
        values["packing"], sources["packing"] = True, f"{path.name} key packing"
        notes += (f"{path.name}: packing is on: --samples must count packed rows (of max_length tokens), "
                  "not the raw examples",)
    if trainer == "grpo":
        options = {key: coerce_number(raw[key]) for key in GRPO_KEYS if raw.get(key) is not None}
        values["framework"], sources["framework"] = "trl_grpo", f"{how} (GRPO generation batching)"
        if options:
            values["trainer_options"], sources["trainer_options"] = options, f"{path.name} keys {', '.join(options)}"
    if raw.get("deepspeed") is not None:
        ds_values, ds_sources, ds_notes = deepspeed.referenced(raw["deepspeed"], path)
        values.update(ds_values)
        sources.update(ds_sources)
        notes += ds_notes
    notes += near_miss_notes(raw, hf.HF_KEYS, (*hf.HF_OTHER_KEYS, *TRL_KEYS), path)
    values["dialect"], sources["dialect"] = NAME, f"{path.name} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes)
