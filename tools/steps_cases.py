"""Random step-arithmetic cases shared by tests/test_steps_oracle.py and tools/gen_steps_451.py.

Plain Python (no torch), so the golden-row tests can turn a stored case back into lrcli settings.
"""

from __future__ import annotations

import random
from typing import Any

WORLD_SIZES = (1, 2, 3, 4, 6, 8, 16, 64)
EPOCH_CHOICES = (0.07, 0.5, 1.0, 1.5, 2.0, 2.3, 2.5, 3.0, 10.0)


def random_cases(count: int, seed: int, *, fractional_warmup_steps: bool, warmup_ratio: bool) -> list[dict[str, Any]]:
    """(N, b, GA, E, w, drop_last, max_steps, warmup) spread over the regions where the rounding rules differ:
    tiny datasets (empty under drop_last, fewer batches than GA or than processes), float epochs, max_steps."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        samples = rng.choice([rng.randint(1, 40), rng.randint(1, 600), rng.randint(1, 200_000)])
        ratio = None
        if warmup_ratio and rng.random() < 0.5:
            ratio = rng.choice([0.0, 0.03, 0.1, 0.25, 1.0, round(rng.random(), 3)])
        warmup = rng.choice([0, rng.randint(1, 60)])
        if fractional_warmup_steps and rng.random() < 0.4:
            warmup = rng.choice([0.07, 0.1, 0.999, 1.0, 1.5, 2.5, round(rng.random(), 4)])
        cases.append(
            {
                "samples": samples,
                "batch": rng.choice([1, 2, 3, 4, 8, rng.randint(1, 64)]),
                "grad_accum": rng.choice([1, 2, 3, 4, 8, rng.randint(1, 32)]),
                "epochs": rng.choice([*EPOCH_CHOICES, round(rng.uniform(0.01, 5), 3)]),
                "world_size": rng.choice(WORLD_SIZES),
                "drop_last": rng.random() < 0.3,
                "max_steps": -1 if rng.random() < 0.7 else rng.randint(1, 500),
                "warmup_steps": warmup,
                "warmup_ratio": ratio,
            }
        )
    return cases


def config_layer(case: dict[str, Any], transformers_version: str) -> dict[str, Any]:
    """The case as TrainConfig fields, for lrcli.config.resolve."""
    return {
        "dataset_size": case["samples"],
        "per_device_train_batch_size": case["batch"],
        "gradient_accumulation_steps": case["grad_accum"],
        "num_train_epochs": case["epochs"],
        "world_size": case["world_size"],
        "dataloader_drop_last": case["drop_last"],
        "max_steps": case["max_steps"],
        "warmup_steps": case["warmup_steps"],
        "warmup_ratio": case["warmup_ratio"],
        "split_batches": case.get("split_batches", False),
        "even_batches": case.get("even_batches", True),
        "transformers_version": transformers_version,
    }


def with_accelerator_switches(cases: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """The cases again with accelerate's split_batches / even_batches drawn at random; under split_batches the
    batch is mostly a multiple of the process count (accelerate refuses the rest)."""
    rng = random.Random(seed)
    switched = []
    for case in cases:
        split = rng.random() < 0.5
        batch = case["batch"]
        if split and rng.random() < 0.8:
            batch = case["world_size"] * rng.randint(1, 8)
        switched.append({**case, "batch": batch, "split_batches": split, "even_batches": rng.random() < 0.3})
    return switched
