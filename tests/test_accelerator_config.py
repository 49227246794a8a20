"""`accelerator_config` (TrainingArguments → accelerate's DataLoaderConfiguration) in HF-family config files:
split_batches and even_batches change the per-process batches, checked against the real Trainer + accelerate."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import assert_one_error_line, oracle_import, run_json

pytestmark = pytest.mark.oracle

oracle_import("torch")
oracle_import("transformers")
oracle_import("accelerate")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from hf_steps_oracle import hf_steps  # noqa: E402

CASE = {"samples": 1003, "batch": 8, "grad_accum": 3, "epochs": 2.0, "world_size": 4, "drop_last": False,
        "max_steps": -1, "warmup_steps": 0.1}  # fmt: skip
FIELDS = ("total_steps", "warmup_steps", "update_steps_per_epoch", "num_train_epochs", "batches_per_epoch",
          "total_train_batch_size")  # fmt: skip


def _config(tmp_path: Path, accelerator_config: object) -> Path:
    path = tmp_path / "train.json"
    path.write_text(json.dumps({
        "output_dir": "out", "per_device_train_batch_size": CASE["batch"],
        "gradient_accumulation_steps": CASE["grad_accum"], "num_train_epochs": CASE["epochs"],
        "warmup_steps": CASE["warmup_steps"], "accelerator_config": accelerator_config,
    }))  # fmt: skip
    return path


def _steps(cli, path: Path) -> dict:
    result = cli("steps", str(path), "--samples", str(CASE["samples"]), "--world-size", str(CASE["world_size"]),
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)["plan"]


@pytest.mark.parametrize(
    "switches", [{"split_batches": True}, {"even_batches": False}, {"split_batches": True, "even_batches": False}, {}]
)
def test_switches_in_a_config_give_the_trainers_plan(cli, tmp_path, switches):
    expected = hf_steps(**CASE, **switches)
    got = _steps(cli, _config(tmp_path, {**switches, "dispatch_batches": None}))
    assert {f: got[f] for f in FIELDS} == {f: expected[f] for f in FIELDS}


def test_split_batches_changes_the_count():
    """The case is one where the switch matters, so the test above can tell a reading that ignores it."""
    assert hf_steps(**CASE, split_batches=True)["total_steps"] != hf_steps(**CASE)["total_steps"]


def test_json_string_and_file_forms_read_the_same(cli, tmp_path):
    as_mapping = _steps(cli, _config(tmp_path, {"split_batches": True}))
    as_string = _steps(cli, _config(tmp_path, json.dumps({"split_batches": True})))
    (tmp_path / "accel.json").write_text(json.dumps({"split_batches": True}))
    as_file = _steps(cli, _config(tmp_path, "accel.json"))
    assert as_mapping == as_string == as_file


def test_split_batches_needs_a_batch_the_processes_divide(cli, tmp_path):
    assert "error" in hf_steps(**{**CASE, "batch": 6}, split_batches=True)  # accelerate raises too
    path = _config(tmp_path, {"split_batches": True})
    path.write_text(path.read_text().replace('"per_device_train_batch_size": 8', '"per_device_train_batch_size": 6'))
    result = cli("steps", str(path), "--samples", "1003", "--world-size", "4")
    assert "multiple of the process count" in assert_one_error_line(result)


def test_unreadable_accelerator_config_is_one_error_line(cli, tmp_path):
    for bad in ("missing.json", "{not json", ["split_batches"]):
        result = cli("steps", str(_config(tmp_path, bad)), "--samples", "100")
        assert "accelerator_config" in assert_one_error_line(result)


@pytest.mark.parametrize(
    ("flags", "switches"),
    [(["--split-batches"], {"split_batches": True}), (["--no-even-batches"], {"even_batches": False})],
)
def test_flags_give_the_trainers_plan(cli, flags, switches):
    expected = hf_steps(**{**CASE, "samples": 1001}, **switches)  # 126 batches: 4 processes leave 2 over
    result = cli(
        "steps", "--samples", "1001", "--batch", str(CASE["batch"]), "--grad-accum", str(CASE["grad_accum"]),
        "--epochs", str(CASE["epochs"]), "--world-size", str(CASE["world_size"]),
        "--warmup-steps", str(CASE["warmup_steps"]), *flags, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    got = run_json(result.stdout)["plan"]
    assert {f: got[f] for f in FIELDS} == {f: expected[f] for f in FIELDS}
    assert "lrcli: warning: " + next(iter(switches)) in result.stderr
