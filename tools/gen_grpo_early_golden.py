"""Golden GRPO step counts of TRL 0.14 … 0.19 (before the 0.20 RepeatSampler rules lrcli.steps.trl models first),
each from that release's own code -> tests/data/grpo_early_golden.json (tests/test_grpo_early.py).

For each release (the newest patch of each minor line: 0.14.0, 0.15.2, 0.16.1, 0.17.0, 0.18.2, 0.19.1; sources from
tools/framework_sources.py, read, not installed: those TRL releases import transformers 4.x APIs) the pieces that
decide the step count run as written, lifted out of `trl/trainer/grpo_trainer.py` and `grpo_config.py` with `ast`:
- GRPOConfig field defaults (per_device_train_batch_size, gradient_accumulation_steps, num_generations,
  num_iterations), read from the dataclass fields (the HF TrainingArguments default where GRPOConfig keeps it);
- 0.18+: `GRPOConfig.__post_init__` (generation_batch_size / steps_per_generation and their checks), on a stand-in
  whose base `__post_init__` does nothing;
- 0.15–0.17: the checks of `GRPOTrainer.__init__` on num_generations (from `num_processes = ...` to the first
  `if self.num_generations not in possible_values: raise`);
- 0.15+: the sampler class (`RepeatRandomSampler` / `RepeatSampler`) and `GRPOTrainer._get_train_sampler`; 0.17+:
  `GRPOTrainer.get_train_dataloader` (its batch of b · GA or b · steps_per_generation), with its accelerator's
  `prepare` left out (the sharding is done below); before 0.17 the Trainer's own dataloader (batch b, the sampler);
  0.14 has no sampler of its own (the HF Trainer's, over the N prompts);
then, as tools/gen_real_config_goldens.py does, accelerate's `prepare_data_loader` shards that dataloader over w
processes and the HF Trainer's `set_initial_training_values` + `get_warmup_steps` count T and W (the transformers
and accelerate of the running Python: lrcli's oracle pins, 5.25.0 / 1.16.0; the TRL-side numbers do not depend on
them). A case whose TRL code raises records the exception.

    .venv/bin/python tools/gen_grpo_early_golden.py       # writes tests/data/grpo_early_golden.json
"""

from __future__ import annotations

import ast
import json
import random
import sys
import types
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_sources import release_dir  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "grpo_early_golden.json"
RELEASES = ("0.14.0", "0.15.2", "0.16.1", "0.17.0", "0.18.2", "0.19.1")
HF_DEFAULTS = {"per_device_train_batch_size": 8, "gradient_accumulation_steps": 1}
DEFAULTED = ("per_device_train_batch_size", "gradient_accumulation_steps", "num_generations", "num_iterations")
CASES_PER_RELEASE = 32


# ------------------------------------------------------------------------------------------- the release's code
def _class(tree: ast.Module, name: str) -> ast.ClassDef | None:
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    return next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def config_defaults(package: Path) -> dict[str, Any]:
    """GRPOConfig's own defaults of the fields that count steps (`field(default=X)`), else HF's."""
    cls = _class(ast.parse((package / "trainer" / "grpo_config.py").read_text()), "GRPOConfig")
    found: dict[str, Any] = dict(HF_DEFAULTS)
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id in DEFAULTED:
            call = node.value
            default = next(k.value for k in call.keywords if k.arg == "default")
            found[node.target.id] = ast.literal_eval(default)
    return found


class _BaseArgs:
    def __post_init__(self) -> None:  # TrainingArguments' own __post_init__ sets nothing the count reads here
        pass

    def __getattr__(self, name: str) -> None:  # fields the count never reads (vLLM options …): unset
        return None


def config_post_init(package: Path) -> Any:
    """A class whose __post_init__ is GRPOConfig's (0.18+), or None."""
    cls = _class(ast.parse((package / "trainer" / "grpo_config.py").read_text()), "GRPOConfig")
    method = _method(cls, "__post_init__")
    if method is None:
        return None
    holder = ast.ClassDef(
        name="GRPOConfig",
        bases=[ast.Name("_BaseArgs", ast.Load())],
        keywords=[],
        body=[method],
        decorator_list=[],
        type_params=[],
    )
    import warnings

    namespace: dict[str, Any] = {"_BaseArgs": _BaseArgs, "warnings": warnings}
    exec(compile(ast.fix_missing_locations(ast.Module([holder], [])), "grpo_config.py", "exec"), namespace)  # noqa: S102
    return namespace["GRPOConfig"]


def trainer_checks(package: Path) -> Any:
    """GRPOTrainer.__init__'s num_generations checks (0.15–0.17) as a function of (self, args), or None."""
    trainer = _class(ast.parse((package / "trainer" / "grpo_trainer.py").read_text()), "GRPOTrainer")
    body = _method(trainer, "__init__").body
    starts = [i for i, n in enumerate(body) if "num_processes = self.accelerator.num_processes" in ast.unparse(n)]
    if not starts:
        return None
    start = starts[0]
    if start and "num_generations < 2" in ast.unparse(body[start - 1]):
        start -= 1
    end = next(
        i
        for i, n in enumerate(body)
        if i > start and isinstance(n, ast.If) and "self.num_generations not in possible_values" in ast.unparse(n.test)
    )
    function = ast.FunctionDef(
        name="checks",
        args=ast.arguments([], [ast.arg("self"), ast.arg("args")], None, [], [], None, []),
        body=body[start : end + 1],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    namespace: dict[str, Any] = {}
    exec(compile(ast.fix_missing_locations(ast.Module([function], [])), "grpo_trainer.py", "exec"), namespace)  # noqa: S102
    return namespace["checks"]


def trainer_pieces(package: Path) -> tuple[Any, Any, Any]:
    """(sampler class or None, GRPOTrainer._get_train_sampler or None, GRPOTrainer.get_train_dataloader or None)."""
    import torch
    from torch.utils.data import DataLoader, Sampler

    path = package / "trainer" / "grpo_trainer.py"
    tree = ast.parse(path.read_text())
    trainer = _class(tree, "GRPOTrainer")
    sampler_node = _method(trainer, "_get_train_sampler")
    if sampler_node is None:
        return None, None, None
    sampler_name = "RepeatSampler" if _class(tree, "RepeatSampler") else "RepeatRandomSampler"
    nodes = [_class(tree, sampler_name), sampler_node]
    loader_node = _method(trainer, "get_train_dataloader")
    if loader_node is not None:
        nodes.append(loader_node)
    for node in nodes:
        node.decorator_list = []
    from collections.abc import Sized
    from typing import Optional

    namespace: dict[str, Any] = {
        "torch": torch,
        "Sampler": Sampler,
        "Sized": Sized,
        "Optional": Optional,
        "DataLoader": DataLoader,
        "Dataset": object,
        "is_datasets_available": lambda: False,
        "partial": partial,
        "seed_worker": lambda *a, **k: None,
        "datasets": None,
        "version": __import__("packaging.version").version,
        "transformers": types.SimpleNamespace(__version__="4.52.0"),  # only picks seed_worker's form
    }
    exec(compile(ast.Module(nodes, []), str(path), "exec"), namespace)  # noqa: S102 - TRL's own source
    return (
        namespace[sampler_name],
        namespace["_get_train_sampler"],
        namespace["get_train_dataloader"] if loader_node is not None else None,
    )


# ------------------------------------------------------------------------------------------- one case
def run_case(package: Path, case: dict[str, Any]) -> dict[str, Any]:
    from gen_real_config_goldens import _WORLD, _patch_world_size, _trainer_numbers
    from torch.utils.data import DataLoader, SequentialSampler
    from transformers import TrainingArguments

    given = case["config"]
    defaults = config_defaults(package)
    values = {**defaults, **{k: v for k, v in given.items() if k in DEFAULTED}}
    b, ga, w = values["per_device_train_batch_size"], values["gradient_accumulation_steps"], case["world_size"]
    n_gen, iterations = values.get("num_generations", 8), values.get("num_iterations", 1)
    _WORLD[0] = w
    _patch_world_size()
    try:
        post_init = config_post_init(package)
        grpo = types.SimpleNamespace(
            per_device_train_batch_size=b,
            gradient_accumulation_steps=ga,
            world_size=w,
            num_generations=n_gen,
            generation_batch_size=given.get("generation_batch_size"),
            steps_per_generation=given.get("steps_per_generation"),
            eval_strategy="no",
            delta=None,
            use_liger_loss=False,
            bf16=None,
            fp16=False,
            per_device_eval_batch_size=8,
            seed=42,
            dataloader_drop_last=False,
            dataloader_num_workers=0,
            dataloader_pin_memory=True,
            dataloader_persistent_workers=False,
            dataloader_prefetch_factor=None,
            process_index=0,
        )
        if post_init is not None:
            config = post_init.__new__(post_init)
            config.__dict__.update(vars(grpo))
            config.__post_init__()
            grpo = config
        checks = trainer_checks(package)
        accelerator = types.SimpleNamespace(num_processes=w, prepare=lambda loader: loader)
        shell = types.SimpleNamespace(
            args=grpo,
            accelerator=accelerator,
            num_generations=n_gen,
            num_iterations=iterations,
            shuffle_dataset=True,
            train_dataset=range(case["samples"]),
            _train_batch_size=b,
            data_collator=None,
        )
        if checks is not None:
            checks(shell, grpo)
        sampler_class, get_sampler, get_loader = trainer_pieces(package)
        rows = range(case["samples"])
        if sampler_class is None:  # 0.14: the HF Trainer's dataloader over the prompts
            loader = DataLoader(rows, batch_size=b, sampler=SequentialSampler(rows), drop_last=False)
        else:
            shell._get_train_sampler = types.MethodType(get_sampler, shell)
            if get_loader is not None:
                shell._get_collator_with_removed_columns = lambda collator, description: collator
                loader = get_loader(shell)
            else:  # the HF Trainer's get_train_dataloader of the time: batch _train_batch_size, the sampler above
                loader = DataLoader(rows, batch_size=b, sampler=shell._get_train_sampler(), drop_last=False)
    except ValueError as exc:  # TRL's checks, or torch's DataLoader refusing a batch of 0
        return {"raises": "ValueError", "message": str(exc)}
    sampler_length = None if sampler_class is None else len(loader.sampler)
    args = TrainingArguments(
        output_dir="/tmp/lrcli-grpo-golden",
        report_to=[],
        use_cpu=True,
        per_device_train_batch_size=b,
        gradient_accumulation_steps=ga,
        **({"num_train_epochs": case["num_train_epochs"]} if "num_train_epochs" in case else {}),
        max_steps=case.get("max_steps", -1),
        warmup_steps=case.get("warmup_steps", 0),
    )
    counted = _trainer_numbers(args, loader, w)
    return {
        **counted,
        "sampler_length": sampler_length,
        "dataloader_batch": loader.batch_size,
        "release_defaults": defaults,
    }


# ------------------------------------------------------------------------------------------- cases
def cases_for(release: str, rng: random.Random) -> list[dict[str, Any]]:
    minor = int(release.split(".")[1])
    cases = []
    for i in range(CASES_PER_RELEASE):
        config: dict[str, Any] = {"learning_rate": 1e-6}
        if i % 6:  # every sixth case keeps the release's own batch defaults
            config["per_device_train_batch_size"] = rng.choice([1, 2, 3, 4, 8])
            config["gradient_accumulation_steps"] = rng.choice([1, 2, 4, 8])
        if i % 4:
            config["num_generations"] = rng.choice([2, 3, 4, 8, 16])
        if minor >= 16 and rng.random() < 0.4:
            config["num_iterations"] = rng.choice([1, 2, 3])
        if minor >= 18:
            pick = rng.random()
            if pick < 0.25:
                config["steps_per_generation"] = rng.choice([1, 2, 4])
            elif pick < 0.5:
                config["generation_batch_size"] = rng.choice([8, 12, 16, 24, 32, 48, 64])
            elif pick < 0.55:
                config["steps_per_generation"], config["generation_batch_size"] = 2, 16
        case = {
            "release": release,
            "config": config,
            "samples": rng.choice([7, 100, 1000, 5003, 52002]),
            "world_size": rng.choice([1, 2, 4, 8]),
        }
        if rng.random() < 0.3:
            case["num_train_epochs"] = rng.choice([2, 3, 0.5, 2.5])
        if rng.random() < 0.1:
            case["max_steps"] = rng.choice([5, 300])
        if rng.random() < 0.5:
            case["warmup_steps"] = rng.choice([0.1, 0.03, 10, 1])
        cases.append(case)
    if minor >= 18:  # both keys set; gbs a multiple of b but not of b · w (0.18 lets it through: `gbs % b * w`)
        for config in (
            {"steps_per_generation": 2, "generation_batch_size": 16},
            {"per_device_train_batch_size": 4, "generation_batch_size": 12, "num_generations": 4},
            {"per_device_train_batch_size": 4, "generation_batch_size": 4, "num_generations": 4},
        ):
            cases.append(
                {"release": release, "config": {"learning_rate": 1e-6, **config}, "samples": 1000, "world_size": 2}
            )
    return cases


def main() -> None:
    import warnings

    import accelerate
    import transformers

    warnings.filterwarnings("ignore")
    transformers.logging.set_verbosity_error()
    rng = random.Random(20)
    results = []
    for release in RELEASES:
        package = release_dir("trl", release, "trl")
        for case in cases_for(release, rng):
            results.append({**case, "expected": run_case(package, case)})
    document = {
        "generator": "tools/gen_grpo_early_golden.py",
        "releases": list(RELEASES),
        "transformers": transformers.__version__,
        "accelerate": accelerate.__version__,
        "cases": results,
    }
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")
    raising = sum("raises" in c["expected"] or "error" in c["expected"] for c in results)
    print(f"{len(results)} cases ({raising} raising) -> {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
