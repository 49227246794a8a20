"""The figure options of `plot` and `compare`: --title, --size, --dpi, --x steps|epochs|samples|tokens (with
--seq-len), epoch boundaries, and bytes that do not change from run to run."""

from __future__ import annotations

import re
import struct

import numpy as np
import pytest
from conftest import assert_one_error_line, run_json

from lrcli.config import resolve
from lrcli.curve import compute
from lrcli.render import PlotSettings, render
from lrcli.render.plot import figure

RUN = ("--schedule", "cosine", "--samples", "10000", "--batch", "32", "--warmup-ratio", "0.1")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _plan(cli, *args: str) -> dict:
    result = cli("steps", *args, "--json")
    assert result.exit_code == 0, result.output
    return run_json(result.stdout)["plan"]


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r"<!-- (.*?) -->", svg, re.S)


def test_size_and_dpi_set_the_png_pixels(cli, tmp_path):
    out = tmp_path / "lr.png"
    result = cli("plot", *RUN, "--size", "12x6", "--dpi", "150", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert _png_size(out.read_bytes()) == (1800, 900)
    cli("plot", *RUN, "-o", str(out))
    assert _png_size(out.read_bytes()) == (900, 500)  # the default 9x5 inches at 100 dpi


def test_title_replaces_the_generated_one_and_empty_removes_it(cli):
    result = cli("plot", *RUN, "--title", "ablation 3: cosine", "--format", "svg", "-o", "-")
    assert result.exit_code == 0, result.output
    texts = _svg_texts(result.stdout)
    assert "ablation 3: cosine" in texts and not any("peak LR" in t for t in texts), texts
    result = cli("plot", *RUN, "--title", "", "--format", "svg", "-o", "-")
    assert not any("peak LR" in t for t in _svg_texts(result.stdout))


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--size", "12"], "--size '12' is not WIDTHxHEIGHT"),
        (["--size", "axb"], "--size 'axb' is not WIDTHxHEIGHT"),
        (["--size", "1x5"], "each side must be 2 … 100 inches"),
        (["--size", "nanx5"], "is not WIDTHxHEIGHT"),
        (["--dpi", "5"], "--dpi 5: give 10 … 2400"),
        (["--size", "100x50", "--dpi", "1000"], "more than a PNG renders"),
        (["--x", "hours"], "--x 'hours' is not an x axis; use one of: steps, epochs, samples, tokens"),
        (["--x", "tokens"], "--x tokens needs the tokens per sample: add --seq-len"),
        (["--x", "tokens", "--seq-len", "0"], "--seq-len 0"),
    ],
)
def test_bad_figure_options_are_one_error_line(cli, tmp_path, args, needle):
    out = tmp_path / "lr.png"
    line = assert_one_error_line(cli("plot", *RUN, *args, "-o", str(out)))
    assert needle in line, line
    assert not out.exists()


def test_x_epochs_needs_a_counted_run(cli):
    line = assert_one_error_line(cli("plot", "--total-steps", "100", "--x", "epochs", "--format", "svg", "-o", "-"))
    assert "--x epochs" in line and "--samples" in line, line


def test_figure_options_on_a_table_warn_that_they_change_nothing(cli):
    result = cli("plot", *RUN, "--x", "epochs", "--dpi", "200", "-o", "-")
    assert result.exit_code == 0
    assert "lrcli: warning: --x, --dpi only change plots" in result.stderr
    result = cli("plot", *RUN, "--dpi", "200", "--format", "svg", "-o", "-")
    assert "lrcli: warning: --dpi only changes PNG files" in result.stderr


def _curves(**fields) -> list:
    worlds = fields.pop("worlds", (1, 8))
    return [compute(resolve([({**fields, "world_size": w, "label": f"w={w}"}, "test")])) for w in worlds]


RUN_FIELDS = {"lr_scheduler_type": "cosine", "dataset_size": 10000, "per_device_train_batch_size": 32,
              "warmup_ratio": 0.1}  # fmt: skip


def _curve_lines(fig):
    return [line for line in fig.axes[0].lines if not line.get_label().startswith("_")]


def test_x_epochs_lines_up_runs_of_different_world_sizes(cli):
    """`compare --world-size 1,8 --x epochs`: both curves end at E = 3 epochs, their warmups end at the same
    fraction of the run, and each step sits at s / U with U as `lrcli steps` counts it."""
    fig = figure(_curves(**RUN_FIELDS), PlotSettings(x="epochs"))
    for line, world in zip(_curve_lines(fig), (1, 8), strict=True):
        plan = _plan(cli, *RUN, "--world-size", str(world))
        x = np.asarray(line.get_xdata())
        assert x[-1] == pytest.approx(plan["total_steps"] / plan["update_steps_per_epoch"])
        assert x[-1] == pytest.approx(3.0)  # E: the whole run, whatever its T
        assert x[plan["update_steps_per_epoch"]] == pytest.approx(1.0)
    result = cli("compare", "cosine", *RUN[2:], "--world-size", "1,8", "--x", "epochs", "--format", "svg", "-o", "-")
    assert result.exit_code == 0, result.output
    assert any(t.startswith("epoch (optimizer step / updates per epoch: 313, 40)") for t in _svg_texts(result.stdout))


def test_x_samples_and_tokens_scale_by_the_samples_per_update(cli):
    fields = {**RUN_FIELDS, "gradient_accumulation_steps": 2}
    [curve] = _curves(**fields, worlds=(4,))
    plan = _plan(cli, *RUN, "--grad-accum", "2", "--world-size", "4")
    per_update = plan["total_train_batch_size"]  # b · GA · w, as the Trainer logs it (checked in the oracle tests)
    for look, scale in ((PlotSettings(x="samples"), per_update), (PlotSettings(x="tokens", seq_len=2048),
                                                                   per_update * 2048)):  # fmt: skip
        [line] = _curve_lines(figure([curve], look))
        assert np.array_equal(np.asarray(line.get_xdata()), np.arange(plan["total_steps"] + 1) * float(scale))
    fig = figure([curve], PlotSettings(x="tokens", seq_len=2048))
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert fig.axes[0].xaxis.get_offset_text().get_text() == ""
    assert any(label.endswith("M") for label in labels), labels  # 2.5M tokens, not 2500000 or a 1e6 offset


def test_split_batches_counts_the_samples_one_update_takes():
    """With accelerate's split_batches every process takes b/w of each batch: an update consumes b · GA samples,
    not the b · GA · w the Trainer logs as its total batch size."""
    fields = {**RUN_FIELDS, "split_batches": True, "gradient_accumulation_steps": 2}
    [curve] = _curves(**fields, worlds=(4,))
    assert curve.plan.total_train_batch_size == 32 * 2 * 4
    assert curve.plan.samples_per_update == 32 * 2


def _boundaries(fig) -> list[float]:
    return sorted(line.get_xdata()[0] for line in fig.axes[0].lines if line.get_linestyle() == ":")


def test_epoch_boundaries_marked_when_the_run_has_more_than_one():
    [three] = _curves(**RUN_FIELDS, num_train_epochs=3, worlds=(1,))
    fig = figure([three], PlotSettings())
    per_epoch = three.plan.update_steps_per_epoch
    assert _boundaries(fig) == [per_epoch, 2 * per_epoch]
    assert any(ax.get_xlabel() == "epoch" for ax in fig.axes[0].child_axes)  # a top axis counts the epochs
    assert _boundaries(figure([three], PlotSettings(x="epochs"))) == [1.0, 2.0]
    [one] = _curves(**RUN_FIELDS, num_train_epochs=1, worlds=(1,))
    assert _boundaries(figure([one], PlotSettings())) == []
    assert _boundaries(figure(_curves(lr_scheduler_type="cosine", total_steps=100), PlotSettings())) == []


def test_compare_of_different_epoch_lengths_marks_each_in_its_color():
    curves = _curves(**RUN_FIELDS)
    fig = figure(curves, PlotSettings())
    marks = [line for line in fig.axes[0].lines if line.get_linestyle() == ":"]
    for curve, line in zip(curves, _curve_lines(fig), strict=True):
        mine = sorted(m.get_xdata()[0] for m in marks if m.get_color() == line.get_color())
        per_epoch = curve.plan.update_steps_per_epoch
        assert mine == [per_epoch, 2 * per_epoch]
    assert not fig.axes[0].child_axes  # no shared epoch axis when the epochs differ


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_input_gives_the_same_bytes(fmt):
    curves = _curves(**RUN_FIELDS)
    look = PlotSettings(x="epochs", title="t", size=(8.0, 4.0), dpi=120)
    first, second = render(curves, fmt, look), render(curves, fmt, look)
    assert first == second
    assert b"Matplotlib" not in first and b"CreationDate" not in first
