"""The real verl and ms-swift launch scripts (tests/data/real_configs/{verl,swift}/*.sh, sources in SOURCES.md) give
the T, W and LR curve their frameworks' own code gives (tools/gen_verl_swift_golden.py: the script's argv from bash
itself, then verl's / ms-swift's code and the real HF Trainer)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import lrcli

DATA = Path(__file__).resolve().parent / "data"
REAL = json.loads((DATA / "verl_swift_golden.json").read_text())["real"]


def test_every_script_has_a_golden() -> None:
    scripts = {f"{p.parent.name}/{p.name}" for d in ("verl", "swift") for p in (DATA / "real_configs" / d).glob("*.sh")}
    assert scripts == {case["script"] for case in REAL} and len(scripts) == 4


@pytest.mark.parametrize("case", REAL, ids=lambda c: c["id"])
@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_real_script(case: dict) -> None:
    path = DATA / "real_configs" / case["script"]
    if "version" in case:  # verl: N is the rows of the parquet files the script names (in $HOME: given here)
        config = lrcli.load_config(path, trainer=f"{case['role']}@{case['version']}", dataset_size=case["n"],
                                   world_size=case["world"])
    else:  # ms-swift: N from dataset#N, or a streamed dataset with max_steps; the world size from NPROC_PER_NODE
        config = lrcli.load_config(path, trainer=f"sft@{case['release']}", transformers_version=case["transformers"])
        assert config.world_size == case["world"]
    curve = lrcli.compute(config)
    assert (curve.plan.total, curve.plan.warmup) == (case["T"], case["W"])
    expected = np.asarray(case["lr"])
    assert np.max(np.abs(np.asarray(curve.lr) - expected)) <= 1e-12 * expected.max()
