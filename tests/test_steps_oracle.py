"""Parity of lrcli's HF step plan with the real transformers Trainer and accelerate sharding (live oracle).

The expected numbers come from running transformers' own `Trainer.set_initial_training_values` and
`TrainingArguments.get_warmup_steps` on a dataloader sharded by accelerate's real `prepare_data_loader`
(tools/hf_steps_oracle.py); nothing is re-typed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import oracle_import
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.config import resolve
from lrcli.errors import LrcliError
from lrcli.steps import plan_steps
from lrcli.steps.hf_accelerate import shard_batches

pytestmark = pytest.mark.oracle

oracle_import("torch")
transformers = oracle_import("transformers")
oracle_import("accelerate")
if int(transformers.__version__.split(".")[0]) < 5:
    pytest.skip("the live oracle runs transformers 5.x; 4.x is covered by golden rows", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from hf_steps_oracle import hf_steps  # noqa: E402
from steps_cases import config_layer, random_cases, with_accelerator_switches  # noqa: E402

FIELDS = (
    "total_steps",
    "warmup_steps",
    "update_steps_per_epoch",
    "num_train_epochs",
    "batches_per_epoch",
    "total_train_batch_size",
)


def _lrcli(case: dict) -> dict:
    plan = plan_steps(resolve([(config_layer(case, transformers.__version__), "oracle case")]))
    return {
        "total_steps": plan.total,
        "warmup_steps": plan.warmup,
        "update_steps_per_epoch": plan.update_steps_per_epoch,
        "num_train_epochs": plan.num_train_epochs,
        "batches_per_epoch": plan.batches_per_epoch,
        "total_train_batch_size": plan.total_train_batch_size,
    }


def _check(case: dict) -> str | None:
    """None when lrcli agrees with the Trainer on `case`, else a description of the difference."""
    expected = hf_steps(**{k: v for k, v in case.items() if k != "warmup_ratio"})
    try:
        got = _lrcli(case)
    except LrcliError as exc:
        # lrcli refuses exactly where the Trainer does, plus an empty dataloader under max_steps, which the
        # Trainer accepts and then loops over forever without a step.
        empty = expected.get("batches_per_epoch") == 0
        return None if "error" in expected or empty else f"{case}: lrcli error {exc}, Trainer {expected}"
    if "error" in expected:
        return f"{case}: Trainer raises {expected['error']}, lrcli {got}"
    wrong = {f: (got[f], expected[f]) for f in FIELDS if got[f] != expected[f]}
    return f"{case}: (lrcli, Trainer) differ on {wrong}" if wrong else None


def test_random_cases_match_the_trainer() -> None:
    cases = random_cases(600, seed=20261128, fractional_warmup_steps=True, warmup_ratio=False)
    mismatches = [m for m in map(_check, cases) if m]
    assert not mismatches, f"{len(mismatches)} of {len(cases)} differ, e.g. " + "; ".join(mismatches[:3])


def _accelerator_cases() -> list[dict]:
    base = random_cases(300, seed=20261129, fractional_warmup_steps=True, warmup_ratio=False)
    return with_accelerator_switches(base, seed=7)


def test_accelerator_config_switches_match_the_trainer() -> None:
    """TrainingArguments.accelerator_config split_batches / even_batches, through accelerate's real sharding."""
    cases = _accelerator_cases()
    mismatches = [m for m in map(_check, cases) if m]
    assert not mismatches, f"{len(mismatches)} of {len(cases)} differ, e.g. " + "; ".join(mismatches[:3])
    results = [hf_steps(**{k: v for k, v in c.items() if k != "warmup_ratio"}) for c in cases]
    ok = [(c, r) for c, r in zip(cases, results, strict=True) if "error" not in r]
    assert any("split_batches" in r.get("error", "") or "round multiple" in r.get("error", "") for r in results)
    assert any(c["split_batches"] and c["world_size"] > 1 for c, _ in ok)  # L = B, not B / w
    assert any(  # even_batches=False where B mod w leaves a remainder
        not c["even_batches"] and not c["split_batches"] and not c["drop_last"]
        and -(-c["samples"] // c["batch"]) % c["world_size"]
        for c, _ in ok
    )


def test_random_cases_cover_every_region() -> None:
    """The random set reaches each rounding regime, so the parity above means something."""
    cases = random_cases(600, seed=20261128, fractional_warmup_steps=True, warmup_ratio=False)
    results = [hf_steps(**{k: v for k, v in c.items() if k != "warmup_ratio"}) for c in cases]
    ok = [(c, r) for c, r in zip(cases, results, strict=True) if "error" not in r]
    assert any("error" in r for r in results)  # empty dataloader under drop_last
    assert any(r["batches_per_epoch"] % c["grad_accum"] for c, r in ok)  # partial accumulation window
    assert any(r["batches_per_epoch"] < c["grad_accum"] for c, r in ok)  # max(…, 1)
    assert any(c["max_steps"] > 0 for c, _ in ok) and any(c["epochs"] % 1 for c, _ in ok)
    assert any(0 < c["warmup_steps"] < 1 for c, _ in ok) and any(c["world_size"] > 1 for c, _ in ok)


def _case(**values: object) -> dict:
    return values


@pytest.mark.parametrize(
    ("case", "why"),
    [
        (
            _case(
                samples=10000,
                batch=32,
                grad_accum=1,
                epochs=1.0,
                world_size=8,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0.1,
            ),
            "the issue's example: 313 batches over 8 processes, even_batches → 40",
        ),
        (
            _case(
                samples=40,
                batch=4,
                grad_accum=3,
                epochs=2.0,
                world_size=1,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0,
            ),
            "ceil(10 / 3) = 4 updates per epoch (transformers #37777, PR #37923)",
        ),
        (
            _case(
                samples=91,
                batch=10,
                grad_accum=2,
                epochs=10.0,
                world_size=2,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0,
            ),
            "transformers #36297: 91 samples, bs 10, 2 GPUs, 10 epochs",
        ),
        (
            _case(
                samples=100,
                batch=1,
                grad_accum=1,
                epochs=0.07,
                world_size=1,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0.07,
            ),
            "0.07 · 100 = 7.000000000000001: ceil gives 8",
        ),
        (
            _case(
                samples=100,
                batch=8,
                grad_accum=4,
                epochs=3.0,
                world_size=1,
                drop_last=True,
                max_steps=-1,
                warmup_steps=0,
            ),
            "drop_last: floor(100 / 8) = 12 batches",
        ),
        (
            _case(
                samples=10,
                batch=4,
                grad_accum=8,
                epochs=1.0,
                world_size=1,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0,
            ),
            "fewer batches than GA: max(…, 1)",
        ),
        (
            _case(
                samples=5000,
                batch=8,
                grad_accum=4,
                epochs=3.0,
                world_size=4,
                drop_last=False,
                max_steps=300,
                warmup_steps=0.1,
            ),
            "max_steps overrides epochs (DeepSpeed #633: T counts optimizer steps)",
        ),
        (
            _case(
                samples=7473,
                batch=4,
                grad_accum=2,
                epochs=1.0,
                world_size=8,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0.03,
            ),
            "trl #450: the step count follows the (packed) sample count N",
        ),
        (
            _case(
                samples=1000,
                batch=8,
                grad_accum=1,
                epochs=1.0,
                world_size=4,
                drop_last=False,
                max_steps=-1,
                warmup_steps=0.1,
            ),
            "accelerate #2926: T is per-process optimizer steps, already ÷ world size",
        ),
    ],
)
def test_user_pain_cases_match_the_trainer(case: dict, why: str) -> None:
    assert _check({**case, "warmup_ratio": None}) is None, why


@settings(max_examples=300, deadline=None)
@given(samples=st.integers(1, 3000), batch=st.integers(1, 40), world_size=st.integers(1, 16), drop_last=st.booleans())
def test_sharding_matches_batch_sampler_shard(samples: int, batch: int, world_size: int, drop_last: bool) -> None:
    """L per process = len() of accelerate's BatchSamplerShard, and the batches rank 0 really iterates."""
    from accelerate.data_loader import BatchSamplerShard
    from torch.utils.data import BatchSampler, SequentialSampler

    sampler = BatchSampler(SequentialSampler(range(samples)), batch, drop_last)
    shard = BatchSamplerShard(sampler, num_processes=world_size, process_index=0, even_batches=True)
    expected = shard_batches(samples, batch, world_size, drop_last)
    assert (expected.batches, expected.per_process) == (len(sampler), len(shard))
    assert expected.per_process == sum(1 for _ in shard)
