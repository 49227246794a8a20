"""torchtitan 0.3's `--module M --config F` launch form, read from lrcli's table of the config_registry functions
torchtitan 0.3.0 ships. Every expected value comes from tests/data/torchtitan_registry_golden.json, which
tools/gen_torchtitan_registry.py writes by running those functions through torchtitan's own ConfigManager and
stepping torchtitan's own LRSchedulersContainer (the table lrcli ships is written by the same run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import DATA

from lrcli.config import resolve
from lrcli.curve import compute
from lrcli.dialects import read_config
from lrcli.dialects.torchtitan import registry
from lrcli.errors import LrcliError
from lrcli.inputs.files import load_mapping
from lrcli.steps import plan_steps

GOLDEN = json.loads((DATA / "torchtitan_registry_golden.json").read_text())
TABLE = registry()


def _script(tmp_path: Path, words: str, name: str = "run.sh") -> Path:
    script = tmp_path / name
    script.write_text('MODULE=${MODULE:-"llama3"}\n'
                      f"torchrun --nproc_per_node=8 --rdzv_backend c10d -m torchtitan.train {words}\n")
    return script


def _read(script: Path, trainer: str | None = None, arguments: tuple[str, ...] = ()):
    return read_config(load_mapping(script), script, trainer=trainer, arguments=arguments)


def _curve(reading) -> tuple[Any, Any, np.ndarray]:
    config = resolve(reading.layers())
    return config, plan_steps(config), compute(config).lr


def _catch_all_lr(entry: dict[str, Any]) -> float:
    return next(group["lr"] for group in entry["param_groups"] if group["pattern"] == ".*")


def test_table_and_golden_come_from_the_same_torchtitan_run():
    assert TABLE["torchtitan"] == GOLDEN["version"] == "0.3.0"
    assert set(GOLDEN["samples"]) == set(TABLE["configs"])
    assert len(TABLE["configs"]) >= 90 and not TABLE["skipped"]


@pytest.mark.parametrize("key", sorted(GOLDEN["samples"]))
def test_every_registry_config_gives_torchtitans_curve(key, tmp_path):
    """T, the LR and the curve at the sampled rows (the ends, warmup's end, the decay's start, random rows), for
    the catch-all param group's lr; every other group's lr follows the same factors (LambdaLR)."""
    module, _, function = key.partition(":")
    entry = TABLE["configs"][key]
    reading = _read(_script(tmp_path, f"--module {module} --config {function}"))
    config, plan, lr = _curve(reading)
    assert plan.total == entry["training"]["steps"]
    assert config.learning_rate == _catch_all_lr(entry)
    want = next(group for group in GOLDEN["samples"][key]["lrs"] if group["lr"] == config.learning_rate)["rows"]
    rows = sorted(int(step) for step in want)
    assert lr[rows].tolist() == [want[str(step)] for step in rows]
    assert (len({group["lr"] for group in entry["param_groups"]}) > 1) == any(
        "follow the same curve" in note for note in reading.notes)


@pytest.mark.parametrize("key", sorted(GOLDEN["curves"]))
def test_whole_curve_of_registry_configs(key, tmp_path):
    module, _, function = key.partition(":")
    script = _script(tmp_path, f'--module ${{NAME:-{module}}} --config="{function}"')
    config, plan, lr = _curve(_read(script))
    want = next(group for group in GOLDEN["curves"][key]["lrs"] if group["lr"] == config.learning_rate)["rows"]
    assert plan.total == len(want) - 1
    assert lr.tolist() == want


@pytest.mark.parametrize("case", GOLDEN["overrides"], ids=lambda case: case["config"])
@pytest.mark.parametrize("where", ["script", "after --"])
def test_overrides_on_top_of_the_registry_config(case, where, tmp_path):
    """`--section.key value` after `--module/--config`, in the launch script or after lrcli's `--`: the values
    torchtitan's ConfigManager parses, and the curve its scheduler gives."""
    base = f"--module {case['module']} --config {case['config']}"
    if where == "script":
        reading = _read(_script(tmp_path, f"{base} {' '.join(case['arguments'])}"))
    else:
        reading = _read(_script(tmp_path, base), arguments=tuple(case["arguments"]))
    config, plan, lr = _curve(reading)
    values = case["values"]
    assert plan.total == values["training"]["steps"]
    scheduler = values["lr_scheduler"]
    assert config.warmup_steps == scheduler["warmup_steps"]
    kwargs = config.lr_scheduler_kwargs
    assert kwargs.get("decay_ratio") == scheduler["decay_ratio"]
    assert kwargs.get("total_steps") == scheduler["total_steps"]
    assert kwargs["decay_type"] == scheduler["decay_type"] and kwargs["min_lr_factor"] == scheduler["min_lr_factor"]
    batch = values["training"]["global_batch_size"]
    assert config.global_batch_size == (batch if batch > 0 else None)
    want = next(group for group in case["curve"]["lrs"] if group["lr"] == config.learning_rate)["rows"]
    assert lr.tolist() == want


def test_release_is_named(tmp_path):
    reading = _read(_script(tmp_path, "--module llama3 --config llama3_8b"))
    config = resolve(reading.layers())
    assert config.trainer_options == {"torchtitan": "0.3.0"}
    assert "torchtitan 0.3.0 config_registry llama3:llama3_8b" in str(reading.sources["learning_rate"])


@pytest.mark.parametrize(("words", "trainer", "needle"), [
    ("--module llama3 --config llama3_9b", None, "has no function llama3_9b; its configs: llama3_405b, llama3_70b"),
    ("--module llama4 --config llama4_8b", None, "torchtitan's own modules: deepseek_v3, flux"),
    ("--module ./my_configs.py --config mine", None, "is a Python file torchtitan 0.3.0 does not ship; lrcli does "
                                                    "not run Python config code"),
    ("--module my_pkg.configs --config mine", None, "a TOML file with [training] steps"),
    ("--module rl --config rl_grpo", None, "could not be imported to tabulate it"),
    ("--module llama3", None, "needs both --module and --config"),
    ("--module $1 --config llama3_8b", None, "is only known to the running shell"),
    ("--module llama3 --config llama3_8b", "torchtitan@0.2.2", "is torchtitan 0.3's form"),
    ("--module llama3 --config llama3_8b --optimizer.lr 1e-3", None, "has no optimizer.lr"),
    ("--module llama3 --config llama3_8b --lr_scheduler.lr_min 0.1", None, "has no lr_scheduler.lr_min"),
])
def test_refusals_are_one_line(words, trainer, needle, tmp_path):
    with pytest.raises(LrcliError) as error:
        _read(_script(tmp_path, words), trainer=trainer)
    message = str(error.value)
    assert needle in message and "\n" not in message


def test_fully_qualified_module_is_the_same_config(tmp_path):
    short = resolve(_read(_script(tmp_path, "--module qwen3 --config qwen3_14b")).layers())
    full = resolve(_read(_script(tmp_path, "--module torchtitan.models.qwen3.config_registry --config qwen3_14b",
                                 "full.sh")).layers())
    assert (short.max_steps, short.learning_rate, short.warmup_steps) == (full.max_steps, full.learning_rate,
                                                                         full.warmup_steps)


def test_cli_plots_a_registry_launch(cli, tmp_path):
    script = _script(tmp_path, "--module deepseek_v3 --config deepseek_v3_16b")
    result = cli("steps", str(script))
    assert result.exit_code == 0, result.stderr
    steps = TABLE["configs"]["deepseek_v3:deepseek_v3_16b"]["training"]["steps"]
    assert f"T = {steps} " in result.stdout


def test_sample_launch_script_gives_torchtitans_curve():
    """sample_configs/torchtitan_0_3_llama3_8b.sh: llama3_8b with its overrides, as torchtitan's ConfigManager
    parses the same command line (the golden's last override case) and its scheduler steps it."""
    sample = Path(__file__).resolve().parents[1] / "sample_configs" / "torchtitan_0_3_llama3_8b.sh"
    case = GOLDEN["overrides"][-1]
    assert (case["module"], case["config"]) == ("llama3", "llama3_8b")
    config, plan, lr = _curve(_read(sample))
    assert plan.total == case["values"]["training"]["steps"] == 3000
    assert lr.tolist() == case["curve"]["lrs"][0]["rows"]
