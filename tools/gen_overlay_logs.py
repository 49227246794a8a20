"""Golden training logs for `lrcli overlay`, written by the real frameworks (never by hand).

Each case is a directory under tests/data/overlay/ holding the log the framework wrote (only the log files are kept:
weights, optimizer states and checkpoints' other files are deleted) and `config.yaml`, the config lrcli is told the
run had (which for the mismatch cases is deliberately NOT what the run used), plus `case.json` (what was run).

Run:
    .venv/bin/python tools/gen_overlay_logs.py hf          # transformers 5.25.0: hf-agree, hf-grad-accum, hf-resumed
    .venv/bin/pip install wandb==0.31.0 && .venv/bin/python tools/gen_overlay_logs.py hf-combined   # + W&B offline
    .venv/bin/torchrun --nproc_per_node 2 tools/gen_overlay_logs.py hf-world-size   # 2 CPU processes (gloo)
    python -m venv /tmp/venv450 && /tmp/venv450/bin/pip install transformers==4.50.3 accelerate==1.15.0 \
        torch==2.13.0 numpy pyyaml && /tmp/venv450/bin/python tools/gen_overlay_logs.py hf-4.50
    .venv/bin/python tools/gen_overlay_logs.py lightning   # Lightning 2.6.6: CSVLogger (+ TensorBoard when installed)
    .venv/bin/pip install --no-deps peft --target /tmp/peft && \
        .venv/bin/python tools/gen_overlay_logs.py llamafactory /tmp/peft   # LLaMA-Factory 0.9.5's LogCallback
    .venv/bin/python tools/gen_overlay_logs.py torchtune   # torchtune 0.6.1's DiskLogger under its recipe's loop
    DS_ACCELERATOR=cpu /tmp/venv-ds/bin/python tools/gen_overlay_logs.py deepspeed   # the real DeepSpeed 0.19.8 engine

The HF runs train a one-weight model on CPU with logging_steps=1, so every optimizer step logs its LR; with the
`tensorboard` package installed the HF runs also report_to tensorboard, and its event file is kept.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import tempfile
from pathlib import Path

import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_sources import package_dir  # noqa: E402
from torch import nn

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "overlay"
SAMPLES = 256
BATCH = 4
# The run the configs describe: N = 256, b = 4 -> 64 updates per epoch, 3 epochs: T = 192, 10 warmup steps.
CONFIG = {
    "learning_rate": 1e-3,
    "lr_scheduler_type": "cosine",
    "warmup_steps": 10,
    "num_train_epochs": 3,
    "per_device_train_batch_size": BATCH,
    "gradient_accumulation_steps": 1,
    "logging_steps": 1,
}


class _OneWeight(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": ((self.weight * x - labels) ** 2).mean()}


class _Rows(torch.utils.data.Dataset):
    def __len__(self) -> int:
        return SAMPLES

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": torch.tensor([1.0 + i % 7]), "labels": torch.tensor([0.5])}


def _tensorboard() -> bool:
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        return False
    return True


def _hf_run(work: Path, *, resume: str | None = None, save_steps: int | None = None, trainer_class: type | None = None,
            callbacks: list | None = None, **overrides: object) -> Path:
    from transformers import Trainer, TrainingArguments

    settings = dict(CONFIG) | overrides
    if "logging_dir" in {f.name for f in dataclasses.fields(TrainingArguments)}:  # removed in 5.x: output_dir/runs
        settings["logging_dir"] = str(work / "runs")
    settings = {"use_cpu": True, "report_to": ["tensorboard"] if _tensorboard() else []} | settings
    args = TrainingArguments(
        output_dir=str(work),
        save_strategy="steps" if save_steps else "no",
        save_steps=save_steps or 500,
        dataloader_num_workers=0,
        seed=0,
        disable_tqdm=True,
        **settings,
    )
    trainer = (trainer_class or Trainer)(model=_OneWeight(), args=args, train_dataset=_Rows(), callbacks=callbacks)
    trainer.train(resume_from_checkpoint=resume)
    trainer.save_state()  # output_dir/trainer_state.json: the whole log_history
    return work


def _keep_logs(run: Path, dest: Path) -> None:
    """Copies what a user points overlay at: trainer_state.json (the output dir's and each checkpoint's), the
    TensorBoard event files and a W&B run's run-<id>.wandb; nothing else (weights, optimizer states, W&B's debug logs
    and its files/ directory are large or irrelevant)."""
    for path in sorted(run.rglob("*")):
        if (path.name in ("trainer_state.json", "trainer_log.jsonl") or path.name.startswith("events.out.tfevents")
                or (path.suffix == ".wandb" and path.name.startswith("run-"))):  # fmt: skip
            target = dest / path.relative_to(run)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _write_case(name: str, config: dict, what: dict) -> Path:
    dest = OUT / name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


def _meta(dest: Path, what: dict) -> None:
    import transformers

    what = {"transformers": transformers.__version__, "torch": torch.__version__, "samples": SAMPLES} | what
    (dest / "case.json").write_text(json.dumps(what, indent=1) + "\n")


def hf_cases() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        # agree: the run is what the config says.
        dest = _write_case("hf-agree", CONFIG, {})
        _keep_logs(_hf_run(tmp_path / "agree"), dest / "run")
        _meta(dest, {"ran": CONFIG})

        # grad-accum: the run used GA 2 (T = 96), the config says GA 1 (T = 192).
        ran = CONFIG | {"gradient_accumulation_steps": 2}
        dest = _write_case("hf-grad-accum", CONFIG, {})
        _keep_logs(_hf_run(tmp_path / "ga", gradient_accumulation_steps=2), dest / "run")
        _meta(dest, {"ran": ran})

        # resumed: 2 epochs (T = 128) saved at step 52, resumed from checkpoint-52 with 3 epochs (T = 192).
        first = tmp_path / "resumed"
        _hf_run(first, save_steps=52, num_train_epochs=2)
        for extra in first.glob("checkpoint-*"):
            if extra.name != "checkpoint-52":
                shutil.rmtree(extra)
        shutil.rmtree(first / "runs", ignore_errors=True)  # the first run's events: the user looks at the resumed one
        _hf_run(first, resume=str(first / "checkpoint-52"), save_steps=52)
        for extra in first.glob("checkpoint-*"):  # the resume point and the latest: what the tests read
            if extra.name not in ("checkpoint-52", "checkpoint-192"):
                shutil.rmtree(extra)
        dest = _write_case("hf-resumed", CONFIG, {})
        _keep_logs(first, dest / "run")
        _meta(dest, {"ran": [CONFIG | {"num_train_epochs": 2, "stopped_at": 52},
                             CONFIG | {"resume_from_checkpoint": "checkpoint-52"}]})  # fmt: skip


# The run of the combined case: gradient accumulation 2 (T = 96) and learning_rate 5e-4, while its config says 1 and
# 1e-3: stretched ×2 and scaled ×0.5 at once.
COMBINED = {"gradient_accumulation_steps": 2, "learning_rate": 5e-4}


def hf_combined_case() -> None:
    """Two causes in one real run, logged by all three HF loggers: trainer_state.json, TensorBoard and W&B (offline:
    WANDB_MODE=offline writes wandb/offline-run-<time>-<id>/run-<id>.wandb with no network; wandb 0.31.0)."""
    import os

    import wandb

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "combined"
        work.mkdir()
        os.environ.update(WANDB_MODE="offline", WANDB_DIR=str(work), WANDB_SILENT="true", WANDB_PROJECT="lrcli-overlay")
        report_to = ["tensorboard", "wandb"] if _tensorboard() else ["wandb"]
        _hf_run(work, report_to=report_to, **COMBINED)
        wandb.finish()  # the Trainer leaves the run open (finished at exit); its file is complete once finished
        dest = _write_case("hf-combined", CONFIG, {})
        (dest / "config_as_run.yaml").write_text(yaml.safe_dump(CONFIG | COMBINED, sort_keys=False))
        _keep_logs(work, dest / "run")
        _meta(dest, {"ran": CONFIG | COMBINED, "report_to": report_to, "wandb": wandb.__version__,
                     "wandb_mode": "offline"})  # fmt: skip


def hf_world_size_case() -> None:
    """Run under `torchrun --nproc_per_node 2` (CPU, gloo): 2 processes, so T = 96, while the config says nothing of
    the world size (lrcli's default 1: T = 192). Process 0 writes the logs."""
    import os

    dest = OUT / "hf-world-size"
    work = Path(tempfile.gettempdir()) / "lrcli-overlay-world-size"
    if os.environ.get("RANK", "0") == "0":
        shutil.rmtree(work, ignore_errors=True)
    _hf_run(work)
    if os.environ.get("RANK", "0") == "0":
        _write_case("hf-world-size", CONFIG, {})
        _keep_logs(work, dest / "run")
        _meta(dest, {"ran": CONFIG, "world_size": int(os.environ["WORLD_SIZE"]), "launcher": "torchrun, gloo on CPU"})


def hf_450_case() -> None:
    import transformers

    if transformers.__version__ != "4.50.3":
        sys.exit(f"run under transformers 4.50.3 (this is {transformers.__version__}); see the docstring")
    with tempfile.TemporaryDirectory() as tmp:
        dest = _write_case("hf-4.50", CONFIG, {})
        _keep_logs(_hf_run(Path(tmp) / "run450"), dest / "run")
        _meta(dest, {"ran": CONFIG})


# The DeepSpeed config of the "different family" case: its scheduler section replaces the HF config's cosine.
# ZeRO stage 0 (plain data parallelism) and the batch keys "auto": accelerate's DeepSpeedPlugin and DeepSpeed require
# them (the HF Trainer fills them from its arguments).
DEEPSPEED = {"train_batch_size": "auto", "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto",
             "zero_optimization": {"stage": 0}, "scheduler": {"type": "WarmupDecayLR", "params": {
    "warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto", "total_num_steps": "auto"}}}


def deepspeed_case() -> None:
    """The real DeepSpeed 0.19.8 engine on CPU under the real HF Trainer: `TrainingArguments(deepspeed=ds_config.json)`
    whose `scheduler` section (WarmupDecayLR, every param "auto") replaces the config's cosine. transformers'
    HfTrainerDeepSpeedConfig fills the "auto" values, deepspeed.initialize builds the engine and its scheduler, the
    Trainer's loop steps it through accelerate's DeepSpeedSchedulerWrapper and logs `lr_scheduler.get_last_lr()[0]`.
    DeepSpeed runs here with DS_ACCELERATOR=cpu and the gloo backend, one process:
        python -m venv /tmp/venv-ds && /tmp/venv-ds/bin/pip install torch==2.13.0 deepspeed==0.19.8 \
            transformers==5.25.0 accelerate==1.16.0 pyyaml && \
            DS_ACCELERATOR=cpu /tmp/venv-ds/bin/python tools/gen_overlay_logs.py deepspeed"""
    import os

    import deepspeed
    import transformers

    if os.environ.get("DS_ACCELERATOR") != "cpu":
        sys.exit("run with DS_ACCELERATOR=cpu (DeepSpeed's CPU accelerator); see the docstring")
    for name, value in (("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "29531"), ("RANK", "0"), ("LOCAL_RANK", "0"),
                        ("WORLD_SIZE", "1")):  # fmt: skip
        os.environ.setdefault(name, value)  # one process of a distributed run, as the deepspeed launcher sets up
    with tempfile.TemporaryDirectory() as tmp:
        dest = _write_case("hf-deepspeed", CONFIG, {})
        (dest / "ds_config.json").write_text(json.dumps(DEEPSPEED, indent=1) + "\n")
        (dest / "config_with_deepspeed.yaml").write_text(yaml.safe_dump(CONFIG | {"deepspeed": "ds_config.json"},
                                                                        sort_keys=False))
        run = _hf_run(Path(tmp) / "ds", deepspeed=str(dest / "ds_config.json"), ddp_backend="gloo", use_cpu=False)
        _keep_logs(run, dest / "run")
        what = {"ran": CONFIG, "deepspeed": DEEPSPEED, "deepspeed_version": deepspeed.__version__,
                "transformers": transformers.__version__, "engine": "deepspeed.initialize via the HF Trainer, "
                "DS_ACCELERATOR=cpu, gloo, 1 process"}  # fmt: skip
        (dest / "case.json").write_text(json.dumps({"torch": torch.__version__, "samples": SAMPLES} | what, indent=1)
                                        + "\n")


def llamafactory_case(peft_dir: str) -> None:
    """LLaMA-Factory 0.9.5's own LogCallback (train/callbacks.py, from the pinned source; its import of peft needs
    `pip install --no-deps peft --target DIR`, given as the second argument) on the real 5.24 Trainer: it writes
    output_dir/trainer_log.jsonl as a LLaMA-Factory run does. The run: GA 2 while the config says 1 (stretched)."""
    sys.path.insert(0, peft_dir)
    sys.path.insert(0, str(package_dir("llamafactory").parent))
    from llamafactory.train.callbacks import LogCallback

    with tempfile.TemporaryDirectory() as tmp:
        dest = _write_case("llamafactory-grad-accum", CONFIG, {})
        run = _hf_run(Path(tmp) / "lf", callbacks=[LogCallback()], gradient_accumulation_steps=2)
        target = dest / "run" / "trainer_log.jsonl"
        target.parent.mkdir(parents=True)
        shutil.copyfile(run / "trainer_log.jsonl", target)
        _meta(dest, {"ran": CONFIG | {"gradient_accumulation_steps": 2}, "llamafactory": "0.9.5 LogCallback"})


TORCHTUNE_CONFIG = {
    "optimizer": {"_component_": "torch.optim.SGD", "lr": 1e-3},
    "lr_scheduler": {"_component_": "torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup",
                     "num_warmup_steps": 10},
    "batch_size": BATCH,
    "epochs": 3,
    "gradient_accumulation_steps": 1,
    "metric_logger": {"_component_": "torchtune.training.metric_logging.DiskLogger", "log_dir": "logs"},
}


def torchtune_case() -> None:
    """torchtune 0.6.1's own DiskLogger and get_cosine_schedule_with_warmup (lifted from the pinned wheel by
    tools/framework_code.extract: importing torchtune needs torchao/omegaconf), driven by the training loop of
    recipes/lora_finetune_single_device.py `train` as written there: optimizer.step(), zero_grad, lr_scheduler.step(),
    global_step += 1, then `log_dict({"loss", "lr": param_groups[0]["lr"], …}, step=global_step)`."""
    import math
    import time
    from collections.abc import Mapping
    from typing import Optional

    from framework_code import extract

    root = package_dir("torchtune")
    namespace = {"math": math, "torch": torch, "LambdaLR": torch.optim.lr_scheduler.LambdaLR, "Union": object,
                 "OptimizerInBackwardWrapper": type("Never", (), {}), "Path": Path, "time": time,
                 "Optional": Optional, "Mapping": Mapping, "Scalar": float, "DictConfig": dict,
                 "MetricLoggerInterface": object}  # fmt: skip
    cosine = extract(root / "training" / "lr_schedulers.py", "get_cosine_schedule_with_warmup", namespace)
    disk_logger = extract(root / "training" / "metric_logging.py", "DiskLogger", namespace)
    config = TORCHTUNE_CONFIG
    model = _OneWeight()
    optimizer = torch.optim.SGD(model.parameters(), lr=config["optimizer"]["lr"])
    loader = torch.utils.data.DataLoader(_Rows(), batch_size=config["batch_size"], shuffle=True,
                                         generator=torch.Generator().manual_seed(0))  # fmt: skip
    steps_per_epoch = len(loader) // config["gradient_accumulation_steps"]
    scheduler = cosine(optimizer, num_warmup_steps=config["lr_scheduler"]["num_warmup_steps"],
                       num_training_steps=config["epochs"] * steps_per_epoch, last_epoch=-1)  # fmt: skip
    dest = _write_case("torchtune-agree", config, {})
    logger = disk_logger(str(dest / "run"), filename="log_1.txt")
    global_step = 0
    for _ in range(config["epochs"]):
        for idx, batch in enumerate(loader):
            loss = model(**batch)["loss"]
            loss.backward()
            if (idx + 1) % config["gradient_accumulation_steps"] == 0:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                scheduler.step()
                global_step += 1
                logger.log_dict({"loss": loss.item(), "lr": optimizer.param_groups[0]["lr"]}, step=global_step)
    logger._file.close()
    what = {"torchtune": "0.6.1 DiskLogger + get_cosine_schedule_with_warmup", "torch": torch.__version__,
            "samples": SAMPLES, "ran": config}  # fmt: skip
    (dest / "case.json").write_text(json.dumps(what, indent=1) + "\n")


# The LightningCLI config the Lightning runs mirror (lrcli reads it with --samples 256): SGD lr 1e-3, CosineAnnealingLR
# over 192 steps, 3 epochs of 64 batches of 4. The runs step the scheduler per update (`interval: "step"` in
# configure_optimizers, so overlay needs --step-unit step) and per epoch (LightningCLI's default interval).
LIGHTNING_CONFIG = {
    "trainer": {"max_epochs": 3, "devices": 1, "accelerator": "cpu"},
    "data": {"class_path": "tools.gen_overlay_logs.Rows", "init_args": {"batch_size": BATCH}},
    "optimizer": {"class_path": "torch.optim.SGD", "init_args": {"lr": 1e-3}},
    "lr_scheduler": {"class_path": "torch.optim.lr_scheduler.CosineAnnealingLR", "init_args": {"T_max": 192}},
}


def _lightning_run(work: Path, interval: str) -> None:
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

    class Module(pl.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.model = _OneWeight()

        def training_step(self, batch: dict, index: int) -> torch.Tensor:
            return self.model(**batch)["loss"]

        def configure_optimizers(self) -> dict:
            optimizer = torch.optim.SGD(self.parameters(), lr=1e-3)
            t_max = 192 if interval == "step" else 3
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": interval}}

    loggers = [CSVLogger(str(work), name="csv", version=0)]
    if _tensorboard():
        loggers.append(TensorBoardLogger(str(work), name="tb", version=0))
    pl.seed_everything(0)
    trainer = pl.Trainer(max_epochs=3, accelerator="cpu", devices=1, logger=loggers, log_every_n_steps=1,
                         callbacks=[LearningRateMonitor(logging_interval=interval)], enable_checkpointing=False,
                         enable_progress_bar=False, enable_model_summary=False)  # fmt: skip
    loader = torch.utils.data.DataLoader(_Rows(), batch_size=BATCH)
    trainer.fit(Module(), loader)


def lightning_cases() -> None:
    import lightning

    for interval in ("step", "epoch"):
        config = json.loads(json.dumps(LIGHTNING_CONFIG))
        if interval == "epoch":
            config["lr_scheduler"]["init_args"]["T_max"] = 3
        dest = _write_case(f"lightning-{interval}", config, {})
        with tempfile.TemporaryDirectory() as tmp:
            _lightning_run(Path(tmp), interval)
            for path in sorted(Path(tmp).rglob("*")):
                if path.name == "metrics.csv" or path.name.startswith("events.out.tfevents"):
                    target = dest / "run" / path.relative_to(tmp)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
        what = {"lightning": lightning.__version__, "torch": torch.__version__, "samples": SAMPLES,
                "interval": interval, "logging_interval": interval}  # fmt: skip
        (dest / "case.json").write_text(json.dumps(what, indent=1) + "\n")


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "hf"
    if which == "llamafactory":
        sys.exit(llamafactory_case(sys.argv[2]))
    {"hf": hf_cases, "hf-combined": hf_combined_case, "hf-4.50": hf_450_case, "hf-world-size": hf_world_size_case, "lightning": lightning_cases, "deepspeed": deepspeed_case,
     "torchtune": torchtune_case}[which]()
