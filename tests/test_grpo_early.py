"""GRPO step counts of TRL 0.14 … 0.19 (lrcli.steps.trl, one rule per line) against each release's own code:
tests/data/grpo_early_golden.json, written by tools/gen_grpo_early_golden.py (GRPOConfig defaults and
`__post_init__`, GRPOTrainer's num_generations checks, its sampler, `_get_train_sampler` and `get_train_dataloader`,
lifted out of each release's source and run; accelerate's sharding and the HF Trainer's count on top)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, assert_one_error_line, run_json

LINES = {"0.14.0": "0.14", "0.15.2": "0.15", "0.16.1": "0.16", "0.17.0": "0.17", "0.18.2": "0.18", "0.19.1": "0.19"}


@cache
def golden() -> dict[str, Any]:
    return json.loads((DATA / "grpo_early_golden.json").read_text())


def _case_id(case: dict[str, Any]) -> str:
    config = ",".join(f"{k}={v}" for k, v in case["config"].items() if k != "learning_rate")
    extra = ",".join(f"{k}={case[k]}" for k in ("num_train_epochs", "max_steps", "warmup_steps") if k in case)
    return f"{case['release']}-N{case['samples']}-w{case['world_size']}-{config}-{extra}"


def _steps(cli, case: dict[str, Any], tmp_path: Path, release: str | None = None):
    document = dict(case["config"])
    document.update({k: case[k] for k in ("num_train_epochs", "max_steps", "warmup_steps") if k in case})
    path = tmp_path / "grpo.yaml"
    path.write_text(yaml.safe_dump(document))
    return cli("steps", str(path), "--dialect", "trl", "--trainer", f"grpo@{release or case['release']}", "--samples",
               str(case["samples"]), "--world-size", str(case["world_size"]), "--transformers-version",
               golden()["transformers"], "--json")


@pytest.mark.parametrize("case", golden()["cases"], ids=_case_id)
def test_steps_match_that_releases_grpo(cli, case: dict[str, Any], tmp_path: Path) -> None:
    expected = case["expected"]
    result = _steps(cli, case, tmp_path)
    if "raises" in expected or "error" in expected:
        assert_one_error_line(result)
        return
    assert result.exit_code == 0, result.stderr
    plan = run_json(result.stdout)["plan"]
    assert (plan["total_steps"], plan["warmup_steps"], plan["update_steps_per_epoch"], plan["num_train_epochs"]) == (
        expected["total_steps"], expected["warmup_steps"], expected["update_steps_per_epoch"],
        expected["num_train_epochs"])


def test_golden_covers_every_line_and_both_outcomes() -> None:
    cases = golden()["cases"]
    assert set(golden()["releases"]) == set(LINES)
    for release in LINES:
        mine = [c for c in cases if c["release"] == release]
        assert any("total_steps" in c["expected"] for c in mine), release
        if release != "0.14.0":
            assert any("raises" in c["expected"] for c in mine), release
        assert any("per_device_train_batch_size" not in c["config"] for c in mine), release  # the release's defaults
    assert any("num_iterations" in c["config"] and c["config"]["num_iterations"] > 1 for c in cases
               if c["release"] == "0.16.1" and "total_steps" in c["expected"])
    assert any("generation_batch_size" in c["config"] for c in cases if c["release"] in ("0.18.2", "0.19.1"))


def test_the_releases_differ_where_the_rules_say() -> None:
    """The golden's sampler lengths follow the modelled rule of each line (a changed rule shows as a different
    length for the same inputs): N · G (0.15), N · G · it (0.16), N · G · it · GA (0.17), N · G · it · spg (0.18+)."""
    for case in golden()["cases"]:
        expected, config = case["expected"], case["config"]
        if "total_steps" not in expected or expected["sampler_length"] is None:
            continue
        defaults = expected["release_defaults"]
        g = config.get("num_generations", defaults.get("num_generations", 8))
        it = config.get("num_iterations", 1) if case["release"] != "0.15.2" else 1
        ga = config.get("gradient_accumulation_steps", defaults["gradient_accumulation_steps"])
        repeat = {"0.15.2": 1, "0.16.1": it, "0.17.0": it * ga}.get(case["release"])
        if repeat is not None:
            assert expected["sampler_length"] == case["samples"] * g * repeat, case


def test_a_key_the_release_lacks_is_dropped_with_a_note(cli, tmp_path: Path) -> None:
    case = {"release": "0.17.0", "config": {"per_device_train_batch_size": 4, "gradient_accumulation_steps": 2,
                                            "num_generations": 4, "steps_per_generation": 4}, "samples": 1000,
            "world_size": 2}
    result = _steps(cli, case, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "has no steps_per_generation (added in 0.18)" in " ".join(result.stderr.split())
    without = dict(case, config={k: v for k, v in case["config"].items() if k != "steps_per_generation"})
    assert run_json(result.stdout)["plan"]["total_steps"] == run_json(_steps(cli, without, tmp_path).stdout)[
        "plan"]["total_steps"]
