"""Golden T and W for axolotl configs from one axolotl release's own code -> tests/data/axolotl_rules_golden_<V>.json.

One file per modelled release (0.19.0, 0.20.0, 0.21.0), each made by that release's code running on the
transformers, datasets and pydantic versions its wheel pins (not lrcli dependencies; CI does not run this). The
release's source comes from tools/framework_sources.py (read, never installed: 0.20+ wheels need Python 3.12, the
functions below run as written on 3.10+). Build a throwaway venv per release with its pins and run the script there
(the script refuses a venv whose versions differ from the wheel's Requires-Dist pins):

    python3 -m venv /tmp/s20-goldens/ax-0.21 && /tmp/s20-goldens/ax-0.21/bin/pip install torch==2.13.0 \
        transformers==5.20.1 accelerate==1.15.0 datasets==5.0.1 pydantic==2.13.5 pyyaml
    /tmp/s20-goldens/ax-0.21/bin/python tools/gen_axolotl_rules_golden.py --release 0.21.0
    (0.20.0: transformers==5.17.0 accelerate==1.15.0 datasets==4.8.4 pydantic==2.12.5;
     0.19.0: transformers==5.16.1 accelerate==1.13.0 datasets==4.8.4 pydantic==2.12.5)

What runs as shipped (extracted from the wheel's source with `ast` and executed; only their I/O is stubbed):
- `utils/config/__init__.py:normalize_config`, its statements up to and including the world-size batch rule
  (WORLD_SIZE set in os.environ; `choose_device` stubbed);
- SFT: `utils/data/sft.py:_prepare_standard_dataset` (the max_steps min and the count) with
  `_handle_train_dataset_split`, `utils/data/shared.py:create_train_validation_split` and
  `generate_split_fingerprints` on a real `datasets.Dataset` of N rows (so the split is datasets' own
  `train_test_split`), and `utils/trainer.py:calculate_total_num_steps` (`skip_prepare_dataset` set: no token
  statistics are needed; the sample_packing_eff_est branch reads total_num_tokens from the config);
- RL: `common/datasets.py:load_preference_datasets` with `utils/data/rl.py:prepare_preference_datasets`; the
  config's val_set_size goes through pydantic's validation for the schema type `float | None` first, as axolotl's
  `validate_config` does;
- warmup: `core/builders/base.py:TrainerBuilderBase._configure_warmup_and_logging`; max_steps for the Trainer is
  `cfg.max_steps or total_num_steps or -1` (`_set_base_training_args`, written here by hand); W is then
  transformers' `TrainingArguments.get_warmup_steps(T)` (of the transformers the release pins).
- GRPO/EBFT (no axolotl count): T is given (lrcli --total-steps) and W = get_warmup_steps(T) of the warmup_steps
  axolotl hands over.
- FSDP: `utils/schemas/validation.py:<its mixin>.check_fsdp_version` (a before-validator of the
  config) on the raw config, with that file's FSDP1_* constants (0.19 warns; 0.20+ raises: FSDP1 removed);
Defaults written by hand from the schema (utils/schemas/training.py): micro_batch_size 1, gradient_accumulation_steps
1, num_epochs 1.0. A case whose axolotl code raises records the exception type.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import itertools
import json
import math
import os
import sys
import types
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_code import Cfg, extract  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ("0.19.0", "0.20.0", "0.21.0")
PINNED_BY_AXOLOTL = ("transformers", "datasets", "pydantic")  # the versions that must match the wheel's pins


def output_path(release: str) -> Path:
    return ROOT / "tests" / "data" / f"axolotl_rules_golden_{release}.json"
REAL = ROOT / "tests" / "data" / "real_configs" / "axolotl"  # copies of ../shared/configs/real/axolotl
QUIET = types.SimpleNamespace(debug=lambda *a, **k: None, info=lambda *a, **k: None, warning=lambda *a, **k: None)


def _base(**extra: Any) -> dict[str, Any]:
    return {"base_model": "x", "learning_rate": 2e-4, "micro_batch_size": 2, "gradient_accumulation_steps": 4,
            "num_epochs": 2.5, **extra}


def synthetic_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for val, world, warm in itertools.product(
        (None, 0.05, 0.1, 1 / 3, 37, 1.5, 1.0),
        (1, 4),
        ({"warmup_ratio": 0.1}, {}, {"warmup_steps": 1}),
    ):
        config = _base(**warm, **({"val_set_size": val} if val is not None else {}))
        for n in (7, 1001):
            cases.append({"config": config, "samples": n, "world_size": world})
    for parallel, world in itertools.product(
        ({"context_parallel_size": 2}, {"tensor_parallel_size": 2}, {"context_parallel_size": 2,
         "tensor_parallel_size": 2}, {"ddp": False}, {"ddp": False, "fsdp_config": {"fsdp_version": 2}}, {}),
        (1, 2, 8),
    ):
        cases.append({"config": _base(**parallel), "samples": 5003, "world_size": world})
    for extra in ({"max_steps": 50}, {"max_steps": 50, "warmup_ratio": 0.5}, {"max_steps": 5000},
                  {"batch_size": 24, "gradient_accumulation_steps": None},
                  {"batch_size": 24, "gradient_accumulation_steps": None, "micro_batch_size": 5}):
        for world in (1, 4):
            cases.append({"config": _base(**extra), "samples": 2003, "world_size": world})
    for tokens, eff, epochs, world in itertools.product((12_345_678, 987_654), (0.92, 0.5), (3, 1.0), (1, 8)):
        config = _base(sample_packing=True, sample_packing_eff_est=eff, total_num_tokens=tokens, sequence_len=2048,
                       num_epochs=epochs, warmup_ratio=0.05, val_set_size=0.1)
        cases.append({"config": config, "samples": 1000, "world_size": world})
    for rl, val, warm, world in itertools.product(
        ("dpo", "kto", "gdpo"), (None, 0.05, 100), ({"warmup_ratio": 0.1}, {}), (1, 4)
    ):
        config = _base(rl=rl, sample_packing=True, **warm, **({"val_set_size": val} if val is not None else {}))
        cases.append({"config": config, "samples": 3001, "world_size": world})
    cases.append({"config": _base(rl="dpo", max_steps=40, warmup_ratio=0.5), "samples": 3001, "world_size": 1})
    for fsdp in ({"fsdp": ["full_shard", "auto_wrap"], "fsdp_config": {"fsdp_offload_params": False}},
                 {"fsdp_version": 1, "fsdp_config": {"reshard_after_forward": True}},
                 {"fsdp_config": {"fsdp_version": 1}}, {"fsdp_config": {"version": "1"}},
                 {"fsdp_version": 2, "fsdp_config": {"fsdp_sharding_strategy": "FULL_SHARD"}},
                 {"fsdp_version": 2, "fsdp_config": {"forward_prefetch": True}},
                 {"fsdp_version": 2, "fsdp_config": {"reshard_after_forward": True, "sync_module_states": True}},
                 {"fsdp_version": "2", "fsdp_config": {"fsdp_reshard_after_forward": True}}):
        cases.append({"config": _base(**fsdp), "samples": 2003, "world_size": 4})
    for rl, warm, total in itertools.product(
        ("grpo", "ebft"), ({"warmup_ratio": 0.1}, {}, {"warmup_steps": 1}, {"warmup_steps": 7}, {"warmup_ratio": 1.0}),
        (9, 333),
    ):
        cases.append({"config": _base(rl=rl, **warm), "total_steps": total, "world_size": 1})
    return cases


def real_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(REAL.glob("*.y*ml")):
        raw = yaml.safe_load(path.read_text())
        if raw.get("sample_packing") and not raw.get("rl"):
            continue  # axolotl counts multipack bins of the tokenized data: not runnable without it
        for n, world in ((1000, 1), (5003, 8)):
            cases.append({"real": path.name, "samples": n, "world_size": world})
    return cases


class Runner:
    """One axolotl release's functions, extracted from the wheel and wired to stubs for everything but the arithmetic."""

    def __init__(self, root: Path) -> None:
        import datasets
        import pydantic

        self.datasets = datasets
        self.float_field = pydantic.TypeAdapter(float | None)
        spec = importlib.util.spec_from_file_location("ax_enums", root / "utils" / "schemas" / "enums.py")
        enums = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(enums)
        self.rl_type = enums.RLType
        shared = {"md5": _md5, "deduplicate_and_log_datasets": None}
        extract(root / "utils/data/shared.py", "generate_split_fingerprints", shared)
        split = extract(root / "utils/data/shared.py", "create_train_validation_split", shared)
        _diffusion_lm_sampling(root)
        self.count = extract(root / "utils/trainer.py", "calculate_total_num_steps", {"math": math, "LOG": QUIET})
        self.sft_split = extract(root / "utils/data/sft.py", "_handle_train_dataset_split",
                                 {"create_train_validation_split": split, "Dataset": datasets.Dataset})
        self.rows: int = 0
        sft_namespace = {"FileLockLoader": _Loader, "os": os, "LOG": QUIET, "calculate_total_num_steps": self.count,
                         "_load_and_prepare_datasets": self._sft_load}
        self.prepare_sft = extract(root / "utils/data/sft.py", "_prepare_standard_dataset", sft_namespace)
        rl_namespace = {"FileLockLoader": _Loader, "create_train_validation_split": split,
                        "_load_or_create_dataset_split": lambda cfg, tokenizer, split: self._rows(),
                        "deduplicate_and_log_datasets": None}
        prepare_rl = extract(root / "utils/data/rl.py", "prepare_preference_datasets", rl_namespace)
        meta = lambda **kw: types.SimpleNamespace(**kw)  # noqa: E731
        self.load_rl = extract(root / "common/datasets.py", "load_preference_datasets",
                               {"load_tokenizer": lambda cfg: None, "prepare_preference_datasets": prepare_rl,
                                "RLType": enums.RLType, "math": math, "LOG": QUIET, "TrainDatasetMeta": meta})
        self.configure = extract(root / "core/builders/base.py", "_configure_warmup_and_logging", {},
                                 class_name="TrainerBuilderBase")
        validation = root / "utils/schemas/validation.py"
        constants = {"LOG": QUIET}
        for node in ast.parse(validation.read_text()).body:  # the module's FSDP1_* constants, as written
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "").startswith("FSDP1") for t in node.targets):
                exec(compile(ast.Module(body=[node], type_ignores=[]), str(validation), "exec"), constants)  # noqa: S102
        owner = next(n.name for n in ast.parse(validation.read_text()).body if isinstance(n, ast.ClassDef) and any(
            getattr(m, "name", "") == "check_fsdp_version" for m in n.body))
        self.check_fsdp = extract(validation, "check_fsdp_version", constants, class_name=owner)
        normalize = next(n for n in ast.parse((root / "utils/config/__init__.py").read_text()).body
                         if isinstance(n, ast.FunctionDef) and n.name == "normalize_config")
        end = next(i for i, node in enumerate(normalize.body) if "effective_world_size" in ast.unparse(node))
        normalize.body = normalize.body[: end + 1]
        normalize.decorator_list = []
        namespace: dict[str, Any] = {"os": os, "choose_device": lambda cfg: None}
        exec(compile(ast.Module(body=[normalize], type_ignores=[]), "normalize_config", "exec"), namespace)  # noqa: S102
        self.normalize = namespace["normalize_config"]

    def _rows(self) -> Any:
        return self.datasets.Dataset.from_dict({"x": list(range(self.rows))})

    def _sft_load(self, tokenizer: Any, cfg: Any, split: str = "train", processor: Any = None) -> Any:
        train, evaluation = self.sft_split(self._rows(), cfg)
        return train, evaluation, []

    def run(self, raw: dict[str, Any], samples: int | None, world: int, total: int | None) -> dict[str, Any]:
        from transformers import TrainingArguments

        try:
            self.check_fsdp(None, json.loads(json.dumps(raw)))
        except ValueError as exc:
            return {"raises": type(exc).__name__, "message": str(exc)}
        cfg = Cfg({"micro_batch_size": 1, "gradient_accumulation_steps": 1, "num_epochs": 1.0, "val_set_size": 0.0})
        cfg.update({k: v for k, v in raw.items() if not (k == "gradient_accumulation_steps" and v is None)})
        if raw.get("gradient_accumulation_steps", 1) is None:
            cfg.gradient_accumulation_steps = None
        cfg.learning_rate = float(cfg.learning_rate)
        cfg.val_set_size = self.float_field.validate_python(cfg.val_set_size)
        cfg.skip_prepare_dataset = True
        previous = os.environ.get("WORLD_SIZE")
        os.environ["WORLD_SIZE"] = str(world)
        try:
            self.normalize(cfg)
        finally:  # the HF oracle in the same process must not see a distributed launch
            if previous is None:
                del os.environ["WORLD_SIZE"]
            else:
                os.environ["WORLD_SIZE"] = previous
        self.rows = samples or 0
        try:
            if cfg.rl:
                cfg.rl = self.rl_type(cfg.rl)
                counted = self.load_rl(cfg=cfg).total_num_steps
            else:
                counted = self.prepare_sft(cfg, None, None)[2]
        except (ValueError, ZeroDivisionError) as exc:
            return {"raises": type(exc).__name__, "message": str(exc)}
        kwargs: dict[str, Any] = {}
        self.configure(types.SimpleNamespace(cfg=cfg), counted, kwargs)
        hf_total = cfg.max_steps or counted or -1
        if hf_total == -1:
            hf_total = total
        args = TrainingArguments(output_dir="/tmp/lrcli-golden", report_to=[], max_steps=hf_total,
                                 warmup_steps=kwargs["warmup_steps"])
        return {"total_steps": hf_total, "warmup_steps": args.get_warmup_steps(hf_total),
                "handed_warmup_steps": kwargs["warmup_steps"], "batch_size": cfg.batch_size}


def _diffusion_lm_sampling(root: Path) -> None:
    """0.21+: `_prepare_standard_dataset` and `calculate_total_num_steps` import
    `axolotl.core.trainers.diffusion_lm.sampling` (native diffusion-LM packing). Its functions run as shipped, with
    `model_support/native_packing.py`'s `resolve_native_packing_budget`; only `native_packing_options` (the model
    support registry lookup) is stubbed: None, as for every model that is not a native diffusion LM (all cases here)."""
    path = root / "core/trainers/diffusion_lm/sampling.py"
    if not path.is_file():
        return
    module = types.ModuleType("axolotl.core.trainers.diffusion_lm.sampling")
    namespace = module.__dict__
    namespace.update({"Any": Any, "Sequence": list, "native_packing_options": lambda cfg: None})
    extract(root / "model_support/native_packing.py", "resolve_native_packing_budget", namespace)
    for name in ("native_packing_lengths", "filter_native_diffusion_dataset"):
        extract(path, name, namespace)
    helpers = {"axolotl.utils.dict": {"DictDefault": Cfg}, "axolotl.utils.logging": {"get_logger": lambda name: QUIET}}
    for name in (module.__name__, *helpers):
        parts = name.split(".")
        for i in range(1, len(parts)):
            sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    for name, attributes in helpers.items():
        sys.modules[name] = types.ModuleType(name)
        sys.modules[name].__dict__.update(attributes)
    sys.modules[module.__name__] = module


def _md5(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - a fingerprint, as axolotl's md5 helper


class _Loader:
    def __init__(self, cfg: Any) -> None:
        pass

    def load(self, fn: Any) -> Any:
        return fn()

    def cleanup(self) -> None:
        pass


def release_pins(release: str) -> dict[str, str]:
    """{distribution: version} of the `==` pins in the release wheel's METADATA (Requires-Dist)."""
    import re

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from framework_sources import release_dir

    package = release_dir("axolotl", release, "axolotl")
    metadata = next(package.parent.glob("axolotl-*.dist-info")) / "METADATA"
    pins = {}
    for line in metadata.read_text().splitlines():
        found = re.match(r"Requires-Dist: ([A-Za-z0-9_.-]+)==([^ ;,]+)$", line)
        if found:
            pins[found.group(1).lower()] = found.group(2)
    return pins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", choices=RELEASES, required=True)
    parser.add_argument("--axolotl", type=Path, help="the axolotl package directory (default: the release's wheel)")
    opts = parser.parse_args()
    import warnings
    from importlib.metadata import version

    from framework_sources import release_dir

    pins = release_pins(opts.release)
    wrong = {name: (version(name), pins[name]) for name in PINNED_BY_AXOLOTL if version(name) != pins[name]}
    if wrong:
        sys.exit(f"this Python has {wrong} (installed, pinned by axolotl {opts.release}): use a venv with its pins")
    warnings.filterwarnings("ignore")
    runner = Runner(opts.axolotl or release_dir("axolotl", opts.release, "axolotl"))
    results = []
    for case in synthetic_cases() + real_cases():
        raw = case.get("config") or yaml.safe_load((REAL / case["real"]).read_text())
        result = runner.run(dict(raw), case.get("samples"), case["world_size"], case.get("total_steps"))
        results.append({**case, **result})
    document = {"generator": "tools/gen_axolotl_rules_golden.py", "axolotl": opts.release,
                **{name: version(name) for name in PINNED_BY_AXOLOTL}, "cases": results}
    output = output_path(opts.release)
    output.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{len(results)} cases, {sum('raises' in r for r in results)} raising -> {output}")


if __name__ == "__main__":
    main()
