"""verl configs: its Hydra YAML (`ppo_trainer.yaml`-style: `actor_rollout_ref.actor.optim.*`, `critic.optim.*`,
`data.*`, `trainer.*`; the SFT trainer's top-level `optim`) and the `key.path=value` overrides a launch script passes
to `python3 -m verl.trainer.main_ppo` (or `verl.trainer.sft_trainer` / `fsdp_sft_trainer`), both read on top of the
defaults of the modelled release.

Which optimizer: `--trainer actor|critic|sft` (default: sft for an SFT trainer config, else actor), optionally pinned
to a release, `actor@0.5`; else the verl installed beside lrcli (package metadata, never imported), else 0.9.1.
Releases 0.5.x, 0.7.x and 0.8.x read the rules of 0.5.0, 0.7.1 and 0.8.0, 0.9+ those of 0.9.1 (lrcli.steps.verl says
what differs); 0.6 is refused.

Defaults (verl 0.9.1 `trainer/config/_generated_ppo_trainer.yaml`, `optim/fsdp.yaml`, `sft_trainer_engine.yaml`;
verl 0.5.0 `_generated_ppo_trainer.yaml`, `sft_trainer.yaml`): actor lr 1e-6, critic lr 1e-5, lr_warmup_steps -1,
lr_warmup_steps_ratio 0, min_lr_ratio 0, num_cycles 0.5, a constant schedule (`lr_scheduler_type`, 0.5:
`warmup_style`); data.train_batch_size 1024, trainer.total_epochs 30. SFT: 0.9.1 lr 1e-3 (optim/fsdp.yaml), constant;
0.5.0 lr 1e-5, cosine, warmup_steps_ratio 0.1; data.train_batch_size 256, total_epochs 4.
Hydra/OmegaConf read `1e-6` as a float (PyYAML does not): numeric strings are numbers here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from lrcli.config import Source
from lrcli.data.refs import DataEntry, DatasetRef, DataSpec
from lrcli.dialects.reading import Reading, get_nested
from lrcli.errors import LrcliError, shown
from lrcli.inputs.files import find_referenced_file, load_mapping
from lrcli.inputs.installed import installed_version
from lrcli.inputs.values import coerce_number, finite_float, whole_number

NAME = "verl"
ROLES = ("actor", "critic", "sft")
# the modules a launch script runs verl through (lrcli.inputs.launch_script.entry_arguments)
ENTRY_POINTS = ("verl.trainer.main_ppo", "verl.trainer.sft_trainer", "verl.trainer.fsdp_sft_trainer")
OPTIM_PATH = {"actor": "actor_rollout_ref.actor.optim", "critic": "critic.optim", "sft": "optim"}

# release -> role -> optimizer defaults (the keys lrcli reads)
OPTIM_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "0.9.1": {
        "actor": {"lr": 1e-6, "lr_warmup_steps": -1, "lr_warmup_steps_ratio": 0.0, "min_lr_ratio": 0.0,
                  "num_cycles": 0.5, "lr_scheduler_type": "constant", "warmup_style": None, "zero_indexed_step": True},
        "critic": {"lr": 1e-5, "lr_warmup_steps": -1, "lr_warmup_steps_ratio": 0.0, "min_lr_ratio": 0.0,
                   "num_cycles": 0.5, "lr_scheduler_type": "constant", "warmup_style": None, "zero_indexed_step": True},
        "sft": {"lr": 1e-3, "lr_warmup_steps": -1, "lr_warmup_steps_ratio": 0.0, "min_lr_ratio": 0.0,
                "num_cycles": 0.5, "lr_scheduler_type": "constant", "warmup_style": None, "zero_indexed_step": True},
    },
    "0.8.0": {},  # filled below: the same keys and values as 0.9.1 (checked against each release's files)
    "0.7.1": {},
    "0.5.0": {
        "actor": {"lr": 1e-6, "lr_warmup_steps": -1, "lr_warmup_steps_ratio": 0.0, "min_lr_ratio": 0.0,
                  "num_cycles": 0.5, "warmup_style": "constant"},
        "critic": {"lr": 1e-5, "lr_warmup_steps": -1, "lr_warmup_steps_ratio": 0.0, "min_lr_ratio": None,
                   "warmup_style": "constant"},
        "sft": {"lr": 1e-5, "warmup_steps_ratio": 0.1, "lr_scheduler": "cosine"},
    },
}  # fmt: skip
OPTIM_DEFAULTS["0.8.0"] = OPTIM_DEFAULTS["0.7.1"] = OPTIM_DEFAULTS["0.9.1"]
ENGINE_RELEASES = ("0.9.1", "0.8.0")  # their FSDP engine builds the scheduler from FSDPOptimizerConfig
DATA_DEFAULTS = {"ppo": {"train_batch_size": 1024, "total_epochs": 30}, "sft": {"train_batch_size": 256, "total_epochs": 4}}
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][\w.]*)\}")


def claims(raw: Mapping[str, Any]) -> int:
    if isinstance(raw.get("actor_rollout_ref"), Mapping):
        return 11
    if isinstance(get_nested(raw, "critic.optim"), Mapping) and isinstance(raw.get("trainer"), Mapping):
        return 11
    optim, trainer = raw.get("optim"), raw.get("trainer")
    if isinstance(optim, Mapping) and isinstance(trainer, Mapping) and "total_epochs" in trainer:
        return 11
    return 0


# ------------------------------------------------------------------------------------------------- Hydra overrides
def _hydra_value(text: str) -> Any:
    """An override's value as Hydra's grammar types it: null, true/false, ints, floats (`1e-6`), quoted strings."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered == "null":
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "'\"":
        return stripped[1:-1]
    if len(stripped) >= 2 and stripped[0] == "[" and stripped[-1] == "]":  # a list: `['a.parquet', 'b.parquet']`
        items = re.findall(r"""\s*('[^']*'|"[^"]*"|[^,]+)\s*(?:,|$)""", stripped[1:-1])
        return [_hydra_value(item) for item in items if item.strip()]
    return coerce_number(stripped)


def overrides_mapping(arguments: list[str], where: str) -> dict[str, Any]:
    """Hydra command-line overrides (`a.b.c=v`, `+a.b=v`, `++a.b=v`, `~a.b`) as the nested mapping they set;
    other words (Hydra's own options) are skipped."""
    raw: dict[str, Any] = {}
    for word in arguments:
        if word.startswith("~"):
            continue  # a deletion: the key falls back to nothing, which lrcli reads as the default
        key, sep, value = word.lstrip("+").partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*", key):
            continue
        node = raw
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = _hydra_value(value)
    if not raw:
        raise LrcliError(f"{where}: no Hydra overrides (key.path=value) for verl")
    return raw


def launch_mapping(entry: str, arguments: list[str], command: Any, path: Path) -> dict[str, Any]:
    """The overrides a launch script's `python3 -m verl.trainer.<entry> a.b=c …` passes (on the release's default
    config); `_verl_entry` remembers an SFT trainer entry point."""
    where = f"{path.name}:{command.line}"
    raw = overrides_mapping(arguments, where)
    named = _config_name(arguments)
    if named is not None:  # `--config-path DIR --config-name NAME`: the user's config, the overrides over it
        folder, name = named
        found, looked = find_referenced_file(str(Path(folder) / f"{name.removesuffix('.yaml')}.yaml"), path,
                                             "--config-name", "a verl config")
        if found is None:
            raise LrcliError(f"{where}: --config-name {shown(name)} is not in {looked} (under --config-path "
                             f"{shown(folder)}); point lrcli at that YAML with the overrides in it instead")
        raw = _merged(load_mapping(found), raw)
    module = entry.rsplit(".", 1)[-1]
    if module in ("sft_trainer", "fsdp_sft_trainer"):
        raw["_verl_entry"] = "sft"
        raw["_verl_entry_module"] = module
    return raw


def _config_name(arguments: list[str]) -> tuple[str, str] | None:
    """(--config-path, --config-name) of Hydra's command line (`--config-path=x`, `-cp x`, `--config-name y`, `-cn y`),
    or None when the script runs verl's own config."""
    found: dict[str, str] = {}
    words = iter(arguments)
    for word in words:
        name, sep, value = word.partition("=")
        key = {"--config-path": "path", "-cp": "path", "--config-name": "name", "-cn": "name"}.get(name)
        if key is not None:
            found[key] = value if sep else next(words, "")
    if "name" not in found or found["name"] in ("ppo_trainer", "sft_trainer", "sft_trainer_engine"):
        return None
    return found.get("path", "config"), found["name"].strip("'\"")


def _merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) else value
    return out


# ------------------------------------------------------------------------------------------------ version and role
def _release(text: str | None, where: str) -> str:
    try:
        minor = (*Version(text).release, 0)[:2] if text else None
    except InvalidVersion:
        raise LrcliError(f"{where}: {shown(text)} is not a verl version; write it like actor@0.5 or actor@0.9.1") from None
    if minor is None or minor >= (0, 9):
        return "0.9.1"
    found = {(0, 8): "0.8.0", (0, 7): "0.7.1", (0, 5): "0.5.0"}.get(minor)
    if found is None:
        raise LrcliError(f"{where}: verl {text} is not modelled; lrcli reads verl 0.5, 0.7, 0.8 and 0.9+ (the rules of "
                         "0.5.0, 0.7.1, 0.8.0, 0.9.1); pin one with --trainer actor@0.9")
    return found


def _role_and_release(raw: Mapping[str, Any], trainer: str | None) -> tuple[str, str, str, str]:
    """(role, release, where the role came from, where the release came from)."""
    name, _, pinned = (trainer or "").strip().lower().partition("@")
    if name and name not in ROLES:
        raise LrcliError(f"--trainer {shown(trainer)}: verl's optimizers are {' | '.join(ROLES)} (optionally @VERSION)")
    if name:
        role, role_source = name, "--trainer"
    elif raw.get("_verl_entry") == "sft":
        role, role_source = "sft", "the SFT trainer the launch script runs"
    elif "actor_rollout_ref" in raw or "critic" in raw or "_verl_entry" not in raw and "optim" not in raw:
        role, role_source = "actor", "verl default: the actor's optimizer (--trainer critic for the critic's)"
    else:
        role, role_source = "sft", "the SFT trainer's optim"
    legacy_sft = raw.get("_verl_entry_module") == "fsdp_sft_trainer"  # removed in verl 0.7
    if pinned:
        release, release_source = _release(pinned, f"--trainer {trainer}"), "--trainer"
    elif installed_version("verl") is not None:
        installed = installed_version("verl")
        release, release_source = _release(installed, f"the installed verl {installed}"), f"installed verl {installed}"
    elif legacy_sft:
        return role, "0.5.0", role_source, "verl.trainer.fsdp_sft_trainer, which verl 0.7+ no longer has"
    else:
        release, release_source = "0.9.1", "the newest verl lrcli models"
    if legacy_sft and release != "0.5.0":
        raise LrcliError(f"the launch script runs verl.trainer.fsdp_sft_trainer, which verl {release} does not have "
                         "(removed in 0.7; its SFT trainer is verl.trainer.sft_trainer); pin --trainer sft@0.5")
    return role, release, role_source, release_source


def _resolved(raw: Mapping[str, Any], value: Any, depth: int = 0) -> Any:
    # ${a.b.c} interpolations of another key (OmegaConf), followed a few levels; others are left as text
    if isinstance(value, str) and depth < 10:
        match = _INTERPOLATION.fullmatch(value.strip())
        if match:
            return _resolved(raw, get_nested(raw, match.group(1)), depth + 1)
    return coerce_number(value)


# ----------------------------------------------------------------------------------------------------------- read
def _train_files(raw: Mapping[str, Any], path: Path) -> DataSpec | None:
    files = get_nested(raw, "data.train_files")
    if files is None:
        return None
    where = f"{path.name} key data.train_files"
    listed = files if isinstance(files, list) else [files]
    entries = []
    for i, name in enumerate(listed):
        if not isinstance(name, str):
            raise LrcliError(f"{where}: a parquet path was expected, got {name!r}")
        try:
            local = Path(name).expanduser()
        except RuntimeError:  # `~user/…` of a user this machine does not have
            local = Path(name)
        if local.suffix != ".parquet":
            return DataSpec(NAME, (), {}, where, f"{where}: {shown(name)} is not a .parquet file verl's datasets read")
        ref = DatasetRef("parquet", builder="parquet", data_files=(("train", str(local)),), hub=False,
                         where=f"{where}[{i}]" if isinstance(files, list) else where, roots=(Path.cwd(), path.parent))
        entries.append(DataEntry(ref, {}))
    return DataSpec(NAME, tuple(entries), {}, where)


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    where = path.name
    role, release, role_source, release_source = _role_and_release(raw, trainer)
    optim_path = OPTIM_PATH[role]
    given = get_nested(raw, optim_path)
    if given is not None and not isinstance(given, Mapping):
        raise LrcliError(f"{where}: {optim_path} must be a mapping of optimizer settings")
    given = given or {}
    defaults = OPTIM_DEFAULTS[release][role]
    values: dict[str, Any] = {"framework": NAME, "trainer": role, "dialect": NAME}
    sources: dict[str, Source | str] = {
        "framework": f"{where} (verl config)", "trainer": Source.default(role_source) if role_source != "--trainer"
        else Source.flag("--trainer"), "dialect": f"{where} (detected or --dialect)",
    }
    notes: list[str] = []

    def optim(key: str) -> tuple[Any, Source | str]:
        if key in given:
            return _resolved(raw, given[key]), f"{where} key {optim_path}.{key}"
        return defaults.get(key), Source.default(f"verl {release} default {optim_path}.{key}")

    strategy_key = {"actor": "actor_rollout_ref.actor.strategy", "critic": "critic.strategy",
                    "sft": "strategy" if release == "0.5.0" else "engine.strategy"}[role]
    strategy = get_nested(raw, strategy_key)
    if strategy is not None and str(strategy).startswith("${"):
        strategy = _resolved(raw, strategy)
    if strategy is not None and strategy not in ("fsdp", "fsdp2"):
        raise LrcliError(f"{where}: {strategy_key} {shown(str(strategy))}: lrcli models verl's FSDP workers only (its "
                         "megatron/torchtitan/veomni engines build other schedulers); give --total-steps and read "
                         "the curve from that engine's own settings")
    estimator, enable = get_nested(raw, "algorithm.adv_estimator"), get_nested(raw, "critic.enable")
    if role == "critic" and not (bool(enable) if enable is not None else estimator in (None, "gae")):
        notes.append(f"{where}: this run trains no critic (verl's need_critic: critic.enable, else only for "
                     f"adv_estimator gae, here {estimator or 'gae'}); this is the curve it would have")
    values["learning_rate"], sources["learning_rate"] = optim("lr")
    options: dict[str, Any] = {"verl_version": release}
    option_sources = [f"verl {release} ({release_source})"]
    kwargs: dict[str, Any] = {}
    if role == "sft" and release == "0.5.0":
        kind, kind_source = optim("lr_scheduler")
        schedule = {"cosine": "verl_cosine_0_5", "wsd": "verl_wsd"}.get(kind)
        if schedule is None:
            raise LrcliError(f"{where}: optim.lr_scheduler {shown(kind)} is not one verl 0.5's SFT trainer has "
                             "(cosine, wsd): it raises ValueError")
        ratio, ratio_source = optim("warmup_steps_ratio")
        options["warmup_steps_ratio"] = finite_float(ratio, str(ratio_source))
    else:
        kind, kind_source = optim("warmup_style") if release == "0.5.0" else optim("lr_scheduler_type")
        if release == "0.7.1" and given.get("warmup_style") is not None:
            notes.append(f"{where}: verl 0.7's FSDP workers read {optim_path}.lr_scheduler_type; warmup_style is not "
                         "used by them")
        if release == "0.5.0":
            for key in ("lr_scheduler_type", "zero_indexed_step"):
                if key in given:
                    notes.append(f"{where}: verl 0.5 has no {optim_path}.{key} (added in 0.6+); its schedule is "
                                 "warmup_style (Hydra refuses the unknown key on the command line)")
        style, style_source = optim("warmup_style")
        if release in ENGINE_RELEASES and style is not None:
            kind, kind_source = style, style_source  # FSDPOptimizerConfig: the deprecated key wins when set
            notes.append(f"{where}: {optim_path}.warmup_style is deprecated in verl 0.9; it still sets the schedule")
        if kind not in ("constant", "cosine"):
            raise LrcliError(f"{where}: {optim_path} schedule {shown(kind)} is not one verl's FSDP workers build "
                             "(constant, cosine)")
        steps, steps_source = optim("lr_warmup_steps")
        options["lr_warmup_steps"] = None if steps is None else whole_number(steps, str(steps_source), minimum=-(2**53))
        ratio, ratio_source = optim("lr_warmup_steps_ratio")
        options["lr_warmup_steps_ratio"] = finite_float(ratio, str(ratio_source))
        if kind == "constant":
            schedule = "verl_constant"
        elif release == "0.5.0":
            schedule = "verl_cosine_0_5"
            if role == "actor":  # 0.5.0's critic builds its cosine without min_lr_ratio and num_cycles
                kwargs = {"min_lr_ratio": optim("min_lr_ratio")[0], "num_cycles": optim("num_cycles")[0]}
            elif "min_lr_ratio" in given or "num_cycles" in given:
                notes.append(f"{where}: verl 0.5's critic builds its cosine without min_lr_ratio and num_cycles; "
                             "they are not used")
        else:
            schedule = "verl_cosine"
            kwargs = {"min_lr_ratio": optim("min_lr_ratio")[0], "num_cycles": optim("num_cycles")[0]}
            if release in ENGINE_RELEASES:
                kwargs["zero_indexed_step"] = optim("zero_indexed_step")[0]
            elif given.get("zero_indexed_step") is False:
                notes.append(f"{where}: verl 0.7's FSDP workers do not pass zero_indexed_step to the cosine: its "
                             "steps count from 0")
    values["lr_scheduler_type"], sources["lr_scheduler_type"] = schedule, kind_source
    if kwargs:
        values["lr_scheduler_kwargs"] = kwargs
        sources["lr_scheduler_kwargs"] = f"{where} keys {optim_path}.min_lr_ratio/num_cycles (or their defaults)"
    sft = role == "sft"
    data_defaults = DATA_DEFAULTS["sft" if sft else "ppo"]
    batch = _resolved(raw, get_nested(raw, "data.train_batch_size"))
    options["train_batch_size"] = data_defaults["train_batch_size"] if batch is None else \
        whole_number(batch, f"{where} key data.train_batch_size", minimum=1)
    data = raw.get("data")
    for key in ("gen_batch_size", "train_max_samples"):
        if isinstance(data, Mapping) and key in data:
            value = _resolved(raw, data[key])
            options[key] = None if value is None else whole_number(value, f"{where} key data.{key}", minimum=-(2**53))
    if release == "0.9.1" and options.get("gen_batch_size", 0) is None:
        del options["gen_batch_size"]
    if not sft and release == "0.9.1":
        use_v1 = get_nested(raw, "trainer.use_v1")
        options["use_v1"] = True if use_v1 is None else bool(use_v1)
        mode = get_nested(raw, "trainer.v1.trainer_mode") or "sync"
        sync = get_nested(raw, f"trainer.v1.{mode}.parameter_sync_step")
        options["parameter_sync_step"] = (4 if mode == "separate_async" else 1) if sync is None else \
            whole_number(_resolved(raw, sync), f"{where} key trainer.v1.{mode}.parameter_sync_step", minimum=1)
        options["trainer_mode"] = str(mode)
    if sft:
        sp_key = "ulysses_sequence_parallel_size" if release == "0.5.0" else "engine.ulysses_sequence_parallel_size"
        sp = get_nested(raw, sp_key)
        options["ulysses_sequence_parallel_size"] = 1 if sp is None else \
            whole_number(_resolved(raw, sp), f"{where} key {sp_key}", minimum=1)
    if get_nested(raw, "data.filter_overlong_prompts") is True:
        notes.append(f"{where}: data.filter_overlong_prompts drops prompts longer than max_prompt_length after "
                     "loading: the step count from N is an upper bound")
    values["trainer_options"] = options
    sources["trainer_options"] = f"{where}: {', '.join(option_sources)}"
    epochs = get_nested(raw, "trainer.total_epochs")
    if epochs is None:
        values["num_train_epochs"] = data_defaults["total_epochs"]
        sources["num_train_epochs"] = Source.default(f"verl {release} default trainer.total_epochs")
    else:
        values["num_train_epochs"], sources["num_train_epochs"] = _resolved(raw, epochs), f"{where} key trainer.total_epochs"
    fixed = _resolved(raw, get_nested(raw, "trainer.total_training_steps"))
    if fixed is not None:
        if isinstance(fixed, bool) or not isinstance(fixed, int) or fixed < 1:
            raise LrcliError(f"{where}: trainer.total_training_steps must be a whole number ≥ 1 or null, got {fixed!r}")
        values["max_steps"], sources["max_steps"] = fixed, f"{where} key trainer.total_training_steps"
    return Reading(NAME, values, sources, tuple(notes), data=_train_files(raw, path))
