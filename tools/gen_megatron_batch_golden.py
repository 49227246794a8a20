"""Golden data for Megatron's changing batches (0.18+): `--step-batch-size-schedule` and
`--decrease-batch-size-if-needed`, run through megatron-core 0.18.2's and 0.19.2's own code ->
tests/data/megatron_batch_golden.json.

Each case is a set of Megatron arguments and a data-parallel size (tp = pp = cp = 1, so the world size is dp), run by
tools/megatron_reference.py `run_batches`: the release's num_microbatches_calculator.py
(`_build_num_microbatches_calculator`, as global_vars.py calls it, thresholds read as tokens ÷ seq_length), its
training.py `update_train_iters` + `get_optimizer_param_scheduler`, its optimizer_param_scheduler.py, stepped as
train() steps it. Recorded: T, the scheduler's W/D/Wd in samples and the LR after 0 … T iterations, or the error the
release raises (a threshold that is not 0 first, a batch not divisible by micro_batch_size · dp, a batch that
drops, a global batch below micro_batch_size · dp, both options at once). validate_args sets the global batch to
micro_batch_size · dp when a step schedule is given (a given one is its ValueError, tested in tests/test_megatron.py).

One case per release uses the step schedule of Megatron-LM's own core_v0.19.0 gpt3 175B example (without its
--global-batch-size, which Megatron refuses beside the schedule).

    .venv/bin/python tools/gen_megatron_batch_golden.py      # writes tests/data/megatron_batch_golden.json
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from megatron_reference import megatron_args, run_batches  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "megatron_batch_golden.json"
VERSIONS = ("0.18.2", "0.19.2")
CASES_PER_VERSION = 40
SEED = 20
REAL_SCHEDULE = "0:16 2.4B:320 4.8B:624 7.2B:928 9.6B:1232 12B:1536"  # core_v0.19.0 examples/gpt3 175B


def _threshold_text(tokens: int, rng: random.Random) -> str:
    """A threshold as users write them: plain tokens, or with a K/M suffix (sometimes fractional)."""
    form = rng.random()
    if form < 0.3 and tokens % 1000 == 0:
        return f"{tokens // 1000}K"
    if form < 0.5 and tokens % 1_000_000 == 0:
        return f"{tokens // 1_000_000}M"
    if form < 0.6 and tokens % 100_000 == 0:
        return f"{tokens / 1_000_000}M"
    return str(tokens)


def random_schedule(rng: random.Random, unit: int, seq: int) -> str:
    """Ascending batches (multiples of micro_batch_size · dp), thresholds in tokens; now and then a batch that is
    not a multiple, a batch that drops or a first threshold that is not 0 (the calculator or train() refuses)."""
    sizes = sorted(rng.choice([1, 2, 3, 4, 6, 8, 16]) * unit for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.08:
        sizes[-1] += 1
    if rng.random() < 0.06 and len(sizes) > 1:
        sizes.reverse()
    thresholds = sorted({0, *(rng.randint(1, 400) * rng.choice([1000, 100_000, seq]) for _ in sizes[1:])})
    if rng.random() < 0.05:
        thresholds[0] = rng.randint(1, 5) * 1000
    pairs = [f"{_threshold_text(t, rng)}:{s}" for t, s in zip(thresholds, sizes, strict=False)]
    return (", " if rng.random() < 0.2 else " ").join(pairs)


def random_case(rng: random.Random, version: str) -> dict[str, Any]:
    dp, mbs = rng.choice([1, 2, 4, 8]), rng.choice([1, 2, 4])
    unit = dp * mbs
    style = rng.choice(["constant", "linear", "cosine", "inverse-square-root", "WSD", "cosine"])
    args: dict[str, Any] = {"lr": rng.choice([3e-4, 6e-5, 1.5e-4]), "lr_decay_style": style, "micro_batch_size": mbs}
    if rng.random() < 0.5:
        args["min_lr"] = rng.choice([0.0, 6e-6, 1e-5])
    if style == "WSD":
        args["lr_wsd_decay_style"] = rng.choice(["exponential", "linear", "cosine", "minus_sqrt"])
    if rng.random() < 0.7:
        seq = rng.choice([512, 1024, 2048, 4096])
        args["seq_length"] = seq
        args["step_batch_size_schedule"] = random_schedule(rng, unit, seq)
        args["global_batch_size"] = mbs * dp  # validate_args' default beside a schedule
        scale = 8 * unit
    else:
        args["decrease_batch_size_if_needed"] = True
        args["global_batch_size"] = rng.randint(1, 12 * unit)
        scale = args["global_batch_size"]
    if rng.random() < 0.5:
        total = rng.randint(1, 600)
        args["train_iters"] = total
        if rng.random() < 0.4:
            args["lr_decay_iters"] = rng.randint(1, total + 100)
        if rng.random() < 0.3:
            args["lr_warmup_fraction"] = rng.choice([0.01, 0.05, 0.1])
        elif rng.random() < 0.8:
            args["lr_warmup_iters"] = rng.randint(0, total // 2)
        if style == "WSD":
            args["lr_wsd_decay_iters"] = rng.randint(0, total)
    else:
        samples = rng.randint(1, 400 * scale)
        args["train_samples"] = samples
        if rng.random() < 0.4:
            args["lr_decay_samples"] = rng.randint(1, samples + 40 * scale)
        if rng.random() < 0.3:
            args["lr_warmup_fraction"] = rng.choice([0.01, 0.05, 0.1])
        elif rng.random() < 0.8:
            args["lr_warmup_samples"] = rng.randint(0, samples // 2)
        if style == "WSD":
            args["lr_wsd_decay_samples"] = rng.randint(0, samples)
    return {"version": version, "data_parallel_size": dp, "args": args}


def real_schedule_case(version: str) -> dict[str, Any]:
    """The 175B example's schedule and scheduler options on 1,024 GPUs (TP8 · PP16 · dp 8), iteration count cut to
    what a golden file holds (the schedule's first band, 16-sample batches, lasts 73,242 iterations)."""
    args = {"lr": 6.0e-5, "lr_decay_style": "cosine", "min_lr": 6.0e-6, "lr_warmup_fraction": 0.001,
            "micro_batch_size": 1, "global_batch_size": 8, "seq_length": 2048,
            "step_batch_size_schedule": REAL_SCHEDULE, "train_iters": 2000, "lr_decay_iters": 1600}
    return {"version": version, "data_parallel_size": 8, "args": args, "real": REAL_SCHEDULE}


def main() -> None:
    rng = random.Random(SEED)
    cases = []
    for version in VERSIONS:
        for case in [random_case(rng, version) for _ in range(CASES_PER_VERSION)] + [real_schedule_case(version)]:
            case.update(run_batches(version, megatron_args(**case["args"]), case["data_parallel_size"]))
            cases.append(case)
    errors = sum("error" in case for case in cases)
    OUT.write_text(json.dumps({"generator": "tools/gen_megatron_batch_golden.py", "versions": list(VERSIONS),
                               "cases": cases}, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}: {len(cases)} cases ({errors} raising)")


if __name__ == "__main__":
    main()
