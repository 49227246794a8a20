"""axolotl configs (`axolotl train x.yml`; axolotl 0.19.0, 0.20.0 and 0.21.0 `utils/schemas/*.py`,
`core/builders/base.py`, `core/trainers/mixins/scheduler.py`).

The release is `--trainer @VERSION` (or `axolotl@0.20`), else the axolotl installed beside lrcli (package metadata),
else 0.21.0 (lrcli.inputs.releases); it is the `framework_version` setting. What differs between the lines: the
transformers each pins (TRANSFORMERS), a dataset's `weight` (0.20+: shuffled and cut to max(1, int(rows · weight))
rows, `utils/data/sft.py`), and 0.20's removal of FSDP1 (a top-level `fsdp:` list, an fsdp_version other than 2 or
an FSDP1-only fsdp_config key is a validation error, `utils/schemas/validation.py check_fsdp_version`; 0.19 warned). The step count, warmup and schedulers are
the same code in all three (`utils/trainer.py calculate_total_num_steps` differs only for diffusion-LM packing).

Keys: micro_batch_size (default 1), gradient_accumulation_steps (default 1), batch_size, num_epochs (default 1.0),
max_steps, learning_rate (required; a string is converted), lr_scheduler (default cosine), lr_scheduler_kwargs,
warmup_steps | warmup_ratio, lr_quadratic_warmup, cosine_min_lr_ratio, cosine_constant_lr_ratio, sample_packing,
dataloader_drop_last, deepspeed, val_set_size, context_parallel_size, tensor_parallel_size, ddp, fsdp/fsdp_config,
sequence_len, total_num_tokens, sample_packing_eff_est, rl. T and W are axolotl's own (lrcli.steps.axolotl), except
for `rl: grpo | ebft`, where axolotl passes max_steps = cfg.max_steps or -1 and TRL/HF count (`common/datasets.py`
`load_preference_datasets` leaves total_num_steps None); then `_configure_warmup_and_logging` hands warmup_steps
(given), else the warmup_ratio (default 0.03) to HF as a fractional warmup_steps, i.e. W = ceil(T · ratio).

The scheduler, first match wins as in `SchedulerMixin.create_scheduler` (none applies when a DeepSpeed scheduler
section exists: axolotl skips its custom ones): one_cycle → torch OneCycleLR(max_lr=lr, total_steps=T,
pct_start=W/T, anneal_strategy="cos", **lr_scheduler_kwargs); rex → RexLR; cosine + lr_quadratic_warmup;
cosine + cosine_min_lr_ratio and cosine_constant_lr_ratio (both truthy); cosine + cosine_min_lr_ratio (truthy);
else the HF scheduler with lr_scheduler_kwargs.

Data (counted for N; lrcli.steps.axolotl has the row rule), as `utils/data/shared.py load_dataset_with_config`
loads each `datasets[]` entry: a path that exists (relative to the working directory; lrcli also looks beside the
config) is local — a file read by `ds_type` or its extension, a `save_to_disk` directory, a folder of data files —
otherwise a Hub id (with `name`, `data_files`, `revision`); `name: [a, b]` is one dataset per name; the split is
`split`, else "train" (a DatasetDict's train split); `shards` keeps one shard. `streaming` and
`pretraining_dataset` have no length: N is then not counted (axolotl needs max_steps).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.config import Source
from lrcli.data.refs import DataEntry, DatasetRef, DataSpec, data_files_pairs
from lrcli.dialects import deepspeed, hf, trl
from lrcli.dialects.reading import Reading, Sources, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.installed import Requirement
from lrcli.inputs.releases import framework_release, minor_of, release_line, split_pin
from lrcli.inputs.values import coerce_number, finite_float, number_text, whole_number

NAME = "axolotl"
NEWEST = "0.21.0"
LINES = ("0.19", "0.20", "0.21")  # each minor line lrcli models (from 0.19, the first it read)
# The transformers each line pins (its Requires-Dist); axolotl 0.19 / 0.20 / 0.21 pin TRL 1.9.0 / 1.13.0 / 1.14.1.
TRANSFORMERS = {line: Requirement(f"axolotl {release}", f"=={pin}", pin)
                for line, release, pin in (("0.19", "0.19.0", "5.16.1"), ("0.20", "0.20.0", "5.17.0"),
                                           ("0.21", "0.21.0", "5.20.1"))}

# axolotl key -> TrainConfig field
AXOLOTL_KEYS = {
    "micro_batch_size": "per_device_train_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "batch_size": "global_batch_size",
    "num_epochs": "num_train_epochs",
    "max_steps": "max_steps",
    "learning_rate": "learning_rate",
    "warmup_steps": "warmup_steps",
    "warmup_ratio": "warmup_ratio",
    "dataloader_drop_last": "dataloader_drop_last",
}
SCHEDULER_KEYS = ("lr_scheduler", "lr_scheduler_kwargs", "lr_quadratic_warmup", "cosine_min_lr_ratio",
                  "cosine_constant_lr_ratio", "sample_packing", "sample_packing_eff_est", "total_num_tokens",
                  "deepspeed", "val_set_size", "context_parallel_size", "tensor_parallel_size", "rl")
OTHER_KEYS = ("eval_batch_size", "eval_sample_packing", "evals_per_epoch", "saves_per_epoch", "eval_steps",
              "save_steps", "logging_steps", "max_grad_norm", "lr_div_factor", "sequence_len", "warmup_type")
_AXOLOTL_ONLY = {"micro_batch_size", "num_epochs", "lr_scheduler", "base_model", "sequence_len", "sample_packing",
                 "adapter", "lora_r", "cosine_min_lr_ratio", "special_tokens"}


def claims(raw: Mapping[str, Any]) -> int:
    return 6 if _AXOLOTL_ONLY & set(raw) else 0


def _scheduler(raw: Mapping[str, Any], where: str) -> tuple[str, dict[str, Any], str, str | None]:
    """(registry name, kwargs, source, derive_kwargs rule) of the scheduler axolotl builds."""
    name = raw.get("lr_scheduler") or "cosine"
    if not isinstance(name, str):
        raise LrcliError(f"{where} key lr_scheduler must be a string, got {number_text(name)}")
    kwargs, _ = hf.scheduler_kwargs(raw.get("lr_scheduler_kwargs"), f"{where} key lr_scheduler_kwargs")
    kwargs = kwargs or {}
    min_ratio = raw.get("cosine_min_lr_ratio")
    min_ratio = None if min_ratio is None else finite_float(min_ratio, f"{where} cosine_min_lr_ratio")
    constant = coerce_number(raw.get("cosine_constant_lr_ratio"))
    source = f"{where} key lr_scheduler" + ("" if raw.get("lr_scheduler") else " (absent: axolotl default cosine)")
    if name == "one_cycle":
        extra = {"anneal_strategy": "cos"} if "anneal_strategy" not in kwargs else {}
        return "OneCycleLR", {**extra, **kwargs}, source, "axolotl_one_cycle"
    if name == "rex":
        return "axolotl_rex", ({"cosine_min_lr_ratio": min_ratio} if min_ratio is not None else {}), source, None
    if name == "cosine" and raw.get("lr_quadratic_warmup") is True:
        return "axolotl_cosine_quadratic_warmup", {}, f"{where} keys lr_scheduler + lr_quadratic_warmup", None
    if name == "cosine" and min_ratio and constant:
        ratios = {"cosine_min_lr_ratio": min_ratio, "cosine_constant_lr_ratio": constant}
        return "axolotl_cosine_min_lr_constant", ratios, f"{where} keys cosine_min_lr_ratio + cosine_constant_lr_ratio", None
    if name == "cosine" and min_ratio:
        return "axolotl_cosine_min_lr", {"cosine_min_lr_ratio": min_ratio}, f"{where} key cosine_min_lr_ratio", None
    return name, kwargs, source, None


# Keys copied into trainer_options for the planner (lrcli.steps.axolotl) and `lrcli show`.
PLANNER_OPTIONS = ("context_parallel_size", "tensor_parallel_size", "ddp", "sequence_len", "total_num_tokens",
                   "sample_packing_eff_est")
TRL_PINS = {"0.19": "1.9.0", "0.20": "1.13.0", "0.21": "1.14.1"}  # each line's Requires-Dist trl==
# RL trainers whose step count TRL/HF make (axolotl passes max_steps = cfg.max_steps or -1).
TRL_COUNTED = {"grpo": "trl_grpo", "ebft": "hf"}


def _trl_counted_warmup(raw: Mapping[str, Any], where: str) -> tuple[float, Source]:
    """`_configure_warmup_and_logging` without a step count (GRPO, EBFT): warmup_steps as given, else the ratio
    (or the default 0.03) handed to HF as a fractional warmup_steps, which `get_warmup_steps` turns into
    ceil(T · ratio); a warmup of exactly 1 becomes 2."""
    if raw.get("warmup_steps") is not None:
        warmup, source = coerce_number(raw["warmup_steps"]), Source.file(f"{where} key warmup_steps")
    elif raw.get("warmup_ratio") is not None:
        warmup = coerce_number(raw["warmup_ratio"])
        source = Source.file(f"{where} key warmup_ratio, handed to HF as warmup_steps (axolotl, no step count of its own)")
    else:
        warmup, source = 0.03, Source.default("axolotl default warmup_ratio 0.03, handed to HF as warmup_steps (no step count)")
    if warmup == 1:
        return 2, Source(source.kind, source.text + "; 1 becomes 2 (axolotl)")
    return warmup, source


def read_data(raw: Mapping[str, Any], path: Path, line: str = LINES[-1]) -> DataSpec | None:
    """The `datasets:` entries as axolotl `line` loads them (see the module docstring)."""
    items = raw.get("datasets")
    where = f"{path.name} key datasets"
    options = {"sequence_len": coerce_number(raw.get("sequence_len")) or 512, "axolotl_line": line}
    if raw.get("streaming") or raw.get("pretraining_dataset"):
        key = "streaming" if raw.get("streaming") else "pretraining_dataset"
        return DataSpec("axolotl", (), options, where, f"{path.name} key {key}: a streamed dataset has no length "
                                                        "(axolotl needs max_steps)")
    if items is None:
        return None
    if not isinstance(items, list) or not items:
        raise LrcliError(f"{where} must be a list of datasets")
    roots = (Path.cwd(), path.parent)
    entries = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            raise LrcliError(f"{at} needs a path (a Hub dataset id or a local file or folder)")
        names = item.get("name") if isinstance(item.get("name"), list) else [item.get("name")]
        for name in names:
            ref = DatasetRef(
                item["path"], name=None if name is None else str(name), split=str(item.get("split") or "train"),
                data_files=data_files_pairs(item.get("data_files")), revision=item.get("revision"),
                builder=item.get("ds_type"), where=at, roots=roots,
            )
            shard: dict[str, Any] = {}
            if item.get("shards"):  # shards_idx defaults to 0 (sft.py: dataset_config.get("shards_idx", 0))
                shard = {"shards": int(item["shards"]), "shards_idx": int(item.get("shards_idx") or 0)}
            if item.get("weight") is not None and minor_of(line, "axolotl") >= (0, 20):
                weight = finite_float(item["weight"], f"{at}.weight")
                if not 0 < weight <= 1:  # the schema: gt=0.0, le=1.0
                    raise LrcliError(f"{at}.weight must be in (0, 1] (axolotl's config validation fails), got "
                                     f"{number_text(item['weight'])}")
                shard["weight"] = weight
            entries.append(DataEntry(ref, shard))
    return DataSpec("axolotl", tuple(entries), options, where)


def axolotl_release(trainer: str | None, where: str) -> tuple[str, Any, str, tuple[str, ...]]:
    """(version, its Source, the line it follows, notes) from `--trainer [axolotl]@VERSION`, the installed axolotl,
    or the newest."""
    pinned, flag = None, "axolotl"
    if trainer is not None:
        name, pinned = split_pin(trainer)
        flag = f"--trainer {trainer}"
        if name not in ("", NAME) or pinned is None:
            raise LrcliError(f"{flag}: axolotl has one trainer; pin its release as --trainer @0.21 (or axolotl@0.21)")
    release = framework_release("axolotl", NEWEST, pinned, Source.flag(flag))
    line, notes = release_line(release.version, LINES, "axolotl", flag if pinned else f"{where} (axolotl)")
    return release.version, release.source, line, notes


# axolotl 0.20.0+ `utils/schemas/validation.py` `check_fsdp_version` (a before-validator of the config): FSDP1 is
# gone. 0.19 only warned.
FSDP1_REMOVED = (0, 20)
FSDP1_ONLY_REJECTED_KEYS = {"sharding_strategy": "reshard_after_forward", "forward_prefetch": None}


def _refuse_fsdp1(raw: Mapping[str, Any], where: str, version: str) -> None:
    """What check_fsdp_version raises on: a top-level `fsdp` list, an fsdp_version other than 2 (top level,
    fsdp_config.fsdp_version or fsdp_config.version), an FSDP1-only fsdp_config key (`fsdp_` prefix or not)."""
    fix = "or pin axolotl 0.19 with --trainer @0.19"
    if raw.get("fsdp"):
        raise LrcliError(f"{where}: axolotl {version} refuses the top-level fsdp list (FSDP1 was removed in 0.20); "
                         f"use fsdp_config with fsdp_version: 2, {fix}")
    fsdp_config = raw.get("fsdp_config") or {}
    if not isinstance(fsdp_config, Mapping):
        return
    for found in (raw.get("fsdp_version"), fsdp_config.get("fsdp_version"), fsdp_config.get("version")):
        if found is not None and str(found) != "2":
            raise LrcliError(f"{where}: axolotl {version} supports only fsdp_version 2, not {found} (FSDP1 was removed "
                             f"in 0.20); set fsdp_version: 2, {fix}")
    for key in fsdp_config:
        name = key[5:] if isinstance(key, str) and key.startswith("fsdp_") and key != "fsdp_version" else key
        if name in FSDP1_ONLY_REJECTED_KEYS:
            replacement = FSDP1_ONLY_REJECTED_KEYS[name]
            instead = f"use {replacement} instead" if replacement else "remove it (no FSDP2 equivalent)"
            raise LrcliError(f"{where}: fsdp_config.{name} is an FSDP1-only option, which axolotl {version} refuses "
                             f"(FSDP1 was removed in 0.20); {instead}, {fix}")


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    where = path.name
    version, version_source, line, notes = axolotl_release(trainer, where)
    if minor_of(line, "axolotl") >= FSDP1_REMOVED:
        _refuse_fsdp1(raw, where, version)
    if raw.get("learning_rate") is None:
        raise LrcliError(f"{where}: axolotl requires learning_rate (its config validation fails without it)")
    if raw.get("sample_packing") and raw.get("sample_packing_eff_est") and not raw.get("total_num_tokens"):
        raise LrcliError(
            f"{where}: with sample_packing_eff_est axolotl counts steps from the dataset's total tokens, which lrcli "
            "does not know; add total_num_tokens (axolotl logs it) or give --total-steps (axolotl logs "
            "total_num_steps), or remove sample_packing_eff_est"
        )
    if raw.get("gradient_accumulation_steps") and raw.get("batch_size"):
        raise LrcliError(f"{where}: axolotl rejects gradient_accumulation_steps together with batch_size "
                         "(\"please set only one of gradient_accumulation_steps or batch_size\"); keep one")
    if raw.get("warmup_steps") and raw.get("warmup_ratio"):
        # utils/schemas/validation.py check_warmup (0.19.0) tests truthiness: a 0 in either key passes, and then
        # warmup_steps (not None) wins in _configure_warmup_and_logging
        raise LrcliError(f"{where}: axolotl rejects warmup_steps together with warmup_ratio (ValueError: warmup_steps "
                         "and warmup_ratio are mutually exclusive); keep one")
    values: dict[str, Any] = {"framework": NAME, "framework_version": version}
    sources: Sources = {"framework": f"{where} (axolotl counts its own steps)", "framework_version": version_source}
    for key, name in AXOLOTL_KEYS.items():
        if raw.get(key) is not None:
            values[name], sources[name] = coerce_number(raw[key]), f"{where} key {key}"
    if raw.get("warmup_steps") is not None:
        warmup = finite_float(raw["warmup_steps"], f"{where} key warmup_steps")
        if warmup != int(warmup):
            raise LrcliError(f"{where}: axolotl's warmup_steps is a whole step count (its schema is an int), "
                             f"got {number_text(raw['warmup_steps'])}; use warmup_ratio for a fraction")
    if "gradient_accumulation_steps" in raw and raw["gradient_accumulation_steps"] is None and raw.get("batch_size"):
        batch = whole_number(raw["batch_size"], f"{where} key batch_size", minimum=1)
        mbs = whole_number(values.get("per_device_train_batch_size", 1), f"{where} key micro_batch_size", minimum=1)
        values["gradient_accumulation_steps"] = batch // mbs
        sources["gradient_accumulation_steps"] = Source.derived(f"{where} batch_size // micro_batch_size")
    if raw.get("sample_packing") is True:
        values["packing"], sources["packing"] = True, f"{where} key sample_packing"
    if raw.get("val_set_size"):
        values["val_size"], sources["val_size"] = coerce_number(raw["val_set_size"]), f"{where} key val_set_size"
    options = {key: coerce_number(raw[key]) for key in PLANNER_OPTIONS if raw.get(key) is not None}
    if raw.get("fsdp") or raw.get("fsdp_config"):
        options["fsdp"] = True
    rl = raw.get("rl")
    if rl:
        options["rl"] = str(rl).lower()
    if options.get("rl") in TRL_COUNTED:
        framework = TRL_COUNTED[options["rl"]]
        values["framework"] = framework
        sources["framework"] = f"{where} key rl: {rl} (axolotl leaves the step count to TRL/HF)"
        values.pop("warmup_ratio", None)
        sources.pop("warmup_ratio", None)
        values["warmup_steps"], sources["warmup_steps"] = _trl_counted_warmup(raw, where)
        trl_section = raw.get("trl") if isinstance(raw.get("trl"), Mapping) else {}
        options = {key: coerce_number(trl_section[key]) for key in trl.GRPO_KEYS if trl_section.get(key) is not None}
        if framework == "trl_grpo":
            notes += (f"axolotl GRPO: T is counted as TRL's GRPOTrainer counts it (axolotl {line} pins TRL "
                      f"{TRL_PINS[line]}, whose generation batching is the 0.20–1.16 rule)",)
        if "val_size" in values:
            notes += (f"{where}: val_set_size also shrinks the training set here; lrcli does not apply it to the "
                      "TRL/HF count",)
            values.pop("val_size")
    if options:
        values["trainer_options"], sources["trainer_options"] = options, f"{where} keys {', '.join(options)}"
    name, kwargs, source, derive = _scheduler(raw, where)
    values["lr_scheduler_type"], sources["lr_scheduler_type"] = name, source
    if kwargs:
        values["lr_scheduler_kwargs"], sources["lr_scheduler_kwargs"] = kwargs, source
    if derive:
        values["derive_kwargs"], sources["derive_kwargs"] = derive, source
    if raw.get("deepspeed") is not None:
        values, sources, ds_notes = deepspeed.apply_scheduler_section(values, sources, raw["deepspeed"], path)
        if values["lr_scheduler_type"] != name and name.startswith("axolotl_"):
            notes += (f"axolotl's {name} is not used: the DeepSpeed scheduler section takes its place",)
        notes += ds_notes
    notes += near_miss_notes(raw, (*AXOLOTL_KEYS, *SCHEDULER_KEYS), OTHER_KEYS, path)
    values["dialect"], sources["dialect"] = NAME, f"{where} (detected or --dialect)"
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes, data=read_data(raw, path, line),
                   transformers=TRANSFORMERS[line])
