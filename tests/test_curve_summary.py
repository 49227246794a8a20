"""compare's per-curve table (stderr) and the JSON `curve.summary`: T, W, the peak LR and its step, the final LR, the
mean and the sum of the LR over the T updates, the updates at ≥ 90 % of the peak, checked against the values the
real transformers scheduler gives update by update."""

from __future__ import annotations

import json
import math

import pytest
from conftest import oracle_import


def _transformers_lrs(name: str, lr: float, warmup: int, total: int) -> list[float]:
    """The LR of each of the T updates and the LR after the last, as the Trainer's scheduler gives them."""
    torch = oracle_import("torch")
    transformers = oracle_import("transformers")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = transformers.get_scheduler(name, optimizer, num_warmup_steps=warmup, num_training_steps=total)
    values = []
    for _ in range(total + 1):
        values.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return values


@pytest.mark.oracle
def test_compare_summary_is_what_the_trainer_s_scheduler_runs(cli) -> None:
    total, warmup, lr = 97, 9, 3e-4
    result = cli("compare", "cosine", "linear", "--lr", repr(lr), "--total-steps", str(total), "--warmup-steps",
                 str(warmup), "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    table = result.stderr.splitlines()
    assert table[0].split() == ["curve", "T", "W", "peak", "LR", "at", "step", "final", "LR", "mean", "LR", "Σ", "LR",
                                "steps", "≥", "90%", "peak"]
    for run, line in zip(runs, table[1:3], strict=True):
        values = _transformers_lrs(run["label"], lr, warmup, total)
        used = values[:total]  # row T is the LR after the last update: no update uses it
        peak = max(values)
        expected = {
            "total_steps": total, "warmup_steps": warmup, "peak_lr": peak, "peak_step": values.index(peak),
            "final_lr": values[-1], "mean_lr": math.fsum(used) / total, "lr_sum": math.fsum(used),
            "steps_near_peak": sum(value >= 0.9 * peak for value in used),
        }
        summary = run["curve"]["summary"]
        for key, value in expected.items():
            assert summary[key] == pytest.approx(value, rel=1e-12, abs=1e-12 * peak), key
        cells = line.split()
        assert cells[0] == run["label"] and cells[1:3] == [str(total), str(warmup)]
        assert [float(cell) for cell in cells[3:8]] == pytest.approx(
            [peak, values.index(peak), values[-1], expected["mean_lr"], expected["lr_sum"]], rel=1e-5)
        assert int(cells[8]) == expected["steps_near_peak"]


def test_the_csv_stays_a_plain_table_and_the_summary_goes_to_stderr(cli, tmp_path) -> None:
    out = tmp_path / "c.csv"
    result = cli("compare", "cosine", "linear", "--total-steps", "50", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text().splitlines()[0] == "step,cosine,linear"
    assert len(out.read_text().splitlines()) == 52
    assert "mean LR and Σ LR are over the T updates" in result.stderr
