"""Golden step counts and LR curves for sample_configs/ from each framework's own code -> tests/data/config_goldens.json.

Versions: transformers 5.25.0, accelerate 1.16.0, torch 2.13.0 (5.24.0 with 1.15.0 gave the same cases); trl 0.24.0, axolotl 0.21.0
(lrcli's default line; `--axolotl` takes any release's package dir, 0.19.0 gave the same cases),
llamafactory 0.9.5, torchtune 0.6.1 (wheels, unzipped); deepspeed 0.19.8 (sdist). Rerun from the repo root:

    pip download --no-deps -d /tmp/cfgsrc trl==0.24.0 axolotl==0.19.0 llamafactory==0.9.5 torchtune==0.6.1
    (cd /tmp/cfgsrc && for w in *.whl; do unzip -qo $w -d x; done)
    pip download --no-deps -d /tmp/ds deepspeed==0.19.8 && tar xzf /tmp/ds/deepspeed-0.19.8.tar.gz -C /tmp/ds
    /work/venv/bin/python tools/gen_config_goldens.py [--packages /tmp/cfgsrc/x] [--deepspeed DIR] [--axolotl DIR]

What runs as shipped, per dialect (the rest is stated where it is not the framework's own code):
- HF / TRL / LLaMA-Factory / DeepSpeed pair: the config values are parsed by transformers' `HfArgumentParser`
  into `TrainingArguments` (TRL: into trl's real `SFTConfig`, so its lr default and `lr_scheduler_kwargs` string
  handling are TRL's/HF's own); T and W come from the real `Trainer.set_initial_training_values` and
  `get_warmup_steps` (tools/hf_steps_oracle.py, accelerate's real sharding); the curve from transformers'
  `get_scheduler` stepped T times. LLaMA-Factory: its `create_custom_scheduler` (extracted from
  `train/trainer_utils.py` and executed) fills the WSD kwargs; its dataset cut is NOT run (the `datasets` package
  is not installed): N = min(N, max_samples) (`data/loader.py`) and N − ceil(val_size · N) (`datasets`
  `train_test_split` with a float test_size) are applied here by hand.
- DeepSpeed: "auto" filled by transformers' `HfTrainerDeepSpeedConfig` (tools/gen_deepspeed_axolotl_golden.py),
  the scheduler is DeepSpeed's own `runtime/lr_schedules.py` class. The standalone DeepSpeed file is run the way
  the HF Trainer launches it (its "auto" values become HF's defaults: b 8, GA 1, lr 5e-5).
- axolotl: T and W from tools/gen_axolotl_rules_golden.py's `Runner` (axolotl's own normalize_config batch rule,
  val_set_size split through `datasets` 4.8.4 — so this generator needs `pip install datasets==4.8.4`; datasets 5.2.0 gives the same cases —,
  `calculate_total_num_steps`, `_configure_warmup_and_logging`, HF's `get_warmup_steps`). The curve: axolotl's
  real `SchedulerMixin.create_scheduler`; with a DeepSpeed scheduler section, DeepSpeed's class with the params
  HF's `HfTrainerDeepSpeedConfig` fills (transformers 5.24 here; axolotl's 5.16.1 fills warmup_num_steps with W
  instead of max(1, W), the same for the W ≥ 1 of these cases).
- torchtune: the dataloader length is torch's real `DataLoader(DistributedSampler(num_replicas=dp, rank=0),
  drop_last=True)`; steps per epoch = len // GA capped at max_steps_per_epoch and T = epochs · that are the
  recipe's lines (full_finetune_distributed.py 370–383), written here by hand; the curve is torchtune's own
  `training/lr_schedulers.py` `get_cosine_schedule_with_warmup`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import types
from pathlib import Path
from typing import Any

import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_code import Cfg, extract  # noqa: E402
from gen_deepspeed_axolotl_golden import hf_filled_params, load_axolotl, load_deepspeed  # noqa: E402
from hf_steps_oracle import hf_steps  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_configs"
OUTPUT = ROOT / "tests" / "data" / "config_goldens.json"

# (config, samples N, world size)
CASES = [
    ("hf_training_args.json", 2001, 2),
    ("trl_sft.yaml", 2001, 2),
    ("llamafactory_sft.yaml", 2001, 1),
    ("axolotl_lora.yml", 1001, 1),
    ("axolotl_lora.yml", 5003, 4),
    ("axolotl_deepspeed.yml", 1001, 1),
    ("axolotl_deepspeed.yml", 5003, 4),
    ("torchtune_lora.yaml", 2001, 2),
    ("deepspeed_warmup_decay.json", 2001, 1),
    ("hf_with_deepspeed.yaml", 2001, 2),
]


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())


def _steps_of(scheduler: Any, optimizer: torch.optim.Optimizer, total: int) -> list[float]:
    values = [optimizer.param_groups[0]["lr"]]
    for _ in range(total):
        optimizer.step()
        scheduler.step()
        values.append(optimizer.param_groups[0]["lr"])
    return [float(v) for v in values]


def _optimizer(lr: float) -> torch.optim.Optimizer:
    return torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _hf_args(raw: dict[str, Any], dataclass_type: type) -> Any:
    from transformers import HfArgumentParser

    keys = {f.name for f in dataclass_type.__dataclass_fields__.values() if f.init}
    given = {k: v for k, v in raw.items() if k in keys and k != "deepspeed"}
    given["output_dir"] = "/tmp/lrcli-golden"
    given["report_to"] = []
    given["use_cpu"] = True
    given.pop("bf16", None)  # no GPU here; precision does not change T, W or the LR
    (args,) = HfArgumentParser(dataclass_type).parse_dict(given, allow_extra_keys=True)
    return args


def _hf_plan(args: Any, samples: int, world: int) -> tuple[int, int]:
    plan = hf_steps(samples, args.per_device_train_batch_size, args.gradient_accumulation_steps,
                    args.num_train_epochs, world, args.dataloader_drop_last, args.max_steps, args.warmup_steps)
    if "error" in plan:
        raise RuntimeError(plan["error"])
    return plan["total_steps"], plan["warmup_steps"]


def _hf_curve(args: Any, total: int, warmup: int) -> list[float]:
    from transformers import get_scheduler

    optimizer = _optimizer(args.learning_rate)
    scheduler = get_scheduler(args.lr_scheduler_type, optimizer, num_warmup_steps=warmup, num_training_steps=total,
                              scheduler_specific_kwargs=args.lr_scheduler_kwargs)
    return _steps_of(scheduler, optimizer, total)


def _deepspeed_curve(ds_module: Any, ds: dict[str, Any], lr: float, total: int, warmup: int) -> list[float]:
    section = ds["scheduler"]
    params = hf_filled_params(
        {"schedule": section["type"], "kwargs": section["params"], "lr": lr, "warmup": warmup, "total": total}
    )
    optimizer = _optimizer(lr)
    scheduler = getattr(ds_module, section["type"])(optimizer, **params)
    values = [optimizer.param_groups[0]["lr"]]
    for _ in range(total):
        scheduler.step()
        values.append(optimizer.param_groups[0]["lr"])
    return [float(v) for v in values]


def run_hf_family(name: str, samples: int, world: int, packages: Path, ds_module: Any) -> dict[str, Any]:
    from transformers import TrainingArguments

    path = SAMPLES / name
    raw = _load(path)
    if name.startswith("trl"):
        sys.path.insert(0, str(packages))
        from trl import SFTConfig

        args = _hf_args(raw, SFTConfig)
        world = raw.get("num_processes", world)
    else:
        args = _hf_args(raw, TrainingArguments)
    n = samples
    if name.startswith("llamafactory"):
        n = min(n, raw["max_samples"])  # data/loader.py cuts each dataset; the sample has one
        n -= math.ceil(raw["val_size"] * n)  # datasets train_test_split(test_size=float): n_test = ceil(v · n)
    total, warmup = _hf_plan(args, n, world)
    if name.startswith("llamafactory"):
        namespace = {"DummyOptimizer": type("DummyOptimizer", (), {}), "torch": torch}
        create = extract(packages / "llamafactory" / "train" / "trainer_utils.py", "create_custom_scheduler", namespace)
        create(args, total, None)
    ds_name = raw.get("deepspeed")
    if ds_name is not None:
        ds = _load(path.parent / ds_name)
        return {"total_steps": total, "warmup_steps": warmup,
                "lr": _deepspeed_curve(ds_module, ds, args.learning_rate, total, warmup)}
    return {"total_steps": total, "warmup_steps": warmup, "lr": _hf_curve(args, total, warmup)}


def run_deepspeed_alone(name: str, samples: int, world: int, ds_module: Any) -> dict[str, Any]:
    from transformers import TrainingArguments

    ds = _load(SAMPLES / name)
    args = TrainingArguments(output_dir="/tmp/lrcli-golden", report_to=[])  # every "auto" takes HF's default
    total, warmup = _hf_plan(args, samples, world)
    return {"total_steps": total, "warmup_steps": warmup,
            "lr": _deepspeed_curve(ds_module, ds, args.learning_rate, total, warmup)}


def run_axolotl(name: str, samples: int, world: int, axolotl_dir: Path, ds_module: Any) -> dict[str, Any]:
    from gen_axolotl_rules_golden import Runner
    from transformers import TrainingArguments

    raw = _load(SAMPLES / name)
    cfg = Cfg(raw)
    plan = Runner(axolotl_dir).run(dict(raw), samples, world, None)
    hf_total, warmup = plan["total_steps"], plan["warmup_steps"]
    if raw.get("deepspeed") is not None:
        ds = _load(SAMPLES / raw["deepspeed"])
        return {"total_steps": hf_total, "warmup_steps": warmup,
                "lr": _deepspeed_curve(ds_module, ds, float(raw["learning_rate"]), hf_total, warmup)}
    args = TrainingArguments(output_dir="/tmp/lrcli-golden", report_to=[], max_steps=hf_total,
                             warmup_steps=plan["handed_warmup_steps"])
    cfg.learning_rate = float(cfg.learning_rate)
    mixin = load_axolotl(axolotl_dir)
    sched_args = types.SimpleNamespace(
        lr_scheduler_type=cfg.lr_scheduler or "cosine", alternate_lr_scheduler_type=None,
        lr_quadratic_warmup=cfg.lr_quadratic_warmup, cosine_min_lr_ratio=cfg.cosine_min_lr_ratio,
        cosine_constant_lr_ratio=cfg.cosine_constant_lr_ratio, learning_rate=cfg.learning_rate,
        lr_scheduler_kwargs={}, jagged_restart_steps=None, get_warmup_steps=args.get_warmup_steps,
    )
    optimizer = _optimizer(cfg.learning_rate)
    trainer = types.SimpleNamespace(args=sched_args, lr_scheduler=None, optimizer=optimizer)
    scheduler = mixin.SchedulerMixin.create_scheduler(trainer, hf_total, optimizer=optimizer)
    return {"total_steps": hf_total, "warmup_steps": warmup, "lr": _steps_of(scheduler, optimizer, hf_total)}


def run_torchtune(name: str, samples: int, world: int, packages: Path) -> dict[str, Any]:
    from torch.utils.data import DataLoader, DistributedSampler

    raw = _load(SAMPLES / name)
    data = list(range(samples))
    sampler = DistributedSampler(data, num_replicas=world, rank=0, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=raw["batch_size"], sampler=sampler, drop_last=True)
    per_epoch = len(loader) // raw["gradient_accumulation_steps"]
    cap = raw.get("max_steps_per_epoch")
    if cap is not None and cap < per_epoch:
        per_epoch = cap
    total = raw["epochs"] * per_epoch
    memory = types.ModuleType("torchtune.training.memory")
    memory.OptimizerInBackwardWrapper = type("OptimizerInBackwardWrapper", (), {})
    for stub in ("torchtune", "torchtune.training"):
        sys.modules.setdefault(stub, types.ModuleType(stub))
    sys.modules["torchtune.training.memory"] = memory
    spec = importlib.util.spec_from_file_location("tt_lr", packages / "torchtune" / "training" / "lr_schedulers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    warmup = raw["lr_scheduler"]["num_warmup_steps"]
    optimizer = _optimizer(float(raw["optimizer"]["lr"]))
    scheduler = module.get_cosine_schedule_with_warmup(optimizer, warmup, total)
    return {"total_steps": total, "warmup_steps": warmup, "lr": _steps_of(scheduler, optimizer, total)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=Path("/tmp/cfgsrc/x"))
    parser.add_argument("--deepspeed", type=Path, default=Path("/tmp/ds/deepspeed-0.19.8/deepspeed"))
    parser.add_argument("--axolotl", type=Path, default=None, help="axolotl's package dir (default: PACKAGES/axolotl)")
    opts = parser.parse_args()
    axolotl_dir = opts.axolotl or opts.packages / "axolotl"
    import warnings

    warnings.filterwarnings("ignore")
    ds_module, _ = load_deepspeed(opts.deepspeed)
    results = []
    for name, samples, world in CASES:
        if name.startswith("axolotl"):
            result = run_axolotl(name, samples, world, axolotl_dir, ds_module)
        elif name.startswith("torchtune"):
            result = run_torchtune(name, samples, world, opts.packages)
        elif name.startswith("deepspeed"):
            result = run_deepspeed_alone(name, samples, world, ds_module)
        else:
            result = run_hf_family(name, samples, world, opts.packages, ds_module)
        results.append({"config": name, "samples": samples, "world_size": world, **result})
        print(f"{name} N={samples} w={world}: T={result['total_steps']} W={result['warmup_steps']}")
    import transformers

    release = next(axolotl_dir.parent.glob("axolotl-*.dist-info"), None)
    document = {"generator": "tools/gen_config_goldens.py", "transformers": transformers.__version__,
                "torch": torch.__version__,
                "axolotl": release.name.removeprefix("axolotl-").removesuffix(".dist-info") if release else "unknown",
                "cases": results}
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main()
