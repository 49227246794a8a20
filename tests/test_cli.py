"""The command-line contract: outputs by suffix, streams, exit codes, one-line errors, no partial files."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_one_error_line, hf_golden, run_json

from lrcli.schedules import SCHEDULES

SAMPLES = Path(__file__).resolve().parents[1] / "sample_configs"

SEED = ["plot", "--schedule", "cosine", "--lr", "5e-6", "--total-steps", "1000", "--warmup-ratio", "0.1"]


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_seed_curve_rises_over_100_steps_then_cosines_to_zero(cli, tmp_path):
    out = tmp_path / "out.csv"
    result = cli(*SEED, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    lr = np.array([float(r[1]) for r in _csv(out.read_text())[1:]])
    golden = next(c for c in hf_golden()["cases"] if c["name"] == "cosine" and c["total"] == 1000 and c["kwargs"] == {})
    assert golden["warmup"] == 100
    # same schedule at lr 1e-3 from transformers, scaled: LambdaLR is lr * λ(s)
    assert np.max(np.abs(lr - np.array(golden["values"]) / 1e-3 * 5e-6)) <= 1e-12 * 5e-6
    assert "T=1000" in result.stderr and "warmup W=100" in result.stderr


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_binary_plots(cli, tmp_path, suffix, magic):
    out = tmp_path / f"lr{suffix}"
    result = cli(*SEED, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in result.stderr


def test_svg_has_one_line_per_curve(cli, tmp_path):
    out = tmp_path / "c.svg"
    result = cli(
        "compare", "cosine", "linear", "constant", "--total-steps", "50", "--warmup-steps", "5", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    root = ET.fromstring(out.read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    curves = [g for g in root.iter(f"{ns}g") if g.get("id", "").startswith("line2d")]
    assert len(curves) >= 3


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_plots_are_byte_for_byte_reproducible(cli, tmp_path, fmt):
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    assert cli(*SEED, "--log-y", "-o", str(first)).exit_code == 0
    assert cli(*SEED, "--log-y", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_csv_to_stdout_round_trips_exactly(cli):
    result = cli(
        "plot", "--schedule", "cosine_with_min_lr", "--kw", "min_lr_rate=0.1", "--total-steps", "20", "-o", "-"
    )
    assert result.exit_code == 0, result.stderr
    rows = _csv(result.stdout)
    assert rows[0] == ["step", "lr"] and len(rows) == 22
    for _, text in rows[1:]:
        assert repr(float(text)) == text


def test_json_has_plan_and_values(cli, tmp_path):
    out = tmp_path / "lr.json"
    result = cli(*SEED, "-o", str(out))
    assert result.exit_code == 0
    data = run_json(out.read_text())
    assert data["plan"]["total_steps"] == 1000 and data["plan"]["warmup_steps"] == 100
    assert data["scheduler"]["name"] == "cosine" and data["curve"]["summary"]["peak_lr"] == 5e-6
    assert len(data["curve"]["lr"]) == 1001 and data["curve"]["lr"][100] == 5e-6


def test_text_chart(cli):
    result = cli(*SEED, "--format", "txt", "-o", "-")
    assert result.exit_code == 0
    assert "T=1000 W=100" in result.stdout and "*" in result.stdout


def test_default_output_is_png_named_after_schedule(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli(*SEED)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "cosine.png").read_bytes().startswith(b"\x89PNG")
    assert result.stdout == ""


def test_compare_writes_a_column_per_schedule_with_per_schedule_kwargs(cli):
    result = cli(
        "compare",
        "cosine",
        "cosine_with_restarts",
        "--lr",
        "1e-3",
        "--total-steps",
        "10",
        "--warmup-steps",
        "3",
        "--kw",
        "cosine_with_restarts.num_cycles=3",
        "-o",
        "-",
    )
    assert result.exit_code == 0, result.stderr
    rows = _csv(result.stdout)
    assert rows[0] == ["step", "cosine", "cosine_with_restarts"]
    golden = {
        (c["name"], str(c["kwargs"])): c["values"]
        for c in hf_golden()["cases"]
        if "values" in c and (c["total"], c["warmup"]) == (10, 3)
    }
    for column, key in ((1, ("cosine", "{}")), (2, ("cosine_with_restarts", "{'num_cycles': 3}"))):
        got = np.array([float(r[column]) for r in rows[1:]])
        assert np.max(np.abs(got - np.array(golden[key]))) <= 1e-15


def test_schedules_lists_every_name_with_parameters(cli):
    result = cli("schedules")
    assert result.exit_code == 0
    for name in SCHEDULES:
        assert name in result.stdout
    assert "num_cycles=0.5" in result.stdout and "num_decay_steps=required" in result.stdout


@pytest.mark.parametrize(
    "args,needle",
    [
        (["plot", "--schedule", "cosin", "--total-steps", "10"], "did you mean 'cosine'"),
        (["plot", "--schedule", "cosine", "--total-steps", "10", "--kw", "eta_min=0"], "cosine takes no 'eta_min'"),
        (["plot", "--total-steps", "-5"], "--total-steps must be ≥ 1"),
        (["plot", "--total-steps", "10", "--lr", "nan"], "--lr must be a finite number"),
        (["plot", "--total-steps", "10", "--lr", "inf"], "--lr must be a finite number"),
        (["plot", "--total-steps", "10", "--warmup-ratio", "1.5"], "--warmup-ratio must be in [0, 1]"),
        (["plot", "--total-steps", "10", "--warmup-steps", "-1"], "--warmup-steps must be ≥ 0"),
        (["plot", "--total-steps", "0"], "--total-steps must be ≥ 1, got 0"),
        (["plot", "--total-steps", "10", "--lr", "0"], "--lr must be > 0"),
        (["plot", "--total-steps", "10", "--step-unit", "epochs"], "--step-unit must be 'step'"),
        (["steps", "--samples", "10", "--epochs", "-1"], "--epochs must be > 0"),
        (["plot", "--schedule", "CosineAnnealingLR", "--kw", "T_max=100", "--total-steps", "2000000000"],
         "needs every step looked at, which lrcli does up to 1,000,000,000 steps"),  # a replay with 10^7 turns
        (["plot", "--total-steps", "1000000000", "-o", "x.json"], "the table of 1,000,000,001 rows is about"),
        (["compare", "cosine", "linear", "--samples", "100000000000", "--batch", "1"],
         "the mean and sum of the LR over T = 300,000,000,000 steps"),  # compare's table sums every row: not at 10^11
        (["plot", "--total-steps", "10", "-o", "."], "-o . names a directory; give a file name in it"),
        (["plot", "--total-steps", "10", "-o", "out/"], "-o out/ names a directory"),
        (["compare", "cosine", "cosine", "--total-steps", "5"], "cosine is given twice"),
        (["plot", "--total-steps", "5", "--log-y", "-o", "nodir/x.csv"],
         "cannot write nodir/x.csv: No such file or directory; create the directory nodir first"),
        (["plot", "--total-steps", "5", "-o", "/proc/x.png"], "choose a directory you can write to (/proc is not)"),
        (["compare", "cosine", "linear", "--total-steps", "5", "--kw", "polynomial.power=2"],
         "'polynomial' is not one of the compared curves"),
        (["steps", "--max-steps", "99999999999999999999999"], "beyond any run lrcli can count exactly"),
        (["steps", "--samples", "99999999999999999999999", "--batch", "1"], "beyond any run lrcli can count"),
        (["plot", "--total-steps", "1", "--warmup-steps", "1", "--log-y"], "--log-y: every LR of linear is 0"),
        (["plot", "--total-steps", "1", "--warmup-steps", "1", "--log-y", "--format", "txt", "-o", "-"], "--log-y"),
        (["plot", "--schedule", "polynomial", "--lr", "1e-7", "--total-steps", "10"], "lr_end"),
        (["plot", "--schedule", "cosine_with_min_lr", "--total-steps", "10"], "needs min_lr or min_lr_rate"),
        (["plot", "--schedule", "warmup_stable_decay", "--total-steps", "10"], "needs num_decay_steps"),
        (["plot", "--total-steps", "10", "--kw", "oops"], "is not KEY=VALUE"),
        (["plot", "--total-steps", "10", "--scheduler-kwargs", "{bad"], "not valid JSON"),
        (["plot"], "no total step count"),
        (["compare", "cosine", "linear", "--total-steps", "9", "--kw", "foo.x=1"], "not one of the compared"),
    ],
)
def test_user_mistakes_get_one_error_line(cli, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    line = assert_one_error_line(cli(*args))
    assert needle in line
    assert list(tmp_path.iterdir()) == []  # no partial or default output file


def test_unknown_suffix_and_unwritable_output_leave_no_file(cli, tmp_path):
    line = assert_one_error_line(cli(*SEED, "-o", str(tmp_path / "lr.bmp")))
    assert ".bmp" in line and ".png" in line
    line = assert_one_error_line(cli(*SEED, "-o", str(tmp_path / "missing" / "lr.png")))
    assert "cannot write" in line
    assert list(tmp_path.iterdir()) == []


def test_failed_render_keeps_an_existing_file_intact(cli, tmp_path):
    out = tmp_path / "lr.csv"
    out.write_text("precious\n")
    assert_one_error_line(cli("plot", "--schedule", "nope", "--total-steps", "5", "-o", str(out)))
    assert out.read_text() == "precious\n"


def test_constant_ignores_kwargs_with_a_warning_like_transformers(cli):
    result = cli("plot", "--schedule", "constant", "--total-steps", "5", "--kw", "num_cycles=2", "-o", "-")
    assert result.exit_code == 0
    assert "lrcli: warning: constant ignores scheduler kwargs" in result.stderr


def test_writing_to_a_device_keeps_the_device(cli):
    # Replacing the target through a temporary file must not turn /dev/null into a regular file.
    result = cli(*SEED, "-o", "/dev/null", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert Path("/dev/null").is_char_device()


def test_stop_epoch_warning_shows_digits_that_differ(cli):
    """T/updates-per-epoch close to E printed to 4 digits read "training stops at epoch 2.5, not 2.5"."""
    result = cli("steps", str(SAMPLES / "hf_training_args.json"), "--samples", "20000")
    assert result.exit_code == 0, result.stderr
    [note] = [line for line in result.stderr.splitlines() if "training stops at epoch" in line]
    stop, planned = re.fullmatch(r"lrcli: warning: training stops at epoch (\S+), not (\S+)", note).groups()
    assert stop != planned and float(stop) != float(planned), note


def test_compare_configs_with_the_same_file_name_get_distinct_labels(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "train.yaml").write_text((SAMPLES / "trl_sft.yaml").read_text())
    result = cli("compare", "a/train.yaml", "b/train.yaml", "--samples", "1000", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "step,a/train,b/train"


def test_compare_kw_targets_a_config_by_its_file_name(cli):
    """`--kw trl_sft.KEY=V` reaches sample_configs/trl_sft.yaml only (a path has no dot-free name to target)."""
    config = str(SAMPLES / "trl_sft.yaml")
    args = ("compare", config, "cosine", "--samples", "100", "--format", "json", "-o", "-")
    before = json.loads(cli(*args).stdout)["runs"]
    result = cli(*args, "--kw", "trl_sft.min_lr_rate=0.5")
    assert result.exit_code == 0, result.stderr
    after = json.loads(result.stdout)["runs"]
    kwargs = [run["scheduler"]["kwargs"]["min_lr_rate"]["value"] for run in (after[0], before[0])]
    assert kwargs[0] == 0.5 != kwargs[1]
    assert after[1] == before[1]  # the cosine curve is untouched


def test_binary_metrics_file_is_one_error_line(cli, tmp_path):
    binary = tmp_path / "history.csv"
    binary.write_bytes(bytes(range(128, 256)))
    result = cli("plot", "--schedule", "ReduceLROnPlateau", "--total-steps", "10", "--metrics", str(binary),
                 "-o", str(tmp_path / "x.png"))
    assert "is not UTF-8 text" in assert_one_error_line(result)
    assert not (tmp_path / "x.png").exists()


def test_log_y_on_a_table_warns_that_it_changes_nothing(cli):
    result = cli("plot", "--total-steps", "5", "--log-y", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "lrcli: warning: --log-y only changes plots" in result.stderr
    assert result.stdout.startswith("step,lr\n")


def test_txt_chart_marks_cells_where_compared_curves_overlap(cli):
    """cosine and linear both start at the peak and end at 0: those cells belong to both, not to the last drawn."""
    result = cli("compare", "cosine", "linear", "--total-steps", "10", "--format", "txt", "-o", "-")
    assert result.exit_code == 0, result.stderr
    chart = result.stdout.splitlines()
    assert chart[0].split("|", 1)[1].startswith("=")  # step 0 at the peak: both curves
    assert chart[-1].strip() == "= several curves"


def test_total_steps_takes_scientific_notation_and_names_itself_in_errors(cli):
    as_exponent, as_digits = (cli("plot", "--schedule", "cosine", "--total-steps", t, "-o", "-") for t in ("1e3", "1000"))
    assert as_exponent.exit_code == as_digits.exit_code == 0 and as_exponent.stdout == as_digits.stdout
    for bad, fragment in (("1.5", "a whole number, got 1.5"), ("abc", "a number, got 'abc'"), ("0", "≥ 1, got 0")):
        assert f"--total-steps must be {fragment}" in assert_one_error_line(cli("steps", "--total-steps", bad))


def test_huge_integers_are_not_rounded_through_float(cli):
    message = assert_one_error_line(cli("steps", "--total-steps", "99999999999999999999999"))
    assert "99,999,999,999,999,999,999,999" in message


def test_first_update_note_cites_the_transformers_issue_only_for_hf_runs(cli):
    hf = cli("steps", "--samples", "1000", "--warmup-steps", "10")
    tt = cli("steps", str(SAMPLES / "torchtune_lora.yaml"), "--samples", "1000")
    assert "warmup starts at 0 (transformers #34754)" in hf.stderr
    assert "warmup starts at 0" in tt.stderr and "#34754" not in tt.stderr


def test_deepspeed_path_that_is_a_directory_is_one_error_line(cli, tmp_path):
    (tmp_path / "ds").mkdir()
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nlearning_rate: 1.0e-4\ndeepspeed: ds\n")
    assert "is a directory; point it at the DeepSpeed JSON file" in assert_one_error_line(
        cli("steps", str(config), "--samples", "10")
    )


def _curve_vertices(svg: Path) -> int:
    """Vertices of the longest line in the figure (the curve; grid lines and markers have a few)."""
    root = ET.fromstring(svg.read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    lines = [g for g in root.iter(f"{ns}g") if g.get("id", "").startswith("line2d")]
    return max(len(re.findall(r"[ML]", p.get("d", ""))) for g in lines for p in g.iter(f"{ns}path"))


def test_few_lr_changes_are_drawn_as_stairs_many_as_a_line(cli, tmp_path):
    """StepLR holds each LR for 10 steps: the line has a vertical and a horizontal segment per change (a staircase),
    not a ramp between rows; a 2000-step cosine changes every step and is drawn through its rows."""
    stairs, smooth = tmp_path / "stairs.svg", tmp_path / "smooth.svg"
    assert cli("plot", "--schedule", "StepLR", "--kw", "step_size=10", "--total-steps", "30", "-o", str(stairs)).exit_code == 0
    assert cli("plot", "--schedule", "cosine", "--total-steps", "2000", "-o", str(smooth)).exit_code == 0
    assert _curve_vertices(stairs) > 31  # steps-post adds a corner per row
    assert _curve_vertices(smooth) <= 2001  # one vertex per row at most (matplotlib may simplify)


def test_show_lists_the_transformers_version_only_where_its_rules_apply(cli):
    lightning = cli("show", "sample_configs/lightning_onecycle.yaml", "--samples", "5000", "--json")
    hf = cli("show", "sample_configs/trl_sft.yaml", "--samples", "5000", "--json")
    lightning_settings, hf_settings = (run_json(r.stdout)["settings"] for r in (lightning, hf))
    assert "transformers_version" not in lightning_settings and "transformers_version" in hf_settings
    assert "split_batches" not in hf_settings  # accelerate switches only when something set them
