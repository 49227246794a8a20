"""Plots worth pasting, measured on the rendered image: no label on a curve, no marker cut at the axes' edge, no
label over another, the legend or the axes' frame — for a handful of shapes, not one case looked at by eye.

A label "sits on a curve" when any pixel the curves alone paint falls inside the label's text box: the figure is
drawn twice, once with everything but the curve lines hidden (that raster is the curves' pixels), once whole (for
the labels' boxes).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from lrcli.config import resolve
from lrcli.curve import Curve, compute
from lrcli.render import PlotSettings
from lrcli.render.plot import figure, lr_text


def _curve(**fields: Any) -> Curve:
    return compute(resolve([(fields, "test")]))


COSINE = {"lr_scheduler_type": "cosine", "learning_rate": 3e-4, "total_steps": 1000, "warmup_steps": 100}
RUN = {"dataset_size": 10000, "per_device_train_batch_size": 32, "warmup_ratio": 0.1}
CASES: dict[str, tuple[list[dict[str, Any]], PlotSettings]] = {
    "warmup+cosine": ([COSINE], PlotSettings()),
    "constant": ([{"lr_scheduler_type": "constant", "learning_rate": 1e-5, "total_steps": 1000}], PlotSettings()),
    "onecycle": ([{"lr_scheduler_type": "OneCycleLR", "learning_rate": 3e-4, "total_steps": 5000,
                   "lr_scheduler_kwargs": {"pct_start": 0.25}}], PlotSettings()),
    "steplr staircase": ([{"lr_scheduler_type": "StepLR", "learning_rate": 1.75e-4, "total_steps": 1000,
                           "lr_scheduler_kwargs": {"step_size": 200, "gamma": 0.5}}], PlotSettings()),
    "restarts": ([{"lr_scheduler_type": "cosine_with_restarts", "learning_rate": 2e-5, "total_steps": 300,
                   "warmup_steps": 20, "lr_scheduler_kwargs": {"num_cycles": 3}}], PlotSettings()),
    "log-y": ([COSINE], PlotSettings(log_y=True)),
    "warmup ends at T": ([{"lr_scheduler_type": "linear", "total_steps": 10, "warmup_steps": 10}], PlotSettings()),
    "three steps": ([{"lr_scheduler_type": "cosine", "total_steps": 3, "warmup_steps": 1}], PlotSettings()),
    "one step": ([{"lr_scheduler_type": "linear", "total_steps": 1}], PlotSettings()),
    "epoch-stepped, 30 epochs": ([{"lr_scheduler_type": "StepLR", "learning_rate": 0.1, "dataset_size": 3000,
                                   "per_device_train_batch_size": 100, "num_train_epochs": 30, "step_unit": "epoch",
                                   "lr_scheduler_kwargs": {"step_size": 10}}], PlotSettings()),
    "small figure": ([COSINE], PlotSettings(size=(4.0, 3.0))),
    "200 dpi": ([COSINE], PlotSettings(dpi=200)),
    "compare 3": ([{**COSINE, "lr_scheduler_type": name, "label": name}
                   for name in ("cosine", "linear", "constant_with_warmup")], PlotSettings()),
    "compare 5 log-y": ([{**COSINE, "lr_scheduler_type": name, "label": name}
                         for name in ("cosine", "linear", "polynomial", "inverse_sqrt", "cosine_with_restarts")],
                        PlotSettings(log_y=True)),
    "compare world sizes": ([{**RUN, "lr_scheduler_type": "cosine", "world_size": w, "label": f"cosine w={w}"}
                             for w in (1, 8)], PlotSettings()),
    "compare world sizes by epoch": ([{**RUN, "lr_scheduler_type": "cosine", "world_size": w, "label": f"w={w}"}
                                      for w in (1, 8)], PlotSettings(x="epochs")),
}  # fmt: skip


def _measure(fig) -> dict[str, Any]:
    """Rendered facts: per label, the curve pixels inside its text box; boxes of labels, markers, legend, axes."""
    canvas = fig.canvas
    ax = fig.axes[0]
    curves = [line for line in ax.lines if not line.get_label().startswith("_")]
    assert curves, "no curve line found"
    others = [a for a in fig.findobj() if a is not fig and a is not ax and a not in curves and a.get_visible()]
    for artist in others:
        artist.set_visible(False)
    canvas.draw()
    raster = np.asarray(canvas.buffer_rgba()).copy()
    for artist in others:
        artist.set_visible(True)
    canvas.draw()
    renderer = canvas.get_renderer()
    curve_pixels = (raster[..., 3] > 0) & (raster[..., :3].min(axis=2) < 250)
    height = raster.shape[0]
    labels = []
    for text in ax.texts:
        box = Text.get_window_extent(text, renderer)  # the text alone, not a leader line
        rows = slice(max(int(np.floor(height - box.y1)), 0), int(np.ceil(height - box.y0)))
        cols = slice(max(int(np.floor(box.x0)), 0), int(np.ceil(box.x1)))
        labels.append((text.get_text(), int(curve_pixels[rows, cols].sum()), box))
    markers = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "") or len(line.get_xdata()) != 1:
            continue
        (x, y), = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
        radius = (line.get_markersize() + line.get_markeredgewidth()) / 2 * fig.dpi / 72
        markers.append((x - radius, y - radius, x + radius, y + radius))
    legends = [legend.get_window_extent(renderer) for legend in (ax.get_legend(), *fig.legends) if legend]
    return {"labels": labels, "markers": markers, "axes": ax.get_window_extent(), "legends": legends,
            "curve_pixels": int(curve_pixels.sum())}  # fmt: skip


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _check(facts: dict[str, Any]) -> None:
    axes = facts["axes"]
    assert facts["curve_pixels"] > 0
    for text, on_curve, box in facts["labels"]:
        assert on_curve == 0, f"{text!r} covers {on_curve} curve pixels"
        assert axes.x0 <= box.x0 and box.x1 <= axes.x1 and axes.y0 <= box.y0 and box.y1 <= axes.y1, text
        for legend in facts["legends"]:
            assert not _overlap(box, legend), f"{text!r} is on the legend"
        for marker in facts["markers"]:
            assert not (box.x0 < marker[2] and marker[0] < box.x1 and box.y0 < marker[3] and marker[1] < box.y1), (
                f"{text!r} is on a marker"
            )
    boxes = [box for _, _, box in facts["labels"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), "two labels overlap"
    for x0, y0, x1, y1 in facts["markers"]:  # whole, inside the axes (0.5 px: antialiasing of the frame)
        assert axes.x0 - 0.5 <= x0 and x1 <= axes.x1 + 0.5 and axes.y0 - 0.5 <= y0 and y1 <= axes.y1 + 0.5, (
            "a marker is cut by the axes' edge"
        )


@pytest.mark.parametrize("case", CASES)
def test_labels_clear_of_curves_and_markers_whole(case):
    fields, look = CASES[case]
    fig = figure([_curve(**f) for f in fields], look)
    facts = _measure(fig)
    _check(facts)
    texts = [text for text, _, _ in facts["labels"]]
    assert any(t.startswith("peak ") for t in texts), texts  # compare labels its peaks as plot does
    warmups = {c.plan.warmup for c in (_curve(**f) for f in fields) if 0 < c.plan.warmup}
    assert {f"warmup ends: step {w}" for w in warmups} <= set(texts), texts
    _check_lr_ticks(fig)


def _check_lr_ticks(fig) -> None:
    """One tick style for the LR axis across schedules: every tick written as configs write LRs (3e-4), whatever
    the magnitude or scale — no offset text (1e-5) above the axis, no 0.000175."""
    ax = fig.axes[0]
    assert ax.yaxis.get_offset_text().get_text() == "", "an offset above the axis"
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) >= 2, labels
    for label in labels:
        assert label == "0" or re.fullmatch(r"-?\d(\.\d+)?e-?\d+", label), label
        assert label == lr_text(float(label)), label  # the shortest form, read back to the same number


@settings(max_examples=12, deadline=None)
@given(
    schedule=st.sampled_from(["linear", "cosine", "cosine_with_restarts", "polynomial", "constant_with_warmup",
                              "inverse_sqrt", "warmup_stable_decay", "cosine_with_min_lr"]),
    total=st.integers(1, 20000),
    warmup_fraction=st.floats(0, 0.99),
    log_y=st.booleans(),
)  # fmt: skip
def test_labels_clear_of_any_hf_schedule(schedule, total, warmup_fraction, log_y):
    kwargs = {"cosine_with_min_lr": {"min_lr_rate": 0.1}, "warmup_stable_decay": {"num_decay_steps": total // 3}}
    curve = _curve(lr_scheduler_type=schedule, total_steps=total, warmup_steps=int(warmup_fraction * (total - 1)),
                   lr_scheduler_kwargs=kwargs.get(schedule, {}))
    if log_y and not (curve.lr > 0).any():
        return
    _check(_measure(figure([curve], PlotSettings(log_y=log_y))))


def test_lr_text_is_exact_to_four_digits():
    assert [lr_text(v) for v in (3e-4, 0.000175, 1e-5, 5.4688e-6, 0.0, 0.1, 2.0, 1.25e-4)] == [
        "3e-4", "1.75e-4", "1e-5", "5.469e-6", "0", "1e-1", "2e0", "1.25e-4"]  # fmt: skip
