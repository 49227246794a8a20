"""`lrcli overlay`: logs written by the real frameworks (tests/data/overlay, tools/gen_overlay_logs.py) held against
lrcli's curve, each diagnosed with the cause the generator built into it; a live HF Trainer run (oracle); the
diagnosis on generated shapes (hypothesis); bad input."""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import assert_one_error_line, oracle_import
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.config import Layer, resolve
from lrcli.curve import compute
from lrcli.diagnosis import diagnose
from lrcli.errors import LrcliError
from lrcli.logs import LoggedSeries, read_log
from lrcli.logs.hf_state import hf_rule

DATA = Path(__file__).parent / "data" / "overlay"
TOOLS = Path(__file__).parents[1] / "tools"


def _one(pattern: str) -> str:
    found = sorted(DATA.glob(pattern))
    assert len(found) == 1, (pattern, found)
    return str(found[0])


def _case(name: str) -> tuple[str, str]:
    return str(DATA / name / "run"), str(DATA / name / "config.yaml")


# (log, config, extra flags, cause, exit code): every log here was written by the framework named in its case.json.
CASES = {
    "hf-agree": (*_case("hf-agree"), [], "agree", 0),
    "hf-agree-tensorboard": (_one("hf-agree/run/runs/*/events.out.tfevents.*"), _case("hf-agree")[1], [], "agree", 0),
    "hf-grad-accum": (*_case("hf-grad-accum"), [], "stretched", 1),
    "hf-grad-accum-tensorboard": (_one("hf-grad-accum/run/runs/*/events.out.tfevents.*"), _case("hf-grad-accum")[1],
                                  [], "stretched", 1),  # fmt: skip
    "hf-world-size": (*_case("hf-world-size"), [], "stretched", 1),  # 2 processes (torchrun), the config says 1
    "hf-world-size-given": (*_case("hf-world-size"), ["--world-size", "2"], "agree", 0),
    "hf-resumed": (*_case("hf-resumed"), [], "resumed", 1),
    "hf-4.50-under-5.24-rule": (*_case("hf-4.50"), [], "off-by-one", 1),
    "hf-4.50-under-4.50.3-rule": (*_case("hf-4.50"), ["--transformers-version", "4.50.3"], "agree", 0),
    "hf-5.24-under-4.50.3-rule": (*_case("hf-agree"), ["--transformers-version", "4.50.3"], "off-by-one", 1),
    "hf-deepspeed": (*_case("hf-deepspeed"), [], "different-family", 1),
    "hf-deepspeed-with-its-file": (_case("hf-deepspeed")[0], str(DATA / "hf-deepspeed" / "config_with_deepspeed.yaml"),
                                   [], "agree", 0),  # fmt: skip
    "llamafactory-grad-accum": (*_case("llamafactory-grad-accum"), [], "stretched", 1),
    "torchtune-agree": (*_case("torchtune-agree"), [], "agree", 0),
    "lightning-step-csv": (_one("lightning-step/run/csv/*/metrics.csv"), _case("lightning-step")[1],
                           ["--step-unit", "step"], "agree", 0),  # fmt: skip
    "lightning-step-tensorboard": (_one("lightning-step/run/tb/*/events.out.tfevents.*"), _case("lightning-step")[1],
                                   ["--step-unit", "step"], "agree", 0),  # fmt: skip
    "lightning-step-as-epoch": (_one("lightning-step/run/csv/*/metrics.csv"), _case("lightning-step")[1], [],
                                "step-unit", 1),  # fmt: skip
    "lightning-epoch-csv": (_one("lightning-epoch/run/csv/*/metrics.csv"), _case("lightning-epoch")[1], [], "agree", 0),
    "lightning-epoch-tensorboard": (_one("lightning-epoch/run/tb/*/events.out.tfevents.*"), _case("lightning-epoch")[1],
                                    [], "agree", 0),  # fmt: skip
    # One real run with GA 2 and learning_rate 5e-4 (case.json), its config saying GA 1 and 1e-3: two causes at once,
    # the same verdict from each of the three loggers the Trainer wrote; against the settings it ran with, agree.
    "hf-combined": (*_case("hf-combined"), [], "stretched+scaled", 1),
    "hf-combined-tensorboard": (_one("hf-combined/run/runs/*/events.out.tfevents.*"), _case("hf-combined")[1], [],
                                "stretched+scaled", 1),  # fmt: skip
    "hf-combined-wandb-dir": (str(DATA / "hf-combined" / "run" / "wandb"), _case("hf-combined")[1], [],
                              "stretched+scaled", 1),  # fmt: skip
    "hf-combined-wandb-file": (_one("hf-combined/run/wandb/*/run-*.wandb"), _case("hf-combined")[1], [],
                               "stretched+scaled", 1),  # fmt: skip
    "hf-combined-wandb-run": (_one("hf-combined/run/wandb/offline-run-*"), _case("hf-combined")[1], [],
                              "stretched+scaled", 1),  # fmt: skip
    "hf-combined-wandb-as-run": (str(DATA / "hf-combined" / "run" / "wandb"),
                                 str(DATA / "hf-combined" / "config_as_run.yaml"), [], "agree", 0),  # fmt: skip
}


def _report(cli, log: str, config: str | None, *flags: str) -> tuple[int, dict]:
    args = ["overlay", log] + ([config] if config else []) + ["--samples", "256", "--format", "json", *flags]
    result = cli(*args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_logs_get_their_cause(cli, name):
    log, config, flags, cause, code = CASES[name]
    exit_code, report = _report(cli, log, config, *flags)
    assert (report["cause"], exit_code) == (cause, code), report["summary"]
    assert report["points_compared"] == len(report["log"]["steps"]) and report["points_beyond_curve"] == 0
    if cause == "agree":
        assert report["first_step_beyond_tolerance"] is None
        # float64 logs are bit-identical to lrcli's curve; float32 ones within their rounding
        assert report["max_rel_diff"] <= (1e-12 if report["log"]["precision"] == "float64" else 2**-23)
    else:
        assert report["first_step_beyond_tolerance"] is not None and report["max_rel_diff"] > 1e-6


def test_stretched_names_the_factor_and_the_settings(cli):
    _, report = _report(cli, *_case("hf-grad-accum"))
    ran = json.loads((DATA / "hf-grad-accum" / "case.json").read_text())["ran"]
    assert report["facts"]["factor"] == 2 and report["facts"]["logged_total"] == 96
    assert f"gradient accumulation {ran['gradient_accumulation_steps']} instead of 1" in report["facts"]["settings"]
    assert "world size 2 instead of 1" in report["facts"]["settings"]


def test_resumed_shows_both_plans_and_the_jump(cli):
    _, report = _report(cli, *_case("hf-resumed"))
    # The first run (2 epochs: T = 128) saved checkpoint-52; the resumed one has 3 epochs (T = 192). Update 53 still
    # runs at the LR the checkpoint's optimizer holds (the first plan's row 52), the new plan's from update 54.
    assert report["facts"] == {"jump_step": 54, "before_total": 128, "after_total": 192}
    assert [p["total_steps"] for p in report["explained_by"]] == [128, 192]


def test_combined_names_both_parts_with_their_numbers(cli):
    _, report = _report(cli, *_case("hf-combined"))
    ran = json.loads((DATA / "hf-combined" / "case.json").read_text())["ran"]
    config = yaml.safe_load((DATA / "hf-combined" / "config.yaml").read_text())
    factor = ran["gradient_accumulation_steps"] / config["gradient_accumulation_steps"]
    scale = ran["learning_rate"] / config["learning_rate"]
    assert report["facts"]["factor"] == factor and report["facts"]["scale"] == pytest.approx(scale, rel=1e-12)
    assert f"gradient accumulation {ran['gradient_accumulation_steps']} instead of 1" in report["facts"]["settings"]
    assert f"stretched ×{factor:g}" in report["summary"] and f"scaled ×{scale:g}" in report["summary"]
    assert f"learning_rate {ran['learning_rate']:g} instead of {config['learning_rate']:g}" in report["summary"]
    assert [p["total_steps"] for p in report["explained_by"]] == [report["facts"]["logged_total"]]


def test_wandb_run_keeps_the_lr_exactly_and_records_its_settings(cli):
    """W&B keeps each logged value as JSON text (Python's repr): the run's LRs are bit-identical to lrcli's curve for
    the settings it ran with; without a config, the TrainingArguments the run recorded give that curve."""
    run = str(DATA / "hf-combined" / "run" / "wandb")
    code, report = _report(cli, run, str(DATA / "hf-combined" / "config_as_run.yaml"))
    assert (code, report["max_rel_diff"], report["log"]["precision"]) == (0, 0.0, "float64")
    code, report = _report(cli, run, None)
    ran = json.loads((DATA / "hf-combined" / "case.json").read_text())["ran"]
    assert code == 0 and report["expected"]["peak_lr"] == ran["learning_rate"]
    recorded = report["log"]["recorded"]
    assert {k: recorded[k] for k in ran if k in recorded} == {k: v for k, v in ran.items() if k in recorded}
    assert recorded["transformers_version"] == json.loads((DATA / "hf-combined" / "case.json").read_text())["transformers"]


def test_wandb_run_logging_rule_is_the_version_it_recorded(cli):
    """trainer_state.json does not say which transformers wrote it (--transformers-version picks the rule); a W&B
    run does, and its version's rule applies whatever --transformers-version says."""
    as_run = str(DATA / "hf-combined" / "config_as_run.yaml")
    _, report = _report(cli, str(DATA / "hf-combined" / "run" / "wandb"), as_run, "--transformers-version", "4.50.3")
    assert report["cause"] == "agree" and "the version the W&B run recorded" in report["log"]["rule"]
    _, report = _report(cli, str(DATA / "hf-combined" / "run"), as_run, "--transformers-version", "4.50.3")
    assert report["cause"] == "off-by-one"


def test_wandb_run_file_cut_short(cli, tmp_path):
    """A run still writing its .wandb file: the complete records are read, a warning says the rest is not."""
    whole = Path(CASES["hf-combined-wandb-file"][0]).read_bytes()
    cut = tmp_path / "run-cut.wandb"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    result = cli("overlay", str(cut), str(DATA / "hf-combined" / "config_as_run.yaml"), "--samples", "256",
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["cause"] == "agree" and 0 < report["points_compared"] < 96 and "ends inside a record" in result.stderr
    cut.write_bytes(b":W&B\x00\x00\x00" + whole[7:100])
    assert "not a W&B run file" in assert_one_error_line(cli("overlay", str(cut), "--total-steps", "9"))


def test_wandb_missing_is_a_clear_message(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb.proto.wandb_internal_pb2", None)  # import fails as when absent
    line = assert_one_error_line(cli("overlay", CASES["hf-combined-wandb-file"][0], "--total-steps", "96"))
    assert "pip install 'lrcli[wandb]'" in line


# ------------------------------------------------------------------------- real W&B CSV files (tests/data/overlay/wandb)


def _csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The file as Python's csv module reads it: the independent reading the expected values come from."""
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_real_wandb_chart_export_runs_and_bands():
    """A W&B chart export (two runs, `<run> - <metric>` with __MIN/__MAX): each run's series is what the file holds
    for it, steps W&B left out stay out; with several runs lrcli asks which one."""
    path = DATA / "wandb" / "wandb_export_two_runs_head.csv"
    columns, rows = _csv_rows(path)
    runs = [c.rsplit(" - ", 1)[0] for c in columns[1:] if not c.endswith(("__MIN", "__MAX"))]
    assert len(runs) == 2
    for run in runs:
        series = read_log(str(path), transformers_version="5.25", lr_column="train/loss", run=run)
        cells = [(int(r[columns[0]]), float(r[f"{run} - train/loss"])) for r in rows if r[f"{run} - train/loss"]]
        assert list(zip(series.steps, series.lrs, strict=True)) == cells and series.notes  # the note: Step is W&B's _step
    with pytest.raises(LrcliError, match="holds 2 runs") as error:
        read_log(str(path), transformers_version="5.25", lr_column="train/loss")
    assert all(run in str(error.value) for run in runs)
    with pytest.raises(LrcliError, match="no run"):
        read_log(str(path), transformers_version="5.25", lr_column="train/loss", run="nope")
    with pytest.raises(LrcliError, match="without a learning-rate metric"):
        read_log(str(path), transformers_version="5.25")


def test_real_wandb_chart_export_cli_names_run(cli):
    path = str(DATA / "wandb" / "wandb_export_two_runs_head.csv")
    assert "--run NAME" in assert_one_error_line(cli("overlay", path, "--lr-column", "train/loss", "--total-steps", "40"))


def test_real_wandb_history_csv_takes_the_runs_own_step():
    """W&B's history through its API: `lr` logged every 250 iterations, at nanoGPT's own `iter`; `_step` (W&B's
    count of wandb.log calls, 26 per 250 iterations here) is not the optimizer step and is not taken."""
    path = DATA / "wandb" / "nanogpt_baseline_history.csv"
    _, rows = _csv_rows(path)
    series = read_log(str(path), transformers_version="5.25")
    expected = [(int(float(r["iter"])), float(r["lr"])) for r in rows if r["lr"]]
    assert list(zip(series.steps, series.lrs, strict=True)) == expected and series.precision == "float64"
    assert [int(r["_step"]) for r in rows if r["lr"]] != list(series.steps)


def test_logging_rule_changed_in_4_51_0():
    """transformers' trainer.py: ≥ 4.51.0 reads the LR before lr_scheduler.step() (row g − 1), ≤ 4.50.3 after it."""
    assert hf_rule("4.50.3")[0] == 0 and hf_rule("4.51.0")[0] == 1 and hf_rule("5.24")[0] == 1


def test_output_directory_uses_the_latest_checkpoint(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(DATA / "hf-resumed" / "run", run)
    (run / "trainer_state.json").unlink()  # no save_state(): the latest checkpoint's state is the log
    series = read_log(str(run), transformers_version="5.24")
    assert series.source.endswith("checkpoint-192/trainer_state.json") and series.steps[-1] == 192
    assert read_log(str(run / "checkpoint-52"), transformers_version="5.24").steps[-1] == 52


def test_without_config_the_log_gives_t(cli):
    """trainer_state.json records max_steps: with the schedule from flags, T comes from the log."""
    log, _ = _case("hf-grad-accum")
    result = cli("overlay", log, "--schedule", "cosine", "--lr", "1e-3", "--warmup-steps", "10", "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["expected"]["total_steps"] == 96 and report["cause"] == "agree"


def test_text_report_and_plot(cli, tmp_path):
    out = tmp_path / "o.png"
    result = cli("overlay", *_case("hf-resumed"), "--samples", "256", "-o", str(out))
    assert result.exit_code == 1
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = result.stderr.splitlines()
    assert any(line.startswith("differ: resumed with a different plan") for line in lines), result.stderr
    assert any("first beyond tolerance" in line and "step 12" in line for line in lines)
    assert result.stdout == ""


def test_plot_overlay_is_overlay(cli, tmp_path):
    log, config = _case("hf-agree")
    out = tmp_path / "p.svg"
    result = cli("plot", config, "--overlay", log, "--samples", "256", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text().lstrip().startswith("<?xml") and "agree: " in result.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["overlay", "/nonexistent/trainer_state.json"], "does not exist"),
        (["overlay", str(DATA / "hf-agree" / "config.yaml")], "not a training log"),
        (["overlay", str(DATA / "hf-agree" / "case.json")], "log_history"),
        (["overlay", str(DATA / "hf-agree" / "run"), "--format", "csv"], "--format"),
        (["overlay", str(DATA / "hf-agree" / "run"), "-o", "x.csv"], ".png"),
    ],
)
def test_bad_input_is_one_error_line(cli, args, words):
    assert words in assert_one_error_line(cli(*args))


def test_csv_columns(cli, tmp_path):
    table = tmp_path / "log.csv"
    table.write_text("step,loss,lr_a,lr_b\n0,1,0.1,0.2\n1,1,0.1,0.2\n")
    assert "--lr-column" in assert_one_error_line(cli("overlay", str(table), "--total-steps", "3"))
    result = cli("overlay", str(table), "--total-steps", "3", "--schedule", "constant", "--lr", "0.2",
                 "--lr-column", "lr_b", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "nope" in assert_one_error_line(cli("overlay", str(table), "--total-steps", "3", "--lr-column", "nope"))


def test_tensorboard_file_cut_short(cli, tmp_path):
    """A run still writing its event file: the complete records are read, a warning says the rest is not."""
    whole = Path(CASES["hf-agree-tensorboard"][0]).read_bytes()
    cut = tmp_path / "events.out.tfevents.cut"
    cut.write_bytes(whole[: len(whole) - 7])
    result = cli("overlay", str(cut), _case("hf-agree")[1], "--samples", "256", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["cause"] == "agree" and "ends inside a record" in result.stderr
    cut.write_bytes(b"\x01" * 5)
    assert "not a TensorBoard event file" in assert_one_error_line(cli("overlay", str(cut), "--total-steps", "9"))


def test_tensorboard_missing_is_a_clear_message(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto.event_pb2", None)  # import fails as when absent
    line = assert_one_error_line(cli("overlay", CASES["hf-agree-tensorboard"][0], "--total-steps", "192"))
    assert "pip install 'lrcli[tensorboard]'" in line


# ----------------------------------------------------------------------------------------- the diagnosis, generated


def _config(**values):
    return resolve([Layer({"transformers_version": "5.24", **values}, "test")])


def _series(lr: np.ndarray, rows: np.ndarray, offset: int = 1) -> LoggedSeries:
    return LoggedSeries(tuple(int(r) + offset for r in rows), tuple(float(lr[r]) for r in rows), "gen", "HF test",
                        row_offset=offset)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(schedule=st.sampled_from(["linear", "cosine", "polynomial", "cosine_with_restarts"]),
       total=st.integers(40, 400), warmup=st.integers(1, 20), factor=st.sampled_from([2, 3, 4]),
       every=st.integers(1, 5))  # fmt: skip
def test_diagnosis_recognises_generated_shapes(schedule, total, warmup, factor, every):
    config = _config(lr_scheduler_type=schedule, learning_rate=3e-4, total_steps=total * factor, warmup_steps=warmup)
    curve = compute(config)

    def replan(**changes):
        return compute(replace(config, **changes))

    rows = np.arange(0, curve.plan.total, every)
    assert diagnose(curve, _series(curve.lr, rows), replan).cause == "agree"
    ahead = rows[rows < curve.plan.total] + 1  # at step g the LR after g steps (≤ 4.50.3), read under the 4.51 rule
    ahead_series = LoggedSeries(tuple(int(r) for r in ahead), tuple(float(curve.lr[r]) for r in ahead), "gen", "HF",
                                row_offset=1)  # fmt: skip
    assert diagnose(curve, ahead_series, replan).cause == "off-by-one"
    scaled = LoggedSeries(tuple(int(r) + 1 for r in rows), tuple(float(curve.lr[r]) * 8 for r in rows), "gen", "HF",
                          row_offset=1)  # fmt: skip
    assert diagnose(curve, scaled, replan).cause == "scaled"
    short = replan(total_steps=total)  # a run with `factor` times fewer steps (world size or GA × factor)
    verdict = diagnose(curve, _series(short.lr, np.arange(0, total, every)), replan)
    if np.array_equal(short.lr[: total // 2], curve.lr[: total // 2]):
        return  # e.g. warmup longer than the shorter run: the shapes coincide where logged  # pragma: no cover
    assert verdict.cause == "stretched" and verdict.facts["factor"] == factor


@settings(max_examples=12, deadline=None)
@given(schedule=st.sampled_from(["linear", "cosine", "polynomial", "cosine_with_restarts"]),
       total=st.integers(60, 240), warmup=st.integers(2, 20), factor=st.sampled_from([2, 3]),
       scale=st.sampled_from([0.5, 0.25, 3.0, 10.0]), shift=st.sampled_from([-1, 1]),
       jump=st.floats(0.2, 0.8))  # fmt: skip
def test_diagnosis_recognises_generated_combinations(schedule, total, warmup, factor, scale, shift, jump):
    """Two causes at once, each pair built from the real schedule: the pair is named (no single cause explains
    them), with both parts' numbers."""
    config = _config(lr_scheduler_type=schedule, learning_rate=3e-4, total_steps=total * factor, warmup_steps=warmup)
    curve = compute(config)

    def replan(**changes):
        return compute(replace(config, **changes))

    short = replan(total_steps=total)  # `factor` times fewer steps (world size or GA × factor)
    # Another learning_rate is a replan, not a product: polynomial's lr_end is absolute, so its curve is not ∝ lr.
    short_scaled = replan(total_steps=total, learning_rate=3e-4 * scale)
    rows = np.arange(0, total)
    verdict = diagnose(curve, _series(short_scaled.lr, rows), replan)
    assert (verdict.cause, verdict.facts["factor"], verdict.facts["scale"]) == ("stretched+scaled", factor,
                                                                                 pytest.approx(scale))  # fmt: skip
    moved = LoggedSeries(tuple(int(r) + 1 - shift for r in rows), tuple(float(short.lr[r]) for r in rows), "gen",
                         "HF test", row_offset=1)  # fmt: skip
    verdict = diagnose(curve, moved, replan)
    assert (verdict.cause, verdict.facts["factor"], verdict.facts["shift"]) == ("stretched+shifted", factor, shift)
    rows = np.arange(0, curve.plan.total)
    scaled = replan(learning_rate=3e-4 * scale)
    moved = LoggedSeries(tuple(int(r) + 1 - shift for r in rows), tuple(float(scaled.lr[r]) for r in rows),
                         "gen", "HF test", row_offset=1)  # fmt: skip
    verdict = diagnose(curve, moved, replan)
    assert (verdict.cause, verdict.facts["shift"], verdict.facts["scale"]) == ("scaled+shifted", shift,
                                                                               pytest.approx(scale))  # fmt: skip
    longer = replan(total_steps=curve.plan.total * 2, learning_rate=3e-4 * scale)  # resumed: 2 × T, another LR
    k = max(warmup + 2, int(curve.plan.total * jump))
    lrs = [float(curve.lr[r]) if r < k else float(longer.lr[r]) for r in rows]
    verdict = diagnose(curve, LoggedSeries(tuple(int(r) + 1 for r in rows), tuple(lrs), "gen", "HF test",
                                           row_offset=1), replan)  # fmt: skip
    assert verdict.cause == "resumed+scaled", verdict.summary
    assert (verdict.facts["jump_step"], verdict.facts["after_total"], verdict.facts["scale"]) == (
        k + 1, curve.plan.total * 2, pytest.approx(scale))


# ---------------------------------------------------------------------------------------------- live oracle


@pytest.mark.oracle
def test_live_hf_trainer_run(cli, tmp_path, monkeypatch):
    """A fresh real Trainer run (the installed transformers), every step logged to trainer_state.json and to an
    offline W&B run: both agree with lrcli's curve for its config, bit for bit; the same logs against a config with
    half the accumulation are stretched by 2, and with twice the learning_rate too, stretched and scaled (a constant
    tail cannot show a stretch: that schedule agrees with both T)."""
    oracle_import("transformers")
    wandb = oracle_import("wandb")
    monkeypatch.syspath_prepend(str(TOOLS))
    import gen_overlay_logs as gen

    rng = random.Random()
    schedule = rng.choice(["linear", "cosine", "polynomial", "constant_with_warmup", "cosine_with_restarts"])
    settings_ = {"learning_rate": rng.choice([1e-3, 3e-4, 2e-5]), "lr_scheduler_type": schedule,
                 "warmup_steps": rng.randint(0, 6), "num_train_epochs": rng.choice([1, 2]),
                 "per_device_train_batch_size": 8, "gradient_accumulation_steps": 2, "logging_steps": 1}  # fmt: skip
    monkeypatch.setattr(gen, "CONFIG", settings_)  # the generator's run, with this case's settings
    monkeypatch.setattr(gen, "SAMPLES", 160)
    for name, value in (("WANDB_MODE", "offline"), ("WANDB_DIR", str(tmp_path)), ("WANDB_SILENT", "true")):
        monkeypatch.setenv(name, value)
    run = gen._hf_run(tmp_path / "run", report_to=["wandb"])
    wandb.finish()
    config = tmp_path / "config.yaml"
    logs = (str(run), str(tmp_path / "wandb"))
    config.write_text(json.dumps(settings_))
    for log in logs:
        _, report = _report(cli, log, str(config), "--samples", "160")
        assert report["cause"] == "agree" and report["max_rel_diff"] == 0, (log, settings_, report["summary"])
    flat = schedule == "constant_with_warmup"  # after warmup every T gives the same LR: nothing tells T apart
    config.write_text(json.dumps(settings_ | {"gradient_accumulation_steps": 1}))
    _, report = _report(cli, logs[0], str(config), "--samples", "160")
    assert (report["cause"], report["facts"].get("factor")) == (("agree", None) if flat else ("stretched", 2)), (
        settings_, report["summary"])
    told = settings_ | {"gradient_accumulation_steps": 1, "learning_rate": settings_["learning_rate"] * 2}
    config.write_text(json.dumps(told))
    for log in logs:
        _, report = _report(cli, log, str(config), "--samples", "160")
        assert report["cause"] == ("scaled" if flat else "stretched+scaled"), (log, settings_, report["summary"])
        assert report["facts"]["scale"] == pytest.approx(0.5, rel=1e-12)
