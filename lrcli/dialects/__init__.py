"""Config-file dialects: detect which framework a file is for and translate it into TrainConfig fields.

Each dialect module has `NAME`, `claims(raw) -> int` (0: not mine; higher: more certain) and
`read(raw, path, *, trainer=None) -> Reading`. Detection picks the highest claim; `--dialect` overrides it.
Scores: torchtitan 13 (a launch script running torchtitan.train) or 11 (TOML `[lr_scheduler]` + `[training] steps`,
or `[job]` + `[training]`), megatron 11 (two Megatron YAML keys such as lr_decay_style, train_iters), verl 11 (`actor_rollout_ref`, `critic.optim`, or `optim` with `trainer.total_epochs`), swift 8 (train_type/tuner_type/rlhf_type/split_dataset_ratio/ENV/max_epochs), lightning 12 (`class_path` blocks, or `trainer:` with seed_everything/ckpt_path; 5 for a `trainer:`
mapping of Trainer keys), torchtune 10 (`_component_` mappings), deepspeed 9 (a `scheduler` section; 5 for other DeepSpeed keys),
llamafactory 8 (v1 keys) or 7, axolotl 6, trl 4 (TRL-only keys), hf 3 (TrainingArguments keys).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lrcli.errors import LrcliError, shown

if TYPE_CHECKING:
    from lrcli.dialects.reading import Reading

# Every dialect, by NAME, in the order detection breaks no tie in and messages list them. The modules are imported
# when a config is read (`registry()`), not for the names: `--help` and a run from flags alone need only these.
NAMES = ("hf", "trl", "llamafactory", "axolotl", "deepspeed", "torchtune", "lightning", "torchtitan", "megatron", "verl",
         "swift")

# Dialects whose configs a launch command line overrides (`--section.key value`), given to lrcli after `--`.
ARGUMENT_DIALECTS = ("torchtitan",)


def registry() -> dict[str, ModuleType]:
    """DIALECTS: name -> module, every dialect imported (on the first call).

    LAUNCH_DIALECTS, built beside it: the dialects that read launch scripts have ENTRY_POINTS (what entry_arguments
    looks for) and either `read_launch(found, path, *, trainer) -> Reading` (`found`: every command of the script
    that runs one, with its arguments: the dialect picks), `launch_mapping(entry, arguments, command, path) ->
    mapping` (the first such command, as the mapping its `read` takes), or neither: `read` then takes the script's
    commands under LAUNCH_KEY."""
    if "DIALECTS" not in globals():
        modules = {name: importlib.import_module(f"lrcli.dialects.{name}") for name in NAMES}
        assert all(module.NAME == name for name, module in modules.items()), "NAMES and the modules' NAME differ"
        globals()["LAUNCH_DIALECTS"] = {name: m for name, m in modules.items() if hasattr(m, "ENTRY_POINTS")}
        globals()["DIALECTS"] = modules
    return globals()["DIALECTS"]


def launch_registry() -> dict[str, ModuleType]:
    registry()
    return globals()["LAUNCH_DIALECTS"]


def __getattr__(name: str) -> Any:
    """`DIALECTS`, `LAUNCH_DIALECTS` (PEP 562): the dialect modules, imported on first use; `Reading`."""
    if name in ("DIALECTS", "LAUNCH_DIALECTS"):
        registry()
        return globals()[name]
    if name == "Reading":
        from lrcli.dialects.reading import Reading

        return Reading
    raise AttributeError(f"module 'lrcli.dialects' has no attribute {name!r}")


def detect(raw: Mapping[str, Any], path: Path) -> str:
    """The dialect whose `claims` is highest; an error when none claims the file or two tie."""
    if {"compute_environment", "distributed_type"} <= set(raw) or {"compute_environment", "num_processes"} <= set(raw):
        raise LrcliError(
            f"{path} is an accelerate launcher config, not a training config: pass it as --accelerate-config {path}"
        )
    from lrcli.inputs.files import LAUNCH_KEY

    scores = {name: module.claims(raw) for name, module in registry().items()}
    best = max(scores.values())
    if best <= 0 and LAUNCH_KEY in raw:
        raise LrcliError(f"{path}: no command of this launch script runs a trainer lrcli reads "
                         f"(torchtitan: {', '.join(registry()['torchtitan'].ENTRY_POINTS)}); point lrcli at the "
                         "script that launches training, or at its config file")
    if best <= 0:
        raise LrcliError(
            f"{path}: cannot tell which framework this config is for; add --dialect "
            f"({' | '.join(NAMES)})"
        )
    winners = [name for name, score in scores.items() if score == best]
    if len(winners) > 1:
        raise LrcliError(f"{path}: looks like {' or '.join(winners)}; say which with --dialect {winners[0]}")
    return winners[0]


def read_config(
    raw: Mapping[str, Any], path: Path, dialect: str | None = None, *, trainer: str | None = None,
    arguments: Sequence[str] = (),
) -> Reading:
    """Translate the loaded mapping `raw` of file `path` by `dialect` (detected when None).

    `trainer` (TRL: sft, dpo, grpo, …) picks that trainer's defaults where the dialect has them. `arguments` are the
    framework's own command-line overrides, for the dialects that read a launch command line (ARGUMENT_DIALECTS).
    """
    if dialect is not None and dialect not in NAMES:
        raise LrcliError(f"unknown --dialect {dialect!r}; use one of: {', '.join(NAMES)}")
    name = dialect or detect(raw, path)
    if arguments:
        if name not in ARGUMENT_DIALECTS:
            raise LrcliError(f"{arguments[0]}: arguments after `--` are command-line overrides of "
                             f"{' or '.join(ARGUMENT_DIALECTS)} configs; {path.name} is read as {name}, whose settings "
                             "are given with lrcli's flags")
        return registry()[name].read(raw, path, trainer=trainer, arguments=arguments)
    return registry()[name].read(raw, path, trainer=trainer)


def read_launch_script(path: Path, dialect: str | None = None, *, trainer: str | None = None,
                       arguments: Sequence[str] = ()) -> Reading:
    """A bash launch script (`train.sh`): the first dialect (or `dialect`) one of whose entry points a command of
    the script runs reads that command's arguments."""
    from lrcli.inputs.files import LAUNCH_KEY
    from lrcli.inputs.launch_script import entry_arguments, script_commands

    LAUNCH_DIALECTS = launch_registry()  # noqa: N806 (the registry's name)
    if dialect is not None and dialect not in LAUNCH_DIALECTS:
        raise LrcliError(f"--dialect {shown(dialect)} does not read launch scripts; these do: {', '.join(LAUNCH_DIALECTS)}")
    commands = script_commands(path)
    for name in [dialect] if dialect is not None else list(LAUNCH_DIALECTS):
        module = LAUNCH_DIALECTS[name]
        found = [(command, hit) for command in commands
                 if (hit := entry_arguments(command, module.ENTRY_POINTS)) is not None]
        if found and name in ARGUMENT_DIALECTS:
            return module.read({LAUNCH_KEY: commands}, path, trainer=trainer, arguments=arguments)
        if found and arguments:
            raise LrcliError(f"{arguments[0]}: arguments after `--` are command-line overrides of "
                             f"{' or '.join(ARGUMENT_DIALECTS)} configs; {path.name} is read as {name}, whose settings "
                             "are given with lrcli's flags")
        if found and hasattr(module, "read_launch"):
            return module.read_launch(found, path, trainer=trainer)
        if found:
            command, (entry, arguments) = found[0]
            return module.read(module.launch_mapping(entry, arguments, command, path), path, trainer=trainer)
    entries = ", ".join(entry for name in LAUNCH_DIALECTS for entry in LAUNCH_DIALECTS[name].ENTRY_POINTS[:2])
    raise LrcliError(f"{shown(str(path))}: no command of this script runs a training entry point lrcli reads "
                     f"({entries}, …)")





__all__ = ["DIALECTS", "LAUNCH_DIALECTS", "NAMES", "Reading", "detect", "read_config", "read_launch_script", "registry"]
