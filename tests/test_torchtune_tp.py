"""torchtune full_finetune_distributed with tensor_parallel_dim: the data-parallel replicas are world // tp
(recipe lines 152–166 and 547–550), so each replica's DistributedSampler gets ceil(N / dp) samples. Checked live
against torch's real DataLoader(DistributedSampler(num_replicas=dp), drop_last=True), with the recipe's
`_steps_per_epoch = len(dataloader) // GA` and `T = epochs · _steps_per_epoch`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import assert_one_error_line, oracle_import, run_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PLAN = {"_component_": "torchtune.models.llama3.base_llama_tp_plan"}


def _config(tmp_path: Path, batch: int, ga: int, epochs: int, tp: int, plan: dict | None = PLAN) -> Path:
    raw = {"batch_size": batch, "epochs": epochs, "gradient_accumulation_steps": ga, "tensor_parallel_dim": tp,
           "optimizer": {"_component_": "torch.optim.AdamW", "lr": 2e-5},
           "lr_scheduler": {"_component_": "torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup",
                            "num_warmup_steps": 3}}
    if plan is not None:
        raw["tensor_parallel_plan"] = plan
    path = tmp_path / "tt.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.oracle
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 3000), batch=st.integers(1, 9), ga=st.integers(1, 4), epochs=st.integers(1, 3),
       tp=st.sampled_from([1, 2, 4, 8]), dp=st.integers(1, 4))
def test_steps_match_the_recipe_with_tensor_parallel(cli, tmp_path_factory, n, batch, ga, epochs, tp, dp) -> None:
    oracle_import("torch")
    from torch.utils.data import DataLoader, DistributedSampler

    data = list(range(n))
    loader = DataLoader(data, batch_size=batch, sampler=DistributedSampler(data, num_replicas=dp, rank=0),
                        drop_last=True)
    total = epochs * (len(loader) // ga)
    path = _config(tmp_path_factory.mktemp("tt"), batch, ga, epochs, tp)
    result = cli("steps", str(path), "--samples", str(n), "--world-size", str(dp * tp), "--json")
    if total < 1:
        assert_one_error_line(result)
    else:
        assert result.exit_code == 0, result.stderr
        assert run_json(result.stdout)["plan"]["total_steps"] == total


def test_world_not_divisible_by_tp_is_the_recipes_error(cli, tmp_path: Path) -> None:
    line = assert_one_error_line(cli("steps", str(_config(tmp_path, 2, 1, 1, 4)), "--samples", "100",
                                     "--world-size", "6"))
    assert "divisible by tensor_parallel_dim 4" in line


def test_tp_without_a_plan_is_the_recipes_error(cli, tmp_path: Path) -> None:
    line = assert_one_error_line(cli("steps", str(_config(tmp_path, 2, 1, 1, 2, plan=None)), "--samples", "100"))
    assert "tensor_parallel_plan" in line


REAL = Path(__file__).resolve().parent / "data/real_configs/torchtune"
RECIPE_CONFIGS = [p for p in sorted(REAL.glob("*.yaml")) if "grpo" not in p.name]


@pytest.mark.oracle
@pytest.mark.parametrize("path", RECIPE_CONFIGS, ids=lambda p: p.name)
@pytest.mark.parametrize("n", [999, 20011])
def test_real_configs_match_the_recipe(cli, path: Path, n: int) -> None:
    """The recipes' `_steps_per_epoch = len(dataloader) // GA` (capped) · epochs over torch's real DataLoader."""
    oracle_import("torch")
    from torch.utils.data import DataLoader, DistributedSampler

    raw = yaml.safe_load(path.read_text())
    world = 1 if "single_device" in path.name else 4  # the --nproc_per_node of the file's own `tune run` line
    data = list(range(n))
    loader = DataLoader(data, batch_size=raw["batch_size"], drop_last=True,
                        sampler=DistributedSampler(data, num_replicas=world, rank=0))
    per_epoch = len(loader) // raw["gradient_accumulation_steps"]
    if raw.get("max_steps_per_epoch") is not None:
        per_epoch = min(per_epoch, raw["max_steps_per_epoch"])
    warmup = (raw.get("lr_scheduler") or {}).get("num_warmup_steps", 0)
    result = cli("steps", str(path), "--samples", str(n), "--world-size", str(world), "--json")
    assert result.exit_code == 0, result.stderr
    record = run_json(result.stdout)["plan"]
    assert (record["total_steps"], record["warmup_steps"]) == (raw["epochs"] * per_epoch, warmup)


def test_tp_typo_warns_and_fractional_tp_is_an_error(cli, tmp_path: Path) -> None:
    config = _config(tmp_path, 2, 1, 1, 2)
    config.write_text(config.read_text().replace("tensor_parallel_dim:", "tensor_paralel_dim:"))
    result = cli("steps", str(config), "--samples", "100")
    assert result.exit_code == 0 and "did you mean 'tensor_parallel_dim'" in result.stderr
    fractional = _config(tmp_path, 2, 1, 1, 2)
    fractional.write_text(fractional.read_text().replace("tensor_parallel_dim: 2", "tensor_parallel_dim: 1.5"))
    assert "tensor_parallel_dim must be a whole number" in assert_one_error_line(
        cli("steps", str(fractional), "--samples", "100"))
