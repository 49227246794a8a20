"""ms-swift (`swift sft|pt|rlhf`): its argument files (JSON/YAML, `swift sft config.yaml`: flat keys, each handed to
its argument parser as an option; an `ENV:` section sets NPROC_PER_NODE/NNODES) and the options a
launch script passes, on top of ms-swift's own defaults over the HF TrainingArguments.

Two releases are modelled, ms-swift 4.6.0 (4.x) and 3.12.6 (3.x): `--trainer sft|pt|dpo|orpo|simpo|kto|cpo|rm`
(optionally `sft@3`), else the config's `rlhf_type` (rlhf) or sft; the release is the pin, else the installed
ms-swift (package metadata, never imported), else 4.6.0. Defaults read from `swift/trainers/arguments.py`
(TrainArgumentsMixin) and `swift/arguments/sft_args.py` (4.6.0; `swift/llm/argument/train_args.py` in 3.12.6):
per_device_train_batch_size 1, lr_scheduler_type cosine, learning_rate 1e-5 for `tuner_type`/`train_type: full`
else 1e-4 (default lora), gradient_accumulation_steps max(1, ceil(16 / b / world)) where world is the process count,
warmup_ratio 0. Step arithmetic: lrcli.steps.swift (its own batch sampler, then the HF Trainer's count).
GRPO, PPO and GKD (`rlhf_type`) count generation batches that are not modelled: refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from lrcli.config import Source
from lrcli.data.refs import DataEntry, DatasetRef, DataSpec
from lrcli.dialects import deepspeed, hf
from lrcli.dialects.reading import Reading, near_miss_notes
from lrcli.errors import LrcliError, shown
from lrcli.inputs.files import find_referenced_file, load_mapping
from lrcli.inputs.installed import Requirement, installed_version
from lrcli.inputs.values import coerce_number, finite_float, whole_number

NAME = "swift"
ENTRY_POINTS = ("swift",)  # `swift sft …`; the subcommand is the first argument
COMMANDS = ("sft", "pt", "rlhf")
RLHF_TYPES = ("dpo", "orpo", "simpo", "kto", "cpo", "rm")
REFUSED_RLHF = ("grpo", "ppo", "gkd")
# release -> the transformers its metadata requires (Requires-Dist), planned with the newest that allows
TRANSFORMERS = {
    "4.6.0": Requirement("ms-swift 4.6.0", "<5.20.0,>=4.33", "5.19.0"),
    "3.12.6": Requirement("ms-swift 3.12.6", "<4.58,>=4.33", "4.57.6"),
}
# `--deepspeed zero2` names ms-swift's own presets (swift/config/*.json in 4.6.0, swift/llm/ds_config in 3.12.6),
# none of which has a scheduler section
DEEPSPEED_PRESETS = ("zero0", "zero1", "zero2", "zero3", "zero2_offload", "zero3_offload")
SWIFT_ONLY_KEYS = frozenset({"train_type", "tuner_type", "rlhf_type", "split_dataset_ratio", "ENV", "max_epochs"})
SWIFT_KEYS = ("train_type", "tuner_type", "rlhf_type", "split_dataset_ratio", "dataset", "max_epochs", "packing",
              "streaming", "sequence_parallel_size", "deepspeed_autotp_size")
OTHER_KEYS = ("model", "model_type", "template", "system", "max_length", "torch_dtype", "lora_rank", "lora_alpha",
              "target_modules", "output_dir", "val_dataset", "dataset_num_proc", "attn_impl", "save_steps",
              "eval_steps", "logging_steps", "save_total_limit", "gradient_checkpointing", "num_generations")


def claims(raw: Mapping[str, Any]) -> int:
    return 8 if SWIFT_ONLY_KEYS & set(raw) else 0


def arguments_mapping(arguments: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`swift <command>`'s arguments (after the command) as the flat mapping its parser builds: an option and its value,
    an option=value, an option with several values (a list), a bare option (true); a first argument file is the
    caller's.
    NPROC_PER_NODE / NNODES of the command's environment become the `ENV` section, as in an argument file."""
    raw: dict[str, Any] = {}
    key: str | None = None
    for word in arguments:
        if word.startswith("--") and len(word) > 2:
            name, sep, value = word[2:].partition("=")
            key = name.replace("-", "_")
            raw[key] = value if sep else True
            if sep:
                key = None
            continue
        if key is None:
            continue
        current = raw[key]
        raw[key] = word if current is True else (current + [word] if isinstance(current, list) else [current, word])
    found = {k: v for k, v in (env or {}).items() if k in ("NPROC_PER_NODE", "NNODES")}
    if found:
        raw["ENV"] = found
    return raw


def launch_mapping(entry: str, arguments: list[str], command: Any, path: Path) -> dict[str, Any]:
    """`swift <command> [config.yaml|json] <options>` of a launch script as one flat mapping: the argument file's
    keys first, then the command line's (its parser keeps the last), with the command's NPROC_PER_NODE/NNODES."""
    where = f"{path.name}:{command.line}"
    if not arguments or arguments[0].replace("_", "-") not in COMMANDS:
        raise LrcliError(f"{where}: `swift {' '.join(arguments[:1])}` is not a training command lrcli reads "
                         f"({', '.join(COMMANDS)})")
    rest = list(arguments[1:])
    raw: dict[str, Any] = {}
    if rest and rest[0].endswith((".json", ".yaml", ".yml")):
        name = rest.pop(0)
        found, looked = find_referenced_file(name, path, "argument file", "an ms-swift argument file")
        if found is None:
            raise LrcliError(f"{where}: the argument file {shown(name)} is not in {looked}")
        raw.update(load_mapping(found))
    given = arguments_mapping(rest, getattr(command, "env", None))
    env = {**(raw.get("ENV") or {}), **given.pop("ENV", {})} if isinstance(raw.get("ENV") or {}, Mapping) else {}
    raw.update(given)
    if env:
        raw["ENV"] = env
    raw["_swift_command"] = arguments[0].replace("_", "-")
    return raw


def _release(text: str | None, where: str) -> str:
    try:
        major = Version(text).release[0] if text else None
    except InvalidVersion:
        raise LrcliError(f"{where}: {shown(text)} is not an ms-swift version; write it like sft@4.6 or sft@3.12") from None
    if major is None or major >= 4:
        return "4.6.0"
    if major == 3:
        return "3.12.6"
    raise LrcliError(f"{where}: ms-swift {text} is not modelled; lrcli reads ms-swift 3.x (3.12.6's rules) and 4.x "
                     "(4.6.0's)")


def _command(raw: Mapping[str, Any], trainer: str | None) -> tuple[str, str, str, Source | str]:
    """(command, rlhf_type or '', release, source of the command)."""
    name, _, pinned = (trainer or "").strip().lower().partition("@")
    choices = (*COMMANDS, *RLHF_TYPES)
    if name and name not in choices:
        refused = f" ({name} counts generation batches lrcli does not model)" if name in REFUSED_RLHF else ""
        raise LrcliError(f"--trainer {shown(trainer)}: ms-swift trainers are {' | '.join(choices)}{refused}")
    rlhf_type = raw.get("rlhf_type")
    launched = raw.get("_swift_command")
    if name in RLHF_TYPES:
        command, rlhf_type, source = "rlhf", name, Source.flag("--trainer")
    elif name:
        command, source = name, Source.flag("--trainer")
    elif launched is not None:
        command, source = str(launched), "the swift command the launch script runs"
    elif rlhf_type is not None:
        command, source = "rlhf", "key rlhf_type"
    else:
        command, source = "sft", Source.default("swift sft (no rlhf_type)")
    if command == "rlhf":
        rlhf_type = str(rlhf_type or "dpo")
        if rlhf_type in REFUSED_RLHF:
            raise LrcliError(f"ms-swift rlhf_type {rlhf_type} counts its steps over generation batches, which lrcli "
                             "does not model; give --total-steps N")
        if rlhf_type not in RLHF_TYPES:
            raise LrcliError(f"ms-swift rlhf_type {shown(rlhf_type)} is not one of {', '.join(RLHF_TYPES)}")
    if pinned:
        return command, rlhf_type or "", _release(pinned, f"--trainer {trainer}"), source
    installed = installed_version("ms-swift")
    release = _release(installed, f"the installed ms-swift {installed}") if installed else "4.6.0"
    return command, rlhf_type or "", release, source


def _flat(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the parser sees them: strings from the command line, typed by their dataclass field (numbers)."""
    return {key: coerce_number(value) if isinstance(value, str) else value for key, value in raw.items()}


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    where = path.name
    command, rlhf_type, release, command_source = _command(raw, trainer)
    flat = _flat(raw)
    values, sources, notes = hf.read_hf_keys(flat, path)
    notes = tuple(notes)
    values["version_bound_keys"] = tuple(k for k in values.get("version_bound_keys", ()) if k != "warmup_ratio")
    sources["version_bound_keys"] = where  # swift declares warmup_ratio itself and bridges it (4.6.0)
    tuner_key = "tuner_type" if release == "4.6.0" else "train_type"
    other = "train_type" if tuner_key == "tuner_type" else "tuner_type"
    if other in flat and not flat.get("ignore_args_error"):
        line = "4.x" if release == "3.12.6" else "3.x"
        raise LrcliError(f"{where}: ms-swift {release} has no {other} (it is {tuner_key} there) and stops with "
                         f"ValueError('remaining_argv: [...]'); if you run ms-swift {line}, pin it: --trainer "
                         f"sft@{line[0]}")
    tuner = str(flat.get(tuner_key, "lora"))
    if "learning_rate" not in values:
        values["learning_rate"] = 1e-5 if tuner == "full" else 1e-4
        sources["learning_rate"] = Source.default(f"ms-swift {release} default for {tuner_key} {tuner}")
    if "lr_scheduler_type" not in values:
        values["lr_scheduler_type"] = "cosine"
        sources["lr_scheduler_type"] = Source.default(f"ms-swift {release} default")
    if "per_device_train_batch_size" not in values:
        values["per_device_train_batch_size"] = 1
        sources["per_device_train_batch_size"] = Source.default(f"ms-swift {release} default")
    speed = flat.get("deepspeed")
    if isinstance(speed, (str, Mapping)) and speed not in DEEPSPEED_PRESETS:
        # a file (or JSON) of the user's: its scheduler section replaces the Trainer's, as in the HF Trainer
        values, sources, ds_notes = deepspeed.apply_scheduler_section(values, sources, speed, path)
        notes += ds_notes
    options: dict[str, Any] = {"swift_version": release, "command": command}
    if rlhf_type:
        options["rlhf_type"] = rlhf_type
    ratio = flat.get("split_dataset_ratio")
    if ratio is not None:
        options["split_dataset_ratio"] = finite_float(ratio, f"{where} key split_dataset_ratio")
    samples = _dataset_samples(flat.get("dataset"), where)
    if samples is not None:
        options["dataset_samples"] = samples
    if flat.get("deepspeed_autotp_size") is not None:
        options["autotp_size"] = whole_number(flat["deepspeed_autotp_size"], f"{where} key deepspeed_autotp_size",
                                              minimum=1)
    values["trainer_options"], sources["trainer_options"] = options, f"{where} (ms-swift {release} {command})"
    env = raw.get("ENV")
    if isinstance(env, Mapping) and ("NPROC_PER_NODE" in env or "NNODES" in env):
        nproc = whole_number(coerce_number(str(env.get("NPROC_PER_NODE", 1))), f"{where} ENV.NPROC_PER_NODE", minimum=1)
        nodes = whole_number(coerce_number(str(env.get("NNODES", 1))), f"{where} ENV.NNODES", minimum=1)
        values["world_size"], sources["world_size"] = nproc * nodes, f"{where} ENV NPROC_PER_NODE · NNODES"
    if flat.get("max_epochs") is not None:
        notes += (f"{where}: max_epochs stops training after that epoch; the schedule is still built for "
                  "num_train_epochs",)
    if flat.get("packing") in (True, "true", "True"):
        notes += (f"{where}: packing: ms-swift trains on packed sequences: --samples must count the packs",)
    if flat.get("streaming") in (True, "true", "True"):
        options["streaming"] = True
    if (coerce_number(flat.get("sequence_parallel_size", 1)) or 1) != 1:
        raise LrcliError(f"{where}: sequence_parallel_size > 1 uses ms-swift's sequence-parallel dataloader, which "
                         "lrcli does not model; give --total-steps N")
    notes += near_miss_notes(flat, (*hf.HF_KEYS, *SWIFT_KEYS), (*hf.HF_OTHER_KEYS, *OTHER_KEYS), path)
    values["framework"], sources["framework"] = NAME, Source.default(f"ms-swift {release}")
    values["trainer"], sources["trainer"] = rlhf_type or command, command_source
    values["dialect"], sources["dialect"] = NAME, f"{where} (detected or --dialect)"
    data = _data_spec(flat.get("dataset"), flat.get("use_hf") in (True, "true", "True"), path)
    return Reading(NAME, values, sources, notes, transformers=TRANSFORMERS[release], data=data)


LOCAL_BUILDERS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".txt": "text", ".parquet": "parquet"}


def _data_spec(value: Any, use_hf: bool, path: Path) -> DataSpec | None:
    """The datasets of `dataset:` as ms-swift loads them (`swift/dataset/loader.py`): a local file by its suffix
    (json/csv/text/parquet builders), a Hub id with `use_hf: true`; ModelScope ids (its default hub) are not counted."""
    if value is None:
        return None
    where = f"{path.name} key dataset"
    entries = []
    for i, text in enumerate(value if isinstance(value, list) else [value]):
        name = str(text)
        head, sep, count = name.rpartition("#")
        if sep and count.strip().isdigit():
            name = head
        name, _, subset = name.partition(":")  # `id:subset` (a subset name; local files have none)
        suffix = Path(name).suffix.lower()
        at = f"{where}[{i}]"
        if suffix in LOCAL_BUILDERS:
            ref = DatasetRef(LOCAL_BUILDERS[suffix], builder=LOCAL_BUILDERS[suffix], data_files=(("train", name),),
                             hub=False, where=at, roots=(Path.cwd(), path.parent))
        elif use_hf:
            ref = DatasetRef(name, name=subset or None, where=at, roots=(Path.cwd(), path.parent))
        else:
            return DataSpec(NAME, (), {}, where, f"{at}: {shown(name)} is a ModelScope dataset (ms-swift's default "
                                                 "hub), which lrcli does not count")
        entries.append(DataEntry(ref, {}))
    return DataSpec(NAME, tuple(entries), {}, where)


def _dataset_samples(value: Any, where: str) -> tuple[int | None, ...] | None:
    """`dataset: [a#500, b]`: the rows sampled from each dataset (None: all of it), in order."""
    if value is None:
        return None
    names = value if isinstance(value, list) else [value]
    out: list[int | None] = []
    for name in names:
        text = str(name)
        _, sep, count = text.rpartition("#")
        if sep and count.strip().isdigit():
            out.append(whole_number(int(count), f"{where} key dataset {shown(text)}", minimum=1))
        else:
            out.append(None)
    return tuple(out)
