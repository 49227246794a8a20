"""sample_configs/ end to end: `lrcli steps CONFIG --json` and `lrcli plot CONFIG -o x.csv` against the goldens that
tools/gen_config_goldens.py computed with each framework's own code (transformers/TRL Trainer and get_scheduler,
LLaMA-Factory create_custom_scheduler, axolotl calculate_total_num_steps/_configure_warmup_and_logging/
create_scheduler, DeepSpeed lr_schedules.py with HF's "auto" filling, torchtune's DataLoader and cosine), and for
the Lightning samples real `main.py fit --config` LightningCLI runs (tools/gen_lightning_steps.py)."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, run_json

SAMPLES = Path(__file__).resolve().parents[1] / "sample_configs"


@cache
def goldens() -> list[dict[str, Any]]:
    lightning = json.loads((DATA / "lightning_golden.json").read_text())["configs"]  # tools/gen_lightning_steps.py
    return json.loads((DATA / "config_goldens.json").read_text())["cases"] + lightning


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['config']}-N{case['samples']}-w{case['world_size']}"


@pytest.mark.parametrize("case", goldens(), ids=_case_id)
def test_steps_json_matches_framework(cli, case: dict[str, Any]) -> None:
    result = cli("steps", str(SAMPLES / case["config"]), "--samples", str(case["samples"]),
                 "--world-size", str(case["world_size"]), "--json")
    assert result.exit_code == 0, result.stderr
    record = run_json(result.stdout)["plan"]
    assert (record["total_steps"], record["warmup_steps"]) == (case["total_steps"], case["warmup_steps"])


@pytest.mark.parametrize("case", goldens(), ids=_case_id)
def test_csv_curve_matches_framework(cli, case: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    result = cli("plot", str(SAMPLES / case["config"]), "--samples", str(case["samples"]),
                 "--world-size", str(case["world_size"]), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    got = [float(row["lr"]) for row in rows]
    expected = case["lr"]
    assert len(got) == len(expected)
    peak = max(expected)
    worst = max(abs(a - b) for a, b in zip(got, expected, strict=True))
    assert worst <= 1e-12 * peak, f"max |Δ| = {worst:.3e} (peak {peak})"
