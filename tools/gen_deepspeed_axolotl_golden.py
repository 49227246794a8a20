"""Golden LR curves from DeepSpeed's and axolotl's own scheduler code -> tests/data/deepspeed_axolotl_golden.json
(DeepSpeed 0.19.8 + axolotl 0.19.0) and tests/data/axolotl_schedules_golden_<V>.json (the axolotl cases under each
newer modelled axolotl release, 0.20.0 and 0.21.0: DeepSpeed's cases do not depend on the axolotl release).

Reference versions: deepspeed 0.19.8 (`deepspeed/runtime/lr_schedules.py`), axolotl 0.19.0 / 0.20.0 / 0.21.0
(`axolotl/utils/schedulers.py` and `axolotl/core/trainers/mixins/scheduler.py`), with torch 2.13.0 and the
transformers + accelerate of the running Python (HF fills DeepSpeed's "auto" values; lrcli's oracle pins for the
DeepSpeed file; for an axolotl-only file, a throwaway venv with the transformers that release pins, see
tools/gen_axolotl_rules_golden.py).

Neither package needs installing (DeepSpeed's sdist does not build on a CPU-only box): the three source files are
loaded straight from the downloaded packages. Only their logging/plugin imports are stubbed
(`deepspeed.utils.logger`, `axolotl.utils.logging.get_logger`, `axolotl.integrations.base.PluginManager`, which
returns no plugin scheduler); every line of math runs as shipped. axolotl's schedulers are built by calling its real
`SchedulerMixin.create_scheduler` on a stand-in trainer carrying the config values, so the argument passing
(min_lr = lr · ratio, num_cycles left at its default, which branch wins) is axolotl's own too. DeepSpeed's
`"auto"` values are filled by transformers' own `HfTrainerDeepSpeedConfig.trainer_config_process/_finalize`.

Each case steps the real scheduler as the training loops do (DeepSpeed engine / HF Trainer: one `step()` after
each optimizer update) and records the optimizer's lr after 0, 1, 2, … steps: lrcli's rows. Cases where the
framework raises record the exception type instead. DeepSpeed's warnings (other than its "before it has started"
message) are recorded too.

Rerun (from the repository root):

    .venv/bin/python tools/gen_deepspeed_axolotl_golden.py [--deepspeed DIR --axolotl DIR]
    /tmp/s20-goldens/ax-0.21/bin/python tools/gen_deepspeed_axolotl_golden.py --axolotl-release 0.21.0

`--deepspeed`/`--axolotl` are the package directories (the ones holding `runtime/` and `utils/`); they default to
the installed packages when importable, else to DeepSpeed 0.19.8's sdist and axolotl 0.19.0's wheel, fetched from
PyPI by tools/framework_sources.py. tests/test_deepspeed_axolotl_parity.py also imports this file to run the same
cases live (the oracle test).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import sys
import types
from functools import partialmethod
from pathlib import Path
from typing import Any

DEEPSPEED_VERSION = "0.19.8"
AXOLOTL_VERSION = "0.19.0"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_sources import package_dir, release_dir  # noqa: E402

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "deepspeed_axolotl_golden.json"
AXOLOTL_RELEASES = ("0.19.0", "0.20.0", "0.21.0")


def axolotl_only_output(release: str) -> Path:
    """The golden of the axolotl cases under a release other than AXOLOTL_VERSION."""
    return OUTPUT.parent / f"axolotl_schedules_golden_{release}.json"


# ---------------------------------------------------------------------------------------------- cases


def _ds(
    schedule: str,
    params: dict[str, Any],
    *,
    lr: float = 3e-4,
    warmup: int = 0,
    total: int = 20,
    rows: int | None = None,
    optimizer: str = "sgd",
) -> dict[str, Any]:
    """A DeepSpeed case: `params` as written in the config (may hold "auto"); warmup/total are HF's W and T."""
    return {
        "family": "deepspeed",
        "schedule": schedule,
        "kwargs": params,
        "lr": lr,
        "warmup": warmup,
        "total": total,
        "rows": rows if rows is not None else total + 6,
        "optimizer": optimizer,
    }


def _ax(
    schedule: str, config: dict[str, Any], *, lr: float = 2e-4, warmup: int, total: int, rows: int | None = None
) -> dict[str, Any]:
    """An axolotl case: `config` holds the axolotl keys (they are also lrcli's kwargs for `schedule`)."""
    return {
        "family": "axolotl",
        "schedule": schedule,
        "kwargs": config,
        "lr": lr,
        "warmup": warmup,
        "total": total,
        "rows": rows if rows is not None else total + 6,
    }


def deepspeed_cases() -> list[dict[str, Any]]:
    cases = []
    for warmup_type in ("log", "linear", "cosine"):  # "cosine" is unknown: DeepSpeed falls back to log
        for w in (1, 2, 3, 10):
            cases.append(
                _ds(
                    "WarmupLR",
                    {"warmup_min_lr": 1e-6, "warmup_max_lr": 1e-3, "warmup_num_steps": w, "warmup_type": warmup_type},
                    rows=w + 6,
                )
            )
    cases += [
        _ds("WarmupLR", {}, lr=2e-5, rows=1010),  # defaults: 1000-step log warmup to the optimizer lr
        _ds("WarmupLR", {"warmup_max_lr": None, "warmup_num_steps": 5}, lr=1e-4, rows=10),
        _ds("WarmupLR", {"warmup_num_steps": 5}, lr=1e-4, rows=10),  # DeepSpeed #7303: peak = optimizer lr now
        _ds(
            "WarmupLR",
            {"warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto"},
            lr=5e-5,
            warmup=0,
            total=10,
        ),
        _ds(
            "WarmupLR",
            {"warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto", "warmup_type": "linear"},
            lr=5e-5,
            warmup=7,
            total=30,
        ),
        _ds("WarmupLR", {"warmup_num_steps": 6, "last_batch_iteration": 3}, lr=1e-3, rows=12),
        _ds("WarmupLR", {"warmup_num_steps": 6, "last_batch_iteration": -4}, lr=1e-3, rows=12),
    ]
    for warmup_type in ("log", "linear"):
        for w, t in ((1, 1), (1, 10), (2, 2), (2, 3), (3, 1), (5, 5), (5, 6), (10, 100), (10, 4)):
            cases.append(
                _ds(
                    "WarmupDecayLR",
                    {
                        "total_num_steps": t,
                        "warmup_min_lr": 1e-7,
                        "warmup_max_lr": 3e-4,
                        "warmup_num_steps": w,
                        "warmup_type": warmup_type,
                    },
                    rows=t + 6,
                )
            )
    cases += [
        _ds("WarmupDecayLR", {"total_num_steps": 30}, rows=40),  # defaults: max 0.001, 1000-step log warmup
        _ds("WarmupDecayLR", {"total_num_steps": 5000, "warmup_num_steps": 100, "warmup_max_lr": 1e-4}, rows=5003),
        _ds(
            "WarmupDecayLR",
            {"total_num_steps": "auto", "warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto"},
            lr=2e-5,
            warmup=0,
            total=12,
        ),
        _ds(
            "WarmupDecayLR",
            {
                "total_num_steps": "auto",
                "warmup_min_lr": "auto",
                "warmup_max_lr": "auto",
                "warmup_num_steps": "auto",
                "warmup_type": "linear",
            },
            lr=2e-5,
            warmup=4,
            total=25,
        ),
        _ds("WarmupDecayLR", {"total_num_steps": 20, "warmup_max_lr": None, "warmup_num_steps": 4}, lr=7e-5),
        _ds("WarmupDecayLR", {"total_num_steps": 20, "warmup_num_steps": 4}, lr=7e-5),  # peak 0.001, not lr
        _ds("WarmupDecayLR", {"total_num_steps": 20, "warmup_num_steps": 4, "last_batch_iteration": 7}, lr=7e-5),
    ]
    for warmup_type in ("log", "linear", "exp"):
        for w, t in ((1, 1), (1, 10), (2, 2), (2, 3), (3, 1), (5, 5), (5, 6), (10, 100), (10, 4)):
            cases.append(
                _ds(
                    "WarmupCosineLR",
                    {"total_num_steps": t, "warmup_num_steps": w, "warmup_type": warmup_type},
                    lr=1e-4,
                    rows=t + 6,
                )
            )
    cases += [
        _ds(
            "WarmupCosineLR",
            {"total_num_steps": 50, "warmup_min_ratio": 0.1, "warmup_num_steps": 8, "cos_min_ratio": 0.1},
            lr=3e-4,
            rows=60,
        ),
        _ds(
            "WarmupCosineLR",
            {"total_num_steps": 40, "warmup_num_steps": 8, "cos_min_ratio": 0.0, "warmup_type": "linear"},
            lr=3e-4,
            rows=60,
        ),
        _ds(
            "WarmupCosineLR",
            {"total_num_steps": 4000, "warmup_num_steps": 120, "warmup_min_ratio": 0.01},
            lr=1e-4,
            rows=4010,
        ),
        _ds("WarmupCosineLR", {"total_num_steps": "auto", "warmup_num_steps": "auto"}, lr=2e-5, warmup=0, total=15),
        _ds(
            "WarmupCosineLR",
            {"total_num_steps": "auto", "warmup_num_steps": "auto", "warmup_type": "linear"},
            lr=2e-5,
            warmup=3,
            total=15,
        ),
        _ds("WarmupCosineLR", {"total_num_steps": 30, "warmup_num_steps": 5, "last_batch_iteration": 9}, lr=1e-4),
    ]
    one_cycle = [
        {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 3},
        {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 4, "cycle_second_step_size": 6},
        {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 5, "cycle_second_step_size": 0},
        {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 2.5, "cycle_second_step_size": 4},
        {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 8, "cycle_first_stair_count": 4},
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 7,
            "cycle_second_step_size": 3,
            "cycle_first_stair_count": 3,
            "cycle_second_stair_count": 2,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 6,
            "cycle_second_step_size": 9,
            "cycle_first_stair_count": 0,
            "cycle_second_stair_count": 3,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 9,
            "cycle_second_step_size": 5,
            "cycle_first_stair_count": 2,
            "cycle_second_stair_count": 0,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 10,
            "decay_lr_rate": 0.5,
            "decay_step_size": 3,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 10,
            "decay_lr_rate": 0.0,
            "decay_step_size": 3,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 10,
            "decay_lr_rate": 0.2,
            "decay_step_size": 0,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 4,
            "cycle_second_step_size": 4,
            "decay_lr_rate": 1.5,
            "decay_step_size": 1,
            "last_batch_iteration": 5,
        },
        {
            "cycle_min_lr": 1e-5,
            "cycle_max_lr": 1e-3,
            "cycle_first_step_size": 4,
            "last_batch_iteration": -3,
            "cycle_first_stair_count": 2,
        },
    ]
    for params in one_cycle:
        cases.append(_ds("OneCycle", params, total=40))
    cases += [
        _ds(
            "OneCycle",
            {
                "cycle_min_lr": 2e-5,
                "cycle_max_lr": 2e-4,
                "cycle_first_step_size": 1000,
                "cycle_second_step_size": 1500,
                "decay_lr_rate": 0.001,
                "decay_step_size": 100,
            },
            total=3000,
            optimizer="adamw",
        ),
        _ds(
            "OneCycle",
            {
                "cycle_min_lr": 2e-5,
                "cycle_max_lr": 2e-4,
                "cycle_first_step_size": 300,
                "cycle_first_stair_count": 7,
                "cycle_second_step_size": 700,
                "cycle_second_stair_count": 11,
            },
            total=1100,
            optimizer="adamw",
        ),
    ]
    for params in (
        {},
        {"lr_range_test_min_lr": 1e-5, "lr_range_test_step_size": 1},
        {"lr_range_test_min_lr": 1e-5, "lr_range_test_step_size": 7, "lr_range_test_step_rate": 0.5},
        {"lr_range_test_min_lr": 1e-5, "lr_range_test_step_size": 7, "lr_range_test_staircase": True},
        {
            "lr_range_test_min_lr": 1e-4,
            "lr_range_test_step_size": 3,
            "lr_range_test_step_rate": 2.0,
            "lr_range_test_staircase": True,
            "last_batch_iteration": 4,
        },
    ):
        cases.append(_ds("LRRangeTest", params, total=30))
    cases.append(_ds("LRRangeTest", {"lr_range_test_step_size": 50}, total=2500))
    # What DeepSpeed 0.19.8 refuses.
    cases += [
        _ds("WarmupLR", {"warmup_num_steps": 0}),
        _ds("WarmupLR", {"warmup_num_steps": -3}),
        _ds("WarmupLR", {"warmup_num_steps": 10.0}),
        _ds("WarmupDecayLR", {"total_num_steps": 10, "warmup_num_steps": 0}),
        _ds("WarmupCosineLR", {"total_num_steps": 10, "warmup_num_steps": 0}),
        _ds("WarmupCosineLR", {"total_num_steps": 10, "warmup_num_steps": 2.5}),
        _ds("LRRangeTest", {"lr_range_test_step_size": 0}),
        _ds("LRRangeTest", {"lr_range_test_step_size": 2.0}),
        _ds("OneCycle", {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 0}),
        _ds(
            "OneCycle",
            {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 3, "cycle_second_step_size": -1},
        ),
    ]
    return cases


def axolotl_cases() -> list[dict[str, Any]]:
    cases = []
    grid = ((0, 1), (0, 10), (1, 1), (1, 10), (2, 2), (2, 3), (2, 10), (5, 5), (10, 100), (100, 1000))
    for w, t in grid:
        for ratio in (None, 0.0, 0.1, 1.0):
            kwargs = {} if ratio is None else {"cosine_min_lr_ratio": ratio}
            cases.append(_ax("axolotl_rex", kwargs, warmup=w, total=t))
        cases.append(_ax("axolotl_cosine_quadratic_warmup", {}, warmup=w, total=t))
        for ratio in (0.1, 0.5, 1.0):
            cases.append(_ax("axolotl_cosine_min_lr", {"cosine_min_lr_ratio": ratio}, warmup=w, total=t))
        for ratio, constant in ((0.1, 0.8), (0.1, 0.5), (0.2, 0.05), (0.1, 1.0), (1.0, 0.3)):
            cases.append(
                _ax(
                    "axolotl_cosine_min_lr_constant",
                    {"cosine_min_lr_ratio": ratio, "cosine_constant_lr_ratio": constant},
                    warmup=w,
                    total=t,
                )
            )
    cases += [  # what axolotl refuses
        _ax("axolotl_rex", {}, warmup=11, total=10),
        _ax("axolotl_rex", {"cosine_min_lr_ratio": 1.5}, warmup=2, total=10),
        _ax("axolotl_cosine_min_lr", {"cosine_min_lr_ratio": 1.5}, warmup=2, total=10),
        _ax(
            "axolotl_cosine_min_lr_constant",
            {"cosine_min_lr_ratio": 0.1, "cosine_constant_lr_ratio": 1.2},
            warmup=2,
            total=10,
        ),
    ]
    return cases


# ---------------------------------------------------------------------------------------------- loading


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _stub(name: str, **attrs: Any) -> None:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module


class WarningLog(logging.Handler):
    """Collects what DeepSpeed's logger says while one case runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load_deepspeed(package_dir: Path) -> tuple[types.ModuleType, WarningLog]:
    """`runtime/lr_schedules.py` from the DeepSpeed package dir, its `deepspeed.utils.logger` stubbed."""
    logger = logging.getLogger("lrcli.golden.deepspeed")
    logger.propagate = False
    log = WarningLog()
    logger.addHandler(log)
    _stub("deepspeed")
    _stub("deepspeed.utils", logger=logger)
    try:
        return _load("golden_deepspeed_lr_schedules", package_dir / "runtime" / "lr_schedules.py"), log
    finally:  # transformers probes find_spec("deepspeed"): leave no stub behind
        del sys.modules["deepspeed"], sys.modules["deepspeed.utils"]


def load_axolotl(package_dir: Path) -> types.ModuleType:
    """axolotl's `SchedulerMixin` module with the real `utils/schedulers.py`; only logging and plugins are stubbed."""

    class NoPlugins:
        @staticmethod
        def get_instance() -> NoPlugins:
            return NoPlugins()

        def create_lr_scheduler(self, **_: Any) -> None:
            return None

    quiet = logging.getLogger("lrcli.golden.axolotl")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    stubs = ("axolotl", "axolotl.utils", "axolotl.integrations", "axolotl.utils.logging", "axolotl.integrations.base")
    for name in stubs[:3]:
        _stub(name)
    _stub("axolotl.utils.logging", get_logger=lambda _name: quiet)
    _stub("axolotl.integrations.base", PluginManager=NoPlugins)
    try:
        _load("axolotl.utils.schedulers", package_dir / "utils" / "schedulers.py")
        return _load("golden_axolotl_scheduler_mixin", package_dir / "core" / "trainers" / "mixins" / "scheduler.py")
    finally:
        for name in (*stubs, "axolotl.utils.schedulers"):
            del sys.modules[name]


# ---------------------------------------------------------------------------------------------- running


def _optimizer(kind: str, lr: float):  # noqa: ANN202 - torch is imported lazily
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    if kind == "adamw":
        return torch.optim.AdamW([param], lr=lr)
    return torch.optim.SGD([param], lr=lr)


def hf_filled_params(case: dict[str, Any]) -> dict[str, Any]:
    """The scheduler params after transformers' own "auto" filling (trainer_config_process + _finalize)."""
    from accelerate.utils.deepspeed import HfDeepSpeedConfig
    from transformers import TrainingArguments
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig

    # transformers only subclasses accelerate's config when deepspeed is installed; graft its methods on.
    methods = {
        k: v for k, v in vars(HfTrainerDeepSpeedConfig).items() if k not in ("__init__", "__dict__", "__weakref__")
    }
    methods["fill_only"] = partialmethod(HfTrainerDeepSpeedConfig.fill_match, must_match=False)
    filler_cls = type("HfTrainerDeepSpeedConfigWithoutDeepSpeed", (HfDeepSpeedConfig,), methods)
    filler = filler_cls({"scheduler": {"type": case["schedule"], "params": dict(case["kwargs"])}})
    filler._dtype = None
    filler.mismatches = []
    args = TrainingArguments(
        output_dir="/tmp/lrcli-golden",
        learning_rate=case["lr"],
        warmup_steps=case["warmup"],
        max_steps=case["total"],
        report_to=[],
    )
    filler.trainer_config_process(args)
    filler.trainer_config_finalize(args, model=None, num_training_steps=case["total"])
    return filler.config["scheduler"]["params"]


def run_deepspeed(module: types.ModuleType, log: WarningLog, case: dict[str, Any]) -> dict[str, Any]:
    params = hf_filled_params(case) if "auto" in case["kwargs"].values() else dict(case["kwargs"])
    optimizer = _optimizer(case["optimizer"], case["lr"])
    log.messages.clear()
    try:
        scheduler = getattr(module, case["schedule"])(optimizer, **params)
    except (ValueError, TypeError) as exc:
        return {"raises": type(exc).__name__}
    values = [optimizer.param_groups[0]["lr"]]
    for _ in range(case["rows"] - 1):
        scheduler.step()
        values.append(optimizer.param_groups[0]["lr"])
    warnings = [m for m in log.messages if "before it has started" not in m]
    return {"values": [float(v) for v in values], "deepspeed_warnings": warnings, "filled_params": params}


def run_axolotl(mixin_module: types.ModuleType, case: dict[str, Any]) -> dict[str, Any]:
    config = case["kwargs"]
    rex = case["schedule"] == "axolotl_rex"
    args = types.SimpleNamespace(
        # axolotl's _configure_scheduler turns `lr_scheduler: rex` into cosine + alternate "rex"
        lr_scheduler_type="cosine",
        alternate_lr_scheduler_type="rex" if rex else None,
        lr_quadratic_warmup=case["schedule"] == "axolotl_cosine_quadratic_warmup",
        cosine_min_lr_ratio=config.get("cosine_min_lr_ratio"),
        cosine_constant_lr_ratio=config.get("cosine_constant_lr_ratio"),
        learning_rate=case["lr"],
        lr_scheduler_kwargs={},
        jagged_restart_steps=None,
        get_warmup_steps=lambda _total: case["warmup"],
    )
    trainer = types.SimpleNamespace(args=args, lr_scheduler=None, optimizer=None)
    optimizer = _optimizer("adamw", case["lr"])
    try:
        scheduler = mixin_module.SchedulerMixin.create_scheduler(trainer, case["total"], optimizer=optimizer)
    except (ValueError, AssertionError) as exc:
        return {"raises": type(exc).__name__}
    values = [optimizer.param_groups[0]["lr"]]
    for _ in range(case["rows"] - 1):
        optimizer.step()
        scheduler.step()
        values.append(optimizer.param_groups[0]["lr"])
    return {"values": [float(v) for v in values], "scheduler_class": type(scheduler).__name__}


def default_dirs() -> tuple[Path, Path]:
    """The DeepSpeed and axolotl package dirs: the installed packages if importable, else the pinned sources
    (tools/framework_sources.py, fetched on first use)."""
    found = []
    for name in ("deepspeed", "axolotl"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        found.append(Path(spec.origin).parent if spec is not None and spec.origin else package_dir(name))
    return found[0], found[1]


def compute_all(deepspeed_dir: Path, axolotl_dir: Path) -> list[dict[str, Any]]:
    """Every case with the framework's answer filled in."""
    import warnings

    warnings.filterwarnings("ignore", category=UserWarning)  # torch's "step() before optimizer.step()"
    ds_module, log = load_deepspeed(deepspeed_dir)
    mixin = load_axolotl(axolotl_dir)
    results = [{**case, **run_deepspeed(ds_module, log, case)} for case in deepspeed_cases()]
    results += [{**case, **run_axolotl(mixin, case)} for case in axolotl_cases()]
    return results


def main() -> None:
    ds_default, ax_default = default_dirs()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deepspeed", type=Path, default=ds_default, help="the deepspeed package directory")
    parser.add_argument("--axolotl", type=Path, default=None, help="the axolotl package directory")
    parser.add_argument("--axolotl-release", choices=AXOLOTL_RELEASES, default=AXOLOTL_VERSION,
                        help=f"{AXOLOTL_VERSION}: the DeepSpeed + axolotl file; another: its axolotl cases alone")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    import torch
    import transformers


    release = args.axolotl_release
    axolotl_dir = args.axolotl or (ax_default if release == AXOLOTL_VERSION else
                                   release_dir("axolotl", release, "axolotl"))
    versions = {"axolotl": release, "torch": torch.__version__, "transformers": transformers.__version__}
    if release == AXOLOTL_VERSION:
        cases = compute_all(args.deepspeed, axolotl_dir)
        versions = {"deepspeed": DEEPSPEED_VERSION, **versions}
        output = args.output or OUTPUT
    else:
        import warnings

        warnings.filterwarnings("ignore", category=UserWarning)
        mixin = load_axolotl(axolotl_dir)
        cases = [{**case, **run_axolotl(mixin, case)} for case in axolotl_cases()]
        output = args.output or axolotl_only_output(release)
    document = {
        "generated_by": "tools/gen_deepspeed_axolotl_golden.py",
        "versions": versions,
        "convention": "values[s] = the optimizer lr after s scheduler steps (lrcli row s)",
        "cases": cases,
    }
    output.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {output}")


if __name__ == "__main__":
    main()
