"""LightningCLI configs (`python main.py fit --config config.yaml`; Lightning 2.6.6, jsonargparse 4.53).

Read: `optimizer` (a `class_path` + `init_args` block or the bare class name; lr = `init_args.lr`, else the torch
optimizer's own default), `lr_scheduler` (a torch scheduler class; none means a constant LR), `trainer.max_epochs`,
`max_steps`, `accumulate_grad_batches`, `devices` × `num_nodes` (the world size), `limit_train_batches`,
`use_distributed_sampler`, `strategy`, and `data.init_args.batch_size`. A config written for the command before
the subcommand (`main.py --config c.yaml fit`) nests all this under `fit:`; that is read too.

Why the scheduler steps per epoch: LightningCLI's automatic `configure_optimizers` (cli.py) returns
`[optimizer], [lr_scheduler]`, and a bare scheduler gets `LRSchedulerConfig(interval="epoch", frequency=1)`
(core/optimizer.py); the config has no key to change that. So step_unit is "epoch" unless `--step-unit step` says the
model's own `configure_optimizers` returns `interval: "step"`. The CLI builds the scheduler from `init_args` alone,
so nothing is derived from the step count: arguments torch requires must be in the file, and torch's own defaults
apply to the rest (PolynomialLR total_iters = 5). Without an `optimizer` block the CLI leaves `configure_optimizers`
to the model (and ignores `lr_scheduler`), which lrcli cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrcli.config import Source
from lrcli.dialects.reading import Reading, Sources, near_miss_notes
from lrcli.errors import LrcliError
from lrcli.inputs.values import coerce_number, whole_number
from lrcli.schedules import SCHEDULES
from lrcli.schedules.pytorch import TORCH, scheduler_from_config, torch_schedule_name

NAME = "lightning"

SECTIONS = ("trainer", "model", "data", "optimizer", "lr_scheduler")
CLI_KEYS = ("seed_everything", "ckpt_path")
# torch 2.13 `torch.optim` lr defaults (the same in 2.15) (tests/test_configs_lightning.py checks them against torch's signatures).
OPTIMIZER_LR_DEFAULTS = {
    "SGD": 1e-3, "Adam": 1e-3, "AdamW": 1e-3, "RAdam": 1e-3, "SparseAdam": 1e-3, "Adamax": 2e-3, "NAdam": 2e-3,
    "RMSprop": 1e-2, "Adagrad": 1e-2, "ASGD": 1e-2, "Rprop": 1e-2, "Adafactor": 1e-2, "Adadelta": 1.0, "LBFGS": 1.0,
    "Muon": 1e-3,
}  # fmt: skip
# torch scheduler parameters without a default (torch raises TypeError when they are missing).
REQUIRED_ARGS = {
    "StepLR": ("step_size",), "MultiStepLR": ("milestones",), "ExponentialLR": ("gamma",),
    "CosineAnnealingLR": ("T_max",), "OneCycleLR": ("max_lr",), "CyclicLR": ("base_lr", "max_lr"),
    "CosineAnnealingWarmRestarts": ("T_0",), "SequentialLR": ("schedulers", "milestones"),
}  # fmt: skip
# Parameters lrcli fills from T or --lr when absent, but torch (and so LightningCLI) gives these defaults.
TORCH_DEFAULTS = {"PolynomialLR": {"total_iters": 5}}
PLATEAU_CLASSES = ("lightning.pytorch.cli.ReduceLROnPlateau", "pytorch_lightning.cli.ReduceLROnPlateau")
TRAINER_KEYS = {
    "max_epochs": "num_train_epochs", "max_steps": "max_steps", "accumulate_grad_batches": "gradient_accumulation_steps",
}
TRAINER_OPTIONS = ("limit_train_batches", "use_distributed_sampler", "strategy", "max_time")
OTHER_TRAINER_KEYS = (
    "accelerator", "precision", "logger", "callbacks", "fast_dev_run", "min_epochs", "min_steps", "limit_val_batches",
    "limit_test_batches", "limit_predict_batches", "overfit_batches", "val_check_interval", "check_val_every_n_epoch",
    "num_sanity_val_steps", "log_every_n_steps", "enable_checkpointing", "enable_progress_bar", "enable_model_summary",
    "gradient_clip_val", "gradient_clip_algorithm", "deterministic", "benchmark", "inference_mode", "profiler",
    "detect_anomaly", "barebones", "plugins", "sync_batchnorm", "reload_dataloaders_every_n_epochs", "default_root_dir",
    "model_registry",
)


def _body(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """The settings, under `fit:` when the config was written for the parser before the subcommand."""
    fit = raw.get("fit")
    if "trainer" not in raw and isinstance(fit, Mapping):
        return fit
    return raw


def _is_class_block(value: Any) -> bool:
    return isinstance(value, Mapping) and "class_path" in value


def claims(raw: Mapping[str, Any]) -> int:
    body = _body(raw)
    class_blocks = any(_is_class_block(body.get(key)) for key in SECTIONS)
    trainer = body.get("trainer")
    if class_blocks or (isinstance(trainer, Mapping) and any(key in body for key in CLI_KEYS)):
        return 12
    if isinstance(trainer, Mapping) and {"max_epochs", "accumulate_grad_batches", "devices"} & set(trainer):
        return 5
    return 0


def _class_and_args(block: Any, where: str, what: str) -> tuple[str, dict[str, Any]]:
    """(class path, init_args) of a `class_path` block or a bare class name."""
    if isinstance(block, str):
        return block, {}
    if _is_class_block(block):
        extra = sorted(set(block) - {"class_path", "init_args"})
        if extra:
            raise LrcliError(f"{where}: {what} takes its arguments under init_args (jsonargparse rejects "
                             f"{what}.{extra[0]})")
        args = block.get("init_args") or {}
        if not isinstance(args, Mapping):
            raise LrcliError(f"{where}: {what}.init_args must be a mapping of constructor arguments")
        if not isinstance(block["class_path"], str):
            raise LrcliError(f"{where}: {what}.class_path must be a dotted class name like torch.optim.AdamW")
        return block["class_path"], dict(args)
    raise LrcliError(f"{where}: {what} must be a class name or a block with class_path and init_args, got {block!r}")


def _optimizer_lr(block: Any, where: str) -> tuple[float, Source | str]:
    path, args = _class_and_args(block, where, "optimizer")
    if args.get("lr") is not None:
        return coerce_number(args["lr"]), f"{where} key optimizer.init_args.lr"
    name = path.rsplit(".", 1)[-1]
    if path in (name, f"torch.optim.{name}") and name in OPTIMIZER_LR_DEFAULTS:
        return OPTIMIZER_LR_DEFAULTS[name], Source.default(f"torch.optim.{name} default lr (no optimizer.init_args.lr in {where})")
    raise LrcliError(f"{where}: optimizer {path} has no init_args.lr and lrcli knows only torch.optim defaults; "
                     "add optimizer.init_args.lr")


def _scheduler(block: Any, where: str) -> tuple[str, dict[str, Any], str | None]:
    """(registry name, kwargs, the metric a ReduceLROnPlateau monitors) of the lr_scheduler block."""
    path, args = _class_and_args(block, where, "lr_scheduler")
    monitor = None
    if torch_schedule_name(path) == "ReduceLROnPlateau" or path in PLATEAU_CLASSES:
        monitor = args.pop("monitor", None)
        if monitor is None:
            raise LrcliError(f"{where}: lr_scheduler ReduceLROnPlateau needs a metric to watch: use "
                             f"{PLATEAU_CLASSES[0]} with init_args.monitor (Lightning raises without one)")
        path = "torch.optim.lr_scheduler.ReduceLROnPlateau"
    name, kwargs = scheduler_from_config({"class_path": path, "init_args": args}, f"{where} lr_scheduler")
    schedule = SCHEDULES.get(name)
    if schedule is None or schedule.family != TORCH:
        raise LrcliError(f"{where}: lr_scheduler {torch_schedule_name(path)!r} is not a torch.optim.lr_scheduler "
                         "class lrcli models; see `lrcli schedules`")
    missing = [arg for arg in REQUIRED_ARGS.get(name, ()) if kwargs.get(arg) is None]
    if missing:
        raise LrcliError(f"{where}: lr_scheduler {name} needs init_args.{missing[0]}: LightningCLI builds it from "
                         "init_args alone and torch has no default for it")
    if name == "OneCycleLR" and kwargs.get("total_steps") is None and (
        kwargs.get("epochs") is None or kwargs.get("steps_per_epoch") is None
    ):
        raise LrcliError(f"{where}: lr_scheduler OneCycleLR needs init_args.total_steps (or epochs and "
                         "steps_per_epoch); torch raises ValueError without them")
    for arg, value in TORCH_DEFAULTS.get(name, {}).items():
        kwargs.setdefault(arg, value)
    return name, kwargs, monitor


def _devices(value: Any, accelerator: Any, where: str) -> int | None:
    """Processes per node from `trainer.devices`; None when it depends on the machine ("auto", -1)."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "auto":
            return 1 if accelerator == "cpu" else None  # CPUAccelerator.auto_device_count() is 1
        if "," in text:
            return len([part for part in text.split(",") if part.strip()])
        value = coerce_number(text)
    if isinstance(value, int) and not isinstance(value, bool):
        return None if value == -1 else value
    raise LrcliError(f"{where}: trainer.devices {value!r} is not a device count, a list of ids, 'auto' or -1")


def _read_trainer(trainer: Mapping[str, Any], where: str, values: dict[str, Any], sources: Sources,
                  options: dict[str, Any]) -> None:
    """The `trainer:` block into `values`/`sources` (TrainConfig fields) and `options` (the planner's own keys)."""
    for key, name in TRAINER_KEYS.items():
        value = coerce_number(trainer.get(key))
        if value is None:
            continue
        if key == "max_epochs" and value in (-1, 0):
            if value == 0:
                raise LrcliError(f"{where}: trainer.max_epochs 0 trains no step")
            options["max_epochs"] = -1  # no epoch limit: max_steps ends the run
            continue
        values[name], sources[name] = value, f"{where} key trainer.{key}"
    for key in TRAINER_OPTIONS:
        if trainer.get(key) is not None:
            options[key] = coerce_number(trainer[key]) if key == "limit_train_batches" else trainer[key]
    for key in ("fast_dev_run", "overfit_batches"):
        if trainer.get(key):
            raise LrcliError(f"{where}: trainer.{key} replaces the training loop's batch count; lrcli does not model it")
    accelerator = trainer.get("accelerator")
    devices = _devices(trainer.get("devices", "auto"), accelerator, where)
    nodes = whole_number(trainer.get("num_nodes", 1), f"{where} key trainer.num_nodes", minimum=1)
    if devices is None:
        options["devices"] = trainer.get("devices", "auto")  # the planner says the world size is assumed
    else:
        values["world_size"] = devices * nodes
        shown = "devices" if "devices" in trainer else f"devices (Lightning default 'auto' on accelerator {accelerator})"
        sources["world_size"] = Source.derived(f"{where} keys trainer.{shown} × num_nodes = {devices} × {nodes}")
    if nodes != 1 and devices is None:
        options["num_nodes"] = nodes  # for the planner's note on the world size it cannot know


def read(raw: Mapping[str, Any], path: Path, *, trainer: str | None = None) -> Reading:
    where = path.name
    body = _body(raw)
    values: dict[str, Any] = {"framework": NAME, "dialect": NAME}
    sources = {"framework": f"{where} (LightningCLI config)", "dialect": f"{where} (detected or --dialect)"}
    options: dict[str, Any] = {}
    notes: tuple[str, ...] = ()
    if body.get("optimizer") is None:
        raise LrcliError(f"{where}: no optimizer block, so LightningCLI leaves the optimizer and scheduler to the "
                         "model's configure_optimizers, which lrcli cannot read; add optimizer (and lr_scheduler) "
                         "blocks, or describe the run with flags (--schedule, --lr, --samples, --batch)")
    values["learning_rate"], sources["learning_rate"] = _optimizer_lr(body["optimizer"], where)
    block = body.get("lr_scheduler")
    if block is None:
        values["lr_scheduler_type"], sources["lr_scheduler_type"] = "constant", f"{where} (no lr_scheduler)"
    else:
        name, kwargs, monitor = _scheduler(block, where)
        values["lr_scheduler_type"], sources["lr_scheduler_type"] = name, f"{where} key lr_scheduler.class_path"
        if kwargs:
            values["lr_scheduler_kwargs"] = kwargs
            sources["lr_scheduler_kwargs"] = f"{where} key lr_scheduler.init_args"
        if monitor is not None:
            values["metric_name"], sources["metric_name"] = monitor, f"{where} key lr_scheduler.init_args.monitor"
        if name == "OneCycleLR":
            notes += (f"{where}: OneCycleLR steps once per epoch under LightningCLI (interval 'epoch'; Lightning "
                      "warns about it too): its total_steps counts epochs",)
    values["step_unit"] = "epoch"
    sources["step_unit"] = Source.default("LightningCLI configure_optimizers: a bare scheduler steps with interval 'epoch'")
    trainer_block = body.get("trainer") or {}
    if not isinstance(trainer_block, Mapping):
        raise LrcliError(f"{where}: trainer must be a mapping of Trainer arguments")
    _read_trainer(trainer_block, where, values, sources, options)
    data = body.get("data")
    if _is_class_block(data) and isinstance(data.get("init_args"), Mapping):
        batch = data["init_args"].get("batch_size")
        if batch is not None:
            values["per_device_train_batch_size"] = coerce_number(batch)
            sources["per_device_train_batch_size"] = f"{where} key data.init_args.batch_size"
    if options:
        values["trainer_options"], sources["trainer_options"] = options, f"{where} key trainer"
    notes += near_miss_notes(trainer_block, set(TRAINER_KEYS) | {"devices", "num_nodes", *TRAINER_OPTIONS},
                             OTHER_TRAINER_KEYS, path)
    return Reading(dialect=NAME, values=values, sources=sources, notes=notes)
