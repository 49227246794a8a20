"""The library API (lrcli.api): the same settings, counts and curves as the CLI, in Python's words."""

from __future__ import annotations

import ast
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import run_json

import lrcli
from lrcli.api import API_WORDS, in_api_words
from lrcli.cli import app
from lrcli.dialects import megatron

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_configs"
REAL_TRL = ROOT / "tests" / "data" / "real_configs" / "trl"
TRAINING_SAMPLES = sorted(p for p in SAMPLES.glob("*.*") if p.suffix in (".yaml", ".yml", ".json")
                          and p.name != "axolotl_deepspeed_zero2.json")


@pytest.mark.parametrize("path", TRAINING_SAMPLES, ids=lambda p: p.name)
def test_load_config_counts_what_the_cli_counts(cli, path: Path) -> None:
    """Settings given to load_config are the CLI's flags: the plan and the curve are the same numbers."""
    result = cli("steps", str(path), "--samples", "2001", "--world-size", "2", "--json")
    assert result.exit_code == 0, result.stderr
    expected = run_json(result.stdout)["plan"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", lrcli.LrcliWarning)
        config = lrcli.load_config(path, dataset_size=2001, world_size=2)
    plan = lrcli.plan_steps(config)
    assert (plan.total, plan.warmup) == (expected["total_steps"], expected["warmup_steps"])
    table = cli("plot", str(path), "--samples", "2001", "--world-size", "2", "-o", "-")
    lr = np.array([float(line.split(",")[1]) for line in table.stdout.splitlines()[1:]])
    assert np.array_equal(lrcli.compute(config).lr, lr)


def test_scheduler_kwargs_merge_over_the_files_key_by_key() -> None:
    config = lrcli.load_config(SAMPLES / "axolotl_lora.yml", dataset_size=1000, lr_scheduler_kwargs={"extra": 1})
    assert dict(config.lr_scheduler_kwargs) == {"cosine_min_lr_ratio": 0.1, "extra": 1}


# Calls that fail in the core with messages that, on the command line, name a flag.
FAILING = {
    "no dataset size": lambda: lrcli.plan_steps(lrcli.load_config(REAL_TRL / "trl_cli_example_config.yaml", offline=True)),
    "bad lr": lambda: lrcli.load_config(learning_rate=-1.0),
    "bad world size": lambda: lrcli.load_config(world_size=0),
    "unknown dialect": lambda: lrcli.load_config(SAMPLES / "trl_sft.yaml", dialect="nope"),
    "unknown trainer": lambda: lrcli.load_config(SAMPLES / "trl_sft.yaml", trainer="nope"),
    "kwarg needed": lambda: lrcli.compute(lrcli.load_config(lr_scheduler_type="cosine_with_min_lr", total_steps=10)),
    "unknown schedule": lambda: lrcli.compute(lrcli.load_config(lr_scheduler_type="cosinus", total_steps=10)),
    "no file": lambda: lrcli.load_config(ROOT / "no-such-config.yaml"),
    "epoch unit without a count": lambda: lrcli.compute(
        lrcli.load_config(lr_scheduler_type="StepLR", lr_scheduler_kwargs={"step_size": 2}, total_steps=10,
                          step_unit="epoch")),
}


def _cli_flags() -> set[str]:
    """Every option name the CLI's commands accept."""
    import typer.main

    group = typer.main.get_group(app)
    return {opt for command in group.commands.values() for param in command.params for opt in param.opts
            if opt.startswith("--")}


@pytest.mark.parametrize("case", FAILING)
def test_api_errors_name_settings_not_flags(case: str) -> None:
    with pytest.raises(lrcli.LrcliError) as info:
        FAILING[case]()
    message = str(info.value)
    flags = [flag for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", message) if flag in _cli_flags()]
    assert flags == [], message
    assert "\n" not in message


def test_a_missing_count_is_named_by_its_field() -> None:
    with pytest.raises(lrcli.LrcliError, match=r"add dataset_size=N .* or max_steps=N, or total_steps=N"):
        FAILING["no dataset size"]()


def test_every_flag_the_core_mentions_has_library_words() -> None:
    """The core's messages name lrcli's flags; each one the core can name has a translation, and every other
    `--word` in them is another program's flag (left as it is)."""
    mentioned: set[str] = set()
    for path in (ROOT / "lrcli").rglob("*.py"):
        if "cli" in path.relative_to(ROOT / "lrcli").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                mentioned.update(re.findall(r"(?<![\w-])--[a-z]+(?:-[a-z]+)*(?![\w-])", node.value))
    ours = mentioned & _cli_flags()
    assert ours, "the scan found no flag at all"
    rendering = {"--format", "--explain", "--json", "--log-y", "--output", "--x", "--seq-len"}  # not settings
    assert ours <= set(API_WORDS) | rendering, ours - set(API_WORDS)
    foreign = mentioned - _cli_flags()
    # `trl sft --config`, `accelerate launch --config_file`, the flags of frameworks lrcli reads launch scripts of
    # (torchtitan's `--module/--config`, `--section.key` and `--optimizer.lr`, Megatron's, Hydra's
    # `--config-path/--config-name` for verl), inputs/launch_script's placeholder `--name`
    assert foreign <= {"--config", "--config_file", "--module", "--job", "--training", "--section", "--name",
                       "--optimizer", "--config-path", "--config-name"} | megatron.FLAGS, foreign


@pytest.mark.parametrize("message,words", [
    ("add --samples N, or --max-steps N", "add dataset_size=N, or max_steps=N"),
    ("--lr must be > 0, got -1.0", "learning_rate must be > 0, got -1.0"),
    ("pick one with --metric NAME", "pick one with metric_name=NAME"),
    ("`trl sft --config` drops it", "`trl sft --config` drops it"),
    ("accelerate needs --num_processes: pass --world-size", "accelerate needs --num_processes: pass world_size"),
    ("drop --drop-last", "drop dataloader_drop_last=True"),
    ("run `lrcli schedules` to list them", "run `lrcli.SCHEDULES` to list them"),
])
def test_in_api_words(message: str, words: str) -> None:
    assert in_api_words(message) == words


def test_reading_warnings_are_lrcli_warnings(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("learning_rate: 1.0e-4\nwarmup_ratoi: 0.1\nper_device_train_batch_size: 4\n")
    with pytest.warns(lrcli.LrcliWarning, match="did you mean 'warmup_ratio'"):
        lrcli.load_config(config, dataset_size=100)


def test_draw_on_your_axes_is_lrcli_plot(cli, tmp_path: Path) -> None:
    """lrcli.draw on a figure like the CLI's gives the very PNG `lrcli plot` writes; on a figure with other axes it
    leaves them alone."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = tmp_path / "lr.png"
    assert cli("plot", str(SAMPLES / "trl_sft.yaml"), "--samples", "2001", "-o", str(out)).exit_code == 0
    curve = lrcli.compute(lrcli.load_config(SAMPLES / "trl_sft.yaml", dataset_size=2001))
    fig = Figure(figsize=(9, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    lrcli.draw(fig.add_subplot(), curve)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    assert buffer.getvalue() == out.read_bytes()

    fig = Figure(figsize=(12, 4), layout="constrained")
    mine, theirs = fig.subplots(1, 2)
    theirs.plot([0, 1], [1, 0])
    theirs.set_title("other panel")
    mine.set_title("my title")
    lrcli.draw(mine, [curve, curve])
    assert mine.get_title() == "my title" and theirs.get_title() == "other panel" and len(theirs.lines) == 1
    legend = mine.get_legend() or fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [f"trl_sft (T={curve.plan.total}, W={curve.plan.warmup})"] * 2
    curve_lines = [line for line in mine.lines if line.get_label().startswith("trl_sft")]
    assert len(curve_lines) == 2 and all(float(np.max(line.get_ydata())) == curve.peak_lr for line in curve_lines)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_table_is_what_plot_writes(cli, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"lr.{fmt}"
    assert cli("plot", "--schedule", "cosine", "--total-steps", "50", "--warmup-steps", "5", "-o", str(out)).exit_code == 0
    curve = lrcli.compute(lrcli.load_config(lr_scheduler_type="cosine", total_steps=50, warmup_steps=5))
    if fmt == "csv":
        assert lrcli.table(curve, fmt) == out.read_text()
    else:  # the same document, but each setting says where it came from: a flag there, an argument here
        ours, written = (json.loads(text)["runs"][0] for text in (lrcli.table(curve, fmt), out.read_text()))
        assert {k: v["value"] for k, v in ours.pop("settings").items()} == {
            k: v["value"] for k, v in written.pop("settings").items()}
        assert ours == written
    with pytest.raises(lrcli.LrcliError, match="table format 'png'"):
        lrcli.table(curve, "png")


OVERLAY = ROOT / "tests" / "data" / "overlay"


@pytest.mark.parametrize("case, settings, flags", [
    ("hf-combined", {"dataset_size": 256}, ["--samples", "256"]),
    ("hf-resumed", {"dataset_size": 256}, ["--samples", "256"]),
    ("hf-4.50", {"dataset_size": 256, "transformers_version": "4.50.3"},
     ["--samples", "256", "--transformers-version", "4.50.3"]),
])  # fmt: skip
def test_overlay_is_what_the_cli_reports(cli, case: str, settings: dict, flags: list[str]) -> None:
    """lrcli.overlay(LOG, CONFIG, **settings) is `lrcli overlay LOG CONFIG --format json` with the same settings."""
    log, config = OVERLAY / case / "run", OVERLAY / case / "config.yaml"
    report = lrcli.overlay(log, config, **settings)
    result = cli("overlay", str(log), str(config), *flags, "--format", "json")
    assert result.exit_code == (0 if report["agree"] else 1), result.stderr
    assert report == json.loads(result.stdout)


def test_overlay_without_config_and_its_errors() -> None:
    """Without a config the log's own record stands in (a W&B run's TrainingArguments); mistakes name arguments."""
    report = lrcli.overlay(OVERLAY / "hf-combined" / "run" / "wandb", dataset_size=256)
    assert report["agree"] and report["log"]["format"] == "W&B run (HF Trainer)"
    with pytest.raises(lrcli.LrcliError, match=r"pick one with run=NAME"):
        lrcli.overlay(OVERLAY / "wandb" / "wandb_export_two_runs_head.csv", lr_column="train/loss", total_steps=40)
    with pytest.raises(lrcli.LrcliError, match=r"name it with lr_column"):
        lrcli.overlay(OVERLAY / "wandb" / "wandb_export_two_runs_head.csv", total_steps=40)
