"""torchtitan 0.3's config_registry functions, run by torchtitan itself -> lrcli/dialects/torchtitan_registry.json
and tests/data/torchtitan_registry_golden.json.

torchtitan 0.3 builds a run's config in Python: `--module M --config F` calls the function F of M's
`config_registry` (`ConfigManager._load_config`), then tyro applies `--section.key` overrides on top
(`ConfigManager.parse_args`). lrcli executes no user code, so it reads the functions torchtitan ships from a table:
this script installs torchtitan 0.3.x into a throwaway venv (/tmp/s20-tm/tt<version> by default; torch 2.13.0 CPU,
torchtitan --no-deps plus its declared requirements: tyro, spmd_types, datasets, tokenizers, …, and transformers
for flux's encoders) and there calls, for every module torchtitan names (`_supported_models | _supported_experiments`)
and every function its config_registry defines, `ConfigManager().parse_args(["--module", M, "--config", F])`.

Stubbed (modules replaced by empty stand-ins whose attributes are callables; none of them is reached by a config
value, they hold GPU kernels and image decoding): `torchtitan.distributed.minimal_async_ep.kernels`,
`torchtitan.overrides.fused_mla`, `torchtitan.overrides.fused_swiglu` (triton kernels), `fla` (flash-linear-attention
triton kernels, qwen3_5's model code), `torchtitan.hf_datasets.multimodal.utils.image` (torchvision image decoding;
no torchvision build matches torch 2.13.0 CPU here). Every stand-in actually created is listed in the output.
`torchtitan.tools.utils.has_cuda_capability` answers True (a Blackwell GPU): the float8/MXFP8/NVFP4 converters and
flex_flash check the GPU while their function builds the config, and refuse a CPU.
Not tabulated: modules whose config_registry cannot be imported (the RL examples need vllm; autoparallel is not in
the wheel), recorded with the reason.

Recorded per function: training.steps / local_batch_size / global_batch_size / seq_len, the lr_scheduler section,
each optimizer param group (pattern, optimizer name, lr), the dataloader's dataset name. The golden file adds, for
every function, its LR at ~25 sampled steps (the ends, warmup's end, the decay's start, random ones), for a few
functions, the whole LR curve of torchtitan's own `LRSchedulersContainer.Config.build` stepped `training.steps`
times over a one-parameter AdamW per distinct param-group lr, and the parsed values of override command lines
(`parse_args([... , "--training.steps", "40", ...])`).

Rerun (from the repository root; the venv install takes a few minutes, the run ~1 min):

    python3 tools/gen_torchtitan_registry.py            # builds /tmp/s20-tm/tt030 and writes both files
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "lrcli" / "dialects" / "torchtitan_registry.json"
GOLDEN = ROOT / "tests" / "data" / "torchtitan_registry_golden.json"
VERSION = "0.3.0"
REQUIREMENTS = ("torch==2.13.0", "tyro", "numpy", "spmd_types==0.2.3", "torchdata>=0.8.0", "torch_checkpointing>=0.1.0",
                "datasets<4.8.0,>=3.6.0", "tokenizers>=0.15.0", "safetensors", "tensorboard", "wandb", "einops",
                "pillow", "transformers", "torchao")
STUBS = ("torchtitan.distributed.minimal_async_ep.kernels", "torchtitan.overrides.fused_mla",
         "torchtitan.overrides.fused_swiglu", "fla", "torchtitan.hf_datasets.multimodal.utils.image")
# functions whose whole curve goes into the golden file, and override command lines run through parse_args
CURVES = (("llama3", "llama3_debugmodel"), ("llama3", "llama3_8b"), ("deepseek_v3", "deepseek_v3_16b"),
          ("qwen3", "qwen3_debugmodel"))
OVERRIDES = (("llama3", "llama3_debugmodel", ("--training.steps", "40", "--lr_scheduler.warmup_steps", "5")),
             ("llama3", "llama3_8b", ("--lr_scheduler.decay_type=cosine", "--lr_scheduler.min_lr_factor", "0.1",
                                      "--training.steps", "300")),
             ("qwen3", "qwen3_debugmodel", ("--lr-scheduler.decay-ratio", "0.5", "--lr_scheduler.total_steps", "20",
                                            "--training.global_batch_size", "64")),
             # sample_configs/torchtitan_0_3_llama3_8b.sh
             ("llama3", "llama3_8b", ("--training.steps", "3000", "--lr_scheduler.warmup_steps", "300",
                                      "--lr_scheduler.decay_ratio", "0.2", "--lr_scheduler.decay_type", "cosine",
                                      "--lr_scheduler.min_lr_factor", "0.1")))


def outer() -> None:
    venv = Path(sys.argv[sys.argv.index("--venv") + 1]) if "--venv" in sys.argv else Path(
        f"/tmp/s20-tm/tt{VERSION.replace('.', '')}")
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", f"torchtitan=={VERSION}"], check=True)
    done = subprocess.run([str(python), __file__, "--inner"], check=True, capture_output=True, text=True)
    table, golden = json.loads(done.stdout)
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"{len(table['configs'])} configs -> {TABLE.relative_to(ROOT)}; golden -> {GOLDEN.relative_to(ROOT)}")


# ------------------------------------------------------------------------------------------- inside the venv
def install_stubs() -> list[str]:
    import importlib.abc
    import importlib.machinery
    import types

    created: list[str] = []

    class Stand:
        """Any attribute, call, subscript or base class: what the kernel modules' importers touch."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, item: str) -> Stand:
            if item.startswith("__"):
                raise AttributeError(item)
            return Stand(f"{self._name}.{item}")

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if len(args) == 1 and callable(args[0]) and not kwargs:
                return args[0]  # a decorator (`@triton.jit`) leaves the function
            return Stand(f"{self._name}()")

        def __getitem__(self, key: Any) -> Stand:
            return self

        def __mro_entries__(self, bases: tuple) -> tuple:
            return (object,)

    class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
            if any(name == root or name.startswith(root + ".") for root in STUBS):
                return importlib.machinery.ModuleSpec(name, self, is_package=True)
            return None

        def create_module(self, spec: Any) -> types.ModuleType:
            module = types.ModuleType(spec.name)
            module.__path__ = []

            def attribute(item: str, name: str = spec.name) -> Any:
                if item.startswith("__"):
                    raise AttributeError(item)
                return Stand(f"{name}.{item}")

            module.__getattr__ = attribute  # type: ignore[method-assign]
            created.append(spec.name)
            return module

        def exec_module(self, module: types.ModuleType) -> None:
            pass

    sys.meta_path.insert(0, Finder())
    return created


def plain(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return repr(value)


def values_of(config: Any) -> dict[str, Any]:
    training, scheduler = config.training, config.lr_scheduler
    groups = [{"pattern": group.pattern, "optimizer": group.optimizer_name,
               "lr": plain(group.optimizer_kwargs.get("lr"))} for group in config.optimizer.param_groups]
    dataloader = getattr(config, "dataloader", None)
    return {
        "config_class": f"{type(config).__module__}.{type(config).__qualname__}",
        "training": {key: plain(getattr(training, key)) for key in
                     ("steps", "local_batch_size", "global_batch_size", "seq_len")},
        "lr_scheduler": {key: plain(getattr(scheduler, key)) for key in
                         ("warmup_steps", "total_steps", "decay_ratio", "decay_type", "min_lr_factor")},
        "lr_scheduler_class": f"{type(scheduler).__module__}.{type(scheduler).__qualname__}",
        "param_groups": groups,
        "dataset": plain(getattr(dataloader, "dataset", None)),
    }


def curve_of(config: Any, keep: Any = None) -> dict[str, Any]:
    """torchtitan's own scheduler, stepped as its train loop steps it (one `step()` per training step), over one
    optimizer per distinct param-group lr: every row, or the rows whose step is in `keep`."""
    import warnings

    import torch

    lrs = sorted({group.optimizer_kwargs["lr"] for group in config.optimizer.param_groups})
    optimizers = [torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr) for lr in lrs]
    container = config.lr_scheduler.build(optimizers=optimizers, training_steps=config.training.steps)
    rows: dict[float, dict[int, float]] = {lr: {} for lr in lrs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lr_scheduler.step() before optimizer.step(): the optimizers never step
        for step in range(config.training.steps + 1):
            if step:
                container.step()
            if keep is None or step in keep:
                for lr, optimizer in zip(lrs, optimizers, strict=True):
                    rows[lr][step] = optimizer.param_groups[0]["lr"]
    if keep is None:
        return {"lrs": [{"lr": lr, "rows": list(rows[lr].values())} for lr in lrs]}
    return {"lrs": [{"lr": lr, "rows": {str(step): value for step, value in rows[lr].items()}} for lr in lrs]}


def sample_steps(config: Any, rng: Any) -> set[int]:
    """Rows worth checking: the ends, both sides of warmup's end and of the decay's start, and random ones."""
    steps = config.training.steps
    warmup = min(int(config.lr_scheduler.warmup_steps), steps)
    around = {0, 1, steps - 1, steps, warmup - 1, warmup, warmup + 1}
    if config.lr_scheduler.decay_ratio is not None:
        start = steps - round(steps * config.lr_scheduler.decay_ratio)
        around |= {start - 1, start, start + 1}
    return {step for step in around | {rng.randint(0, steps) for _ in range(20)} if 0 <= step <= steps}


def inner() -> None:
    import contextlib
    import importlib
    import inspect
    import io
    import logging
    import random
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    created = install_stubs()
    import torchtitan.tools.utils

    # The float8/MXFP8/NVFP4 converters and flex_flash check the GPU while the function builds its config; here
    # they answer as on a Blackwell GPU (SM100), so those functions build; no LR value depends on it.
    torchtitan.tools.utils.has_cuda_capability = lambda major, minor: True
    from torchtitan.config.manager import ConfigManager
    from torchtitan.experiments import _supported_experiments
    from torchtitan.models import _supported_models

    rng = random.Random(20)
    configs: dict[str, dict[str, Any]] = {}
    samples: dict[str, dict[str, Any]] = {}
    unavailable: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for module_name in sorted(_supported_models | _supported_experiments):
        module = None
        errors: list[str] = []
        # the search order of ConfigManager._load_config
        for prefix in ("torchtitan.models", "torchtitan.experiments", "torchtitan.experiments.rl.examples"):
            try:
                module = importlib.import_module(f"{prefix}.{module_name}.config_registry")
                break
            except ImportError as exc:
                errors.append(f"{prefix}: {type(exc).__name__}: {exc}")
        if module is None:
            unavailable[module_name] = "; ".join(errors)
            continue
        functions = [name for name, fn in vars(module).items() if inspect.isfunction(fn)
                     and fn.__module__ == module.__name__ and not name.startswith("_") and name[0].islower()]
        for function in sorted(functions):
            key = f"{module_name}:{function}"
            required = [p for p in inspect.signature(getattr(module, function)).parameters.values()
                        if p.default is inspect.Parameter.empty]
            if required:
                continue  # a helper (`enable_fused_swiglu(config)`), not a config torchtitan can call
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    config = ConfigManager().parse_args(["--module", module_name, "--config", function])
            except BaseException as exc:  # noqa: BLE001 - a function torchtitan cannot build here is recorded
                skipped[key] = f"{type(exc).__name__}: {exc}"[:300]
                continue
            if not all(hasattr(config, name) for name in ("training", "lr_scheduler", "optimizer")):
                skipped[key] = f"not a trainer config: {type(config).__qualname__}"
                continue
            configs[key] = values_of(config)
            samples[key] = curve_of(config, sample_steps(config, rng))
    golden: dict[str, Any] = {"version": VERSION, "curves": {}, "overrides": [], "samples": samples}
    for module_name, function in CURVES:
        with contextlib.redirect_stdout(io.StringIO()):
            config = ConfigManager().parse_args(["--module", module_name, "--config", function])
        golden["curves"][f"{module_name}:{function}"] = curve_of(config)
    for module_name, function, arguments in OVERRIDES:
        with contextlib.redirect_stdout(io.StringIO()):
            config = ConfigManager().parse_args(["--module", module_name, "--config", function, *arguments])
        golden["overrides"].append({"module": module_name, "config": function, "arguments": list(arguments),
                                    "values": values_of(config), "curve": curve_of(config)})
    from importlib.metadata import version

    table = {"torchtitan": version("torchtitan"), "generated_by": "tools/gen_torchtitan_registry.py",
             "stubbed": sorted(set(created)), "configs": configs, "unavailable": unavailable, "skipped": skipped}
    json.dump([table, golden], sys.stdout)


if __name__ == "__main__":
    inner() if "--inner" in sys.argv else outer()
