"""What a reader sees in the plots: titles, ticks, annotations and legends, read back from the SVG.

matplotlib writes every text of an SVG as an XML comment before its glyphs, and each axis tick in a group
`xtick_N` / `ytick_N`, so the drawn labels and their positions can be checked without looking at pixels.
"""

from __future__ import annotations

import re

import pytest
from conftest import run_json

_COMMENT = re.compile(r"<!-- (.*?) -->", re.S)


def _svg(cli, *args: str) -> str:
    result = cli("plot", *args, "--format", "svg", "-o", "-")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _texts(svg: str) -> list[str]:
    return _COMMENT.findall(svg)


def _tick_labels(svg: str, axis: str) -> list[str]:
    chunks = re.split(rf'<g id="{axis}tick_\d+">', svg)[1:]
    return [_COMMENT.search(chunk).group(1) for chunk in chunks]


def _text_x(svg: str, text: str) -> float:
    """The x of the first glyph transform after the comment holding `text` (points from the figure's left)."""
    after = svg.split(f"<!-- {text} -->", 1)[1]
    return float(re.search(r"translate\(([-\d.]+)[ ,]", after).group(1))


def _axes_right(svg: str) -> float:
    patch = svg.split('<g id="patch_2">', 1)[1]
    xs = [float(x) for x in re.findall(r"[ML] ([-\d.]+) [-\d.]+", patch.split("</g>", 1)[0])]
    return max(xs)


def test_one_step_run_has_whole_step_ticks_and_singular_title(cli):
    svg = _svg(cli, "--total-steps", "1")
    assert _tick_labels(svg, "x") == ["0", "1"]  # not 0.0, 0.2, … for a count of steps
    assert any("T = 1 step ·" in t for t in _texts(svg)), _texts(svg)


def test_warmup_label_stays_inside_the_axes_when_warmup_ends_at_the_right_edge(cli):
    svg = _svg(cli, "--total-steps", "10", "--warmup-steps", "10")
    assert _text_x(svg, "warmup ends: step 10") < _axes_right(svg)


def test_constant_lr_axis_shows_zero(cli):
    svg = _svg(cli, "--schedule", "constant", "--lr", "1e-4", "--total-steps", "10")
    labels = _tick_labels(svg, "y")
    assert any(re.fullmatch(r"0(\.0*)?", label) for label in labels), labels


def test_long_title_wraps_instead_of_running_off_the_figure(cli, tmp_path):
    config = tmp_path / ("a_very_long_training_config_name_" * 3 + "sft.yaml")
    config.write_text("learning_rate: 2.0e-5\nlr_scheduler_type: cosine\nper_device_train_batch_size: 4\n")
    svg = _svg(cli, str(config), "--samples", "20000", "--dialect", "hf")
    title = next(t for t in _texts(svg) if "peak LR" in t)
    assert max(len(line) for line in title.splitlines()) <= 100, title


def test_compare_legend_tells_curves_with_different_lengths_apart(cli):
    run = ("--samples", "10000", "--batch", "32")
    result = cli("compare", "cosine", *run, "--world-size", "1,8", "--format", "svg", "-o", "-")
    assert result.exit_code == 0, result.stderr
    texts = _texts(result.stdout)
    for world in ("1", "8"):  # T and W as `lrcli steps` counts them (checked against the Trainer elsewhere)
        plan = run_json(cli("steps", *run, "--world-size", world, "--json").stdout)["plan"]
        label = f"cosine world_size={world} (T={plan['total_steps']}, W={plan['warmup_steps']})"
        assert label in texts, texts


def test_compare_title_with_many_long_labels_does_not_crowd_the_plot(cli, tmp_path):
    names = []
    for i in range(5):
        config = tmp_path / f"alignment-handbook_model-{i}_sft_cosine-min-lr_packing.yaml"
        config.write_text("learning_rate: 2.0e-5\nlr_scheduler_type: cosine\nper_device_train_batch_size: 4\n")
        names.append(str(config))
    result = cli("compare", *names, "--samples", "2000", "--dialect", "hf", "--format", "svg", "-o", "-")
    assert result.exit_code == 0, result.stderr
    [title] = [t for t in _texts(result.stdout) if " vs " in t or "curves compared" in t]
    assert len(title.splitlines()) <= 2 and "min-\n" not in title, title


def test_epoch_stepped_curve_does_not_claim_s_scheduler_steps(cli):
    """With --step-unit epoch row s has had floor(s/U) scheduler steps, not s: the axis and JSON must not say s."""
    run = ("--schedule", "StepLR", "--kw", "step_size=1", "--samples", "100", "--batch", "10", "--epochs", "3",
           "--step-unit", "epoch")
    assert not any("after s scheduler steps" in t for t in _texts(_svg(cli, *run)))
    result = cli("plot", *run, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    record = run_json(result.stdout)["curve"]
    assert "after s scheduler steps" not in record["step_convention"]
    assert "floor(s / update steps per epoch)" in record["step_convention"]


@pytest.mark.parametrize(("args", "parameter"), [
    (("--schedule", "OneCycleLR", "--lr", "3e-4", "--total-steps", "5000", "--kw", "pct_start=0.25"), "pct_start 0.25"),
    (("--schedule", "OneCycleLR", "--lr", "3e-4", "--total-steps", "1000"), "pct_start 0.3"),  # torch's default
    (("--schedule", "CyclicLR", "--kw", "base_lr=1e-5", "--lr", "3e-4", "--total-steps", "5000"), "step_size_up 2000"),
])
def test_a_schedule_that_ramps_by_itself_says_how_instead_of_warmup_0(cli, args, parameter) -> None:
    """The title names the ramp the curve has (its peak row, which the torch parity tests pin) and its parameter."""
    summary = run_json(cli("plot", *args, "--format", "json", "-o", "-").stdout)["curve"]["summary"]
    title = " ".join(t for t in _texts(_svg(cli, *args)) if "peak LR" in t)
    share = summary["peak_step"] / summary["total_steps"]
    assert f"ramp up to step {summary['peak_step']} ({share:.0%} of T; {parameter})" in title
    assert "warmup 0" not in title


def test_the_title_says_whose_step_rules_counted(cli) -> None:
    title = " ".join(_texts(_svg(cli, "--schedule", "cosine", "--total-steps", "100", "--transformers-version", "4.51")))
    assert "transformers 4.51 rules" in title
