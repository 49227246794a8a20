"""axolotl configs: `lrcli steps --trainer @<release>` against T and W from each modelled axolotl release's own code
(0.19.0, 0.20.0, 0.21.0: tests/data/axolotl_rules_golden_<release>.json, made by tools/gen_axolotl_rules_golden.py
on the transformers/datasets/pydantic that release pins: normalize_config's batch rule, the val_set_size split through datasets'
train_test_split, calculate_total_num_steps incl. the sample_packing_eff_est estimate, load_preference_datasets for
RL trainers, _configure_warmup_and_logging and HF's get_warmup_steps), plus the real configs in tests/data/real_configs/"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, assert_one_error_line, framework_source, oracle_import, run_json

REAL = Path(__file__).resolve().parent / "data/real_configs/axolotl"


RELEASES = ("0.19.0", "0.20.0", "0.21.0")


@cache
def golden(release: str) -> dict[str, Any]:
    return json.loads((DATA / f"axolotl_rules_golden_{release}.json").read_text())


@cache
def cases(release: str = "0.19.0") -> list[dict[str, Any]]:
    return [{**case, "release": release} for case in golden(release)["cases"]]


def _case_id(case: dict[str, Any]) -> str:
    what = case.get("real") or ",".join(f"{k}={v}" for k, v in case["config"].items()
                                        if k not in ("base_model", "learning_rate"))
    size = f"N{case['samples']}" if "samples" in case else f"T{case['total_steps']}"
    return f"{case['release']}-{what}-{size}-w{case['world_size']}"


def _run(cli, case: dict[str, Any], tmp_path: Path):
    if "real" in case:
        path = REAL / case["real"]
    else:
        path = tmp_path / "axolotl.yml"
        path.write_text(yaml.safe_dump(case["config"]))
    size = ["--samples", str(case["samples"])] if "samples" in case else ["--total-steps", str(case["total_steps"])]
    return cli("steps", str(path), *size, "--world-size", str(case["world_size"]), "--trainer",
               f"@{case['release']}", "--json")


@pytest.mark.parametrize("case", [case for release in RELEASES for case in cases(release)], ids=_case_id)
def test_steps_match_axolotl(cli, case: dict[str, Any], tmp_path: Path) -> None:
    result = _run(cli, case, tmp_path)
    if "raises" in case:
        assert_one_error_line(result)
        return
    assert result.exit_code == 0, result.stderr
    record = run_json(result.stdout)["plan"]
    assert (record["total_steps"], record["warmup_steps"]) == (case["total_steps"], case["warmup_steps"])


@pytest.mark.parametrize("release", RELEASES)
def test_golden_covers_every_rule(release: str) -> None:
    """The generator exercised each branch lrcli implements (so a shrunken golden file cannot pass silently), with
    the release's own code and pins."""
    assert golden(release)["axolotl"] == release
    configs = [c.get("config", {}) for c in cases(release)]
    assert any(c.get("sample_packing_eff_est") for c in configs)
    assert any(c.get("rl") == "dpo" and c.get("val_set_size") for c in configs)
    assert any(c.get("rl") == "grpo" for c in configs)
    assert any(c.get("context_parallel_size") and c.get("tensor_parallel_size") for c in configs)
    assert any(isinstance(c.get("val_set_size"), int) for c in configs)
    assert sum("raises" in c for c in cases(release)) >= 10
    assert {c["real"] for c in cases(release) if "real" in c} >= {"llama-3_instruct-dpo-lora-8b.yml",
                                                                  "qwen3_reward-model_linear.yaml"}
    # FSDP1: 0.19's check_fsdp_version warns, 0.20+ raises (the golden shows the changed rule)
    fsdp1 = [c for c in cases(release) if c.get("config", {}).get("fsdp") or "fsdp_version" in str(c.get("config"))
             and "'1'" in str(c["config"]).replace(": 1", ": '1'")]
    assert len(fsdp1) >= 3 and all(("raises" in c) == (release != "0.19.0") for c in fsdp1)


def test_packing_without_estimate_warns(cli) -> None:
    result = cli("steps", str(REAL / "llama-3_lora-1b_packing_warmup-ratio.yml"), "--samples", "1000")
    assert result.exit_code == 0
    assert "lrcli: warning: sample_packing: axolotl counts steps from its multipack bins" in result.stderr


def test_estimate_without_token_count_is_refused(cli, tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text(yaml.safe_dump({"base_model": "x", "learning_rate": 1e-4, "sample_packing": True,
                                    "sample_packing_eff_est": 0.9}))
    assert "total_num_tokens" in assert_one_error_line(cli("steps", str(path), "--samples", "100"))


def test_data_parallel_degree_is_shown(cli, tmp_path: Path) -> None:
    path = tmp_path / "a.yml"
    path.write_text(yaml.safe_dump({"base_model": "x", "learning_rate": 1e-4, "micro_batch_size": 2,
                                    "context_parallel_size": 2}))
    result = cli("steps", str(path), "--samples", "100", "--world-size", "8")
    assert result.exit_code == 0, result.stderr
    assert "w // context_parallel_size // tensor_parallel_size = 8 // 2 // 1 = 4" in result.stdout


# ------------------------------------------------------------------------- live: axolotl's own source (tools/framework_sources.py)


def _axolotl_functions():
    import importlib.util
    import math
    import types

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("framework_code", root / "tools" / "framework_code.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    package = framework_source("axolotl")
    quiet = types.SimpleNamespace(debug=lambda *a, **k: None, info=lambda *a, **k: None)
    count = gen.extract(package / "utils" / "trainer.py", "calculate_total_num_steps", {"math": math, "LOG": quiet})
    configure = gen.extract(package / "core" / "builders" / "base.py", "_configure_warmup_and_logging", {},
                            class_name="TrainerBuilderBase")
    return gen.Cfg, count, configure


@pytest.mark.oracle
def test_packing_estimate_matches_axolotl_live(cli, tmp_path: Path) -> None:
    """calculate_total_num_steps' sample_packing_eff_est branch and the warmup hand-over, run from the wheel."""
    import types

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    oracle_import("transformers")
    from transformers import TrainingArguments

    cfg_type, count, configure = _axolotl_functions()

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(tokens=st.integers(1, 10**9), eff=st.floats(0.05, 1.0), seq=st.sampled_from([512, 1000, 2048, 8192]),
           mbs=st.integers(1, 4), ga=st.integers(1, 8), world=st.sampled_from([1, 2, 8]),
           epochs=st.sampled_from([1, 2, 3, 1.0, 4.0]),
           warm=st.sampled_from([{}, {"warmup_ratio": 0.05}, {"warmup_steps": 1}, {"warmup_steps": 30}]))
    def check(tokens, eff, seq, mbs, ga, world, epochs, warm):
        raw = {"base_model": "x", "learning_rate": 1e-4, "sample_packing": True, "sample_packing_eff_est": eff,
               "total_num_tokens": tokens, "sequence_len": seq, "micro_batch_size": mbs,
               "gradient_accumulation_steps": ga, "num_epochs": epochs, **warm}
        cfg = cfg_type({**raw, "batch_size": mbs * ga * world, "skip_prepare_dataset": True})
        counted = count(cfg, [], update=False)
        path = tmp_path / "packed.yml"
        path.write_text(yaml.safe_dump(raw))
        result = cli("steps", str(path), "--samples", "1", "--world-size", str(world), "--json")
        if counted < 1:
            assert_one_error_line(result)
            return
        kwargs: dict = {}
        configure(types.SimpleNamespace(cfg=cfg), counted, kwargs)
        args = TrainingArguments(output_dir=str(tmp_path), report_to=[], max_steps=int(counted),
                                 warmup_steps=kwargs["warmup_steps"])
        assert result.exit_code == 0, result.stderr
        record = run_json(result.stdout)["plan"]
        assert (record["total_steps"], record["warmup_steps"]) == (counted, args.get_warmup_steps(int(counted)))

    check()
