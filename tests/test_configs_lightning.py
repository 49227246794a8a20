"""Lightning: lrcli's step counts, curves and LightningCLI config reading against REAL Lightning 2.6.6 runs.

tests/data/lightning_golden.json comes from tools/gen_lightning_steps.py: real `Trainer.fit` runs (one in eight a real
multi-process ddp_spawn run) recording the optimizer steps taken and the LR of every step, and real
`LightningCLI(run=False)` parses of config texts recording what the Trainer, optimizer and scheduler were built with.
"""

from __future__ import annotations

import inspect
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import DATA, assert_one_error_line, oracle_import, run_json

from lrcli.config import TrainConfig, resolve
from lrcli.curve import compute
from lrcli.dialects import detect, lightning, read_config
from lrcli.errors import LrcliError
from lrcli.inputs.files import load_mapping
from lrcli.schedules import evaluate, get_schedule
from lrcli.steps import plan_steps

SAMPLES = Path(__file__).resolve().parents[1] / "sample_configs"


@cache
def golden() -> dict[str, Any]:
    return json.loads((DATA / "lightning_golden.json").read_text())


def _fit_config(case: dict[str, Any]) -> TrainConfig:
    spec = case["spec"]
    options: dict[str, Any] = {"use_distributed_sampler": case["use_distributed_sampler"]}
    if case["limit_train_batches"] is not None:
        options["limit_train_batches"] = case["limit_train_batches"]
    values: dict[str, Any] = {
        "framework": "lightning", "learning_rate": spec["lr"], "dataset_size": case["samples"],
        "per_device_train_batch_size": case["batch"], "dataloader_drop_last": case["drop_last"],
        "gradient_accumulation_steps": case["accumulate_grad_batches"], "world_size": case["world_size"],
        "max_steps": case["max_steps"], "lr_scheduler_type": spec["scheduler"] or "constant",
        "lr_scheduler_kwargs": spec["init_args"], "step_unit": spec["interval"],
    }  # fmt: skip
    if case["max_epochs"] == -1:
        options["max_epochs"] = -1
    elif case["max_epochs"] is not None:
        values["num_train_epochs"] = case["max_epochs"]
    values["trainer_options"] = options
    return resolve([(values, "golden case")])


def _fit_id(case: dict[str, Any]) -> str:
    spec = case["spec"]
    return (f"N{case['samples']}-b{case['batch']}-A{case['accumulate_grad_batches']}-w{case['world_size']}-"
            f"E{case['max_epochs']}-S{case['max_steps']}-lim{case['limit_train_batches']}-{spec['scheduler']}-"
            f"{spec['interval']}")


def test_the_golden_covers_the_cases_that_matter() -> None:
    fits = golden()["fits"]
    assert len(fits) >= 100
    ran = [case for case in fits if "error" not in case]
    multi = [case for case in ran if case["world_size"] > 1 and case["use_distributed_sampler"]]
    assert len(multi) >= 8  # real multi-process runs
    assert any(-(-case["samples"] // case["world_size"]) // case["batch"] < case["num_training_batches"]
               for case in multi)  # the DistributedSampler's padding adds a batch
    assert any(case["accumulate_grad_batches"] > 1 and case["num_training_batches"] % case["accumulate_grad_batches"]
               for case in ran)  # a partial last accumulation window
    assert any(case["max_epochs"] is None and case["max_steps"] == -1 for case in ran)  # the 1000-epoch default
    assert {type(case["limit_train_batches"]) for case in ran} >= {int, float}
    assert {case["spec"]["interval"] for case in ran} == {"step", "epoch"}


@pytest.mark.parametrize("case", golden()["fits"], ids=_fit_id)
def test_steps_and_curve_match_a_real_lightning_fit(case: dict[str, Any]) -> None:
    check_fit(case)


def check_fit(case: dict[str, Any]) -> None:
    """lrcli's T and curve for one recorded Lightning fit (golden here, live in tests/test_lightning_oracle.py)."""
    config = _fit_config(case)
    if "error" in case or case["optimizer_steps"] == 0:
        # Lightning refused the run (limit_train_batches below one batch, …) or had no batch to train on: no curve
        with pytest.raises(LrcliError):
            compute(config)
        return
    plan = plan_steps(config)
    assert plan.total == case["optimizer_steps"] == case["estimated_stepping_batches"]
    curve = compute(config)
    expected = np.array(case["lr"])
    assert curve.lr.shape == expected.shape
    peak = float(np.max(np.abs(expected)))
    worst = float(np.max(np.abs(curve.lr - expected)))
    assert worst <= 1e-12 * peak, f"max |Δ| = {worst:.3e} (peak {peak})"


def _read(text: str, tmp_path: Path) -> TrainConfig:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    reading = read_config(load_mapping(path), path)
    return resolve(reading.layers())


@pytest.mark.parametrize("case", golden()["cli"], ids=lambda case: case["name"])
def test_lightningcli_config_reads_as_lightning_builds_it(case: dict[str, Any], tmp_path: Path) -> None:
    check_cli_case(case, tmp_path)


def check_cli_case(case: dict[str, Any], tmp_path: Path) -> None:
    """lrcli's reading of one config text against what LightningCLI built from it."""
    raw = yaml.safe_load(case["yaml"])
    assert detect(raw, Path("config.yaml")) == "lightning"
    if "error" in case or case["model_configure_optimizers"]:
        # LightningCLI rejects the config, or leaves configure_optimizers (and so the LR) to the model's code
        with pytest.raises(LrcliError):
            _read(case["yaml"], tmp_path)
        return
    config = _read(case["yaml"], tmp_path)
    assert config.step_unit == (case.get("interval") or "epoch")
    assert config.world_size == case["world_size"]
    assert config.gradient_accumulation_steps == case["accumulate_grad_batches"]
    assert config.max_steps == case["max_steps"]
    assert config.per_device_train_batch_size == case["batch_size"]
    options = config.trainer_options
    if "limit_train_batches" in case:
        limit = options.get("limit_train_batches", 1.0)  # Lightning's default: every batch
        assert (limit, type(limit)) == (case["limit_train_batches"], type(case["limit_train_batches"]))
    if case["max_epochs"] is None:
        assert config.source("num_train_epochs") == "default" and "max_epochs" not in options
    elif case["max_epochs"] == -1:
        assert options["max_epochs"] == -1
    else:
        assert config.num_train_epochs == case["max_epochs"]
    if case["scheduler"] is None:
        assert config.lr_scheduler_type == "constant"
        assert config.learning_rate == case["lr"]
        return
    assert config.lr_scheduler_type == case["scheduler"]
    if case["scheduler"] == "ReduceLROnPlateau":
        assert (config.learning_rate, config.metric_name) == (case["lr"], case["monitor"])
        return
    expected = case["scheduler_lrs"]
    schedule = get_schedule(config.lr_scheduler_type)
    steps = np.arange(len(expected), dtype=np.int64)
    got = evaluate(schedule, steps, lr=config.learning_rate, warmup=0, total=len(expected) - 1,
                   kwargs=dict(config.lr_scheduler_kwargs))
    assert np.max(np.abs(got - np.array(expected))) <= 1e-12 * max(expected)


def test_optimizer_lr_defaults_are_torchs() -> None:
    """Every optimizer torch.optim exports, with the lr default its signature has (2.13.0 and 2.15.0 agree)."""
    torch = oracle_import("torch")
    exported = {name for name in torch.optim.__all__ if isinstance(getattr(torch.optim, name), type)
                and issubclass(getattr(torch.optim, name), torch.optim.Optimizer) and name != "Optimizer"}
    assert set(lightning.OPTIMIZER_LR_DEFAULTS) == exported
    for name, lr in lightning.OPTIMIZER_LR_DEFAULTS.items():
        assert inspect.signature(getattr(torch.optim, name)).parameters["lr"].default == lr, name


def test_required_scheduler_arguments_are_torchs() -> None:
    torch = oracle_import("torch")
    for name, required in lightning.REQUIRED_ARGS.items():
        parameters = inspect.signature(getattr(torch.optim.lr_scheduler, name)).parameters
        no_default = tuple(p for p, v in parameters.items() if v.default is inspect.Parameter.empty and p != "optimizer")
        assert no_default == required, name
    for name, defaults in lightning.TORCH_DEFAULTS.items():
        parameters = inspect.signature(getattr(torch.optim.lr_scheduler, name)).parameters
        assert {key: parameters[key].default for key in defaults} == defaults


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_file() and not p.name.startswith("lightning")
                                         and p.suffix in (".yaml", ".yml", ".json")))  # launch scripts are no mapping
def test_other_sample_configs_are_not_claimed(name: str) -> None:
    assert lightning.claims(load_mapping(SAMPLES / name)) == 0


def _variant_of_sample(tmp_path: Path, name: str, change: Any) -> Path:
    raw = yaml.safe_load((SAMPLES / "lightning_steplr.yaml").read_text())
    change(raw)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _total(cli, *args: str) -> int:
    result = cli("steps", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)["plan"]["total_steps"]


def test_missing_batch_size_names_the_flag(cli, tmp_path: Path) -> None:
    no_batch = _variant_of_sample(tmp_path, "no_batch", lambda raw: raw["data"]["init_args"].pop("batch_size"))
    line = assert_one_error_line(cli("steps", str(no_batch), "--samples", "1000"))
    assert "--batch" in line
    batch_10 = _variant_of_sample(tmp_path, "batch_10", lambda raw: raw["data"]["init_args"].update(batch_size=10))
    assert _total(cli, str(no_batch), "--samples", "1000", "--batch", "10") == _total(cli, str(batch_10), "--samples",
                                                                                        "1000")


def test_devices_auto_on_gpu_warns_and_takes_world_size_flag(cli, tmp_path: Path) -> None:
    auto = _variant_of_sample(tmp_path, "auto", lambda raw: raw["trainer"].update(devices="auto"))
    four = _variant_of_sample(tmp_path, "four", lambda raw: raw["trainer"].update(devices=4))
    result = cli("steps", str(auto), "--samples", "1000", "--json")
    assert result.exit_code == 0 and "--world-size" in result.stderr
    result = cli("steps", str(auto), "--samples", "1000", "--world-size", "4", "--json")
    assert result.exit_code == 0 and "--world-size" not in result.stderr
    assert run_json(result.stdout)["plan"]["total_steps"] == _total(cli, str(four), "--samples", "1000")
    assert _total(cli, str(four), "--samples", "1000") != _total(cli, str(auto), "--samples", "1000")


def test_epoch_interval_needs_steps_per_epoch(cli) -> None:
    line = assert_one_error_line(cli("plot", str(SAMPLES / "lightning_steplr.yaml"), "--total-steps", "100", "-o", "-"))
    assert "per epoch" in line
