"""Megatron-LM / Megatron-Core training arguments (megatron/training/arguments.py, megatron-core 0.12.3 … 0.19.2).

Two forms a user hands over:
* the arguments a launch script passes to `pretrain_gpt.py` & co. (`read_arguments`: argparse's `--lr 3e-4` or `--lr=3e-4`,
  the last occurrence wins, `allow_abbrev=False`; torchrun's `--nproc_per_node`·`--nnodes` before the entry point
  give the world size); a `--yaml-cfg FILE` among them makes Megatron ignore every other argument and read the file;
* that YAML (`--yaml-cfg`, `read`): the same names with underscores at the top level, the parallel sizes under
  `model_parallel:`. Megatron's YAML path fills in no defaults (a missing key is an AttributeError there): lrcli uses
  argparse's and warns.

Read: `--lr` (required), `--min-lr`, `--lr-warmup-init`, `--lr-decay-style`, `--lr-wsd-decay-style`,
`--lr-warmup-iters/-samples/-fraction`, `--lr-decay-iters/-samples`, `--lr-wsd-decay-iters/-samples`,
`--train-iters`/`--train-samples`, `--micro-batch-size`, `--global-batch-size` (default micro · dp), and the
tensor/pipeline/context parallel sizes (dp = world // (tp · pp · cp)). The step arithmetic is lrcli.steps.megatron.
`--rampup-batch-size START INCREMENT SAMPLES` (0.12–0.17, sample-based runs; iteration-based ones are refused as
validate_args refuses them; 0.18+ ignore it). `--step-batch-size-schedule` (0.18+; thresholds in tokens ÷ `--seq-length`)
and `--decrease-batch-size-if-needed` are handed to the planner. Refused as not modelled:
`--decrease-batch-size-if-needed` with a 0.12–0.17 ramp-up, `--tensor-parallel-num-weight-shards` (0.19). `--override-opt-param-scheduler` and
`--use-checkpoint-opt-param-scheduler` only matter when resuming and are ignored. Which release's rules: a
`--trainer megatron@VERSION` pin, else the megatron-core installed beside lrcli (its package metadata), else the
newest modelled (0.19.2). A launch script is read by `read_launch` (the command with the most Megatron options).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from lrcli.config import Source
from lrcli.dialects.reading import Reading, near_miss_notes
from lrcli.errors import LrcliError, shown
from lrcli.inputs.files import find_referenced_file, load_mapping
from lrcli.inputs.installed import installed_version
from lrcli.inputs.launch_script import LaunchCommand
from lrcli.inputs.values import coerce_number, number_text

NAME = "megatron"
NEWEST = "0.19.2"  # the newest megatron-core on PyPI, modelled
OLDEST = "0.12.0"  # the oldest line modelled
# The Python files that parse Megatron's training arguments (Megatron-LM's root and examples).
ENTRY_POINTS = (
    "pretrain_gpt.py", "pretrain_mamba.py", "pretrain_bert.py", "pretrain_t5.py", "pretrain_vlm.py",
    "pretrain_retro.py", "pretrain_ict.py", "train_rl.py", "pretrain_hybrid.py",
)  # fmt: skip

DECAY_STYLES = {"constant": "constant", "linear": "linear", "cosine": "cosine",
                "inverse-square-root": "inverse_square_root", "WSD": "wsd"}
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")
MINUS_SQRT_SINCE = Version("0.13.0")
# --step-batch-size-schedule arrives in 0.18, and --rampup-batch-size, deprecated, is no longer handed to the
# micro-batch calculator (training/global_vars.py): it is accepted and ignored
STEP_SCHEDULE_SINCE = Version("0.18.0")

# argparse name (underscores) -> (type, default) for every option lrcli reads (arguments.py, same in every release)
OPTIONS: dict[str, tuple[type, Any]] = {
    "lr": (float, None), "min_lr": (float, 0.0), "lr_warmup_init": (float, 0.0), "lr_decay_style": (str, "linear"),
    "lr_wsd_decay_style": (str, "exponential"), "lr_decay_iters": (int, None), "lr_decay_samples": (int, None),
    "lr_wsd_decay_iters": (int, None), "lr_wsd_decay_samples": (int, None), "lr_warmup_fraction": (float, None),
    "lr_warmup_iters": (int, 0), "lr_warmup_samples": (int, 0), "train_iters": (int, None),
    "train_samples": (int, None), "micro_batch_size": (int, None), "global_batch_size": (int, None),
    "tensor_model_parallel_size": (int, 1), "pipeline_model_parallel_size": (int, 1),
    "context_parallel_size": (int, 1), "step_batch_size_schedule": (str, None), "yaml_cfg": (str, None),
    "tensor_parallel_num_weight_shards": (str, None), "decoupled_lr": (float, None), "decoupled_min_lr": (float, None),
    "seq_length": (int, None), "encoder_seq_length": (int, None),
}  # fmt: skip
LIST_OPTIONS = {"rampup_batch_size": 3}  # nargs
SWITCHES = ("decrease_batch_size_if_needed",)  # store_true
# Megatron's own flags, as lrcli's messages name them (they are not lrcli's flags).
FLAGS = frozenset({f"--{key.replace('_', '-')}" for key in (*OPTIONS, *LIST_OPTIONS, *SWITCHES)}
                  | {"--override-opt-param-scheduler", "--use-checkpoint-opt-param-scheduler", "--nnodes",
                     "--nproc-per-node"})
# The step arithmetic's inputs, handed to the planner as trainer_options.
STEP_OPTIONS = ("train_iters", "train_samples", "global_batch_size", "rampup_batch_size", "lr_warmup_iters", "lr_warmup_samples",
                "lr_warmup_fraction", "lr_decay_iters", "lr_decay_samples", "lr_wsd_decay_iters",
                "lr_wsd_decay_samples", "tensor_model_parallel_size", "pipeline_model_parallel_size",
                "context_parallel_size", "step_batch_size_schedule", "decrease_batch_size_if_needed")
# Keys only a Megatron YAML has (detection).
YAML_KEYS = ("lr_decay_style", "lr_warmup_init", "lr_decay_iters", "lr_decay_samples", "lr_warmup_samples",
             "lr_warmup_iters", "lr_wsd_decay_style", "train_samples", "train_iters")
OTHER_KEYS = ("language_model", "model_parallel", "weight_decay", "start_weight_decay", "end_weight_decay",
              "weight_decay_incr_style", "decoupled_lr", "decoupled_min_lr", "eval_iters", "eval_interval")


def claims(raw: Mapping[str, Any]) -> int:
    hits = sum(key in raw for key in YAML_KEYS)
    return 11 if hits >= 2 or (hits and ("model_parallel" in raw or "language_model" in raw)) else 0


def megatron_version(trainer: str | None = None) -> tuple[str, Source]:
    """The release whose rules apply: a `--trainer megatron@VERSION` pin, else the installed megatron-core, else the
    newest modelled."""
    if trainer is not None:
        name, _, pinned = trainer.partition("@")
        if name not in ("megatron", "megatron-core") or not pinned:
            raise LrcliError(f"--trainer {shown(trainer)}: a Megatron run takes only a version pin, "
                             f"--trainer megatron@VERSION (e.g. megatron@0.12)")
        try:
            version = Version(pinned)
        except InvalidVersion:
            raise LrcliError(f"--trainer {shown(trainer)}: {shown(pinned)} is not a version") from None
        if not Version(OLDEST) <= version:
            raise LrcliError(f"--trainer {shown(trainer)}: lrcli models megatron-core {OLDEST} … {NEWEST}")
        return pinned, Source.flag(f"--trainer {trainer}")
    installed = installed_version("megatron-core")
    if installed is not None:
        return installed, Source("environment", "installed")
    return NEWEST, Source.default("the newest megatron-core lrcli models")


def _typed(name: str, text: Any, kind: type, where: str) -> Any:
    """argparse's `type=` conversion (`int('1e3')` fails there too), or a YAML value as Megatron receives it."""
    if text is None or kind is str:
        return text
    if isinstance(text, bool):
        raise LrcliError(f"{where}: {name} must be a number, got {number_text(text)}")
    if isinstance(text, (int, float)) and not isinstance(text, str):
        if kind is int and isinstance(text, float):
            raise LrcliError(f"{where}: {name} must be a whole number, got {number_text(text)}")
        return kind(text)
    if str(text).startswith("$"):
        raise LrcliError(f"{where}: --{name.replace('_', '-')} {shown(str(text))} is set outside the script (the "
                         "environment or the script's own arguments); write its value into the script")
    try:
        return kind(str(text))
    except ValueError:
        raise LrcliError(f"{where}: argument --{name.replace('_', '-')}: invalid {kind.__name__} value: "
                         f"{shown(str(text))} (Megatron's argparse refuses it)") from None


def parse_arguments(argv: Sequence[str], where: str) -> dict[str, Any]:
    """The options lrcli reads out of Megatron's argument list, typed as its argparse types them (last one wins)."""
    found: dict[str, Any] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("--"):
            continue
        name, has_value, value = token[2:].partition("=")
        key = name.replace("-", "_")
        if key in SWITCHES:
            found[key] = True
        elif key in OPTIONS or key in LIST_OPTIONS:
            count = LIST_OPTIONS.get(key, 1)
            if has_value:
                values = [value]
            else:
                values = list(argv[i:i + count])
                i += len(values)
            if len(values) != count or any(v.startswith("--") for v in values):
                raise LrcliError(f"{where}: argument --{name}: expected {count} argument{'s' * (count > 1)} "
                                 "(Megatron's argparse stops there)")
            found[key] = values if key in LIST_OPTIONS else _typed(key, values[0], OPTIONS[key][0], where)
    return found


def launcher_world_size(launcher: Sequence[str]) -> int | None:
    """torchrun / torch.distributed.run / launch: nproc_per_node · nnodes when both are plain numbers."""
    values: dict[str, str] = {}
    for i, token in enumerate(launcher):
        name, has_value, value = token.lstrip("-").partition("=")
        name = name.replace("-", "_")
        if name in ("nproc_per_node", "nnodes"):
            values[name] = value if has_value else (launcher[i + 1] if i + 1 < len(launcher) else "")
    try:
        return int(values.get("nproc_per_node", "1")) * int(values.get("nnodes", "1"))
    except ValueError:
        return None  # "gpu", "auto", an elastic "1:4": not a count lrcli can read


def read_arguments(
    argv: Sequence[str], path: Path, *, world_size: int | None = None, line: int | None = None,
    trainer: str | None = None,
) -> Reading:
    """A launch command's arguments to a Megatron entry point (`argv`: after `pretrain_gpt.py`), as a Reading;
    `trainer` is a `megatron@VERSION` pin."""
    where = f"{path.name}" + (f" line {line}" if line is not None else "")
    given = parse_arguments(argv, where)
    sources = {key: f"{where} --{key.replace('_', '-')}" for key in given}
    reading = _reading(given, sources, where, trainer)
    if world_size is not None:
        values = {**reading.values, "world_size": world_size}
        return Reading(NAME, values, {**reading.sources, "world_size": f"{where} torchrun --nproc_per_node · --nnodes"},
                       reading.notes, data=None)
    return reading


def read_launch(found: Sequence[tuple[LaunchCommand, tuple[str, list[str]]]], path: Path, *,
                trainer: str | None = None) -> Reading:
    """The command of a launch script that runs a Megatron entry point with the most Megatron options (a script
    also names pretrain_gpt.py in checks such as `[ -f pretrain_gpt.py ]`): its arguments (or the `--yaml-cfg` file
    they name, which Megatron then reads instead), and the world size of the torchrun before it."""
    def options(hit: tuple[LaunchCommand, tuple[str, list[str]]]) -> int:
        return sum(word.startswith("--") and word[2:].partition("=")[0].replace("-", "_") in OPTIONS
                   for word in hit[1][1])

    training = [hit for hit in found if options(hit) > 0]
    command, (entry, arguments) = max(training or found, key=options)
    where = f"{path.name} line {command.line}"
    launcher = list(command.argv[:command.argv.index(entry)])
    world = launcher_world_size(launcher)
    world_source = f"{where} {launcher[0] if launcher else 'launcher'} --nproc_per_node · --nnodes"
    environment = command.env.get("WORLD_SIZE")
    if environment is not None and not _is_torchrun(launcher):
        # Megatron reads int(os.getenv("WORLD_SIZE", "1")) in both argument paths (arguments.py parse_args,
        # yaml_arguments.py load_yaml); torchrun sets it for its workers itself, so the script's value counts only
        # when no torchrun starts the entry point
        if not environment.isdigit() or int(environment) < 1:
            raise LrcliError(f"{where}: WORLD_SIZE={shown(environment)} is not a whole number of processes (Megatron's "
                             "int(os.getenv('WORLD_SIZE')) fails on it); set it to the number of processes")
        world, world_source = int(environment), f"{where} WORLD_SIZE={environment} (the script's environment)"
    notes: tuple[str, ...] = ()
    if len(training) > 1:
        notes += (f"{path.name}: {len(training)} commands run a Megatron entry point with training arguments; lrcli "
                  f"reads the one on line {command.line}",)
    yaml_cfg = parse_arguments(arguments, where).get("yaml_cfg")
    if yaml_cfg is not None:
        if yaml_cfg.startswith("$"):
            raise LrcliError(f"{where}: --yaml-cfg {shown(yaml_cfg)} is set outside the script; point lrcli at that "
                             "YAML file")
        yaml_path, how = find_referenced_file(yaml_cfg, path, "--yaml-cfg", "Megatron's YAML config")
        if yaml_path is None:
            raise LrcliError(f"{where}: --yaml-cfg {shown(yaml_cfg)} not found (looked in {how})")
        reading = read(load_mapping(yaml_path), yaml_path, trainer=trainer)
        notes += (f"{where}: --yaml-cfg {shown(yaml_cfg)} ({how}): Megatron reads it and ignores the other arguments",)
    else:
        reading = read_arguments(arguments, path, line=command.line, trainer=trainer)
    values, sources = dict(reading.values), dict(reading.sources)
    if world is not None:
        values["world_size"], sources["world_size"] = world, world_source
    return Reading(NAME, values, sources, notes + reading.notes, data=None)


def _is_torchrun(launcher: Sequence[str]) -> bool:
    """torchrun / `python -m torch.distributed.run|launch`: it sets WORLD_SIZE for the entry point itself."""
    return any(Path(word).name == "torchrun" or word in ("torch.distributed.run", "torch.distributed.launch")
               for word in launcher)


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    """A Megatron `--yaml-cfg` file (see the module docstring)."""
    where = path.name
    given: dict[str, Any] = {}
    sources: dict[str, str] = {}
    parallel = raw.get("model_parallel") if isinstance(raw.get("model_parallel"), Mapping) else {}
    for key, (kind, _default) in OPTIONS.items():
        holder, at = (parallel, f"model_parallel.{key}") if key.endswith("parallel_size") else (raw, key)
        if holder.get(key) is not None:
            given[key] = _typed(key, coerce_number(holder[key]), kind, f"{where} key {at}")
            sources[key] = f"{where} key {at}"
    for key in LIST_OPTIONS:
        if raw.get(key) is not None:
            given[key], sources[key] = raw[key], f"{where} key {key}"
    for key in SWITCHES:
        if raw.get(key):
            given[key], sources[key] = True, f"{where} key {key}"
    reading = _reading(given, sources, where, trainer)
    missing = [key for key in ("lr_decay_style", "min_lr", "lr_warmup_init", "lr_warmup_iters", "lr_warmup_samples",
                               "lr_warmup_fraction", "lr_decay_iters", "lr_decay_samples", "train_iters",
                               "train_samples", "global_batch_size") if key not in raw]
    notes = reading.notes + near_miss_notes(raw, tuple(OPTIONS), OTHER_KEYS, path)
    if missing:
        notes += (f"{where}: Megatron's --yaml-cfg fills in no defaults, so the run stops (AttributeError) without "
                  f"{', '.join(missing)}; lrcli used argparse's defaults for them",)
    return Reading(NAME, reading.values, reading.sources, notes, data=None)


def _reading(given: Mapping[str, Any], sources: Mapping[str, str], where: str, trainer: str | None) -> Reading:
    """TrainConfig values from Megatron's options (typed, by argparse name)."""
    version, version_source = megatron_version(trainer)
    if (given.get("step_batch_size_schedule") is not None and given.get("global_batch_size") is not None
            and _version(version) >= STEP_SCHEDULE_SINCE):
        raise LrcliError(f"{where}: Cannot specify both --step-batch-size-schedule and --global-batch-size "
                         f"(megatron-core {version}'s validate_args raises ValueError)")
    notes: tuple[str, ...] = ()
    if given.get("rampup_batch_size") is not None:
        if _version(version) >= STEP_SCHEDULE_SINCE:
            notes += (f"{sources['rampup_batch_size']}: megatron-core {version} ignores --rampup-batch-size (deprecated; "
                      "from 0.18 it no longer reaches the micro-batch calculator): the global batch stays constant",)
            given = {key: value for key, value in given.items() if key != "rampup_batch_size"}
        elif given.get("train_iters"):
            raise LrcliError(f"{sources['rampup_batch_size']}: expected no batch-size rampup for iteration-based "
                             f"training (megatron-core {version}'s validate_args asserts it); use --train-samples")
        else:
            ramp = given["rampup_batch_size"]
            try:
                ramp = [int(value) for value in ramp]  # global_vars / the calculator: int(rampup_batch_size[i])
            except (TypeError, ValueError):
                raise LrcliError(f"{sources['rampup_batch_size']}: --rampup-batch-size takes three whole numbers "
                                 f"(start, increment, samples), got {shown(str(ramp))}") from None
            given = {**given, "rampup_batch_size": ramp}
    options: dict[str, Any] = {}
    if given.get("step_batch_size_schedule") is not None:
        if _version(version) < STEP_SCHEDULE_SINCE:
            raise LrcliError(f"{sources['step_batch_size_schedule']}: megatron-core {version} has no "
                             "--step-batch-size-schedule (it arrives in 0.18; argparse stops on it); pin "
                             "--trainer megatron@0.18.2 or newer, or use --rampup-batch-size")
        # validate_args: seq_length = --seq-length, else --encoder-seq-length (it asserts one is given); the
        # micro-batch calculator reads the thresholds as tokens when it is set (global_vars.py)
        seq = given.get("seq_length", given.get("encoder_seq_length"))
        if seq is None:
            raise LrcliError(f"{where}: no --seq-length (Megatron's validate_args asserts --seq-length or "
                             "--encoder-seq-length; the step schedule's thresholds are tokens ÷ seq_length)")
        options["seq_length"] = seq
    if given.get("decrease_batch_size_if_needed") and given.get("rampup_batch_size") is not None \
            and _version(version) < STEP_SCHEDULE_SINCE:
        raise LrcliError(f"{sources['decrease_batch_size_if_needed']}: with --rampup-batch-size the ramp-up's "
                         "batches are rounded down too, which lrcli does not model; plan the run without one of them")
    if given.get("tensor_parallel_num_weight_shards") is not None:
        raise LrcliError(f"{sources['tensor_parallel_num_weight_shards']}: weight-shard rematerialisation makes "
                         "0.19's scheduler step by GBS · gtp_weight_remat_size, which lrcli does not model; "
                         "plan the run without it")
    if given.get("lr") is None:
        raise LrcliError(f"{where}: no --lr; Megatron has no default learning rate (the scheduler fails on None)")
    style = given.get("lr_decay_style", "linear")
    if style not in DECAY_STYLES:
        raise LrcliError(f"{sources['lr_decay_style']}: invalid choice {shown(style)} (choose from "
                         f"{', '.join(DECAY_STYLES)})")
    wsd_style = given.get("lr_wsd_decay_style", "exponential")
    allowed = WSD_STYLES if _version(version) >= MINUS_SQRT_SINCE else WSD_STYLES[:3]
    if wsd_style not in allowed:
        raise LrcliError(f"{sources['lr_wsd_decay_style']}: invalid choice {shown(wsd_style)} in megatron-core "
                         f"{version} (choose from {', '.join(allowed)}; minus_sqrt is 0.13+)")
    if given.get("micro_batch_size") is None:
        raise LrcliError(f"{where}: no --micro-batch-size (Megatron asserts it is given)")
    values: dict[str, Any] = {
        "framework": NAME, "dialect": NAME, "learning_rate": given["lr"],
        "lr_scheduler_type": f"megatron_{DECAY_STYLES[style]}",
        "per_device_train_batch_size": given["micro_batch_size"],
        "lr_scheduler_kwargs": {"init_lr": given.get("lr_warmup_init", 0.0), "min_lr": given.get("min_lr", 0.0),
                                "lr_wsd_decay_style": wsd_style},
        "derive_kwargs": NAME,
        "trainer_options": {**{key: given[key] for key in STEP_OPTIONS if key in given}, **options,
                            "megatron_core": version},
    }
    out: dict[str, Source | str] = {
        "framework": f"{where} (Megatron arguments)", "dialect": f"{where} (detected or --dialect)",
        "learning_rate": sources["lr"],
        "lr_scheduler_type": sources.get("lr_decay_style") or Source.default("Megatron default --lr-decay-style"),
        "per_device_train_batch_size": sources["micro_batch_size"],
        "lr_scheduler_kwargs": f"{where} --lr-warmup-init/--min-lr/--lr-wsd-decay-style (or Megatron's defaults)",
        "derive_kwargs": Source.derived(f"Megatron {version} (training.py get_optimizer_param_scheduler)"),
        "trainer_options": f"{where} training arguments; megatron-core {version} ({version_source})",
    }
    if given.get("decoupled_lr") is not None:
        notes += (f"{sources['decoupled_lr']}: the embedding and output layers train with their own max_lr "
                  f"{number_text(given['decoupled_lr'])} (min_lr {number_text(given.get('decoupled_min_lr', given.get('min_lr', 0.0)))}) "
                  "on the same schedule; lrcli shows the other parameters' --lr curve",)
    return Reading(NAME, values, out, notes, data=None)


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version(NEWEST)
