"""Golden LR curves from torchtitan's own scheduler code -> tests/data/torchtitan_golden.json.

Releases: torchtitan 0.1.0, 0.2.0, 0.2.1, 0.2.2 (`torchtitan/components/lr_scheduler.py`, `build_lr_schedulers`) and
0.3.0 (`torchtitan/components/optimizer/lr_scheduler.py`, `LRSchedulersContainer.Config.build`), each wheel fetched
from PyPI by tools/framework_sources.py (not installed: torchtitan pins torch nightlies), run with the torch of this
venv (2.13.0 CPU). The scheduler file is loaded as shipped; only the imports around it are stand-ins: the optimizer
container is a list of one `torch.optim.SGD`, the job config a namespace carrying the case's values (0.1.0 reads
`job_config.training.steps` and `job_config.lr_scheduler.*`, 0.2.x takes the `lr_scheduler` section and
`training.steps`), torchtitan's logger records the warnings it logs. 0.3.0's `Configurable` base is its real
`config/configurable.py` (its structured-logging import stubbed).

Each case steps the container as torchtitan's train loop does (`optimizers.step(); lr_schedulers.step()` once per
training step) and records the optimizer's lr after 0, 1, …, training.steps steps: lrcli's rows. Where torchtitan
raises (an unknown decay_type, the decay-steps assertion), the exception type is recorded instead.

Rerun (from the repository root; a few seconds):

    .venv/bin/python tools/gen_torchtitan_golden.py

Real configs: every TOML under tests/data/real_configs/torchtitan/ (torchtitan's own train_configs at the tags, see
SOURCES.md) and the sample configs, parsed by each TOML release's own `ConfigManager.parse_args(["--job.config_file",
FILE, *overrides])` (0.1.0 `config_manager.py`, 0.2.x `config/manager.py` + `config/job_config.py`; needs `tyro`,
which torchtitan parses with: `pip install tyro` into the venv that runs this script; a `job.custom_config_module`
is loaded from the release's own file), then that parsed config through the release's scheduler: T, the lr, the
lr_scheduler section as parsed, the warnings and the curve, or the exception the parse raises.

tests/test_torchtitan_parity.py imports this file to run random cases live (the oracle test).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import random
import sys
import types
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_sources import package_dir  # noqa: E402

RELEASES = ("0.1.0", "0.2.0", "0.2.1", "0.2.2", "0.3.0")
OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torchtitan_golden.json"


def floor_key(version: str) -> str:
    """The `[lr_scheduler]` key of the decay floor: `lr_min` in 0.1.0, `min_lr_factor` from 0.2.0."""
    return "lr_min" if version == "0.1.0" else "min_lr_factor"


def has_total_steps(version: str) -> bool:
    """`lr_scheduler.total_steps` exists from 0.2.2."""
    return version not in ("0.1.0", "0.2.0", "0.2.1")


# ---------------------------------------------------------------------------------------------- loading
class WarningLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _stub(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__path__ = []  # a package, so submodules can be stubbed or loaded under it
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Release:
    """One torchtitan release's scheduler code, loaded from its package directory."""

    def __init__(self, version: str, package: Path) -> None:
        self.version = version
        self.log = WarningLog()
        logger = logging.getLogger(f"lrcli.golden.torchtitan.{version}")
        logger.propagate = False
        logger.addHandler(self.log)
        saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "torchtitan"}
        for name in saved:
            del sys.modules[name]
        try:
            _stub("torchtitan")
            _stub("torchtitan.tools")
            _stub("torchtitan.tools.logging", logger=logger)
            _stub("torchtitan.components")
            if version == "0.3.0":
                _stub("torchtitan.observability")
                _stub("torchtitan.observability.structured_logger")
                configurable = _load("torchtitan.config.configurable", package / "config" / "configurable.py")
                _stub("torchtitan.config", Configurable=configurable.Configurable)
                _stub("torchtitan.components.optimizer")
                _stub("torchtitan.components.optimizer.optimizer", OptimizersContainer=list)
                self.module = _load("torchtitan.components.optimizer.lr_scheduler",
                                    package / "components" / "optimizer" / "lr_scheduler.py")
            else:
                _stub("torchtitan.components.optimizer", OptimizersContainer=list)
                _stub("torchtitan.config_manager", JobConfig=object)  # 0.1.0's import
                _stub("torchtitan.config", LRScheduler=object)  # 0.2.x's import
                self.module = _load("torchtitan.components.lr_scheduler", package / "components" / "lr_scheduler.py")
        finally:
            for name in [name for name in sys.modules if name.split(".")[0] == "torchtitan"]:
                del sys.modules[name]
            sys.modules.update(saved)

    def build(self, optimizers: list, lr_scheduler: dict[str, Any], steps: int) -> Any:
        section = types.SimpleNamespace(**lr_scheduler)
        if self.version == "0.1.0":
            job = types.SimpleNamespace(training=types.SimpleNamespace(steps=steps), lr_scheduler=section)
            return self.module.build_lr_schedulers(optimizers, job)
        if self.version == "0.3.0":
            config = self.module.LRSchedulersContainer.Config(**lr_scheduler)
            return config.build(optimizers=optimizers, training_steps=steps)
        return self.module.build_lr_schedulers(optimizers, section, steps)


def run_case(release: Release, case: dict[str, Any]) -> dict[str, Any]:
    """The optimizer's lr after 0 … training.steps scheduler steps (or the exception torchtitan raises), and the
    warnings torchtitan logged while building the scheduler."""
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=case["lr"])
    release.log.messages.clear()
    out: dict[str, Any] = {}
    try:
        schedulers = release.build([optimizer], case["lr_scheduler"], case["steps"])
        out["warnings"] = list(release.log.messages)
        values = [optimizer.param_groups[0]["lr"]]
        for _ in range(case["steps"]):
            optimizer.step()
            schedulers.step()
            values.append(optimizer.param_groups[0]["lr"])
        out["values"] = values
    except Exception as exc:  # noqa: BLE001 - the framework's own failure is the expected value
        out["raises"] = type(exc).__name__
    return out


# ---------------------------------------------------------------------------------------------- cases
def section(version: str, warmup: Any, *, ratio: Any = None, kind: str | None = None, floor: float | None = None,
            total: int | None = None) -> dict[str, Any]:
    """An `[lr_scheduler]` section in `version`'s key names; None leaves a key at its default."""
    values: dict[str, Any] = {"warmup_steps": warmup, "decay_ratio": ratio, "decay_type": kind or "linear",
                              floor_key(version): 0.0 if floor is None else floor}
    if has_total_steps(version):
        values["total_steps"] = total
    return values


def cases_for(version: str, rng: random.Random) -> list[dict[str, Any]]:
    fixed = [  # (lr, steps, warmup, ratio, kind, floor, total_steps)
        (8e-4, 10, 2, 0.8, "linear", None, None),  # llama3 debug_model
        (3e-4, 1000, 200, None, "linear", None, None),  # llama3_8b
        (2.2e-4, 1000, 200, 0.8, "cosine", 0.1, None),  # deepseek_v3_16b
        (1e-4, 300, 30, 0.0, "linear", None, None),  # flux: decay_ratio 0, stays at the peak
        (1e-3, 20, 25, None, "linear", None, None),  # warmup > steps: clamped
        (1e-3, 20, 5, 0.9, "sqrt", None, None),  # warmup + decay > steps: decay shortened
        (1e-3, 20, 0, None, "cosine", None, None),  # no warmup
        (1e-3, 20, 0, 1.0, "linear", 0.2, None),
        (1e-3, 10, 2, 0.25, "linear", None, None),  # round(2.5) = 2 (banker's rounding)
        (1e-3, 14, 2, 0.25, "cosine", None, None),  # round(3.5) = 4
        (1e-3, 30, 3, 0.5, "bogus", None, None),  # unknown decay_type: the lambda fails at the first decay step
        (1e-3, 1, 0, None, "linear", None, None),
        (1e-3, 1, 1, None, "linear", None, None),
        (1e-3, 7, 7, 0.5, "sqrt", 0.5, None),
        (5e-4, 40, 4.9, 0.3, "cosine", 0.05, None),  # a float warmup_steps: int() truncates
        (1e-2, 50, 5, 2.0, "linear", -0.1, None),  # decay_ratio > 1, a negative floor
    ]
    if has_total_steps(version):
        fixed += [
            (1e-3, 30, 5, None, "linear", None, 20),  # total_steps < steps: the decay runs past its end
            (1e-3, 30, 5, 0.5, "cosine", 0.1, 20),
            (1e-3, 30, 5, 0.5, "sqrt", None, 20),
            (1e-3, 20, 5, None, "cosine", None, 60),  # total_steps > steps: the curve stops mid-decay
            (1e-3, 20, 3, 0.0, "linear", None, 10),  # no decay steps, past the end: torchtitan's assertion
            (1e-3, 12, 20, None, "linear", None, 8),  # warmup clamped to total_steps
        ]
    cases = []
    for lr, steps, warmup, ratio, kind, floor, total in fixed:
        cases.append({"lr": lr, "steps": steps,
                      "lr_scheduler": section(version, warmup, ratio=ratio, kind=kind, floor=floor, total=total)})
    for _ in range(24):
        steps = rng.choice([rng.randint(1, 12), rng.randint(1, 120), rng.randint(100, 400)])
        warmup = rng.choice([0, rng.randint(0, steps), rng.randint(0, steps // 3 + 1), steps + rng.randint(0, 5)])
        ratio = rng.choice([None, None, round(rng.uniform(0, 1), rng.choice([1, 2, 3])), rng.choice([0.0, 1.0])])
        kind = rng.choice(["linear", "sqrt", "cosine"])
        floor = rng.choice([None, None, round(rng.uniform(0, 0.5), 3)])
        total = None
        if has_total_steps(version) and rng.random() < 0.3:
            total = max(1, steps + rng.randint(-steps // 2, steps))
        lr = float(f"{rng.uniform(1e-5, 1e-2):.3g}")
        cases.append({"lr": lr, "steps": steps,
                      "lr_scheduler": section(version, warmup, ratio=ratio, kind=kind, floor=floor, total=total)})
    return cases


# ---------------------------------------------------------------------------------------------- real configs
ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real_configs" / "torchtitan"
TOML_RELEASES = ("0.1.0", "0.2.0", "0.2.1", "0.2.2")
# (config path relative to the repository, the overrides its launch passes): the sample launch script's overrides are
# the words sample_configs/torchtitan_train.sh hands torchtitan.train after its job file
SAMPLE_RUNS = (
    ("sample_configs/torchtitan_llama3_8b.toml", ()),
    ("sample_configs/torchtitan_llama3_8b.toml",
     ("--training.steps", "1000", "--lr_scheduler.warmup_steps=50", "--lr_scheduler.decay_type", "linear")),
)
# How the release's parser (tyro) takes override words: spellings, None, types, unknown options
OVERRIDE_RUNS = (
    ("--lr-scheduler.warmup-steps", "7"),
    ("--lr_scheduler.decay_ratio", "None", "--training.steps=40"),
    ("--lr_scheduler.warmup_steps", "7.0"),
    ("--training.steps", "1e3"),
    ("--lr_scheduler.decay_type", "exp"),
    ("--lr_scheduler.min_lr_factor", "-0.5", "--optimizer.lr", "2e-4"),
    ("--lr_scheduler.lr_min", "0.2"),
    ("--lr_scheduler.total_steps", "500"),
)


def load_config_manager(version: str, package: Path) -> Any:
    """The release's own ConfigManager class (its JobConfig dataclasses with it)."""
    logger = logging.getLogger(f"lrcli.golden.torchtitan.config.{version}")
    logger.propagate = False
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "torchtitan"}
    for name in saved:
        del sys.modules[name]
    try:
        _stub("torchtitan")
        _stub("torchtitan.tools")
        _stub("torchtitan.tools.logging", logger=logger)
        if version == "0.1.0":
            manager = _load("torchtitan.config_manager", package / "config_manager.py")
        else:
            _stub("torchtitan.config").__path__ = [str(package / "config")]
            _load("torchtitan.config.job_config", package / "config" / "job_config.py")
            manager = _load("torchtitan.config.manager", package / "config" / "manager.py")
        # custom_config_module targets the real configs use, from the same release (pure dataclasses)
        for custom in sorted(package.glob("models/*/job_config.py")) + sorted(package.glob("experiments/*/job_config.py")):
            parts = custom.relative_to(package.parent).with_suffix("").parts
            for i in range(2, len(parts)):
                if ".".join(parts[:i]) not in sys.modules:
                    _stub(".".join(parts[:i]))
            _load(".".join(parts), custom)
        # kept for the parse: tyro reads the dataclasses' source (docstrings) through their modules
        loaded = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "torchtitan"}
        return manager.ConfigManager, loaded
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "torchtitan"]:
            del sys.modules[name]
        sys.modules.update(saved)


def run_real(version: str, release: Release, config_path: Path, overrides: tuple[str, ...]) -> dict[str, Any]:
    """One config file parsed by the release's ConfigManager, then run through its scheduler."""
    import dataclasses

    import torch

    manager_cls, modules = load_config_manager(version, package_dir(f"torchtitan-{version}"))
    out: dict[str, Any] = {"release": version, "config": config_path.relative_to(ROOT).as_posix(),
                           "overrides": list(overrides)}
    saved = dict(sys.modules)
    sys.modules.update(modules)  # importlib.import_module(custom_config_module) finds them
    try:
        job = manager_cls().parse_args(["--job.config_file", str(config_path), *overrides])
    except BaseException as exc:  # noqa: BLE001 - tyro exits with SystemExit on a bad option
        out["raises"] = type(exc).__name__
        out["message"] = str(exc).splitlines()[0] if str(exc) else ""
        return out
    finally:
        sys.modules.clear()
        sys.modules.update(saved)
    section = dataclasses.asdict(job.lr_scheduler)
    out.update(steps=job.training.steps, lr=job.optimizer.lr, lr_scheduler=section)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=job.optimizer.lr)
    release.log.messages.clear()
    schedulers = release.build([optimizer], section, job.training.steps)
    out["warnings"] = list(release.log.messages)
    values = [optimizer.param_groups[0]["lr"]]
    for _ in range(job.training.steps):
        optimizer.step()
        schedulers.step()
        values.append(optimizer.param_groups[0]["lr"])
    # every row up to T = 1000; past that every 10th row and the first and last 100 (the file stays small)
    rows = sorted(set(range(len(values))) if len(values) <= 1001 else
                  set(range(0, len(values), 10)) | set(range(100)) | set(range(len(values) - 100, len(values))))
    out["rows"] = rows
    out["values"] = [values[i] for i in rows]
    return out


def job_sections(version: str) -> dict[str, list[str]]:
    """The top-level sections (JobConfig fields) of a TOML release, and the keys of the tables lrcli reads: any other
    table or key in a job file is refused by 0.2.x's `_dict_to_dataclass` (ValueError) and ignored by 0.1.0's."""
    import dataclasses

    manager_cls, modules = load_config_manager(version, package_dir(f"torchtitan-{version}"))
    job = modules["torchtitan.config_manager" if version == "0.1.0" else "torchtitan.config.job_config"].JobConfig
    fields = {field.name: field for field in dataclasses.fields(job)}
    tables = {name: [f.name for f in dataclasses.fields(fields[name].default_factory)]
              for name in ("training", "optimizer", "lr_scheduler")}
    return {"": list(fields), **tables}


def real_runs() -> list[dict[str, Any]]:
    runs = []
    for version in TOML_RELEASES:
        release = Release(version, package_dir(f"torchtitan-{version}"))
        for config in sorted(REAL.glob("*.toml")):
            runs.append(run_real(version, release, config, ()))
        for config, overrides in SAMPLE_RUNS:
            runs.append(run_real(version, release, ROOT / config, overrides))
        for overrides in OVERRIDE_RUNS:
            runs.append(run_real(version, release, ROOT / SAMPLE_RUNS[0][0], overrides))
    return runs


def main() -> None:
    import torch

    rng = random.Random(16)
    out: dict[str, Any] = {"torch": torch.__version__.split("+")[0], "releases": {}}
    total = 0
    for version in RELEASES:
        release = Release(version, package_dir(f"torchtitan-{version}"))
        cases = [{**case, **run_case(release, case)} for case in cases_for(version, rng)]
        out["releases"][version] = cases
        total += len(cases)
    out["real_configs"] = real_runs()
    out["job_sections"] = {version: job_sections(version) for version in TOML_RELEASES}
    OUTPUT.write_text(json.dumps(out, indent=None, separators=(",", ":")) + "\n")
    print(f"{total} cases, {len(out['real_configs'])} real config runs -> {OUTPUT}")


if __name__ == "__main__":
    main()
