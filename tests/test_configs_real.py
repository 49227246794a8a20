"""Every training config under tests/data/real_configs/ loads, resolves and plots given only --samples; the
accelerate/ files there are launcher configs for --accelerate-config."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from conftest import assert_one_error_line, recipe_pin, run_json

REAL = Path(__file__).resolve().parent / "data/real_configs"


def _files(pattern: str) -> list[Path]:
    return sorted(REAL.glob(pattern))


# megatron/: launch scripts and a YAML checked against the releases' own code in tests/test_megatron.py (some are
# refused: a ramp-up batch; some train more iterations than a curve holds)
TRAINING = [p for p in _files("*/*") if p.parent.name not in ("accelerate", "megatron")
            and p.suffix in (".yaml", ".yml", ".json")]
ACCELERATE = _files("accelerate/*.yaml")


@pytest.mark.parametrize("path", TRAINING, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_config_plots_with_only_samples(cli, path: Path, tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    # TRL recipes written for TRL 0.2x on transformers 4.x (torch_dtype, warmup_ratio) are refused by TRL 1.16's
    # launcher (see test_real_config_goldens.py): plan them as TRL 0.24 on the 4.x line they were written for.
    # axolotl's fp8-fsdp2 example keeps FSDP1's fsdp_config.sharding_strategy, which axolotl 0.20+ refuses.
    if path.name == "llama-3_3b-fp8-fsdp2_cosine-min-lr.yaml":
        assert "sharding_strategy" in assert_one_error_line(cli("steps", str(path), "--samples", "1000"))
    pin = recipe_pin(path)
    result = cli("plot", str(path), "--samples", "1000", "-o", str(out), *pin)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    steps = cli("steps", str(path), "--samples", "1000", "--json", *pin)
    assert steps.exit_code == 0, steps.stderr
    assert len(rows) == run_json(steps.stdout)["plan"]["total_steps"] + 1
    assert all(float(row["lr"]) >= 0 for row in rows)
    assert "did you mean" not in result.stderr  # real configs have no typos of the keys lrcli reads


def test_every_real_dialect_is_covered() -> None:
    assert {p.parent.name for p in TRAINING} == {"trl", "llamafactory", "axolotl", "deepspeed", "torchtune"}


@pytest.mark.parametrize("path", ACCELERATE, ids=lambda p: p.name)
def test_accelerate_configs_give_the_world_size(cli, path: Path) -> None:
    config = REAL / "trl" / "alignment-handbook_zephyr-7b-beta_sft_full.yaml"
    result = cli("show", str(config), "--accelerate-config", str(path), "--samples", "1000", "--json")
    assert result.exit_code == 0, result.stderr
    world = run_json(result.stdout)["settings"]["world_size"]
    assert world["value"] == 8 and "num_processes" in world["source"]


@pytest.mark.parametrize("path", ACCELERATE, ids=lambda p: p.name)
def test_accelerate_config_as_training_config_is_explained(cli, path: Path) -> None:
    from conftest import assert_one_error_line

    assert "--accelerate-config" in assert_one_error_line(cli("plot", str(path), "--samples", "10"))


def test_torchtune_profiler_warmup_is_not_lr_warmup(cli) -> None:
    """profiler.warmup_steps: 3 in a config without lr_scheduler: constant LR, no warmup."""
    path = REAL / "torchtune" / "llama3_1_8B_full_no-scheduler.yaml"
    result = cli("show", str(path), "--samples", "1000", "--json")
    record = run_json(result.stdout)
    assert record["plan"]["warmup_steps"] == 0
    assert record["settings"]["lr_scheduler_type"]["value"] == "constant"
    assert record["settings"]["warmup_steps"]["source"] == "default"


def test_missing_deepspeed_file_is_a_warning_not_an_error(cli, tmp_path: Path) -> None:
    path = REAL / "llamafactory" / "qwen3_full_sft_ds3.yaml"
    result = cli("plot", str(path), "--samples", "100", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0
    assert "ds_z3_config.json not found" in result.stderr


def test_llamafactory_v1_example_is_max_steps_at_a_constant_lr(cli) -> None:
    """LLaMA-Factory 0.9.5 `v1/core/base_trainer.py`: T = max_steps when > 0; LambdaLR of 1.0 at learning_rate."""
    path = REAL / "llamafactory" / "v1_train_lora_sft.yaml"
    raw = yaml.safe_load(path.read_text())
    record = run_json(cli("show", str(path), "--samples", "1000", "--json").stdout)
    assert (record["plan"]["total_steps"], record["plan"]["warmup_steps"]) == (raw["max_steps"], 0)
    assert record["settings"]["learning_rate"]["value"] == float(raw["learning_rate"])
    assert record["settings"]["lr_scheduler_type"]["value"] == "constant"
