"""Golden T, W and LR rows from verl's (and ms-swift's) own code -> tests/data/verl_swift_golden.json.

Each verl case is a config as a user writes it (a few keys over the release's defaults) plus a dataset size and a
world size. The reference merges it over the release's own default files (verl 0.9.1
`trainer/config/_generated_ppo_trainer.yaml`, `sft_trainer_engine.yaml` + `optim/fsdp.yaml` + `engine/fsdp.yaml`;
verl 0.5.0 `_generated_ppo_trainer.yaml`, `sft_trainer.yaml`), applies FSDPOptimizerConfig's `warmup_style` rule
(0.9.1, its own `__post_init__` statements), then runs the trainer's step count, the worker's scheduler construction and
the scheduler itself from verl's source (tools/verl_swift_reference.py). Cases where verl raises record the exception.

Rerun (from the repository root; torch from the oracle extra):

    .venv/bin/python tools/gen_verl_swift_golden.py
"""

from __future__ import annotations

import copy
import functools
import json
import random
import sys
import warnings
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import verl_swift_reference as ref  # noqa: E402
from framework_sources import package_dir  # noqa: E402

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "verl_swift_golden.json"
OPTIM = {"actor": ("actor_rollout_ref", "actor", "optim"), "critic": ("critic", "optim"), "sft": ("optim",)}


def _numbers(value: Any) -> Any:
    """OmegaConf's typing of YAML scalars: `1e-3` is a float (PyYAML keeps it a string)."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, str):
        try:
            return float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return value
    return value


def _load(path: Path) -> dict[str, Any]:
    return _numbers(yaml.safe_load(path.read_text()))


def verl_defaults(version: str, role: str) -> dict[str, Any]:
    """The release's merged default config for the PPO trainer (actor/critic) or the SFT trainer."""
    return copy.deepcopy(_defaults(version, role == "sft"))


@functools.cache
def _defaults(version: str, sft: bool) -> dict[str, Any]:
    role = "sft" if sft else "actor"
    config = package_dir(ref.VERL_RELEASES[version]) / "trainer" / "config"
    if role != "sft":
        return _load(config / "_generated_ppo_trainer.yaml")
    if version == "0.5.0":
        return _load(config / "sft_trainer.yaml")
    merged = _load(config / "sft_trainer_engine.yaml")
    merged.pop("defaults", None)
    merged["optim"] = {k: v for k, v in _load(config / "optim" / "fsdp.yaml").items() if k != "_target_"}
    merged["engine"] = _load(config / "engine" / "fsdp.yaml")
    return merged


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _section(config: dict[str, Any], role: str) -> dict[str, Any]:
    node = config
    for part in OPTIM[role]:
        node = node[part]
    return node


def post_init_0_9(optim: dict[str, Any]) -> dict[str, Any]:
    """FSDPOptimizerConfig.__post_init__'s warmup_style rule (verl 0.9.1 workers/config/optimizer.py), as written."""
    path = package_dir("verl") / "workers" / "config" / "optimizer.py"
    code = ref.statements(path, "if self.warmup_style is not None", "assert self.lr_scheduler_type in",
                          "__post_init__", "FSDPOptimizerConfig")
    me = ref.Node(dict(optim))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, {"self": me, "warnings": warnings})  # noqa: S102 - verl's own statements
    return dict(me)


def verl_case(case: dict[str, Any]) -> dict[str, Any]:
    version, role, n, world = case["version"], case["role"], case["n"], case["world"]
    config = merge(verl_defaults(version, role), case["config"])
    optim = dict(_section(config, role))
    try:
        if role == "sft" and version == "0.5.0":
            sp = config.get("ulysses_sequence_parallel_size", 1)
            total, warmup, rows = ref.verl_sft_0_5(optim, n, config["data"]["train_batch_size"], world // sp,
                                                   config["trainer"]["total_epochs"])
            return {"T": total, "W": warmup, "lr": rows}
        if version == "0.9.1":
            optim = post_init_0_9(optim)
        total = ref.verl_total_steps(version, role, config, n, world)
        warmup, rows = ref.verl_scheduler(version, role, optim, total)
        return {"T": total, "W": warmup, "lr": rows}
    except (AssertionError, ValueError, NotImplementedError, TypeError, ZeroDivisionError) as exc:
        return {"error": type(exc).__name__}


def random_verl_cases(rng: random.Random, count: int) -> list[dict[str, Any]]:
    cases = []
    for i in range(count):
        version = rng.choice(["0.9.1", "0.5.0"])
        role = rng.choice(["actor", "actor", "critic", "sft"])
        optim: dict[str, Any] = {"lr": rng.choice([1e-6, 5e-7, 3e-6, 1e-5, 2e-5])}
        if role == "sft" and version == "0.5.0":
            optim["warmup_steps_ratio"] = rng.choice([0.0, 0.03, 0.1, 0.25])
            optim["lr_scheduler"] = rng.choice(["cosine", "wsd"])
        else:
            kind = rng.choice(["constant", "cosine", "cosine"])
            optim["warmup_style" if version == "0.5.0" or rng.random() < 0.15 else "lr_scheduler_type"] = kind
            if rng.random() < 0.5:
                optim["lr_warmup_steps"] = rng.choice([-1, 0, 3, 10, 25])
            optim["lr_warmup_steps_ratio"] = rng.choice([0.0, 0.03, 0.05, 0.1, 0.3])
            if rng.random() < 0.6:
                optim["min_lr_ratio"] = rng.choice([0.0, 0.1, 0.25, 1.0])
            if rng.random() < 0.3:
                optim["num_cycles"] = rng.choice([0.5, 1.0, 1.5, 2.5])
            if version == "0.9.1" and rng.random() < 0.2:
                optim["zero_indexed_step"] = False
        config: dict[str, Any] = {}
        node = config
        for part in OPTIM[role][:-1]:
            node = node.setdefault(part, {})
        node[OPTIM[role][-1]] = optim
        n = rng.randint(50, 3000)
        world = rng.choice([1, 2, 4, 8])
        if role == "sft":
            batch = rng.choice([8, 16, 32, 64])
            config["data"] = {"train_batch_size": batch}
            if version == "0.9.1" and rng.random() < 0.3:
                config["data"]["train_max_samples"] = rng.randint(20, 2000)
            if rng.random() < 0.3:
                sp = rng.choice([1, 2])
                if version == "0.5.0":
                    config["ulysses_sequence_parallel_size"] = sp
                else:
                    config["engine"] = {"ulysses_sequence_parallel_size": sp}
        else:
            config["data"] = {"train_batch_size": rng.choice([16, 32, 64, 128, 256])}
            if rng.random() < 0.25:
                config["data"]["gen_batch_size"] = rng.choice([24, 48, 100])
            if version == "0.9.1" and rng.random() < 0.3:
                config["data"]["train_max_samples"] = rng.randint(20, 2000)
        trainer: dict[str, Any] = {"total_epochs": rng.randint(1, 5)}
        if rng.random() < 0.15:
            trainer["total_training_steps"] = rng.randint(5, 200)
        if version == "0.9.1" and role != "sft":
            if rng.random() < 0.25:
                trainer["use_v1"] = False
            elif rng.random() < 0.3:
                trainer["v1"] = {"trainer_mode": rng.choice(["colocate_async", "separate_async"])}
        config["trainer"] = trainer
        cases.append({"id": f"verl-{i}", "version": version, "role": role, "n": n, "world": world, "config": config})
    return cases


def main() -> None:
    rng = random.Random(16)
    cases = random_verl_cases(rng, 160)
    out = []
    for case in cases:
        result = verl_case(case)
        if "lr" in result and len(result["lr"]) > 1500:
            continue  # keep the file small: long runs add nothing the short ones do not check
        out.append({**case, **result})
    payload = {"verl": {"versions": list(ref.VERL_RELEASES), "cases": out}}
    OUTPUT.write_text(json.dumps(payload, indent=None, separators=(",", ":")) + "\n")
    errors = sum("error" in c for c in out)
    print(f"{OUTPUT}: {len(out)} verl cases ({errors} raise)")


if __name__ == "__main__":
    main()
