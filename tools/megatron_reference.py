"""Megatron-Core's own scheduler and step code, run from the released wheels (fetched by tools/framework_sources.py,
never installed): the golden generator and the live oracle test both go through here.

* `scheduler_class(version)`: `OptimizerParamScheduler` from that release's megatron/core/optimizer_param_scheduler.py,
  executed as its own module with two stand-ins for imports that only type or log (`megatron.core.optimizer`'s
  MegatronOptimizer in 0.12–0.15 is an annotation; `megatron.core.utils.log_single_rank` logs). 0.17+ import torch
  (a tensor lr is filled in place): torch is in the oracle extra.
* `training_functions()`: `get_optimizer_param_scheduler` and `update_train_iters` from the newest release's
  megatron/training/training.py (the wheels carry megatron/training from 0.17 on), cut out of the file with `ast` and
  executed with `get_args` returning our namespace; their text is the same in 0.12.3 … 0.19.2 for a constant global
  batch (checked against the Megatron-LM core_v* tags: only formatting and the ramp-up branch changed).
* `run(version, args, steps)`: the LR after 0 … steps scheduler steps, as `train_step` steps it (increment = the
  global batch size), with the scheduler built by `get_optimizer_param_scheduler`.
"""

from __future__ import annotations

import ast
import functools
import sys
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_sources import package_dir  # noqa: E402

VERSIONS = ("0.12.3", "0.13.1", "0.16.1", "0.19.2")
NEWEST = VERSIONS[-1]
_CLASSES: dict[str, type] = {}


def _stub_modules() -> dict[str, types.ModuleType]:
    optimizer = types.ModuleType("megatron.core.optimizer")
    optimizer.MegatronOptimizer = object
    utils = types.ModuleType("megatron.core.utils")
    utils.log_single_rank = lambda *args, **kwargs: None
    return {"megatron.core.optimizer": optimizer, "megatron.core.utils": utils}


def scheduler_class(version: str) -> type:
    """OptimizerParamScheduler of megatron-core `version`, executed from its own file."""
    if version not in _CLASSES:
        path = package_dir(f"megatron-core-{version}") / "optimizer_param_scheduler.py"
        saved = {name: sys.modules.get(name) for name in _stub_modules()}
        sys.modules.update(_stub_modules())
        try:
            module = types.ModuleType(f"megatron_core_{version.replace('.', '_')}_optimizer_param_scheduler")
            exec(compile(path.read_text(), str(path), "exec"), module.__dict__)  # noqa: S102 - the release's code
        finally:
            for name, old in saved.items():
                if old is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = old
        _CLASSES[version] = module.OptimizerParamScheduler
    return _CLASSES[version]


RAMPUP_TRAINING = "0.17.1"  # the last release whose training.py ramps the batch (--rampup-batch-size)


def training_functions(args: Any, version: str, calculator: Any = None, release: str | None = None) -> dict[str, Any]:
    """`get_optimizer_param_scheduler` and `update_train_iters` of training.py, bound to `args` and to the
    OptimizerParamScheduler of `version`: the newest release's, or with a ramp-up `calculator` 0.17.1's (whose
    update_train_iters counts the ramp-up iterations with it), or `release`'s."""
    namespace: dict[str, Any] = {
        "get_args": lambda: args, "print_rank_0": lambda *a, **k: None,
        "OptimizerParamScheduler": scheduler_class(version),
    }
    if calculator is not None:
        namespace["update_num_microbatches"] = calculator.update
        namespace["get_current_global_batch_size"] = calculator.get_current_global_batch_size
    code = _training_code(release or (NEWEST if calculator is None else RAMPUP_TRAINING))
    exec(code, namespace)  # noqa: S102
    return namespace


def rampup_calculator(version: str, args: Any, data_parallel_size: int) -> Any:
    """That release's RampupBatchsizeNumMicroBatchesCalculator (megatron/core/num_microbatches_calculator.py, a
    self-contained file), built as global_vars.py builds it."""
    path = package_dir(f"megatron-core-{version}") / "num_microbatches_calculator.py"
    module = types.ModuleType(f"megatron_core_{version.replace('.', '_')}_num_microbatches_calculator")
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)  # noqa: S102 - the release's code
    start, increment, samples = (int(v) for v in args.rampup_batch_size)
    return module.RampupBatchsizeNumMicroBatchesCalculator(
        args.global_batch_size, args.micro_batch_size, data_parallel_size, False, 0, start, increment, samples)


def batch_calculator(version: str, args: Any, data_parallel_size: int) -> Any:
    """That release's calculator as global_vars.py builds it (0.18+): `_build_num_microbatches_calculator(rank 0,
    global_batch_size, micro_batch_size, dp, decrease_batch_size_if_needed, step_batch_size_schedule,
    seq_length)`: StepBatchsizeNumMicroBatchesCalculator with a schedule, else ConstantNumMicroBatchesCalculator."""
    path = package_dir(f"megatron-core-{version}") / "num_microbatches_calculator.py"
    module = types.ModuleType(f"megatron_core_{version.replace('.', '_')}_num_microbatches_calculator")
    exec(compile(path.read_text(), str(path), "exec"), module.__dict__)  # noqa: S102 - the release's code
    return module._build_num_microbatches_calculator(
        0, args.global_batch_size, args.micro_batch_size, data_parallel_size, args.decrease_batch_size_if_needed,
        args.step_batch_size_schedule, args.seq_length)


def run_batches(version: str, args: types.SimpleNamespace, data_parallel_size: int) -> dict[str, Any]:
    """A run whose batch the 0.18+ calculator sets (--step-batch-size-schedule, --decrease-batch-size-if-needed):
    the calculator built as global_vars.py builds it, update_train_iters and get_optimizer_param_scheduler of that
    release's training.py, then train()'s loop: before each iteration update(consumed) without the consistency
    check (the number of micro-batches must not decrease), then with it; the scheduler steps by num_microbatches ·
    micro_batch_size · dp, and the same is added to the samples consumed."""
    try:
        calculator = batch_calculator(version, args, data_parallel_size)
        functions = training_functions(args, version, calculator, release=version)
        optimizer = _Optimizer()
        scheduler = functions["get_optimizer_param_scheduler"](optimizer)
        lrs = [optimizer.param_groups[0]["lr"]]
        consumed = 0
        num_microbatches = calculator.get()
        for iteration in range(args.train_iters):
            calculator.update(consumed, consistency_check=False)
            if calculator.get() != num_microbatches and iteration != 0:
                assert calculator.get() > num_microbatches, (
                    f"Number of microbatches should not decrease; going from {num_microbatches} to "
                    f"{calculator.get()}")
            num_microbatches = calculator.get()
            calculator.update(consumed, consistency_check=True)
            increment = calculator.get() * args.micro_batch_size * data_parallel_size
            scheduler.step(increment=increment)
            consumed += data_parallel_size * args.micro_batch_size * calculator.get()
            lrs.append(optimizer.param_groups[0]["lr"])
    except Exception as exc:  # the release's own refusal is the expected answer
        return {"error": f"{type(exc).__name__}: {exc}"}
    return _result(args, scheduler, lrs)


@functools.cache
def _training_code(release: str) -> types.CodeType:
    """The two functions' code, cut out of training.py once (the file is ~4,000 lines)."""
    path = package_dir(f"megatron-core-{release}").parent / "training" / "training.py"
    tree = ast.parse(path.read_text())
    wanted = [node for node in tree.body
              if isinstance(node, ast.FunctionDef) and node.name in ("get_optimizer_param_scheduler",
                                                                     "update_train_iters")]
    return compile(ast.Module(body=wanted, type_ignores=[]), str(path), "exec")


class _Optimizer:
    def __init__(self) -> None:
        self.param_groups = [{"params": [], "lr": 0.0, "weight_decay": 0.0}]


def megatron_args(**given: Any) -> types.SimpleNamespace:
    """The argparse namespace fields the scheduler code reads, with Megatron's defaults under `given`."""
    args: dict[str, Any] = {
        "train_iters": None, "train_samples": None, "global_batch_size": 1, "lr": None, "min_lr": 0.0,
        "lr_warmup_init": 0.0, "lr_decay_style": "linear", "lr_wsd_decay_style": "exponential",
        "lr_decay_iters": None, "lr_decay_samples": None, "lr_wsd_decay_iters": None, "lr_wsd_decay_samples": None,
        "lr_warmup_fraction": None, "lr_warmup_iters": 0, "lr_warmup_samples": 0, "start_weight_decay": 0.0,
        "end_weight_decay": 0.0, "weight_decay_incr_style": "constant", "use_checkpoint_opt_param_scheduler": False,
        "override_opt_param_scheduler": False, "rampup_batch_size": None, "step_batch_size_schedule": None,
        "micro_batch_size": 1, "decrease_batch_size_if_needed": False, "seq_length": None,
    }
    args.update(given)
    return types.SimpleNamespace(**args)


def run_rampup(version: str, args: types.SimpleNamespace, data_parallel_size: int = 1) -> dict[str, Any]:
    """A sample-based run with --rampup-batch-size (0.12-0.17): iterations from update_train_iters, then train()'s
    loop: each iteration updates the calculator with the samples consumed so far (consistency checked), steps the
    scheduler by num_microbatches · micro_batch_size · dp and adds the same to the samples consumed."""
    try:
        calculator = rampup_calculator(version, args, data_parallel_size)
        functions = training_functions(args, version, calculator)
        optimizer = _Optimizer()
        scheduler = functions["get_optimizer_param_scheduler"](optimizer)
        lrs = [optimizer.param_groups[0]["lr"]]
        num_steps = [scheduler.num_steps]
        consumed = 0
        for _ in range(args.train_iters):
            calculator.update(consumed, consistency_check=True)
            increment = calculator.get() * args.micro_batch_size * data_parallel_size
            scheduler.step(increment=increment)
            consumed += data_parallel_size * args.micro_batch_size * calculator.get()
            lrs.append(optimizer.param_groups[0]["lr"])
            num_steps.append(scheduler.num_steps)
    except Exception as exc:  # the release's own refusal is the expected answer
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "train_iters": args.train_iters, "lr_warmup_steps": scheduler.lr_warmup_steps,
        "lr_decay_steps": scheduler.lr_decay_steps, "wsd_decay_steps": scheduler.wsd_decay_steps,
        "lrs": [float(v) for v in lrs], "num_steps": num_steps,
    }


def run(version: str, args: types.SimpleNamespace, steps: int | None = None) -> dict[str, Any]:
    """{"train_iters", "lr_warmup_steps", "lr_decay_steps", "wsd_decay_steps", "lrs"} or {"error": "<Type>: msg"}.

    The scheduler is built by get_optimizer_param_scheduler (which fills train_iters for sample-based runs) and
    stepped `steps` times (default train_iters) by the global batch size, as train_step does."""
    functions = training_functions(args, version)
    optimizer = _Optimizer()
    try:
        scheduler = functions["get_optimizer_param_scheduler"](optimizer)
        lrs = [optimizer.param_groups[0]["lr"]]
        for _ in range(args.train_iters if steps is None else steps):
            scheduler.step(increment=args.global_batch_size)
            lrs.append(optimizer.param_groups[0]["lr"])
    except Exception as exc:  # the release's own refusal is the expected answer
        return {"error": f"{type(exc).__name__}: {exc}"}
    return _result(args, scheduler, lrs)


def _result(args: Any, scheduler: Any, lrs: list[Any]) -> dict[str, Any]:
    """What a run of the release gives the goldens: T, the scheduler's own W/decay/WSD lengths and every LR."""
    return {
        "train_iters": args.train_iters, "lr_warmup_steps": scheduler.lr_warmup_steps,
        "lr_decay_steps": scheduler.lr_decay_steps, "wsd_decay_steps": scheduler.wsd_decay_steps,
        "lrs": [float(v) for v in lrs],
    }
