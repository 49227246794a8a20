"""Golden Lightning step counts, LR curves and LightningCLI parses from REAL Lightning runs -> tests/data/lightning_golden.json.

Versions: lightning 2.6.6, jsonargparse 4.53.0, torch 2.13.0 (CPU). Nothing is installed at test time; to regenerate,
from the repo root:

    .venv/bin/pip install lightning==2.6.6 'jsonargparse[signatures]==4.53.0'
    .venv/bin/python tools/gen_lightning_steps.py            # about 5 minutes

Three sections, all from Lightning's own code:
- "fits": random runs of a real `Trainer.fit` (a BoringModel-like module on N samples, batch b, DataLoader drop_last,
  accumulate_grad_batches, limit_train_batches, max_epochs/max_steps, a torch scheduler with interval "epoch" or
  "step"). Recorded: `trainer.global_step` (optimizer steps taken), `estimated_stepping_batches`,
  `num_training_batches`, the LR each optimizer step used (`on_before_optimizer_step`) and the LR after the run.
  World sizes > 1 are REAL multi-process runs (`strategy="ddp_spawn"` on CPU with gloo; Lightning injects the
  DistributedSampler itself), not simulated.
- "cli": LightningCLI config texts parsed by the real `LightningCLI(run=False)`; recorded: the Trainer's resolved
  max_epochs / max_steps / accumulate_grad_batches / limit_train_batches / world_size, the datamodule batch size, the
  optimizer lr, the scheduler class and `interval` (Lightning's `_configure_schedulers_automatic_opt`) and the LR
  after each of 12 scheduler steps, or the error Lightning/torch raised.
- "configs": sample_configs/lightning_*.yaml run as users run them, `python tools/lightning_cli_main.py fit --config
  X.yaml`, with strategy ddp (Lightning launches one real process per device). Not ddp_spawn: it pickles the model
  into the workers and the CLI's instance-patched `configure_optimizers` is lost (the model's own one runs instead).
Model and datamodule `class_path`s are swapped for the tiny classes below (same init_args); accelerator becomes cpu,
precision 32-true and the strategy ddp_spawn (fits) or ddp (sample configs) when w > 1: none of these changes the step
count or the LR.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "tests" / "data" / "lightning_golden.json"
SAMPLE_CASES = [("lightning_onecycle.yaml", 2177), ("lightning_steplr.yaml", 3073)]  # N = w·k·b + 1: padding adds a batch

import lightning.pytorch as pl  # noqa: E402
from torch.utils.data import DataLoader, Dataset  # noqa: E402


class Ones(Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.ones(2)


class GoldenModel(pl.LightningModule):
    """A BoringModel: one linear layer; the optimizer and scheduler come from `spec` (or from LightningCLI)."""

    def __init__(self, hidden_dim: int = 4, spec: dict | None = None) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)
        self.spec = spec

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        return self.layer(batch).sum()

    def configure_optimizers(self) -> Any:
        spec = self.spec
        if spec is None:  # LightningCLI replaces this method when its config has an optimizer block
            return torch.optim.SGD(self.parameters(), lr=0.123)
        optimizer = torch.optim.SGD(self.parameters(), lr=spec["lr"], momentum=0.9)
        if spec["scheduler"] is None:
            return optimizer
        kwargs = dict(spec["init_args"])
        if spec["scheduler"] == "OneCycleLR":  # sized from Lightning's own estimate, as its docs show
            total = self.trainer.estimated_stepping_batches
            if spec["interval"] == "epoch":
                self.trainer.fit_loop.setup_data()  # the estimate skips it when max_epochs is -1
                per_epoch = math.ceil(self.trainer.num_training_batches / self.trainer.accumulate_grad_batches)
                total = math.ceil(total / per_epoch)
            kwargs["total_steps"] = int(total) + spec["slack"]
            spec["init_args"] = kwargs  # recorded with the value used
        scheduler = getattr(torch.optim.lr_scheduler, spec["scheduler"])(optimizer, **kwargs)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": spec["interval"]}}


class GoldenData(pl.LightningDataModule):
    def __init__(self, data_dir: str = "", batch_size: int = 8, num_workers: int = 0, samples: int = 100) -> None:
        super().__init__()
        self.batch_size, self.samples = batch_size, samples

    def train_dataloader(self) -> DataLoader:
        return DataLoader(Ones(self.samples), batch_size=self.batch_size)


class Recorder(pl.Callback):
    """The LR of each optimizer step and after the run; rank 0 writes them to `out` (works across ddp_spawn).
    A run with no training batch ("`Trainer.fit` stopped: No training batches") records 0 optimizer steps."""

    def __init__(self, out: str) -> None:
        self.out = out
        self.lrs: list[float] = []

    def on_before_optimizer_step(self, trainer: pl.Trainer, pl_module: Any, optimizer: Any) -> None:
        self.lrs.append(float(optimizer.param_groups[0]["lr"]))

    def on_fit_end(self, trainer: pl.Trainer, pl_module: Any) -> None:  # also when no batch ran
        if trainer.global_rank != 0:
            return
        record = {
            "optimizer_steps": trainer.global_step,
            "num_training_batches": trainer.num_training_batches,
            "estimated_stepping_batches": trainer.estimated_stepping_batches,
            "resolved_max_epochs": trainer.max_epochs,  # after `_parse_loop_limits` (1000 or -1 when unset)
            "lr": self.lrs + [float(trainer.optimizers[0].param_groups[0]["lr"])] if trainer.optimizers else [],
            "spec": getattr(pl_module, "spec", None),
        }
        Path(self.out).write_text(json.dumps(record))


QUIET = {"logger": False, "enable_checkpointing": False, "enable_progress_bar": False, "enable_model_summary": False}


def _loader(samples: int, batch: int, drop_last: bool) -> DataLoader:
    return DataLoader(Ones(samples), batch_size=batch, drop_last=drop_last)


def run_fit(case: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "record.json")
        world = case["world_size"]
        trainer_args: dict[str, Any] = {
            "accelerator": "cpu", "devices": world, "strategy": "ddp_spawn" if world > 1 else "auto",
            "accumulate_grad_batches": case["accumulate_grad_batches"], "max_steps": case["max_steps"],
            "use_distributed_sampler": case["use_distributed_sampler"], "callbacks": [Recorder(out)],
            "default_root_dir": tmp, "num_sanity_val_steps": 0, **QUIET,
        }  # fmt: skip
        for key in ("max_epochs", "limit_train_batches"):
            if case[key] is not None:
                trainer_args[key] = case[key]
        model = GoldenModel(spec=case["spec"])
        pl.Trainer(**trainer_args).fit(model, _loader(case["samples"], case["batch"], case["drop_last"]))
        record = json.loads(Path(out).read_text())
    spec = record.pop("spec")
    return {**case, "spec": spec, **record}


def _scheduler_spec(rng: random.Random, lr: float) -> dict[str, Any]:
    name = rng.choice(["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR",
                       "PolynomialLR", "OneCycleLR", "CosineAnnealingWarmRestarts", "CyclicLR", None])
    args: dict[str, Any] = {}
    if name == "StepLR":
        args = {"step_size": rng.randint(1, 5), "gamma": rng.choice([0.5, 0.9, 0.1])}
    elif name == "MultiStepLR":
        args = {"milestones": sorted(rng.sample(range(1, 30), 3)), "gamma": 0.3}
    elif name == "ExponentialLR":
        args = {"gamma": round(rng.uniform(0.8, 0.99), 3)}
    elif name == "CosineAnnealingLR":
        args = {"T_max": rng.randint(2, 40), "eta_min": rng.choice([0.0, lr / 100])}
    elif name == "LinearLR":
        args = {"start_factor": 0.1, "end_factor": 1.0, "total_iters": rng.randint(1, 12)}
    elif name == "ConstantLR":
        args = {"factor": 0.5, "total_iters": rng.randint(1, 6)}
    elif name == "PolynomialLR":
        args = {"total_iters": rng.randint(2, 30), "power": rng.choice([1.0, 2.0, 0.5])}
    elif name == "OneCycleLR":
        args = {"max_lr": lr, "pct_start": rng.choice([0.3, 0.1, 0.5]), "anneal_strategy": rng.choice(["cos", "linear"])}
    elif name == "CosineAnnealingWarmRestarts":
        args = {"T_0": rng.randint(1, 10), "T_mult": rng.choice([1, 2]), "eta_min": 0.0}
    elif name == "CyclicLR":
        args = {"base_lr": lr / 10, "max_lr": lr, "step_size_up": rng.randint(2, 8),
                "mode": rng.choice(["triangular", "triangular2", "exp_range"]), "gamma": 0.99}
    return {"lr": lr, "scheduler": name, "init_args": args, "interval": rng.choice(["epoch", "epoch", "step"]),
            "slack": rng.choice([0, 0, 2])}


def random_cases(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        world = rng.choice([2, 3, 4]) if index % 8 == 7 else 1  # one in eight is a real multi-process run
        samples, batch = rng.randint(1, 300), rng.randint(1, 16)
        max_epochs = rng.choice([None, -1, 1, 2, 3, 5, 8])
        max_steps = rng.choice([-1, -1, rng.randint(1, 60)])
        if max_epochs == -1 and max_steps == -1:
            max_steps = rng.randint(1, 60)
        if max_epochs is None and max_steps == -1:  # 1000 epochs: keep each one a single batch
            samples, batch = rng.randint(1, 6), 8
        elif world > 1 and rng.random() < 0.6:  # the sampler's padding to ceil(N/w) adds a batch
            samples = world * batch * rng.randint(1, 6) + rng.randint(1, world - 1)
        limit = rng.choice([None, None, rng.randint(1, 12), round(rng.uniform(0.05, 1.0), 3), 1.0, 1])
        case = {
            "samples": samples, "batch": batch, "drop_last": rng.random() < 0.2,
            "accumulate_grad_batches": rng.choice([1, 1, 2, 3, 4, 7]), "limit_train_batches": limit,
            "max_epochs": max_epochs, "max_steps": max_steps, "world_size": world,
            "use_distributed_sampler": not (world > 1 and rng.random() < 0.2),
            "spec": _scheduler_spec(rng, rng.choice([0.1, 0.01, 3e-4])),
        }  # fmt: skip
        cases.append(case)
    return cases


# ---- LightningCLI ----------------------------------------------------------------------------------------------

BASE = {
    "seed_everything": 0,
    "trainer": {"accelerator": "cpu", "max_epochs": 3},
    "model": {"class_path": "my_project.models.LitModel", "init_args": {"hidden_dim": 8}},
    "data": {"class_path": "my_project.data.DataModule", "init_args": {"batch_size": 16}},
    "optimizer": {"class_path": "torch.optim.AdamW", "init_args": {"lr": 0.001}},
}


def _variant(**changes: Any) -> dict[str, Any]:
    config = json.loads(json.dumps(BASE))
    for dotted, value in changes.items():
        node = config
        *parents, last = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        if value is ...:
            node.pop(last, None)
        else:
            node[last] = value
    return config


def _yaml_text(config: dict[str, Any], exponent_strings: bool = False) -> str:
    text = yaml.safe_dump(config, sort_keys=False)
    return text.replace("lr: 0.0003", "lr: 3e-4") if exponent_strings else text


def cli_cases() -> list[dict[str, Any]]:
    sched = "torch.optim.lr_scheduler."
    variants = {
        "steplr": _variant(lr_scheduler={"class_path": sched + "StepLR", "init_args": {"step_size": 2, "gamma": 0.5}}),
        "short_class_names": _variant(optimizer={"class_path": "SGD", "init_args": {"lr": 0.05}},
                                      lr_scheduler={"class_path": "ExponentialLR", "init_args": {"gamma": 0.9}}),
        "optimizer_name_only": _variant(optimizer="Adam", lr_scheduler=None),
        "optimizer_no_lr": _variant(optimizer={"class_path": "torch.optim.RMSprop"}),
        "lr_exponent_string": _variant(optimizer={"class_path": "torch.optim.AdamW", "init_args": {"lr": 0.0003}}),
        "polynomial_default_iters": _variant(lr_scheduler={"class_path": sched + "PolynomialLR"}),
        "linear_defaults": _variant(lr_scheduler={"class_path": sched + "LinearLR", "init_args": {"start_factor": 0.2}}),
        "onecycle": _variant(lr_scheduler={"class_path": sched + "OneCycleLR",
                                           "init_args": {"max_lr": 0.01, "total_steps": 20}}),
        "onecycle_no_total": _variant(lr_scheduler={"class_path": sched + "OneCycleLR", "init_args": {"max_lr": 0.01}}),
        "cosine_no_tmax": _variant(lr_scheduler={"class_path": sched + "CosineAnnealingLR"}),
        "cosine": _variant(lr_scheduler={"class_path": sched + "CosineAnnealingLR", "init_args": {"T_max": 10}}),
        "plateau_lightning": _variant(lr_scheduler={"class_path": "lightning.pytorch.cli.ReduceLROnPlateau",
                                                    "init_args": {"monitor": "val_loss", "factor": 0.5}}),
        "no_scheduler": _variant(),
        "trainer_limits": _variant(trainer__max_epochs=..., trainer__max_steps=500, trainer__accumulate_grad_batches=4,
                                   trainer__limit_train_batches=0.25),
        "trainer_limit_int_1": _variant(trainer__limit_train_batches=1),
        "trainer_limit_float_1": _variant(trainer__limit_train_batches=1.0),
        "no_epoch_limit_set": _variant(trainer__max_epochs=...),
        "max_epochs_minus_one": _variant(trainer__max_epochs=-1, trainer__max_steps=40),
        "ddp_devices_nodes": _variant(trainer__devices=4, trainer__num_nodes=2, trainer__strategy="ddp"),
        "flat_init_args": _variant(optimizer={"class_path": "torch.optim.AdamW", "lr": 0.02}),
        "plateau_short_name": _variant(lr_scheduler={"class_path": "ReduceLROnPlateau",
                                                     "init_args": {"monitor": "val_loss"}}),
        "plateau_torch_no_monitor": _variant(lr_scheduler={"class_path": sched + "ReduceLROnPlateau"}),
        "devices_auto_cpu": _variant(trainer__devices="auto"),
        "no_optimizer": _variant(optimizer=..., lr_scheduler={"class_path": sched + "StepLR",
                                                               "init_args": {"step_size": 2}}),
        "fit_subcommand_nesting": {"fit": _variant(lr_scheduler={"class_path": sched + "StepLR",
                                                                 "init_args": {"step_size": 3}})},
    }
    cases = []
    for name, config in variants.items():
        config = {k: v for k, v in config.items() if v is not None}
        cases.append({"name": name, "yaml": _yaml_text(config, exponent_strings=name == "lr_exponent_string")})
    return cases


def _swap_classes(config: dict[str, Any]) -> dict[str, Any]:
    body = config.get("fit", config)
    for key, cls in (("model", "gen_lightning_steps.GoldenModel"), ("data", "gen_lightning_steps.GoldenData")):
        if isinstance(body.get(key), dict):
            body[key]["class_path"] = cls
    return config


def _make_cli(config: dict[str, Any], tmp: str, extra: list[str]) -> Any:
    """LightningCLI parsing `config` (`run=False`; a `fit:`-nested config needs the subcommand, so it runs a `fit`
    of zero batches)."""
    from lightning.pytorch.cli import LightningCLI

    path = Path(tmp) / "config.yaml"
    path.write_text(yaml.safe_dump(_swap_classes(config), sort_keys=False))
    quiet = [f"--trainer.{key}={str(value).lower()}" for key, value in QUIET.items()]
    rest = quiet + [f"--trainer.default_root_dir={tmp}"] + extra
    if "fit" in config:  # a config for the parser before the subcommand: only a real `fit` run can read it
        return LightningCLI(subclass_mode_model=True, subclass_mode_data=True, save_config_callback=None,
                            args=["--config", str(path), "fit", *rest, "--trainer.limit_train_batches=0"])
    return LightningCLI(subclass_mode_model=True, subclass_mode_data=True, run=False, save_config_callback=None,
                        args=["--config", str(path), *rest])


def run_cli_case(case: dict[str, Any]) -> dict[str, Any]:
    from lightning.pytorch.core.optimizer import _configure_optimizers, _configure_schedulers_automatic_opt

    config = yaml.safe_load(case["yaml"])
    with tempfile.TemporaryDirectory() as tmp:
        try:
            cli = _make_cli(config, tmp, [])
            optim_conf = cli.model.configure_optimizers()
            optimizers, schedulers, monitor = _configure_optimizers(optim_conf)
            configs = _configure_schedulers_automatic_opt(schedulers, monitor)
        except BaseException as exc:  # noqa: BLE001 - recorded: lrcli must refuse these configs too
            return {**case, "error": error_text(exc)}
        trainer = cli.trainer
        result: dict[str, Any] = {
            "max_epochs": trainer.max_epochs, "max_steps": trainer.max_steps,
            "accumulate_grad_batches": trainer.accumulate_grad_batches,
            "limit_train_batches": trainer.limit_train_batches, "world_size": trainer.world_size,
            "batch_size": cli.datamodule.batch_size, "lr": optimizers[0].param_groups[0]["lr"],
            "model_configure_optimizers": optimizers[0].param_groups[0]["lr"] == 0.123,  # the CLI did not replace it
        }  # fmt: skip
        if configs:
            scheduler = configs[0].scheduler
            result["scheduler"] = type(scheduler).__name__
            result["interval"] = configs[0].interval
            result["monitor"] = configs[0].monitor
            optimizer = optimizers[0]
            lrs = [optimizer.param_groups[0]["lr"]]
            if not configs[0].reduce_on_plateau:
                for _ in range(12):
                    optimizer.step()
                    scheduler.step()
                    lrs.append(optimizer.param_groups[0]["lr"])
            result["scheduler_lrs"] = lrs
        else:
            result["scheduler"] = None
    return {**case, **result}


def run_sample(name: str, samples: int) -> dict[str, Any]:
    """`python lightning_cli_main.py fit --config <sample>` as a user runs it (strategy ddp: one process per device,
    launched by Lightning; ddp_spawn would pickle the model and lose the CLI's configure_optimizers)."""
    config = yaml.safe_load((ROOT / "sample_configs" / name).read_text())
    devices = config["trainer"].get("devices", 1)
    world = devices * config["trainer"].get("num_nodes", 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(yaml.safe_dump(_swap_classes(config), sort_keys=False))
        out = Path(tmp) / "record.json"
        quiet = [f"--trainer.{key}={str(value).lower()}" for key, value in QUIET.items()]
        command = [sys.executable, str(Path(__file__).resolve().parent / "lightning_cli_main.py"), "fit",
                   "--config", str(path), "--trainer.accelerator=cpu", "--trainer.precision=32-true",
                   f"--trainer.strategy={'ddp' if world > 1 else 'auto'}", f"--data.init_args.samples={samples}",
                   f"--trainer.default_root_dir={tmp}", *quiet]  # fmt: skip
        subprocess.run(command, check=True, cwd=tmp, env={**os.environ, "LRCLI_LIGHTNING_RECORD": str(out)},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        record = json.loads(out.read_text())
    return {"config": name, "samples": samples, "world_size": world, "total_steps": record["optimizer_steps"],
            "warmup_steps": 0, "lr": record["lr"]}


def error_text(exc: BaseException) -> str:
    """The exception Lightning raised (from a ddp_spawn child too: its last line names it)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[-1] if lines else ""
    return f"{type(exc).__name__}: {text[:240]}"


def _fit_with_retries(case: dict[str, Any]) -> dict[str, Any] | None:
    """The fit's record, or Lightning's refusal as {"error": ...}; None when the machine, not Lightning, failed
    (a ddp_spawn worker killed by a signal), which is retried and then left out rather than recorded as a refusal."""
    for _ in range(3):
        try:
            return run_fit(case)
        except Exception as exc:  # noqa: BLE001 - Lightning refused the case: recorded, lrcli must refuse it too
            if "terminated with signal" in str(exc):
                continue
            return {**case, "error": error_text(exc)}
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--only", choices=["fits", "cli", "configs"], help="run one section and print it (no file)")
    opts = parser.parse_args()
    warnings.filterwarnings("ignore")
    import logging

    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import lightning

    fits, cli, configs = [], [], []
    if opts.only in (None, "fits"):
        for index, case in enumerate(random_cases(opts.cases, opts.seed)):
            record = _fit_with_retries(case)
            if record is None:
                print(index, "skipped: the worker processes crashed three times", flush=True)
                continue
            fits.append(record)
            print(index, record.get("optimizer_steps", record.get("error")), flush=True)
    if opts.only in (None, "cli"):
        cli = [run_cli_case(case) for case in cli_cases()]
        for case in cli:
            if case["name"] == "fit_subcommand_nesting":
                case.pop("limit_train_batches", None)  # set to 0 here so that `fit` only parses and builds
        for case in cli:
            print(case["name"], case.get("error") or {k: case[k] for k in ("lr", "scheduler", "max_epochs", "world_size",
                  "limit_train_batches") if k in case} | {"interval": case.get("interval")}, flush=True)
    if opts.only in (None, "configs"):
        configs = [run_sample(name, samples) for name, samples in SAMPLE_CASES]
        for case in configs:
            print(case["config"], case["total_steps"], case["lr"][-3:], flush=True)
    if opts.only is not None:
        return
    document = {"generator": "tools/gen_lightning_steps.py", "lightning": lightning.__version__,
                "torch": torch.__version__, "fits": fits, "cli": cli, "configs": configs}
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main()
