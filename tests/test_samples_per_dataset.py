"""`--samples N1+N2+…`: one count per dataset. LLaMA-Factory's max_samples cuts each dataset before they are merged
and val_size split off (checked against its own loader code, tools/llamafactory_rows.py); every other planner uses
the sum."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from conftest import assert_one_error_line, framework_source, run_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]


def _lf_rows():
    sys.path.insert(0, str(ROOT / "tools"))
    import llamafactory_rows

    return llamafactory_rows.load(framework_source("llamafactory"))


def _lf_config(tmp_path: Path, datasets: int, **keys) -> Path:
    config = tmp_path / "lf.yaml"
    names = ",".join(f"d{i}" for i in range(datasets))
    config.write_text(yaml.safe_dump({"stage": "sft", "dataset": names, "num_train_epochs": 1.0,
                                      **{key: value for key, value in keys.items() if value is not None}}))
    return config


def _json(cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.oracle
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.integers(1, 3000), min_size=1, max_size=3),
       max_samples=st.none() | st.integers(1, 2000),
       val_size=st.sampled_from([0, 0.1, 0.25, 0.999, 1, 3, 40]))
def test_rows_match_llamafactorys_loader(cli, tmp_path: Path, counts, max_samples, val_size) -> None:
    """Cut each dataset, concatenate, then split: LLaMA-Factory 0.9.5's get_dataset, run on row counts."""
    rows = _lf_rows()
    try:
        expected = rows(counts, max_samples, val_size)
    except ValueError:
        expected = None  # datasets' train_test_split raises: no training rows left
    config = _lf_config(tmp_path, len(counts), max_samples=max_samples, val_size=val_size)
    result = cli("steps", str(config), "--samples", "+".join(map(str, counts)), "--batch", "1", "--json")
    if expected is None:
        assert_one_error_line(result)
        return
    assert result.exit_code == 0, result.stderr
    stages = run_json(result.stdout)["plan"]["stages"]
    batches = next(stage["value"] for stage in stages if stage["what"] == "batches per epoch B (all processes)")
    assert batches == expected  # b = 1, one process: B = the training rows


def test_one_total_is_refused_with_the_per_dataset_form(cli, tmp_path: Path) -> None:
    config = _lf_config(tmp_path, 2, max_samples=1000)
    message = assert_one_error_line(cli("steps", str(config), "--samples", "5500"))
    assert "EACH" in message and "--samples N1+N2" in message and "d0, d1" in message
    assert "2 datasets" in assert_one_error_line(cli("steps", str(config), "--samples", "5+6+7"))
    one = _lf_config(tmp_path, 1, max_samples=1000)
    assert "1 dataset" in assert_one_error_line(cli("steps", str(one), "--samples", "5+6"))


def test_interleaved_datasets_are_not_summed(cli, tmp_path: Path) -> None:
    config = _lf_config(tmp_path, 2, max_samples=1000, mix_strategy="interleave_under")
    assert "interleav" in assert_one_error_line(cli("steps", str(config), "--samples", "500+5000"))
    assert "interleav" in cli("steps", str(config), "--samples", "500").stderr  # a warning


@pytest.mark.parametrize("args", [[], ["sample_configs/axolotl_lora.yml"], ["sample_configs/trl_sft.yaml"]])
def test_other_planners_use_the_sum(cli, args: list[str]) -> None:
    args = [str(ROOT / arg) for arg in args]
    summed = _json(cli, "steps", *args, "--samples", "1500+3000+2")
    total = _json(cli, "steps", *args, "--samples", "4502")
    assert summed == total


def test_files_joined_by_plus_are_counted_each(cli, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"x": 1}\n{"x": 2}\n\n{"x": 3}\n')
    (tmp_path / "b.csv").write_text("x\n1\n2\n")
    (tmp_path / "c+d.json").write_text("[1, 2, 3, 4]")
    config = _lf_config(tmp_path, 2, max_samples=1000)  # a cap above every count, so it cannot hide a miscount
    files = _json(cli, "steps", str(config), "--samples", f"{tmp_path / 'a.jsonl'}+{tmp_path / 'b.csv'}")
    assert files == _json(cli, "steps", str(config), "--samples", "3+2")
    assert _json(cli, "steps", "--samples", str(tmp_path / "c+d.json")) == _json(cli, "steps", "--samples", "4")


@pytest.mark.parametrize("value", ["500+", "+", "500++5", "5+abc", "5+0", "5+-3", "5+nope.jsonl", "5+2.5"])
def test_malformed_counts_are_one_line_errors(cli, value: str) -> None:
    message = assert_one_error_line(cli("steps", "--samples", value))
    assert message.startswith(f"lrcli: error: --samples {value}") or "nope.jsonl" in message


def test_exponents_are_not_split(cli) -> None:
    assert _json(cli, "steps", "--samples", "1e+3") == _json(cli, "steps", "--samples", "1000")
    assert _json(cli, "steps", "--samples", "1e+3+5") == _json(cli, "steps", "--samples", "1005")


def test_steps_help_shows_the_per_dataset_form(cli) -> None:
    result = cli("steps", "--help")
    assert result.exit_code == 0 and "N1+N2" in result.stdout
