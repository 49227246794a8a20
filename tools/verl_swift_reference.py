"""verl's and ms-swift's own code, run as shipped, for the goldens (tools/gen_verl_swift_golden.py) and the live
oracle tests (tests/test_verl_swift_oracle.py).

Nothing is installed: the releases are downloaded and unpacked by tools/framework_sources.py (verl 0.9.1 and 0.5.0,
ms-swift 4.6.0 and 3.12.6), and the pieces that compute T, W and the LR are lifted out of their files (functions, or
the exact statements of a method between two markers) and executed with real torch objects:

verl
- the schedules: `verl/utils/torch_functional.py` get_cosine_schedule_with_warmup, get_constant_schedule_with_warmup,
  get_wsd_schedule_with_warmup (0.5.0), stepped as LambdaLR on a torch optimizer;
- W and the scheduler choice: 0.9.1 `FSDPEngine._build_lr_scheduler` (workers/engine/fsdp/transformer_impl.py);
  0.5.0 the statements of `ActorRolloutRefWorker._build_model_optimizer` / `CriticWorker._build_critic_model_optimizer`
  (workers/fsdp_workers.py) from `total_steps = …` to the scheduler's construction; 0.5.0 SFT the statements of
  `FSDPSFTTrainer._build_model_optimizer` (trainer/fsdp_sft_trainer.py) from `self.steps_per_epoch = …` on;
- T: 0.9.1 `RayPPOTrainer` v1 (`trainer/ppo/v1/trainer_base.py`: parameter_sync_step in `__init__`, the
  `self.steps_per_epoch = …` … `optim_total_training_steps = …` statements), v0 and 0.5.0 `ray_trainer.py` (the
  `total_training_steps = len(self.train_dataloader) …` statements), 0.9.1 SFT `SFTTrainer._init_engine`; the
  dataloaders are torch's own DataLoader / DistributedSampler with the batch sizes and drop_last the trainers use
  (StatefulDataLoader subclasses DataLoader and keeps its length).

ms-swift (see `swift_training_args`): its `TrainArgumentsMixin.__post_init__` defaults on top of transformers.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_code import extract  # noqa: E402
from framework_sources import package_dir  # noqa: E402

VERL_RELEASES = {"0.9.1": "verl", "0.8.0": "verl-0.8", "0.7.1": "verl-0.7", "0.5.0": "verl-0.5"}
ENGINE_RELEASES = ("0.9.1", "0.8.0")  # the FSDP engine workers; 0.7.1 and 0.5.0 run the legacy fsdp_workers.py


class Node(dict):
    """An OmegaConf DictConfig stand-in: attribute access, `.get`, a missing attribute raises AttributeError."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value


def node(value: Any) -> Any:
    if isinstance(value, dict):
        return Node({k: node(v) for k, v in value.items()})
    return value


@functools.cache
def statements(path: Path, first: str, last: str, function: str, class_name: str | None = None) -> Any:
    """The statements of `class_name.function` in `path` from the one whose source contains `first` through the
    one containing `last` (in the same block), compiled as a module to exec."""
    source = path.read_text()
    tree = ast.parse(source)
    body = tree.body
    if class_name is not None:
        body = next(n for n in body if isinstance(n, ast.ClassDef) and n.name == class_name).body
    func = next(n for n in body if isinstance(n, ast.FunctionDef) and n.name == function)

    def search(block: list[ast.stmt]) -> list[ast.stmt] | None:
        texts = [ast.get_source_segment(source, s) or "" for s in block]
        for i, stmt in enumerate(block):
            if first not in texts[i]:
                continue
            if _nested(stmt, first, source):  # the marker is inside a compound statement: look there
                for child in ("body", "orelse", "finalbody"):
                    inner = getattr(stmt, child, None)
                    found = search(inner) if isinstance(inner, list) and inner else None
                    if found:
                        return found
                continue
            ends = [j for j in range(i, len(block)) if last in texts[j]]
            return block[i : ends[0] + 1] if ends else None
        return None

    found = search(func.body)
    if not found:
        raise LookupError(f"{path}: no statements from {first!r} to {last!r} in {function}")
    return compile(ast.Module(body=found, type_ignores=[]), str(path), "exec")


def _nested(stmt: ast.stmt, marker: str, source: str) -> bool:
    # True when `marker` sits in a statement nested inside `stmt` (then the search descends instead)
    for child in ("body", "orelse"):
        for s in getattr(stmt, child, []) or []:
            if marker in (ast.get_source_segment(source, s) or ""):
                return True
    return False


@functools.cache
def _torch_functional(version: str) -> dict[str, Any]:
    import torch
    from torch.optim.lr_scheduler import LambdaLR

    path = package_dir(VERL_RELEASES[version]) / "utils" / "torch_functional.py"
    namespace: dict[str, Any] = {"math": __import__("math"), "Optimizer": torch.optim.Optimizer, "LambdaLR": LambdaLR,
                                 "Optional": __import__("typing").Optional}
    names = ["get_cosine_schedule_with_warmup", "get_constant_schedule_with_warmup"]
    if version == "0.5.0":
        names.append("get_wsd_schedule_with_warmup")
    return {name: extract(path, name, namespace) for name in names}


def _fake_module(name: str, **attributes: Any) -> None:
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        module = sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    for key, value in attributes.items():
        setattr(module, key, value)


def _optimizer(lr: float) -> Any:
    import torch

    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _walk(scheduler: Any, total: int) -> list[float]:
    import warnings

    lrs = [scheduler.get_last_lr()[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "step() before optimizer.step()": no update runs here
        for _ in range(total):
            scheduler.step()
            lrs.append(scheduler.get_last_lr()[0])
    return lrs


def verl_scheduler(version: str, role: str, optim: dict[str, Any], total: int) -> tuple[int, list[float]]:
    """(W, LR rows 0…T) of the scheduler verl `version` builds for `role` (actor, critic, sft) from the optimizer
    settings `optim` (the merged config section; `total_training_steps` = T is set here, as the trainers do)."""
    functions = _torch_functional(version)
    captured: dict[str, Any] = {}

    def recording(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            captured["W"] = kwargs["num_warmup_steps"]
            return functions[name](*args, **kwargs)
        return call

    recorded = {name: recording(name) for name in functions}
    _fake_module("verl.utils.torch_functional", **recorded)
    optimizer = _optimizer(float(optim["lr"]))
    root = package_dir(VERL_RELEASES[version])
    quiet = {"print": lambda *a, **k: None}
    if role == "sft" and version == "0.5.0":
        raise ValueError("use verl_sft_0_5 for verl 0.5.0's SFT trainer")
    config = node({**optim, "total_training_steps": total})
    if version in ENGINE_RELEASES:
        method = _fsdp_builder(root)
        scheduler = method(types.SimpleNamespace(optimizer_config=config, rank=1), optimizer)
    else:
        workers = root / "workers" / "fsdp_workers.py"
        if role == "actor":
            code = statements(workers, "total_steps = optim_config", "raise NotImplementedError(f\"",
                              "_build_model_optimizer", "ActorRolloutRefWorker")
            scope = {**recorded, **quiet, "optim_config": config, "actor_optimizer": optimizer,
                     "self": types.SimpleNamespace(rank=1)}
            exec(code, scope)  # noqa: S102 - verl's own statements
            scheduler = scope["actor_lr_scheduler"]
        else:
            code = statements(workers, "total_steps = config.optim", "raise NotImplementedError(f\"",
                              "_build_critic_model_optimizer", "CriticWorker")
            scope = {**quiet, "config": node({"optim": config}), "critic_optimizer": optimizer,
                     "self": types.SimpleNamespace(rank=1)}
            exec(code, scope)  # noqa: S102
            scheduler = scope["critic_lr_scheduler"]
    return captured["W"], _walk(scheduler, total)


@functools.cache
def _fsdp_builder(root: Path) -> Any:
    # 0.9.1 FSDPEngine._build_lr_scheduler; it imports the schedules from verl.utils.torch_functional when called
    return extract(root / "workers" / "engine" / "fsdp" / "transformer_impl.py", "_build_lr_scheduler",
                   {"print": lambda *a, **k: None}, class_name="FSDPEngine")


def verl_sft_0_5(optim: dict[str, Any], n: int, train_batch_size: int, dp: int, epochs: int) -> tuple[int, int, list[float]]:
    """(T, W, rows) of verl 0.5.0's FSDP SFT trainer: its dataloader (DistributedSampler over dp ranks, drop_last,
    train_batch_size // dp per rank, as `_build_dataloader` normalises it) and its `_build_model_optimizer` lines."""
    import torch.utils.data as tud

    functions = _torch_functional("0.5.0")
    root = package_dir("verl-0.5")
    assert train_batch_size % dp == 0, "Global batch size is not divisible by dp size"
    sampler = tud.DistributedSampler(range(n), shuffle=True, num_replicas=dp, rank=0, drop_last=True)
    loader = tud.DataLoader(range(n), batch_size=train_batch_size // dp, sampler=sampler, drop_last=True)
    code = statements(root / "trainer" / "fsdp_sft_trainer.py", "self.steps_per_epoch = len(self.train_dataloader)",
                      "raise ValueError(f\"Unknown lr scheduler", "_build_model_optimizer", "FSDPSFTTrainer")
    captured: dict[str, Any] = {}

    def recording(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            captured["W"] = kwargs["num_warmup_steps"]
            return functions[name](*args, **kwargs)
        return call

    trainer = types.SimpleNamespace(train_dataloader=loader, optimizer=_optimizer(float(optim["lr"])),
                                    config=node({"optim": optim, "trainer": {"total_epochs": epochs}}),
                                    device_mesh=types.SimpleNamespace(get_rank=lambda: 1))
    scope = {"self": trainer, "print": lambda *a, **k: None,
             **{name: recording(name) for name in functions}}
    exec(code, scope)  # noqa: S102 - verl's own statements
    _first_epoch(root / "trainer" / "fsdp_sft_trainer.py", "start_epoch = global_step // self.steps_per_epoch", trainer)
    return trainer.total_steps, captured["W"], _walk(trainer.lr_scheduler, trainer.total_steps)


def verl_total_steps(version: str, role: str, config: dict[str, Any], n: int, world: int = 1) -> int:
    """The optimizer's total_training_steps verl `version` sets for `role` (actor/critic: the PPO trainer; sft:
    the 0.9.1 SFT trainer) for a dataset of `n` rows; `config` holds `data` and `trainer` sections."""
    import torch.utils.data as tud

    root = package_dir(VERL_RELEASES[version])
    data = config.get("data", {})
    max_samples = data.get("train_max_samples", -1)
    if max_samples is not None and 0 < max_samples < n:  # rl_dataset.py / multiturn_sft_dataset.py: select
        n = max_samples
    cfg = node(config)
    if role == "sft":
        sp = config.get("engine", {}).get("ulysses_sequence_parallel_size", 1)
        dp = world // sp
        sampler = tud.DistributedSampler(range(n), shuffle=True, num_replicas=dp, rank=0, drop_last=True)
        loader = tud.DataLoader(range(n), batch_size=data["train_batch_size"] // dp, sampler=sampler, drop_last=True)
        code = statements(root / "trainer" / "sft_trainer.py", "if self.config.trainer.total_training_steps",
                          "self.optimizer_config.total_training_steps", "_init_engine", "SFTTrainer")
        trainer = types.SimpleNamespace(config=cfg, train_dataloader=loader, optimizer_config=types.SimpleNamespace())
        exec(code, {"self": trainer})  # noqa: S102
        trainer.steps_per_epoch = len(loader)
        _first_epoch(root / "trainer" / "sft_trainer.py", "start_epoch = global_step // self.steps_per_epoch", trainer)
        return trainer.optimizer_config.total_training_steps
    use_v1 = version == "0.9.1" and config.get("trainer", {}).get("use_v1", True)
    if use_v1:
        base = root / "trainer" / "ppo" / "v1" / "trainer_base.py"
        trainer = types.SimpleNamespace(config=cfg, train_dataset=range(n))
        trainer.trainer_mode = cfg.trainer.v1.trainer_mode
        cls, init = _method_with(base, "self.parameter_sync_step =")
        exec(statements(base, "self.parameter_sync_step =", "self.parameter_sync_step =", init, cls),  # noqa: S102
             {"self": trainer})
        cls, method = _method_with(base, "self.steps_per_epoch = len(self.train_dataset)")
        code = statements(base, "self.steps_per_epoch = len(self.train_dataset)", "optim_total_training_steps =",
                          method, cls)
        scope = {"self": trainer, "logger": types.SimpleNamespace(info=lambda *a: None)}
        exec(code, scope)  # noqa: S102
        _first_epoch(base, "current_epoch = self.global_steps // self.steps_per_epoch", trainer)
        return scope["optim_total_training_steps"]
    batch = data.get("gen_batch_size", None) or data["train_batch_size"] if version == "0.9.1" else \
        data.get("gen_batch_size", data["train_batch_size"])
    loader = tud.DataLoader(range(n), batch_size=batch, drop_last=True, sampler=tud.RandomSampler(range(n)))
    code = statements(root / "trainer" / "ppo" / "ray_trainer.py",
                      "assert len(self.train_dataloader) >= 1", "self.total_training_steps = total_training_steps",
                      "_create_dataloader", "RayPPOTrainer")
    trainer = types.SimpleNamespace(config=cfg, train_dataloader=loader, val_dataloader=[0])
    exec(code, {"self": trainer, "print": lambda *a, **k: None})  # noqa: S102
    return trainer.total_training_steps


def _first_epoch(path: Path, line: str, trainer: Any) -> None:
    """The fit loop's first statement dividing by steps_per_epoch (an empty epoch is its ZeroDivisionError)."""
    cls, method = _method_with(path, line)
    trainer.global_steps = 0
    exec(statements(path, line, line, method, cls), {"self": trainer, "global_step": 0})  # noqa: S102


@functools.cache
def _method_with(path: Path, marker: str) -> tuple[str, str]:
    """(class, method) of the first method in `path` whose source contains `marker`."""
    source = path.read_text()
    for cls in ast.parse(source).body:
        if isinstance(cls, ast.ClassDef):
            for f in cls.body:
                if isinstance(f, ast.FunctionDef) and marker in (ast.get_source_segment(source, f) or ""):
                    return cls.name, f.name
    raise LookupError(f"{path}: no method contains {marker!r}")


# ------------------------------------------------------------------------------------------------------- ms-swift
SWIFT_RELEASES = {"4.6.0": "ms-swift", "3.12.6": "ms-swift-3"}
SWIFT_FILES = {  # release -> (TrainArgumentsMixin file, lr default (file, class, method), sampler file, post_process file)
    "4.6.0": ("trainers/arguments.py", ("arguments/sft_args.py", "SftArguments", "_init_override"),
              "dataloader/shard.py", ("dataset/dataset_meta.py", "BaseDatasetLoader"), "dataset/utils.py"),
    "3.12.6": ("trainers/arguments.py", ("llm/argument/train_args.py", "Seq2SeqTrainingOverrideArguments", "__post_init__"),
               "llm/data_loader.py", ("llm/dataset/loader.py", "DatasetLoader"), "llm/dataset/utils.py"),
}


def swift_mixin_defaults(release: str) -> dict[str, Any]:
    """TrainArgumentsMixin's own field defaults (the literal ones), read from its class body."""
    path = package_dir(SWIFT_RELEASES[release]) / SWIFT_FILES[release][0]
    tree = ast.parse(path.read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TrainArgumentsMixin")
    out = {}
    for item in cls.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value is not None:
            try:
                out[item.target.id] = ast.literal_eval(item.value)
            except ValueError:
                pass
    return out


def swift_arguments(release: str, given: dict[str, Any], world: int, hf_fields: set[str]) -> dict[str, Any]:
    """What ms-swift `release` makes of the arguments `given` (flat keys) before the Trainer sees them: its defaults,
    the lr default, the GA default, (4.6.0) the warmup_ratio bridge — each run from its own statements."""
    import math

    root = package_dir(SWIFT_RELEASES[release])
    mixin_file, (lr_file, lr_class, lr_method), *_ = SWIFT_FILES[release]
    args = Node({**swift_mixin_defaults(release), "learning_rate": None, **given})
    args.setdefault("warmup_steps", 0)
    tuner_key = "tuner_type" if release == "4.6.0" else "train_type"
    args.setdefault(tuner_key, "lora")
    exec(statements(root / lr_file, "if self.learning_rate is None", "if self.learning_rate is None", lr_method,  # noqa: S102
                    lr_class), {"self": args})
    exec(statements(root / mixin_file, "if self.gradient_accumulation_steps is None",  # noqa: S102
                    "if self.gradient_accumulation_steps is None", "__post_init__", "TrainArgumentsMixin"),
         {"self": args, "math": math, "get_dist_setting": lambda: (0, 0, world, world),
          "logger": types.SimpleNamespace(info=lambda *a: None)})
    if release == "4.6.0":
        handle = extract(root / mixin_file, "_handle_hf_removed_args", {"logger": types.SimpleNamespace(info=print)},
                         class_name="TrainArgumentsMixin")
        args._hf_has_field = lambda name: name in hf_fields  # noqa: SLF001 - its staticmethod, on this transformers
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            handle(args)
        del args["_hf_has_field"]
    return dict(args)


def swift_training_rows(release: str, parts: list[int], samples: list[int | None], ratio: float) -> int:
    """The training rows ms-swift keeps of datasets with `parts` rows, each sampled (`dataset#s`) and split by
    `split_dataset_ratio` as its loader's post_process does (real `datasets.Dataset` objects), concatenated."""
    import datasets
    import numpy as np

    root = package_dir(SWIFT_RELEASES[release])
    _, _, _, (meta_file, meta_class), utils_file = SWIFT_FILES[release]
    namespace = {"np": np, "HfDataset": datasets.Dataset, "Optional": __import__("typing").Optional,
                 "logger": types.SimpleNamespace(warning=lambda *a: None)}
    sample_dataset = extract(root / utils_file, "sample_dataset", namespace)
    post_process = extract(root / meta_file, "post_process", {
        "sample_dataset": sample_dataset, "np": np, "Optional": __import__("typing").Optional,
        "Tuple": __import__("typing").Tuple, "DATASET_TYPE": Any, "HfDataset": datasets.Dataset,
        "get_seed": lambda rs: 42, "safe_ddp_context": lambda *a, **k: contextlib.nullcontext()},
        class_name=meta_class)
    total = 0
    for n, s in zip(parts, samples, strict=True):
        data = datasets.Dataset.from_dict({"i": list(range(n))})
        train, _ = post_process(data, dataset_sample=s, split_dataset_ratio=ratio, streaming=False, shuffle=True,
                                random_state=np.random.RandomState(42))
        total += len(train)
    return total


def swift_batches(release: str, n: int, batch: int, world: int, drop_last: bool, tp: int = 1) -> int:
    """len() of ms-swift's BatchSamplerShard for one rank of `world` processes."""
    root = package_dir(SWIFT_RELEASES[release])
    import torch

    dist = types.SimpleNamespace(is_initialized=lambda: True, get_world_size=lambda: world, get_rank=lambda: 0)
    cls = extract(root / SWIFT_FILES[release][2], "BatchSamplerShard", {"dist": dist, "torch": torch,
                                                                          "Optional": __import__("typing").Optional})
    return len(cls(n, batch_size=batch, shuffle=True, drop_last=drop_last, data_seed=None, tp_size=tp))
