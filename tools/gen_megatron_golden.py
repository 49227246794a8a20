"""Golden data for Megatron-Core: random training arguments run through each release's own scheduler code.

For megatron-core 0.12.3, 0.13.1, 0.16.1 and 0.19.2 (tools/megatron_reference.py: the wheels' own
optimizer_param_scheduler.py, and get_optimizer_param_scheduler / update_train_iters of training.py), each case is a
set of Megatron arguments (iteration- or sample-based, warmup by iterations, samples or fraction, every decay and WSD
style) and records what the release gives: the iterations, the scheduler's W/D/Wd in samples and the LR after each of
the 0 … T scheduler steps (stepped by the global batch, as train_step does), or the error it raises.
Cases never combine the options validate_args refuses (tests/test_megatron.py checks those refusals one by one).

`real`: the public launch scripts under tests/data/real_configs/megatron/ that train with a constant global batch,
each run by bash itself (torchrun / python stand-ins record the argv the training command receives), its options typed
as arguments.py types them, and that release's scheduler stepped to sampled iterations (step() with the increment that
brings num_steps to s · GBS: get_lr depends on num_steps alone, so T = 15 million iterations need no 15 million calls).

    .venv/bin/python tools/gen_megatron_golden.py      # writes tests/data/megatron_golden.json
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from megatron_reference import (  # noqa: E402
    VERSIONS,
    _Optimizer,
    megatron_args,
    run,
    run_rampup,
    training_functions,
)

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "megatron_golden.json"
CASES_PER_VERSION = 30
RAMPUP_CASES = 40  # sample-based runs with --rampup-batch-size, spread over the releases that ramp (0.12-0.17)
RAMPUP_VERSIONS = ("0.12.3", "0.13.1", "0.16.1")
SEED = 16


def random_arguments(rng: random.Random) -> dict[str, Any]:
    """One set of Megatron arguments (argparse names), consistent for validate_args."""
    style = rng.choice(["constant", "linear", "cosine", "inverse-square-root", "WSD", "WSD", "cosine"])
    gbs = rng.choice([1, 2, 8, 32, 96, 256, 1536])
    args: dict[str, Any] = {
        "lr": rng.choice([3e-4, 1e-3, 6e-5, 1.5e-4, 2.5e-4]), "lr_decay_style": style,
        "global_batch_size": gbs, "micro_batch_size": 1,
    }
    if rng.random() < 0.5:
        args["min_lr"] = rng.choice([0.0, 1e-5, 6e-6, 3e-5])
    if rng.random() < 0.3:
        args["lr_warmup_init"] = rng.choice([0.0, 1e-7, 1e-6])
    if style == "WSD" or rng.random() < 0.2:
        args["lr_wsd_decay_style"] = rng.choice(["exponential", "linear", "cosine", "minus_sqrt"])
    iteration_based = rng.random() < 0.6
    total = rng.randint(1, 160)
    if iteration_based:
        args["train_iters"] = total
        if rng.random() < 0.4:
            args["lr_decay_iters"] = rng.randint(1, total + 40)
        if rng.random() < 0.4:
            args["lr_warmup_fraction"] = rng.choice([0.001, 0.01, 0.05, 0.1, 1 / 3, 0.6])
        elif rng.random() < 0.8:
            args["lr_warmup_iters"] = rng.randint(0, total)
        if style == "WSD" and rng.random() < 0.9:
            args["lr_wsd_decay_iters"] = rng.randint(0, total)
    else:
        samples = total * gbs + rng.choice([0, 0, rng.randint(0, gbs - 1)])
        args["train_samples"] = samples
        if rng.random() < 0.4:
            args["lr_decay_samples"] = rng.randint(1, samples + 40 * gbs)
        if rng.random() < 0.4:
            args["lr_warmup_fraction"] = rng.choice([0.001, 0.01, 0.05, 0.1, 1 / 3, 0.6])
        elif rng.random() < 0.8:
            args["lr_warmup_samples"] = rng.randint(0, samples)
        if style == "WSD" and rng.random() < 0.9:
            args["lr_wsd_decay_samples"] = rng.randint(0, samples)
    return args


def random_rampup_arguments(rng: random.Random) -> dict[str, Any]:
    """A sample-based run whose global batch ramps up (the calculator's asserts sometimes fail on purpose)."""
    gbs = rng.choice([32, 64, 96, 128, 256, 1536])
    start = min(gbs, rng.choice([8, 16, 32, 64]))
    step = rng.choice([8, 16, 32])
    if (gbs - start) % step and rng.random() < 0.9:
        step = 8
    samples = rng.randint(1, 12 * gbs + 4000)
    args: dict[str, Any] = {
        "lr": rng.choice([3e-4, 6e-5, 2.5e-4]), "lr_decay_style": rng.choice(["cosine", "linear", "WSD", "constant"]),
        "global_batch_size": gbs, "micro_batch_size": rng.choice([1, 2, 4, 8]), "train_samples": samples,
        "rampup_batch_size": [start, step, rng.randint(0, samples + 2000)],
        "lr_warmup_samples": rng.randint(0, samples // 2), "min_lr": rng.choice([0.0, 2.5e-5]),
    }
    if args["lr_decay_style"] == "WSD":
        args["lr_wsd_decay_samples"] = rng.randint(0, samples)
    if rng.random() < 0.3:
        args["lr_decay_samples"] = rng.randint(samples // 2 + 1, samples + 3000)
    return args


ROOT = OUT.parents[2]
# script (from the repository root) -> the megatron-core release whose code runs it (the tag it comes from; 0.19.0's
# scheduler and training functions are 0.19.2's, checked by diffing the two); the sample config too
REAL_SCRIPTS = {
    "tests/data/real_configs/megatron/core_v0.12.3_mixtral_train_mixtral_8x7b_distributed.sh": "0.12.3",
    "tests/data/real_configs/megatron/core_v0.19.0_gptoss_02_train.sh": "0.19.2",
    "tests/data/real_configs/megatron/core_v0.19.0_llama_train_llama3_8b_h100_fp8.sh": "0.19.2",
    "sample_configs/megatron_gpt_wsd.sh": "0.19.2",
}
# arguments.py: the types of the options the scheduler code reads (same in every release modelled)
TYPES = {"lr": float, "min_lr": float, "lr_warmup_init": float, "lr_warmup_fraction": float, "lr_decay_style": str,
         "lr_wsd_decay_style": str, "global_batch_size": int, "micro_batch_size": int}
WORLD = {"--nproc_per_node", "--nnodes"}
SAMPLED = 400


def bash_argv(script: Path) -> list[str]:
    """The argv bash gives the script's training command (torchrun / python / python3 replaced by recorders)."""
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "argv"
        (Path(tmp) / "pretrain_gpt.py").write_text("")
        (Path(tmp) / "NO_VALUE_PROVIDED").mkdir()  # gptoss/02_train.sh checks its checkpoint directory exists
        recorder = 'printf "%s\\0" "$FUNCNAME" "$@" >> "$RECORD"; printf "\\n" >> "$RECORD"'
        prelude = "".join(f"{name}() {{ {recorder}; }}; export -f {name}; " for name in ("torchrun", "python",
                                                                                       "python3"))
        subprocess.run(["bash", "-c", f"{prelude}bash {script}"], cwd=tmp, check=True, capture_output=True,
                       env={**os.environ, "RECORD": str(record)}, timeout=60)
        # the scripts' ${PWD} is the temporary directory: written back as "${PWD}" so that the golden is the same every run
        commands = [[word.replace(tmp, "${PWD}") for word in line.split("\0")[:-1]]
                    for line in record.read_text().split("\0\n") if line]
    return max(commands, key=len)


def typed_options(argv: list[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for i, word in enumerate(argv):
        key = word[2:].replace("-", "_")
        if word.startswith("--") and i + 1 < len(argv) and (key in TYPES or key.startswith(("lr_", "train_"))):
            options[key] = TYPES.get(key, int)(argv[i + 1])
    return options


def real_case(name: str, version: str) -> dict[str, object]:
    argv = bash_argv(ROOT / name)
    options = typed_options(argv)
    args = megatron_args(**{k: v for k, v in options.items() if k != "micro_batch_size"})
    functions = training_functions(args, version)
    optimizer = _Optimizer()
    scheduler = functions["get_optimizer_param_scheduler"](optimizer)
    total = args.train_iters
    steps = sorted({0, 1, total, *range(0, total + 1, max(1, total // SAMPLED))})
    lrs = []
    for s in steps:
        scheduler.step(increment=s * args.global_batch_size - scheduler.num_steps)
        lrs.append(float(optimizer.param_groups[0]["lr"]))
    return {"script": name, "version": version, "argv": argv, "train_iters": total,
            "lr_warmup_steps": scheduler.lr_warmup_steps, "lr_decay_steps": scheduler.lr_decay_steps,
            "steps": steps, "lrs": lrs}


REAL_YAML = {"tests/data/real_configs/megatron/core_v0.12.3_gpt3_gpt_config.yaml": "0.12.3"}
YAML_KEYS = ("lr", "min_lr", "lr_warmup_init", "lr_decay_style", "lr_wsd_decay_style", "lr_decay_iters",
             "lr_decay_samples", "lr_warmup_fraction", "lr_warmup_iters", "lr_warmup_samples", "train_iters",
             "train_samples", "micro_batch_size", "global_batch_size", "rampup_batch_size")


def real_yaml_case(name: str, version: str) -> dict[str, object]:
    """A --yaml-cfg file (its keys are Megatron's args as load_yaml reads them; WORLD_SIZE unset: 1 process, so
    dp = 1 with its model_parallel sizes of 1), ramping up through the release's calculator."""
    import yaml

    raw = yaml.safe_load((ROOT / name).read_text())
    args = megatron_args(**{key: raw[key] for key in YAML_KEYS if key in raw})
    result = run_rampup(version, args) if raw.get("rampup_batch_size") else run(version, args)
    total = result["train_iters"]
    steps = sorted({0, 1, total, *range(0, total + 1, max(1, total // SAMPLED))})
    result.pop("num_steps", None)
    return {"script": name, "version": version, "train_iters": total, "lr_warmup_steps": result["lr_warmup_steps"],
            "lr_decay_steps": result["lr_decay_steps"], "steps": steps, "lrs": [result["lrs"][s] for s in steps]}


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for version in VERSIONS:
        for _ in range(CASES_PER_VERSION):
            given = random_arguments(rng)
            scheduler_args = {k: v for k, v in given.items() if k != "micro_batch_size"}
            cases.append({"version": version, "args": given, **run(version, megatron_args(**scheduler_args))})
    for _ in range(RAMPUP_CASES):
        version = rng.choice(RAMPUP_VERSIONS)
        given = random_rampup_arguments(rng)
        cases.append({"version": version, "args": given, **run_rampup(version, megatron_args(**given))})
    errors = sum("error" in case for case in cases)
    real = [real_case(name, version) for name, version in REAL_SCRIPTS.items()]
    real += [real_yaml_case(name, version) for name, version in REAL_YAML.items()]
    OUT.write_text(json.dumps({
        "generator": "tools/gen_megatron_golden.py", "versions": list(VERSIONS), "cases": cases, "real": real,
    }, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}: {len(cases)} cases ({errors} raising), {len(real)} real scripts")


if __name__ == "__main__":
    main()
