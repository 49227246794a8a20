"""Megatron 0.18+'s changing batches: `--step-batch-size-schedule` (thresholds in tokens ÷ --seq-length) and
`--decrease-batch-size-if-needed`, against megatron-core 0.18.2's and 0.19.2's own calculator, training.py and
scheduler (golden data from tools/gen_megatron_batch_golden.py; a live sample through tools/megatron_reference.py)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import TOOLS, assert_same_lrs

from lrcli.config import resolve
from lrcli.curve import compute
from lrcli.dialects import read_launch_script
from lrcli.errors import LrcliError
from lrcli.steps import plan_steps

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "data" / "megatron_batch_golden.json").read_text())


def _script(tmp_path: Path, case: dict[str, Any]) -> Path:
    """The case as a launch script: torchrun's world size is dp (tp = pp = cp = 1); beside a step schedule the
    global batch is validate_args' default, so it is not written."""
    args = dict(case["args"])
    if args.get("step_batch_size_schedule") is not None:
        args.pop("global_batch_size")
    words = []
    for key, value in args.items():
        option = f"--{key.replace('_', '-')}"
        if value is True:
            words.append(option)
        elif isinstance(value, str) and " " in value:
            words += [option, f'"{value}"']
        else:
            words += [option, repr(value) if isinstance(value, float) else str(value)]
    script = tmp_path / "train.sh"
    script.write_text(f"torchrun --nproc_per_node {case['data_parallel_size']} pretrain_gpt.py {' '.join(words)}\n")
    return script


def _run(script: Path, version: str):
    reading = read_launch_script(script, trainer=f"megatron@{version}")
    config = resolve(reading.layers())
    return config, plan_steps(config), compute(config)


def _case_id(case: dict[str, Any]) -> str:
    kind = "step" if case["args"].get("step_batch_size_schedule") else "decrease"
    return f"{case['version']}-{kind}-{case.get('train_iters', 'error')}"


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=_case_id)
def test_golden_case(case: dict[str, Any], tmp_path: Path) -> None:
    script = _script(tmp_path, case)
    if "error" in case:
        with pytest.raises(LrcliError):
            _run(script, case["version"])
        return
    _config, plan, curve = _run(script, case["version"])
    assert plan.total == case["train_iters"]
    expected = np.array(case["lrs"])
    assert_same_lrs(curve.lr, expected)


def test_golden_covers_both_options_releases_and_refusals() -> None:
    cases = GOLDEN["cases"]
    assert {c["version"] for c in cases} == {"0.18.2", "0.19.2"}
    for option in ("step_batch_size_schedule", "decrease_batch_size_if_needed"):
        ran = [c for c in cases if c["args"].get(option) and "lrs" in c]
        assert len(ran) >= 10 and any(c["args"].get("train_samples") for c in ran)
        assert any(c["args"].get("train_iters") for c in ran)
    errors = " ".join(c["error"] for c in cases if "error" in c)
    for needle in ("should not decrease", "is not divisible", "threshold 0", "at least 1"):
        assert needle in errors
    # a schedule whose batch changes within the run, and a decreased batch that differs from --global-batch-size
    assert any(len(set(np.diff(c["lrs"]))) > 1 and "," in c["args"].get("step_batch_size_schedule", ",")
               for c in cases if "lrs" in c)


@pytest.mark.parametrize(("words", "needle"), [
    ('--step-batch-size-schedule "0:16 1M:32" --global-batch-size 32 --seq-length 2048',
     "Cannot specify both --step-batch-size-schedule and --global-batch-size"),
    ('--step-batch-size-schedule "0:16 1M:32" --decrease-batch-size-if-needed --seq-length 2048',
     "Cannot specify both --step-batch-size-schedule and --decrease-batch-size-if-needed"),
    ('--step-batch-size-schedule "0:16 1M:32"', "no --seq-length"),
    ('--step-batch-size-schedule "0:16 1M" --seq-length 2048', "Invalid schedule entry"),
    ('--step-batch-size-schedule "0:16 xM:32" --seq-length 2048', "is not a number"),
])
def test_refusals(words: str, needle: str, tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text(f"torchrun --nproc_per_node 8 pretrain_gpt.py --lr 3e-4 --micro-batch-size 2 "
                      f"--train-samples 100000 {words}\n")
    with pytest.raises(LrcliError, match=needle.replace("-", r"\-")):
        _run(script, "0.19.2")


def test_step_schedule_before_0_18_is_argparse_s_error(tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text('torchrun --nproc_per_node 8 pretrain_gpt.py --lr 3e-4 --micro-batch-size 2 --train-samples '
                      '1000 --seq-length 2048 --step-batch-size-schedule "0:16 1M:32"\n')
    with pytest.raises(LrcliError, match="has no --step-batch-size-schedule"):
        _run(script, "0.17.1")


def test_decrease_needs_the_world_size(tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text("torchrun --nproc_per_node gpu pretrain_gpt.py --lr 3e-4 --micro-batch-size 2 "
                      "--global-batch-size 30 --train-iters 10 "
                      "--decrease-batch-size-if-needed\n")
    with pytest.raises(LrcliError, match="give the world size"):
        _run(script, "0.19.2")


def test_live_random_cases(tmp_path: Path) -> None:
    """Fresh random cases through the releases' own code (the generator's case maker, a new seed each run)."""
    sys.path.insert(0, str(TOOLS))
    import gen_megatron_batch_golden as gen
    from megatron_reference import megatron_args, run_batches

    rng = random.Random()
    for index in range(12):
        case = gen.random_case(rng, gen.VERSIONS[index % 2])
        case.update(run_batches(case["version"], megatron_args(**case["args"]), case["data_parallel_size"]))
        test_golden_case(case, tmp_path)


def test_rampup_is_ignored_from_0_18(tmp_path: Path) -> None:
    """0.18+ hand --rampup-batch-size to no calculator: 0.19.2's own update_train_iters and scheduler run the
    constant global batch (lrcli used to count the ramp-up's iterations)."""
    sys.path.insert(0, str(TOOLS))
    from megatron_reference import megatron_args, run

    args = {"lr": 3e-4, "micro_batch_size": 1, "global_batch_size": 64, "train_samples": 100000,
            "lr_warmup_samples": 1000, "lr_decay_style": "cosine"}
    script = tmp_path / "train.sh"
    script.write_text("torchrun --nproc_per_node 8 pretrain_gpt.py " + " ".join(
        f"--{key.replace('_', '-')} {value}" for key, value in args.items()) + " --rampup-batch-size 16 16 20000\n")
    reference = run("0.19.2", megatron_args(**args, rampup_batch_size=[16, 16, 20000]))
    _config, plan, curve = _run(script, "0.19.2")
    assert plan.total == reference["train_iters"]
    assert curve.lr.tolist() == reference["lrs"]
