"""Golden data for Megatron-Core: random training arguments run through each release's own scheduler code.

For megatron-core 0.12.3, 0.13.1, 0.16.1 and 0.19.2 (tools/megatron_reference.py: the wheels' own
optimizer_param_scheduler.py, and get_optimizer_param_scheduler / update_train_iters of training.py), each case is a
set of Megatron arguments (iteration- or sample-based, warmup by iterations, samples or fraction, every decay and WSD
style) and records what the release gives: the iterations, the scheduler's W/D/Wd in samples and the LR after each of
the 0 … T scheduler steps (stepped by the global batch, as train_step does), or the error it raises.
Cases never combine the options validate_args refuses (tests/test_megatron.py checks those refusals one by one).

    .venv/bin/python tools/gen_megatron_golden.py      # writes tests/data/megatron_golden.json
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from megatron_reference import VERSIONS, megatron_args, run  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "megatron_golden.json"
CASES_PER_VERSION = 30
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


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for version in VERSIONS:
        for _ in range(CASES_PER_VERSION):
            given = random_arguments(rng)
            scheduler_args = {k: v for k, v in given.items() if k != "micro_batch_size"}
            cases.append({"version": version, "args": given, **run(version, megatron_args(**scheduler_args))})
    errors = sum("error" in case for case in cases)
    OUT.write_text(json.dumps({
        "generator": "tools/gen_megatron_golden.py", "versions": list(VERSIONS), "cases": cases,
    }, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}: {len(cases)} cases ({errors} raising)")


if __name__ == "__main__":
    main()
