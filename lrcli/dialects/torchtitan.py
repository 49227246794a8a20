"""torchtitan job configs: a TOML job file (`--job.config_file x.toml`, the 0.1–0.2 line), the `--section.key value`
overrides of its launch command (a `.sh` launch script: `torchrun … -m torchtitan.train --job.config_file x.toml
--training.steps 10`), and the 0.3 `--module M --config F` form: F is a `config_registry` function, which lrcli
does not run; it reads what F builds from torchtitan_registry.json (every function torchtitan 0.3.0 ships, run through
torchtitan's own ConfigManager by tools/gen_torchtitan_registry.py), then applies the command's overrides on top.

Read: `[training] steps` (T), `global_batch_size`; `[optimizer] lr`; `[lr_scheduler] warmup_steps`, `decay_ratio`,
`decay_type`, the decay floor (`lr_min` in 0.1.0, `min_lr_factor` from 0.2.0) and `total_steps` (from 0.2.2). The
precedence is torchtitan's own (`ConfigManager.parse_args`): command-line overrides > TOML file > JobConfig defaults.
TOML values are taken as written (torchtitan puts them into the dataclass unconverted: a float warmup_steps is
truncated by the scheduler's `int()`); override values are parsed as tyro parses the field's type.

Which torchtitan: `--trainer torchtitan@VERSION`, else the torchtitan installed beside lrcli (its package metadata;
never imported), else by the form: a `--module/--config` command is 0.3.0, a TOML job file 0.2.2 (the newest release
that reads one). Rules per release (each checked against its own code, tools/gen_torchtitan_golden.py):
0.1.0 ignores unknown keys of a TOML section silently (so `min_lr_factor` there leaves the floor at 0); 0.2.0 renamed
`lr_min` to `min_lr_factor` and refuses unknown TOML keys (ValueError "Invalid field names", unless
`job.custom_config_module` extends the config); 0.2.2 added `total_steps`; 0.3.0 reads no TOML file at all: its
config is built by `--config <function>` from `--module <model>`'s config_registry. A function torchtitan ships is
read from the table (the lr of the catch-all `.*` param group; `--optimizer.lr` does not exist there); a module of
the user's own is refused with how to hand lrcli its values (a TOML file with the same section and key names, read
as that config under `--trainer torchtitan@0.3.0`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from lrcli.config import Source
from lrcli.dialects.reading import Reading
from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import load_document
from lrcli.inputs.files import LAUNCH_KEY, find_referenced_file, load_mapping
from lrcli.inputs.installed import installed_version
from lrcli.inputs.launch_script import LaunchCommand, entry_arguments, option_values
from lrcli.inputs.values import number_text

NAME = "torchtitan"
ENTRY_POINTS = ("torchtitan.train", "torchtitan/train.py", "torchtitan.trainer")
MODELLED = ("0.1.0", "0.2.0", "0.2.1", "0.2.2", "0.3.0")
NEWEST_TOML = "0.2.2"  # the newest release that reads TOML job files
NEWEST = "0.3.0"
REGISTRY_FILE = Path(__file__).with_name("torchtitan_registry.json")
CONFIG_FILE_OPTIONS = ("--job.config_file", "--job.config-file")
# JobConfig defaults, the same in every modelled release (0.3.0: LRSchedulersContainer.Config, TrainingConfig)
DEFAULTS = {"training.steps": 10000, "optimizer.lr": 8e-4, "lr_scheduler.warmup_steps": 200,
            "lr_scheduler.decay_ratio": None, "lr_scheduler.decay_type": "linear", "lr_scheduler.floor": 0.0,
            "lr_scheduler.total_steps": None}
DECAY_TYPES = ("linear", "sqrt", "cosine")
# The top-level tables of each TOML line's JobConfig (its dataclass fields, recorded from each release by
# tools/gen_torchtitan_golden.py; tests/test_torchtitan_parity.py checks this table against them)
_BASE = ("job", "profiling", "metrics", "model", "optimizer", "lr_scheduler", "training", "parallelism", "checkpoint",
         "activation_checkpoint")
JOB_SECTIONS = {
    "0.1.0": (*_BASE, "float8", "mx", "comm", "memory_estimation", "fault_tolerance", "experimental"),
    "0.2.0": (*_BASE, "compile", "quantize", "comm", "memory_estimation", "fault_tolerance", "experimental",
              "validation"),
    "0.2.1": (*_BASE, "compile", "quantize", "comm", "memory_estimation", "fault_tolerance", "experimental",
              "validation", "debug"),
    "0.2.2": (*_BASE, "compile", "quantize", "comm", "memory_estimation", "fault_tolerance", "experimental",
              "validation", "debug"),
}
# The keys of the other tables lrcli reads, likewise (0.2.1 moved seed/deterministic to [debug])
_TRAINING = ("dataset", "dataset_path", "local_batch_size", "global_batch_size", "seq_len", "max_norm", "steps",
             "enable_cpu_offload")
_MIXED = ("mixed_precision_param", "mixed_precision_reduce")
TABLE_KEYS = {
    "optimizer": ("name", "lr", "beta1", "beta2", "eps", "weight_decay", "implementation", "early_step_in_backward"),
    "training": {
        "0.1.0": (*_TRAINING, *_MIXED, "compile", "gc_freq", "gc_debug", "seed", "deterministic"),
        "0.2.0": (*_TRAINING, "dtype", *_MIXED, "gc_freq", "gc_debug", "seed", "deterministic",
                  "debug_moe_force_load_balance"),
        "0.2.1": (*_TRAINING, "dtype", *_MIXED, "gc_freq", "gc_debug", "dataloader"),
        "0.2.2": (*_TRAINING, "dtype", *_MIXED, "gc_freq", "gc_debug", "dataloader"),
    },
}


def rules(version: str) -> str:
    """The modelled release whose rules `version` follows: 0.1.0, 0.2.0 (0.2.0 and 0.2.1), 0.2.2 or 0.3.0."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        raise LrcliError(f"torchtitan version {shown(version)} is not a version (e.g. 0.2.2)") from None
    if parsed < Version("0.1.0"):
        raise LrcliError(f"torchtitan {version} is not modelled (its first real release is 0.1.0); lrcli models "
                         f"{', '.join(MODELLED)}: pin one with --trainer torchtitan@0.2.2")
    if parsed < Version("0.2.0"):
        return "0.1.0"
    if parsed < Version("0.2.2"):
        return "0.2.0"
    if parsed < Version("0.3.0"):
        return "0.2.2"
    return "0.3.0"


def scheduler_keys(line: str) -> tuple[str, ...]:
    """The `[lr_scheduler]` keys of a release line."""
    floor = "lr_min" if line == "0.1.0" else "min_lr_factor"
    total = ("total_steps",) if line in ("0.2.2", "0.3.0") else ()
    return ("warmup_steps", "decay_ratio", "decay_type", floor, *total)


def claims(raw: Mapping[str, Any]) -> int:
    if _launch(raw) is not None:
        return 13
    scheduler, training = raw.get("lr_scheduler"), raw.get("training")
    if isinstance(scheduler, Mapping) and isinstance(training, Mapping) and "steps" in training:
        return 11  # TOML sections: [lr_scheduler] and [training] with steps
    if isinstance(raw.get("job"), Mapping) and isinstance(training, Mapping):
        return 11
    return 0


def _launches(raw: Mapping[str, Any]) -> list[tuple[LaunchCommand, list[str]]]:
    """The commands of a launch script that run torchtitan's trainer, with their arguments."""
    commands = raw.get(LAUNCH_KEY)
    if not isinstance(commands, Sequence):
        return []
    found = [(command, entry_arguments(command, ENTRY_POINTS)) for command in commands
             if isinstance(command, LaunchCommand)]
    return [(command, arguments[1]) for command, arguments in found if arguments is not None]


def _launch(raw: Mapping[str, Any]) -> tuple[LaunchCommand, list[str]] | None:
    """The command lrcli reads: the last that runs torchtitan's trainer. Scripts such as torchtitan's run_train.sh
    keep a debug launch in an `if` branch before the normal one, and lrcli reads both branches (it does not
    evaluate conditions), so the last is the run's own launch."""
    launches = _launches(raw)
    return launches[-1] if launches else None


class _Pick:
    """Which release's rules apply, and why."""

    def __init__(self, trainer: str | None, form: str = "toml") -> None:
        pin = None
        if trainer is not None:
            name, at, version = trainer.partition("@")
            if name != NAME or not at or not version:
                raise LrcliError(f"--trainer {shown(trainer)}: a torchtitan config takes --trainer torchtitan@VERSION "
                                 f"(one of {', '.join(MODELLED)})")
            pin = version
        installed = installed_version("torchtitan")
        if pin is not None:
            self.version, self.why = pin, Source.flag(f"--trainer {trainer}")
        elif installed is not None:
            self.version, self.why = installed, Source("environment", "installed")
        elif form == "registry":
            self.version = NEWEST
            self.why = Source.default(f"torchtitan {self.version}: the release of --module/--config")
        else:
            self.version = NEWEST_TOML
            self.why = Source.default(f"torchtitan {self.version}: the newest release that reads TOML job files")
        self.line = rules(self.version)
        self.notes: list[str] = []
        if Version(self.version) > Version(NEWEST):
            self.notes.append(f"torchtitan {self.version} is newer than the newest release lrcli models ({NEWEST}); "
                              f"its {NEWEST} rules are used")


def _override_value(key: str, text: str, where: str) -> Any:
    """A command-line override as tyro parses the field's type: int, float, `None` for the optional ones."""
    optional = key in ("lr_scheduler.decay_ratio", "lr_scheduler.total_steps")
    if optional and text == "None":
        return None
    try:
        if key in ("training.steps", "training.global_batch_size", "lr_scheduler.warmup_steps",
                   "lr_scheduler.total_steps"):
            return int(text)
        if key == "lr_scheduler.decay_type":
            if text not in DECAY_TYPES:
                raise ValueError
            return text
        return float(text)
    except ValueError:
        kind = "one of " + ", ".join(DECAY_TYPES) if key == "lr_scheduler.decay_type" else (
            "a whole number" if key.endswith(("steps", "batch_size")) else "a number")
        raise LrcliError(f"{where}: {shown(text)} is not {kind} (torchtitan's parser refuses it)") from None


def _overrides(arguments: list[str], where: str) -> dict[str, tuple[str, str]]:
    """`--section.key value` / `--section.key=value` options (dashes read as underscores, as tyro accepts them),
    the last one winning: {"section.key": (value text, the words that name it)}."""
    found: dict[str, tuple[str, str]] = {}
    for option, words in option_values(arguments):
        key = option.lstrip("-").replace("-", "_")
        if key in ("module", "config"):
            continue  # 0.3's config_registry choice, read by _registry_config
        if not words:
            continue  # a bare flag (`--compile.enable`): no value lrcli reads
        found[key] = (words[0], f"{where} {option}")
    return found


def _check_number(value: Any, what: str, *, whole: bool = False, minimum: float | None = None) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LrcliError(f"{what} must be a number, got {number_text(value)}")
    if whole and not (isinstance(value, int) or value.is_integer()):
        raise LrcliError(f"{what} must be a whole number, got {number_text(value)}")
    if minimum is not None and value < minimum:
        raise LrcliError(f"{what} must be ≥ {number_text(minimum)}, got {number_text(value)}")
    return int(value) if whole else value


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None,
         arguments: Sequence[str] = ()) -> Reading:
    """`raw` is a TOML job file or a launch script (`LAUNCH_KEY`); `arguments` are overrides given to lrcli itself
    (trailing `--section.key value` words), applied last."""
    where = path.name
    toml: Mapping[str, Any] = {}
    toml_where = where
    overrides: dict[str, tuple[str, str]] = {}
    launch = _launch(raw)
    notes: list[str] = []
    form = "toml"
    if launch is not None:
        command, args = launch
        at = f"{where} line {command.line}"
        others = [str(other.line) for other, _ in _launches(raw)[:-1]]
        if others:
            notes.append(f"{where} runs torchtitan's trainer on lines {', '.join(others)} and {command.line}; lrcli "
                         f"reads line {command.line}, the last (the branches of an `if` are not evaluated)")
        options = dict(option_values(args))
        if "--module" in options or "--config" in options:
            toml, toml_where, registry_notes = _registry_config(options, at)
            notes += registry_notes
            form = "registry"
        file_option = next((options[name] for name in CONFIG_FILE_OPTIONS if options.get(name)), None)
        overrides = _overrides(args, at)
        if file_option:
            found, _how = find_referenced_file(file_option[0], path, "--job.config_file", "torchtitan job file")
            if found is None:
                raise LrcliError(f"{at}: --job.config_file {shown(file_option[0])} not found beside {where} nor in "
                                 "the current directory (torchtitan opens it from its working directory)")
            toml, toml_where = load_mapping(found), found.name
    else:
        toml = raw
    pick = _Pick(trainer, form)
    if form == "registry" and pick.line != "0.3.0":
        raise LrcliError(f"{where}: --module/--config (a config_registry function) is torchtitan 0.3's form, but "
                         f"{pick.why} says torchtitan {pick.version}, which reads a TOML job file "
                         "(--job.config_file); pin --trainer torchtitan@0.3.0 or launch with a job file")
    if arguments:
        overrides.update(_overrides(list(arguments), "argument after --"))
    notes += pick.notes
    if pick.line == "0.3.0" and toml and form == "toml":
        notes.append(f"torchtitan {pick.version} reads no TOML job file; lrcli takes {toml_where}'s values as the "
                     "config your config_registry function builds (the same section and key names)")
    keys = scheduler_keys(pick.line)
    floor_key = keys[3]
    values: dict[str, Any] = {}
    sources: dict[str, Source | str] = {}

    def setting(dotted: str) -> tuple[Any, Source | str]:
        """The value of `section.key` (the floor under its release's name) and where it came from."""
        section, _, key = dotted.partition(".")
        real = f"{section}.{floor_key}" if key == "floor" else dotted
        if real in overrides:
            text, words = overrides[real]
            return _override_value(real if key != "floor" else "lr_scheduler.floor", text, words), Source.flag(words)
        table = toml.get(section)
        name = real.partition(".")[2]
        if isinstance(table, Mapping) and name in table:
            return table[name], f"{toml_where} key {real}"
        if pick.line == "0.3.0" and dotted in ("optimizer.lr", "training.steps") and toml:
            raise LrcliError(f"{toml_where}: no {real}; the values file of a torchtitan 0.3 run needs it (the "
                             "config_registry function sets it)")
        return DEFAULTS[dotted], Source.default(f"torchtitan {pick.version} default")

    _check_section(toml, toml_where, pick, keys, overrides, notes)
    steps, sources["max_steps"] = setting("training.steps")
    values["max_steps"] = _check_number(steps, str(sources["max_steps"]), whole=True, minimum=1)
    lr, sources["learning_rate"] = setting("optimizer.lr")
    values["learning_rate"] = _check_number(lr, str(sources["learning_rate"]))
    warmup, sources["warmup_steps"] = setting("lr_scheduler.warmup_steps")
    warmup = int(_check_number(warmup, str(sources["warmup_steps"])))  # the scheduler's int(warmup_steps)
    if warmup < 0:
        raise LrcliError(f"{sources['warmup_steps']} must be ≥ 0, got {warmup} (torchtitan would start its decay "
                         "before step 0; lrcli does not model that)")
    values["warmup_steps"] = warmup
    kwargs: dict[str, Any] = {}
    kwarg_sources: list[str] = []
    for key in ("decay_ratio", "decay_type", "floor", "total_steps"):
        if key == "total_steps" and "total_steps" not in keys:
            continue
        value, source = setting(f"lr_scheduler.{key}")
        what = str(source)
        if key == "decay_type":
            if not isinstance(value, str):
                raise LrcliError(f"{what} must be one of {', '.join(DECAY_TYPES)}, got {number_text(value)}")
        elif value is not None:
            value = _check_number(value, what, whole=key == "total_steps", minimum=1 if key == "total_steps" else None)
        if value is not None:
            kwargs["min_lr_factor" if key == "floor" else key] = value
        kwarg_sources.append(what)
    values["lr_scheduler_kwargs"] = kwargs
    sources["lr_scheduler_kwargs"] = Source.derived("; ".join(dict.fromkeys(kwarg_sources)))
    batch, batch_source = setting("training.global_batch_size") if _has(toml, overrides, "training.global_batch_size") \
        else (None, "")
    if batch is not None and _check_number(batch, str(batch_source), whole=True) > 0:
        values["global_batch_size"], sources["global_batch_size"] = int(batch), batch_source
    values["framework"], sources["framework"] = NAME, f"{where} (torchtitan job)"
    values["lr_scheduler_type"], sources["lr_scheduler_type"] = "torchtitan_wsd", Source.default(
        "torchtitan's LambdaLR (build_lr_schedulers)")
    values["trainer_options"] = {"torchtitan": pick.version}
    sources["trainer_options"] = pick.why
    values["dialect"], sources["dialect"] = NAME, f"{where} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=tuple(notes))


@functools.cache
def registry() -> dict[str, Any]:
    """torchtitan 0.3's config_registry functions as torchtitan builds them: torchtitan_registry.json beside this
    file, written by tools/gen_torchtitan_registry.py (which runs each function through torchtitan's ConfigManager)."""
    return load_document(REGISTRY_FILE, "lrcli's torchtitan config_registry table", limit=4 * 1024 * 1024)


def _registry_module(name: str) -> str:
    """The short module name torchtitan's ConfigManager resolves `--module` to: `llama3`, or the same module spelt
    fully (`torchtitan.models.llama3`, `…llama3.config_registry`)."""
    name = name.removesuffix(".config_registry")
    for prefix in ("torchtitan.experiments.rl.examples.", "torchtitan.models.", "torchtitan.experiments."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _registry_config(options: Mapping[str, list[str]], at: str) -> tuple[dict[str, Any], str, list[str]]:
    """The values of `--module M --config F` from the table (as TOML-shaped sections), where they come from, and
    notes. A module torchtitan does not ship is the user's own Python, which lrcli does not run."""
    module_text = " ".join(options.get("--module", []))
    function = " ".join(options.get("--config", []))
    table = registry()
    version = table["torchtitan"]
    if not module_text or not function:
        raise LrcliError(f"{at}: torchtitan {version} needs both --module and --config (ConfigManager raises "
                         "ValueError without either); add the missing one")
    if "$" in module_text + function:
        raise LrcliError(f"{at}: --module {shown(module_text)} --config {shown(function)} is only known to the "
                         "running shell; write the module and function names into the script")
    module = _registry_module(module_text)
    modules = sorted({key.partition(":")[0] for key in table["configs"]})
    how = ("hand lrcli its values instead: a TOML file with [training] steps, [optimizer] lr and [lr_scheduler] "
           f"keys, `lrcli plot values.toml --trainer torchtitan@{version}`, with the launch's --section.key "
           "overrides after `--`")
    if module_text.endswith(".py") or "/" in module_text or (module not in modules and module not in
                                                             table["unavailable"]):
        kind = "a Python file" if module_text.endswith(".py") or "/" in module_text else "a module"
        raise LrcliError(f"{at}: --module {shown(module_text)} is {kind} torchtitan {version} does not ship; lrcli "
                         f"does not run Python config code, so {how}. torchtitan's own modules: {', '.join(modules)}")
    if module in table["unavailable"]:
        raise LrcliError(f"{at}: torchtitan {version}'s --module {module} could not be imported to tabulate it "
                         f"(it needs vllm: an RL or autoparallel experiment); {how}")
    key = f"{module}:{function}"
    if key not in table["configs"]:
        known = sorted(name.partition(":")[2] for name in table["configs"] if name.startswith(f"{module}:"))
        raise LrcliError(f"{at}: torchtitan {version}'s {module} config_registry has no function "
                         f"{shown(function)}; its configs: {', '.join(known)}")
    entry = table["configs"][key]
    groups = entry["param_groups"]
    catch_all = next((group for group in groups if group["pattern"] == ".*"), groups[0])
    notes = []
    others = [group for group in groups if group["lr"] != catch_all["lr"]]
    if others:
        listed = ", ".join(f"{group['pattern']} ({group['optimizer']}) {number_text(group['lr'])}" for group in others)
        notes.append(f"{key}: the plotted lr is the catch-all param group's ({number_text(catch_all['lr'])}); "
                     f"the groups {listed} follow the same curve scaled to their own lr")
    values = {"training": {name: value for name, value in entry["training"].items()
                           if name in ("steps", "global_batch_size")},
              "optimizer": {"lr": catch_all["lr"]},
              "lr_scheduler": dict(entry["lr_scheduler"])}
    return values, f"torchtitan {version} config_registry {key}", notes


def _has(toml: Mapping[str, Any], overrides: Mapping[str, Any], dotted: str) -> bool:
    section, _, key = dotted.partition(".")
    table = toml.get(section)
    return dotted in overrides or (isinstance(table, Mapping) and key in table)


def _check_section(toml: Mapping[str, Any], where: str, pick: _Pick, keys: tuple[str, ...],
                   overrides: Mapping[str, tuple[str, str]], notes: list[str]) -> None:
    """Keys of `[lr_scheduler]` (and overrides under it) that the release does not have: 0.1.0 drops a TOML key
    silently, 0.2+ raise ValueError (tyro refuses an unknown option in every release)."""
    renamed = {"lr_min": "min_lr_factor (renamed in 0.2.0)", "min_lr_factor": "lr_min in 0.1.0",
               "total_steps": "added in 0.2.2"}
    for dotted, (_text, words) in overrides.items():
        section, _, key = dotted.partition(".")
        if pick.line == "0.3.0" and dotted == "optimizer.lr":
            raise LrcliError(f"{words}: torchtitan {pick.version} has no optimizer.lr (the lr sits in "
                             "optimizer.param_groups, set by the config function); its parser refuses the option")
        if section == "lr_scheduler" and key not in keys:
            hint = f" ({renamed[key]})" if key in renamed else ""
            raise LrcliError(f"{words}: torchtitan {pick.version} has no lr_scheduler.{key}{hint}; its parser "
                             f"refuses the option. Its keys: {', '.join(keys)}")
    job = toml.get("job")
    custom = isinstance(job, Mapping) and bool(job.get("custom_config_module"))
    sections = JOB_SECTIONS.get(pick.version, JOB_SECTIONS.get(pick.line))
    if pick.line in ("0.2.0", "0.2.2") and not custom and sections is not None:
        unknown_tables = [key for key in toml if key not in sections]
        if unknown_tables:
            raise LrcliError(f"{where}: torchtitan {pick.version} raises ValueError (Invalid field names in JobConfig: "
                             f"{', '.join(unknown_tables)}): a table its JobConfig does not have (0.1.0's [float8] "
                             "became [quantize.linear.float8] in 0.2.0); remove it or pin the release the file is "
                             "for with --trainer torchtitan@VERSION")
        for name in ("training", "optimizer"):
            given = toml.get(name)
            known = TABLE_KEYS[name] if name == "optimizer" else TABLE_KEYS["training"].get(
                pick.version, TABLE_KEYS["training"][pick.line])
            extra = [key for key in given if key not in known] if isinstance(given, Mapping) else []
            if extra:
                raise LrcliError(f"{where}: torchtitan {pick.version} raises ValueError (Invalid field names in "
                                 f"{name.capitalize()}: {', '.join(extra)}); remove them or pin the release the file "
                                 "is for with --trainer torchtitan@VERSION")
    table = toml.get("lr_scheduler")
    if table is None:
        return
    if not isinstance(table, Mapping):
        raise LrcliError(f"{where}: lr_scheduler must be a table ([lr_scheduler]), got {number_text(table)}")
    unknown = [key for key in table if key not in keys]
    if not unknown:
        return
    hints = "; ".join(f"{key}: {renamed[key]}" for key in unknown if key in renamed)
    hints = f" ({hints})" if hints else ""
    listed = ", ".join(unknown)
    if pick.line == "0.1.0":
        notes.append(f"{where}: torchtitan {pick.version} ignores [lr_scheduler] {listed}{hints}; the curve is what "
                     "it runs without them")
        return
    if custom:
        notes.append(f"{where}: [lr_scheduler] {listed} is not a key of torchtitan {pick.version}'s LRScheduler"
                     f"{hints}; job.custom_config_module may add it, but build_lr_schedulers does not read it")
        return
    raise LrcliError(f"{where}: torchtitan {pick.version} raises ValueError (Invalid field names in LRScheduler: "
                     f"{listed}){hints}; its keys: {', '.join(keys)}. Rename or remove them, or pin the release they "
                     "belong to with --trainer torchtitan@VERSION")
