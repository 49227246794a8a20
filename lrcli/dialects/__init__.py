"""Config-file dialects: detect which framework a file is for and translate it into TrainConfig fields.

Each dialect module has `NAME`, `claims(raw) -> int` (0: not mine; higher: more certain) and
`read(raw, path, *, trainer=None) -> Reading`. Detection picks the highest claim; `--dialect` overrides it.
Scores: lightning 12 (`class_path` blocks, or `trainer:` with seed_everything/ckpt_path; 5 for a `trainer:`
mapping of Trainer keys), verl 11 (`actor_rollout_ref`, `critic.optim`, or `optim` with `trainer.total_epochs`), torchtune 10 (`_component_` mappings), deepspeed 9 (a `scheduler` section; 5 for other DeepSpeed keys), swift 8 (train_type/tuner_type/rlhf_type/
split_dataset_ratio/ENV/max_epochs),
llamafactory 8 (v1 keys) or 7, axolotl 6, trl 4 (TRL-only keys), hf 3 (TrainingArguments keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from lrcli.dialects import axolotl, deepspeed, hf, lightning, llamafactory, swift, torchtune, trl, verl
from lrcli.dialects.reading import Reading
from lrcli.errors import LrcliError
from lrcli.inputs.launch_script import entry_arguments, script_commands

DIALECTS: dict[str, ModuleType] = {
    module.NAME: module for module in (hf, trl, llamafactory, axolotl, deepspeed, torchtune, lightning, verl, swift)
}


def detect(raw: Mapping[str, Any], path: Path) -> str:
    """The dialect whose `claims` is highest; an error when none claims the file or two tie."""
    if {"compute_environment", "distributed_type"} <= set(raw) or {"compute_environment", "num_processes"} <= set(raw):
        raise LrcliError(
            f"{path} is an accelerate launcher config, not a training config: pass it as --accelerate-config {path}"
        )
    scores = {name: module.claims(raw) for name, module in DIALECTS.items()}
    best = max(scores.values())
    if best <= 0:
        raise LrcliError(
            f"{path}: cannot tell which framework this config is for; add --dialect "
            f"({' | '.join(DIALECTS)})"
        )
    winners = [name for name, score in scores.items() if score == best]
    if len(winners) > 1:
        raise LrcliError(f"{path}: looks like {' or '.join(winners)}; say which with --dialect {winners[0]}")
    return winners[0]


def read_config(
    raw: Mapping[str, Any], path: Path, dialect: str | None = None, *, trainer: str | None = None
) -> Reading:
    """Translate the loaded mapping `raw` of file `path` by `dialect` (detected when None).

    `trainer` (TRL: sft, dpo, grpo, …) picks that trainer's defaults where the dialect has them.
    """
    if dialect is not None and dialect not in DIALECTS:
        raise LrcliError(f"unknown --dialect {dialect!r}; use one of: {', '.join(DIALECTS)}")
    name = dialect or detect(raw, path)
    return DIALECTS[name].read(raw, path, trainer=trainer)


def read_launch_script(path: Path, dialect: str | None = None) -> tuple[dict[str, Any], str]:
    """What a bash launch script hands a framework: the first command running one of the entry points a dialect
    names (`ENTRY_POINTS`), as the mapping that dialect reads (its `launch_mapping`), and the dialect's name."""
    if dialect is not None and dialect not in DIALECTS:
        raise LrcliError(f"unknown --dialect {dialect!r}; use one of: {', '.join(DIALECTS)}")
    readers = [module for name, module in DIALECTS.items()
               if hasattr(module, "launch_mapping") and dialect in (None, name)]
    for command in script_commands(path):
        for module in readers:
            found = entry_arguments(command, module.ENTRY_POINTS)
            if found is not None:
                return module.launch_mapping(found[0], found[1], command, path), module.NAME
    names = ", ".join(point for module in readers for point in module.ENTRY_POINTS)
    raise LrcliError(f"{path}: no command in this launch script runs {names or 'a framework lrcli reads'}; "
                     "point lrcli at the config file the run reads instead")


__all__ = ["DIALECTS", "Reading", "detect", "read_config", "read_launch_script"]
