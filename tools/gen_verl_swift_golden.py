"""Golden T, W and LR rows from verl's (and ms-swift's) own code -> tests/data/verl_swift_golden.json.

Each verl case is a config as a user writes it (a few keys over the release's defaults) plus a dataset size and a
world size. The reference merges it over the release's own default files (verl 0.9.1
`trainer/config/_generated_ppo_trainer.yaml`, `sft_trainer_engine.yaml` + `optim/fsdp.yaml` + `engine/fsdp.yaml`;
verl 0.5.0 `_generated_ppo_trainer.yaml`, `sft_trainer.yaml`), applies FSDPOptimizerConfig's `warmup_style` rule
(0.9.1, its own `__post_init__` statements), then runs the trainer's step count, the worker's scheduler construction and
the scheduler itself from verl's source (tools/verl_swift_reference.py). Cases where verl raises record the exception.

Each ms-swift case (flat arguments as its argument file holds them, a world size, rows per dataset with `#` samples and
split_dataset_ratio) runs ms-swift's own argument defaults, dataset post_process and BatchSamplerShard
(tools/verl_swift_reference.py), then the real HF Trainer count and scheduler of the transformers in use.

Rerun (from the repository root; torch from the oracle extra): first in the oracle venv (transformers 5.24.0: writes
verl's cases and ms-swift 4.6.0's), then once more with transformers 4.57.6 in front (both releases allow it):

    .venv/bin/python tools/gen_verl_swift_golden.py
    pip install --no-deps --target /tmp/tf457 transformers==4.57.6 huggingface_hub==0.36.0 tokenizers==0.22.1 \
        accelerate==1.11.0
    PYTHONPATH=/tmp/tf457 .venv/bin/python tools/gen_verl_swift_golden.py
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


def post_init(version: str, optim: dict[str, Any]) -> dict[str, Any]:
    """FSDPOptimizerConfig.__post_init__'s warmup_style rule (workers/config/optimizer.py of the engine releases,
    whose workers build the scheduler from that dataclass), as written."""
    path = package_dir(ref.VERL_RELEASES[version]) / "workers" / "config" / "optimizer.py"
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
        if version in ref.ENGINE_RELEASES:
            optim = post_init(version, optim)
        total = ref.verl_total_steps(version, role, config, n, world)
        warmup, rows = ref.verl_scheduler(version, role, optim, total)
        return {"T": total, "W": warmup, "lr": rows}
    except (AssertionError, ValueError, NotImplementedError, TypeError, ZeroDivisionError) as exc:
        return {"error": type(exc).__name__}


def random_verl_cases(rng: random.Random, count: int) -> list[dict[str, Any]]:
    cases = []
    for i in range(count):
        version = rng.choice(list(ref.VERL_RELEASES))
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
            if version != "0.5.0" and rng.random() < 0.2:
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
            if version != "0.5.0" and rng.random() < 0.3:
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
            if version != "0.5.0" and rng.random() < 0.3:
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


# ------------------------------------------------------------------------------------------------------- ms-swift
def swift_case(case: dict[str, Any]) -> dict[str, Any]:
    """T, W and the LR rows of one ms-swift case under the transformers this interpreter has (its real Trainer
    count and scheduler), after ms-swift's own argument defaults, dataset post-processing and batch sampler."""
    import dataclasses

    import hf_steps_oracle
    import transformers
    from hf_reference import hf_curve
    from torch.utils.data import DataLoader

    release, world = case["release"], case["world"]
    fields = {f.name for f in dataclasses.fields(transformers.TrainingArguments)}
    try:
        args = ref.swift_arguments(release, dict(case["args"]), world, fields)
        keys = ("learning_rate", "lr_scheduler_type", "warmup_steps", "warmup_ratio", "num_train_epochs", "max_steps",
                "per_device_train_batch_size", "gradient_accumulation_steps", "dataloader_drop_last")
        hf = {k: args[k] for k in keys if k in args and k in fields and args[k] is not None}
        training = hf_steps_oracle._ArgsAtWorldSize(output_dir=hf_steps_oracle._OUTPUT_DIR, report_to=[], use_cpu=True,
                                                   **hf)
        training.oracle_world_size = world
        shell = hf_steps_oracle._trainer_shell(training)
        if args.get("streaming"):  # an IterableDataset: no length, the Trainer counts max_steps
            n = batches = None
            loader = DataLoader(datasets_iterable(), batch_size=1)
        else:
            n = ref.swift_training_rows(release, case["parts"], case["samples"], case["ratio"])
            batches = ref.swift_batches(release, n, training.per_device_train_batch_size, world,
                                        training.dataloader_drop_last)
            loader = DataLoader(range(batches), batch_size=1)
        if "total_train_batch_size" in hf_steps_oracle.inspect.signature(
                transformers.Trainer.set_initial_training_values).parameters:
            *_, total = shell.set_initial_training_values(training, loader, training.train_batch_size * world)
        else:
            *_, total = shell.set_initial_training_values(training, loader)
        warmup = training.get_warmup_steps(total)
        rows = hf_curve(training.lr_scheduler_type if isinstance(training.lr_scheduler_type, str)
                        else training.lr_scheduler_type.value, lr=training.learning_rate, warmup=warmup, total=total,
                        kwargs={})
    except (AssertionError, ValueError, TypeError) as exc:
        return {"error": type(exc).__name__}
    return {"T": total, "W": warmup, "N": n, "L": batches, "GA": training.gradient_accumulation_steps, "lr": rows}


def datasets_iterable() -> Any:
    from torch.utils.data import IterableDataset

    class Stream(IterableDataset):
        def __iter__(self) -> Any:
            return iter(range(10))

    return Stream()


def random_swift_cases(rng: random.Random, count: int) -> list[dict[str, Any]]:
    cases = []
    for i in range(count):
        release = rng.choice(["4.6.0", "3.12.6"])
        args: dict[str, Any] = {}
        if rng.random() < 0.5:
            args["per_device_train_batch_size"] = rng.choice([1, 2, 4, 8])
        if rng.random() < 0.4:
            args["gradient_accumulation_steps"] = rng.choice([1, 2, 4, 16])
        if rng.random() < 0.5:
            args["tuner_type" if release == "4.6.0" else "train_type"] = rng.choice(["lora", "full"])
        if rng.random() < 0.4:
            args["learning_rate"] = rng.choice([5e-5, 2e-4, 1e-5])
        if rng.random() < 0.5:
            args["warmup_ratio"] = rng.choice([0.03, 0.05, 0.1, 0.5])
        elif rng.random() < 0.5:
            args["warmup_steps"] = rng.choice([1, 5, 20])
        if rng.random() < 0.1:
            args["warmup_steps"] = 3  # with a ratio too, now and then: ms-swift 4.6.0 refuses the pair
        if rng.random() < 0.3:
            args["lr_scheduler_type"] = rng.choice(["linear", "constant_with_warmup", "cosine"])
        args["num_train_epochs"] = rng.choice([1, 2, 3, 0.5])
        if rng.random() < 0.15:
            args["max_steps"] = rng.randint(5, 60)
        if rng.random() < 0.2:
            args["dataloader_drop_last"] = True
        datasets = rng.randint(1, 3)
        parts = [rng.randint(20, 600) for _ in range(datasets)]
        samples = [rng.choice([None, None, rng.randint(10, 800)]) for _ in range(datasets)]
        ratio = rng.choice([0.0, 0.0, 0.01, 0.1])
        cases.append({"id": f"swift-{i}", "release": release, "args": args, "world": rng.choice([1, 2, 4, 8]),
                      "parts": parts, "samples": samples, "ratio": ratio})
    return cases


# ------------------------------------------------------------------------------------------ real launch scripts
REAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "real_configs"
# script -> (framework, release(s), dataset rows per train file, script arguments, world size)
# Row counts: GSM8K train 7,473 (openai/gsm8k main), MATH train 7,500 (DigitalLearningGmbH/MATH-lighteval), as
# verl's examples/data_preprocess scripts write them.
REAL_CASES = {
    "verl/grpo_run_qwen2-7b_math.sh": ("verl", ("0.9.1", "0.8.0", "0.7.1", "0.5.0"), [7473, 7500], [], 8),
    "verl/sft_run_gemma_2b.sh": ("verl", ("0.5.0",), [7473], ["4", "/tmp/save"], 4),
    "swift/tuners_lora_train.sh": ("swift", ("3.12.6",), None, [], 1),
    "swift/full_qwen2_5_32b.sh": ("swift", ("3.12.6",), None, [], 8),
}


def script_argv(path: Path, arguments: list[str]) -> tuple[str, list[str], dict[str, str]]:
    """(entry, its arguments, NPROC_PER_NODE/NNODES) of the framework command the script runs, as bash runs it:
    python3/torchrun/swift are shell functions that record their argv instead of starting anything."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "argv"
        stub = (f'record() {{ printf "%s\\0" "$@" > {out}; printf "%s\\0" "${{NPROC_PER_NODE:-}}" '
                f'"${{NNODES:-}}" > {out}.env; }}; python3() {{ record "$@"; }}; torchrun() {{ record "$@"; }}; '
                f'swift() {{ record swift "$@"; }}; set -- "$@"; source "{path}"')
        subprocess.run(["bash", "-c", stub, "script", *arguments], check=True, capture_output=True, timeout=60,
                       env={"HOME": "/home/user", "PATH": "/usr/bin:/bin"})
        argv = out.read_text().split("\0")[:-1]
        nproc, nnodes = (out.parent / "argv.env").read_text().split("\0")[:2]
    env = {k: v for k, v in (("NPROC_PER_NODE", nproc), ("NNODES", nnodes)) if v}
    for marker in ("verl.trainer.main_ppo", "verl.trainer.fsdp_sft_trainer", "verl.trainer.sft_trainer", "swift"):
        if marker in argv:
            return marker, argv[argv.index(marker) + 1:], env
    raise LookupError(f"{path}: no framework command")


def _overrides(words: list[str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for word in words:
        key, sep, value = word.lstrip("+").partition("=")
        if not sep:
            continue
        node = config
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = {"null": None, "True": True, "False": False, "true": True, "false": False}.get(
            value, _numbers(value))
    return config


def _swift_args(words: list[str]) -> dict[str, Any]:
    args: dict[str, Any] = {}
    key = None
    for word in words:
        if word.startswith("--"):
            key = word[2:]
            args[key] = True
        elif key is not None:
            args[key] = word if args[key] is True else [*([args[key]] if not isinstance(args[key], list) else
                                                          args[key]), word]
    return {k: ({"true": True, "false": False}.get(v, _numbers(v)) if isinstance(v, str) else v)
            for k, v in args.items()}


def real_cases() -> list[dict[str, Any]]:
    import transformers

    out = []
    for name, (framework, releases, rows, arguments, world) in REAL_CASES.items():
        entry, words, env = script_argv(REAL / name, arguments)
        for release in releases:
            if framework == "verl":
                role = "sft" if "sft" in entry else "actor"
                case = {"id": f"real {name} verl {release}", "version": release, "role": role, "n": sum(rows),
                        "world": world, "config": _overrides(words)}
                out.append({**case, "script": name, **verl_case(case)})
            elif transformers.__version__.startswith("4."):
                args = _swift_args(words[1:])
                datasets = args.pop("dataset")
                datasets = datasets if isinstance(datasets, list) else [datasets]
                samples = [int(d.rpartition("#")[2]) if "#" in d else None for d in datasets]
                nproc = int(env.get("NPROC_PER_NODE", 1)) * int(env.get("NNODES", 1))
                keys = ("learning_rate", "lr_scheduler_type", "warmup_steps", "warmup_ratio", "num_train_epochs",
                        "max_steps", "per_device_train_batch_size", "gradient_accumulation_steps", "train_type",
                        "streaming")
                case = {"id": f"real {name} ms-swift {release}", "release": release, "world": nproc,
                        "args": {k: v for k, v in args.items() if k in keys}, "parts": [s or 1 for s in samples],
                        "samples": samples, "ratio": 0.0}
                out.append({**case, "script": name, "transformers": transformers.__version__, **swift_case(case)})
    return out


def main() -> None:
    import transformers

    payload = json.loads(OUTPUT.read_text()) if OUTPUT.exists() else {}
    if transformers.__version__ == "5.24.0":  # the oracle venv: verl's cases (torch only) are written from here
        cases = random_verl_cases(random.Random(16), 240)
        out = []
        for case in cases:
            result = verl_case(case)
            if "lr" in result and len(result["lr"]) > 1500:
                continue  # keep the file small: long runs add nothing the short ones do not check
            out.append({**case, **result})
        payload["verl"] = {"versions": list(ref.VERL_RELEASES), "cases": out}
        print(f"{OUTPUT}: {len(out)} verl cases ({sum('error' in c for c in out)} raise)")
    swift = []
    for case in random_swift_cases(random.Random(61), 120):
        if case["release"] == "4.6.0" or transformers.__version__.startswith("4."):
            result = swift_case(case)
            if "lr" in result and len(result["lr"]) > 1500:
                continue
            swift.append({**case, "transformers": transformers.__version__, **result})
    payload[f"swift@{transformers.__version__}"] = {"cases": swift}
    real = [c for c in payload.get("real", []) if c.get("transformers", transformers.__version__) !=
            transformers.__version__ and "release" in c]  # keep the other interpreter's ms-swift cases
    payload["real"] = sorted([*real, *real_cases()], key=lambda c: c["id"])
    print(f"{OUTPUT}: {len(payload['real'])} real launch-script cases")
    OUTPUT.write_text(json.dumps(payload, indent=None, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{OUTPUT}: {len(swift)} ms-swift cases on transformers {transformers.__version__} "
          f"({sum('error' in c for c in swift)} raise)")


if __name__ == "__main__":
    main()
