"""Reading an evaluation history: trainer_state.json log_history and CSV (HF-style and Lightning CSVLogger)."""

from __future__ import annotations

import json
import math

import pytest
from conftest import DATA

from lrcli.errors import LrcliError
from lrcli.metrics import load_metrics


def test_trainer_state_reads_only_eval_entries():
    history = load_metrics(str(DATA / "trainer_state_plateau.json"))
    raw = json.loads((DATA / "trainer_state_plateau.json").read_text())["log_history"]
    evals = [(e["step"], e["eval_loss"]) for e in raw if "eval_loss" in e]
    assert history.name == "eval_loss"
    assert list(zip(history.steps, history.values, strict=True)) == evals
    assert len(evals) < len(raw)  # train-loss entries are skipped


def test_metric_name_gets_hfs_eval_prefix(tmp_path):
    path = tmp_path / "trainer_state.json"
    log = [{"eval_loss": 1.0, "eval_accuracy": 0.5, "step": 10}, {"eval_loss": 0.9, "eval_accuracy": 0.6, "step": 20}]
    path.write_text(json.dumps({"log_history": log}))
    assert load_metrics(str(path), "accuracy").values == (0.5, 0.6)  # metric_for_best_model="accuracy"
    assert load_metrics(str(path)).values == (1.0, 0.9)
    with pytest.raises(LrcliError, match="eval_accuracy, eval_loss"):
        load_metrics(str(path), "bleu")


def test_csv_with_one_metric_column_and_nan(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("step,my_metric\n5,0.5\n10,nan\n")
    history = load_metrics(str(path))
    assert history.steps == (5, 10) and history.values[0] == 0.5 and math.isnan(history.values[1])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("epoch,loss\n1,0.5\n", "no 'step' column"),
        ("step,a,b\n1,0.5,0.6\n", "--metric"),
        ("step,eval_loss\n10,0.5\n5,0.4\n", "step order"),
        ("step,eval_loss\n1.5,0.5\n", "whole number"),
        ("step,eval_loss\n1,abc\n", "not a number"),
        ("step,eval_loss\n", "no eval_loss values"),
    ],
)
def test_bad_csv_is_refused(tmp_path, text, fragment):
    path = tmp_path / "m.csv"
    path.write_text(text)
    with pytest.raises(LrcliError, match=fragment):
        load_metrics(str(path))


def test_json_without_log_history_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    with pytest.raises(LrcliError, match="log_history"):
        load_metrics(str(path))
