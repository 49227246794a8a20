"""PNG / SVG / PDF plots through matplotlib's object API (no pyplot), byte-for-byte reproducible.

A figure is built in four passes: the curves, markers and lines; the axes limits, with room for the markers at the
edges and for a label above the highest point, measured in pixels once the layout has placed the axes; the legend
(compare), in the first corner where it covers no curve, else below the axes; then the labels, each in the first
of its candidate spots that touches no curve, marker, line, legend or earlier label (render/placement.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # never a GUI backend, whatever the user's matplotlibrc says

import textwrap  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from lrcli.curve import Curve  # noqa: E402
from lrcli.render import xaxis  # noqa: E402
from lrcli.render.placement import Box, Envelope, Layout, polyline_envelope  # noqa: E402
from lrcli.render.settings import PlotSettings  # noqa: E402
from lrcli.schedules import get_schedule  # noqa: E402

if TYPE_CHECKING:  # the overlay figure's inputs: a plain plot imports neither
    from lrcli.diagnosis import Verdict
    from lrcli.logs.series import LoggedSeries

# Without these, matplotlib writes the date and its version into the file, so bytes differ run to run.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}
_MAX_VISIBLE_STAIRS = 400  # about half the plot's width in pixels at the default size and dpi
_RC = {"svg.hashsalt": "lrcli", "svg.fonttype": "path", "pdf.compression": 6}
# Characters of a 10 pt title per inch of figure width (100 on the default 9 inches); longer titles wrap.
_TITLE_CHARS_PER_INCH = 100 / 9
_LABEL_PT = 8  # font size of the labels on the curves
_LINE_WIDTH_PT = 1.6
_PEAK_MARKER_PT, _FINAL_MARKER_PT = 5.0, 4.0
_OFFSET_PT = 5.0  # a label's distance from the point or line it names
_MAX_EPOCH_LINES = 24
# Past this many curves a legend no longer fits even below the axes: matplotlib would squeeze the axes to nothing
# ("constrained_layout not applied because axes sizes collapsed to zero"); the title says where the labels are.
_MAX_LEGEND = 24
_LEADER = {"arrowstyle": "-", "color": "0.45", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 3}  # label far from its point  # more boundaries than this are thinned to every k-th epoch


def lr_text(value: float) -> str:
    """One way to write an LR everywhere on a plot (ticks, labels, title), the way configs write it: 3e-4, 1.5e-5,
    0 — never 0.0003 on one axis and a `1e−5` offset on the next."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.3e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def count_text(value: float) -> str:
    """Steps, samples and tokens on the x axis: 800, 12k, 1.5M, 2B (no offset text, no 1e6)."""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= scale:
            divisor = 1e3 if suffix == "k" else scale
            return f"{value / divisor:.4g}{suffix}"
    return f"{value:.6g}"


def _steps_text(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def _title(curves: Sequence[Curve], width: int = 100) -> str:
    """The generated title, wrapped to `width` characters."""
    if len(curves) == 1:
        c = curves[0]
        name = c.label if c.label == c.schedule else f"{c.label} ({c.schedule})"
        base = "" if c.base_lr == c.peak_lr else f" (optimizer lr {lr_text(c.base_lr)})"
        details = f"peak LR {lr_text(c.peak_lr)}{base} · T = {_steps_text(c.plan.total)} · {warmup_words(c)}"
        if c.plan.transformers_version is not None:
            details += f" · transformers {c.plan.transformers_version} rules"
        joined = f"{name} · {details}"
        if len(joined) <= width:
            return joined
        return "\n".join(textwrap.wrap(name, width) + textwrap.wrap(details, width, break_on_hyphens=False))
    joined = "  vs  ".join(c.label for c in curves)
    if len(joined) <= width:
        return joined
    if len(joined) <= 2 * width:
        return textwrap.fill(joined, width, break_long_words=False, break_on_hyphens=False)
    if len(curves) > _MAX_LEGEND:
        return f"{len(curves)} curves compared (too many for a legend: -o FILE.csv names each curve)"
    return f"{len(curves)} curves compared (labels in the legend)"  # the legend already names each one


# Parameters by which a schedule sets its own rise to the peak, when it has no warmup W of its own (or ignores it).
_RAMP_PARAMETERS = ("pct_start", "step_size_up", "cycle_first_step_size", "total_iters")


def warmup_words(curve: Curve) -> str:
    """`warmup W`, or for a schedule that rises to its peak by a parameter of its own (OneCycleLR's pct_start,
    CyclicLR's step_size_up, DeepSpeed OneCycle's cycle_first_step_size) what that ramp is."""
    schedule = get_schedule(curve.schedule)
    ramps_itself = schedule.ignores_warmup or curve.plan.warmup == 0
    parameters = {**schedule.parameters(), **curve.kwargs}
    ramp = next((name for name in _RAMP_PARAMETERS if name in parameters), None)
    if not ramps_itself or ramp is None or curve.peak_step == 0:
        return f"warmup {curve.plan.warmup}"
    share = curve.peak_step / curve.plan.total
    return f"ramp up to step {curve.peak_step} ({share:.0%} of T; {ramp} {parameters[ramp]:g})"


def warmup_label(curve: Curve) -> str:
    """The text at the end-of-warmup line; a DeepSpeed schedule peaks one step later, since it sees step s − 1."""
    warmup = curve.plan.warmup
    if curve.one_update_behind and curve.peak_step == warmup + 1:
        return f"warmup ends: step {warmup} (DeepSpeed peaks at {warmup + 1}: its scheduler sees step s − 1)"
    return f"warmup ends: step {warmup}"


def _legend_label(curve: Curve) -> str:
    """Compared curves can differ in T and W (e.g. --world-size 1,8): the legend says which is which."""
    return f"{curve.label} (T={curve.plan.total}, W={curve.plan.warmup})"


@dataclass
class _Drawn:
    """One curve as drawn: its x positions, its LRs as plotted (NaN where a log axis cannot show them), the
    drawing style, its color and the x of its warmup end (None: no warmup line)."""

    curve: Curve
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    style: str
    color: str
    warmup_x: float | None


@dataclass
class _Label:
    text: str
    color: str
    anchor: tuple[float, float]  # data coordinates of the point or line it names
    kind: str  # "point" (peak, final) or "line" (warmup end: any height along the line)


def _vertices(x: NDArray[np.float64], y: NDArray[np.float64], style: str) -> tuple[NDArray, NDArray]:
    """The polyline matplotlib draws: with steps-post each value holds until the next x."""
    if style != "steps-post" or len(x) < 2:
        return x, y
    xs = np.repeat(x, 2)[1:]
    ys = np.repeat(y, 2)[:-1]
    return xs, ys


def _thin_to_pixels(x: NDArray, y: NDArray, to_column: Callable[[NDArray], NDArray], columns: int) -> tuple[NDArray, NDArray]:
    """Far more vertices than pixel columns: each column's run of vertices becomes four, its first, its lowest, its
    highest and its last. The extra three sit inside the column, so every column keeps the y range the full line
    has there, including where the line crosses into its neighbours; the envelope is unchanged and cheap."""
    if len(x) <= 4 * columns:
        return x, y
    column = np.floor(to_column(x)).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    ends = np.r_[starts[1:], len(x)] - 1
    with np.errstate(invalid="ignore"):  # a column of NaN only (a log axis's zeros) stays NaN: a gap
        low, high = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
    xs = np.repeat(x[starts], 4)
    xs[3::4] = x[ends]
    return xs, np.column_stack([y[starts], low, high, y[ends]]).ravel()


def _envelope(ax: Axes, drawn: _Drawn) -> Envelope:
    x, y = _vertices(drawn.x, drawn.y, drawn.style)
    bbox = ax.get_window_extent()
    (x_left, _), (x_right, _) = ax.transData.transform([(ax.get_xlim()[0], 1.0), (ax.get_xlim()[1], 1.0)])
    scale = (x_right - x_left) / (ax.get_xlim()[1] - ax.get_xlim()[0])
    x, y = _thin_to_pixels(x, y, lambda v: x_left + (v - ax.get_xlim()[0]) * scale, int(bbox.width) + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        points = ax.transData.transform(np.column_stack([x, np.where(np.isfinite(y), y, 1.0)]))
    py = np.where(np.isfinite(y), points[:, 1], np.nan)
    return polyline_envelope(points[:, 0], py)


def _px(points: float, fig: Figure) -> float:
    return points * fig.dpi / 72.0


def _marker_box(ax: Axes, x: float, y: float, size_pt: float) -> Box:
    (px, py) = ax.transData.transform((x, y))
    r = _px(size_pt / 2 + 1.0, ax.figure)
    return (px - r, py - r, px + r, py + r)


def _curves_drawn(ax: Axes, curves: Sequence[Curve], settings: PlotSettings) -> list[_Drawn]:
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    single = len(curves) == 1
    drawn = []
    for i, curve in enumerate(curves):
        color = colors[i % len(colors)]
        per_step = xaxis.per_step(curve, settings.x, settings.seq_len)
        x = curve.steps * per_step
        y = curve.lr.copy()
        if settings.log_y:
            y[y <= 0] = np.nan  # log axes cannot show 0; the gap itself tells the reader
        # The LR holds from one scheduler step to the next (row s is used by update s+1), so draw it as a staircase:
        # epoch-stepped schedules and short runs show their real plateaus instead of ramps between points. With
        # more changes than a figure has pixels the stairs are sub-pixel and only blur the line, so those are plain.
        # An outlined curve (a long run, curve.outline) has far more rows than pixels: its stairs are sub-pixel.
        changes = _MAX_VISIBLE_STAIRS + 1 if curve.outlined else int(np.count_nonzero(np.diff(curve.lr)))
        style = "steps-post" if changes <= _MAX_VISIBLE_STAIRS else "default"
        label = curve.label if single else _legend_label(curve)
        (line,) = ax.plot(x, y, color=color, linewidth=_LINE_WIDTH_PT, label=label, drawstyle=style)
        line.set_in_layout(False)  # inside the axes: the layout need not measure 10^7 points
        warmup = curve.plan.warmup
        warmup_x = float(warmup) * per_step if 0 < warmup <= curve.plan.total else None
        drawn.append(_Drawn(curve, x, y, style, color, warmup_x))
    return drawn


def _mark(ax: Axes, drawn: Sequence[_Drawn], log_y: bool) -> list[tuple[float, float, float]]:
    """Warmup lines, the peak (circle) and final (square) markers; returns the markers as (x, y, size in points)."""
    markers = []
    for d in drawn:
        if d.warmup_x is not None:
            line = ax.axvline(d.warmup_x, color=d.color, linestyle="--", linewidth=0.9, alpha=0.7)
            line.set_in_layout(False)
        peak = d.curve.index_of(d.curve.peak_step)
        markers.append((float(d.x[peak]), float(d.curve.lr[peak]), _PEAK_MARKER_PT))
        if not (log_y and d.curve.final_lr <= 0):
            markers.append((float(d.x[-1]), d.curve.final_lr, _FINAL_MARKER_PT))
            ax.plot([d.x[-1]], [d.curve.final_lr], marker="s", color=d.color, markersize=_FINAL_MARKER_PT)
        ax.plot([d.x[peak]], [d.curve.lr[peak]], marker="o", color=d.color, markersize=_PEAK_MARKER_PT)
    for line in ax.lines:
        line.set_in_layout(False)
    return markers


def _epoch_boundaries(ax: Axes, drawn: Sequence[_Drawn], settings: PlotSettings) -> float | None:
    """Dotted lines where each epoch after the first begins, for runs of more than one epoch (grey when every curve
    has them at the same places, else in each curve's color); returns the epoch length on the x axis when all
    curves share it, for a top axis that counts the epochs."""
    lengths = {}
    for d in drawn:
        length = xaxis.epoch_length(d.curve, settings.x, settings.seq_len)
        if length is not None and xaxis.epoch_count(d.curve) >= 2:
            lengths[id(d)] = length
    shared = len({round(length, 9) for length in lengths.values()}) == 1
    for d in drawn:
        if id(d) not in lengths:
            continue
        epochs = xaxis.epoch_count(d.curve)
        every = max(1, -(-(epochs - 1) // _MAX_EPOCH_LINES))
        for k in range(every, epochs, every):
            line = ax.axvline(k * lengths[id(d)], color="0.45" if shared else d.color, linestyle=":",
                              linewidth=0.8, alpha=0.8, zorder=1.5)
            line.set_in_layout(False)
    if shared and len(lengths) == len(drawn) and settings.x != "epochs":
        return next(iter(lengths.values()))
    return None


def _format_axes(ax: Axes, curves: Sequence[Curve], settings: PlotSettings, epoch: float | None) -> None:
    if settings.log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: lr_text(value)))
    if settings.x == "epochs":
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.6g}"))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))  # whole steps, even for T = 1
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: count_text(value)))
    ax.set_xlabel(xaxis.axis_label(settings.x, settings.seq_len, curves))
    ax.set_ylabel("learning rate" + (" (log)" if settings.log_y else ""))
    title = _title(curves, int(settings.size[0] * _TITLE_CHARS_PER_INCH)) if settings.title is None else settings.title
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    if epoch is not None:
        top = ax.secondary_xaxis("top", functions=(lambda v: v / epoch, lambda e: e * epoch))
        top.xaxis.set_major_locator(MaxNLocator(integer=True))
        top.set_xlabel("epoch", fontsize=8)
        top.tick_params(labelsize=8)


def _set_limits(ax: Axes, drawn: Sequence[_Drawn], settings: PlotSettings) -> None:
    """x from 0 to the last step and y over every LR (0 included on a linear axis, so heights compare honestly),
    widened by what the markers need at the edges and, at the top, by a label's height."""
    fig = ax.figure
    bbox = ax.get_window_extent()
    edge = _px(_PEAK_MARKER_PT / 2 + 2, fig)  # a marker on the edge stays whole
    headroom = _px(_OFFSET_PT + 1.6 * _LABEL_PT, fig)  # a label fits above the highest point
    x_end = max(float(d.x[-1]) for d in drawn)
    x_end = x_end if x_end > 0 else 1.0
    margin = edge * x_end / max(bbox.width - 2 * edge, 1.0)
    ax.set_xlim(-margin, x_end + margin)
    if settings.log_y:
        positive = np.concatenate([d.y[np.isfinite(d.y)] for d in drawn])
        low, high = np.log10(positive.min()), np.log10(max(positive.max(), max(d.curve.base_lr for d in drawn)))
        span = high - low if high > low else 1.0
        per_px = span / max(bbox.height - edge - headroom, 1.0)
        ax.set_ylim(10 ** (low - edge * per_px), 10 ** (high + headroom * per_px))
        return
    top = max(max(d.curve.peak_lr for d in drawn), max(d.curve.base_lr for d in drawn))
    bottom = min(0.0, min(float(d.curve.lr.min()) for d in drawn))
    span = top - bottom if top > bottom else (abs(top) or 1.0)
    per_px = span / max(bbox.height - edge - headroom, 1.0)
    ax.set_ylim(bottom - edge * per_px, top + headroom * per_px)


def _tick_locations(ax: Axes) -> list[tuple[float, ...]]:
    """The major ticks of every axis the layout measures (the top epoch axis too): their labels follow from them."""
    return [tuple(axis.get_majorticklocs()) for axes in (ax, *ax.child_axes) for axis in (axes.xaxis, axes.yaxis)]


def _log_ticks(ax: Axes) -> None:
    """A log axis spanning less than a decade or two still gets labelled ticks: 1, 2, 5 times each decade."""
    low, high = ax.get_ylim()
    decades = [10.0**k for k in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)]
    if sum(low <= d <= high for d in decades) < 2:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))


def _legend(ax: Axes, layout: Layout) -> bool:
    """The legend where it covers no curve, marker or line: a corner of the axes if one is free, else the free spot
    nearest the upper right. False when there is none (the caller puts it below the axes)."""
    fig = ax.figure
    legend = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.0), borderaxespad=0.0, fontsize=8)
    extent = legend.get_window_extent(fig.canvas.get_renderer())
    width, height = extent.width, extent.height
    x0, y0, x1, y1 = layout.bounds
    pad = _px(4.0, fig)
    corners = [(x1 - pad - width, y1 - pad - height), (x0 + pad, y1 - pad - height),
               (x1 - pad - width, y0 + pad), (x0 + pad, y0 + pad)]  # fmt: skip
    boxes = [(x, y, x + width, y + height) for x, y in corners]
    boxes += _grid_spots((x1, y1), width, height, layout.bounds)
    for box in boxes:
        if layout.conflicts(box) == 0:
            layout.boxes.append(box)
            legend.set_bbox_to_anchor(((box[0] - x0) / (x1 - x0), (box[1] - y0) / (y1 - y0)), transform=ax.transAxes)
            return True
    legend.remove()
    return False


def _labels(drawn: Sequence[_Drawn], settings: PlotSettings) -> list[_Label]:
    """What to name on the curves: each curve's peak and warmup end (curves that share one share its label), and
    for a single curve its final LR."""
    single = len(drawn) == 1
    labels: dict[tuple[str, tuple[float, float]], _Label] = {}
    for d in drawn:
        peak = d.curve.index_of(d.curve.peak_step)
        color = "black" if single else d.color
        text = f"peak {lr_text(float(d.curve.lr[peak]))} @ step {d.curve.peak_step}"
        _add(labels, _Label(text, color, (float(d.x[peak]), float(d.curve.lr[peak])), "point"))
    for d in drawn:
        if d.warmup_x is not None:
            _add(labels, _Label(warmup_label(d.curve), d.color, (d.warmup_x, 0.0), "line"))
    if single:
        d = drawn[0]
        final = d.curve.final_lr
        y = final if final > 0 or not settings.log_y else np.nan  # log: the line has left the axis at the bottom
        _add(labels, _Label(f"final {lr_text(final)} @ step {int(d.curve.steps[-1])}", "black", (float(d.x[-1]), y),
                            "point"))
    return list(labels.values())


def _add(labels: dict[tuple[str, tuple[float, float]], _Label], label: _Label) -> None:
    key = (label.text, label.anchor)
    if key in labels:
        labels[key].color = "black"  # two curves share this point: the label belongs to neither color
    else:
        labels[key] = label


def _near_offsets() -> Iterator[tuple[float, float, str, str]]:
    """Offsets (points) and alignments around a point, nearest and most natural first: above right, above left,
    right, left, below right, below left, further out."""
    for distance in (_OFFSET_PT, 2.5 * _OFFSET_PT):
        d = distance
        yield from ((d, d, "left", "bottom"), (-d, d, "right", "bottom"), (d, 0, "left", "center"),
                    (-d, 0, "right", "center"), (d, -d, "left", "top"), (-d, -d, "right", "top"),
                    (0, d, "center", "bottom"), (0, -d, "center", "top"))  # fmt: skip


def _box_at(x: float, y: float, width: float, height: float, ha: str, va: str) -> Box:
    x0 = x - {"left": 0.0, "center": width / 2, "right": width}[ha]
    y0 = y - {"bottom": 0.0, "center": height / 2, "top": height}[va]
    return (x0, y0, x0 + width, y0 + height)


def _place_labels(ax: Axes, labels: Sequence[_Label], layout: Layout) -> None:
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    bounds = layout.bounds
    for label in labels:
        probe = ax.text(0, 0, label.text, fontsize=_LABEL_PT, transform=None)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        width, height = extent.width, extent.height
        if label.kind == "line":
            (line_x, _) = ax.transData.transform((label.anchor[0], 1.0))
            gap = _px(_OFFSET_PT * 0.8, fig)
            spots = []
            for fraction in (0.02, 0.12, 0.24, 0.36, 0.5, 0.64, 0.78):
                y = bounds[1] + fraction * (bounds[3] - bounds[1])
                spots += [(line_x + gap, y, "left"), (line_x - gap, y, "right")]
            near = [_box_at(x, y, width, height, ha, "bottom") for x, y, ha in spots]
            boxes = near + _grid_spots((line_x, None), width, height, bounds)
            index = layout.place(boxes)
            chosen = boxes[index]
            if index < len(near):
                ax.annotate(label.text, xy=_fraction(fig, chosen), xycoords="figure fraction", fontsize=_LABEL_PT,
                            color=label.color, ha="left", va="bottom", annotation_clip=False).set_in_layout(False)
                continue
            # No spot beside the line is free: the label goes to the nearest free one, with a leader to the line.
            middle = (chosen[1] + chosen[3]) / 2
            xy, xycoords = (label.anchor[0], (middle - bounds[1]) / (bounds[3] - bounds[1])), ("data", "axes fraction")
            ax.annotate(label.text, xy=xy, xycoords=xycoords, xytext=_fraction(fig, chosen),
                        textcoords="figure fraction", fontsize=_LABEL_PT, color=label.color, ha="left",
                        va="bottom", annotation_clip=False, arrowprops=_LEADER).set_in_layout(False)
            continue
        x, y = label.anchor
        if np.isnan(y):  # the final LR of a log plot is 0: name the bottom of the axes, where the line left it
            anchor = (ax.transData.transform((x, 1.0))[0], bounds[1])
            xy, xycoords = (x, 0.0), ("data", "axes fraction")
        else:
            anchor = tuple(ax.transData.transform((x, y)))
            xy, xycoords = (x, y), "data"
        near = [_box_at(anchor[0] + _px(dx, fig), anchor[1] + _px(dy, fig), width, height, ha, va)
                for dx, dy, ha, va in _near_offsets()]
        far = _grid_spots(anchor, width, height, bounds)
        boxes = near + far
        index = layout.place(boxes)
        chosen = boxes[index]
        arrow = {} if index < len(near) else {"arrowprops": _LEADER}
        ax.annotate(label.text, xy=xy, xycoords=xycoords, xytext=_fraction(fig, chosen),
                    textcoords="figure fraction", fontsize=_LABEL_PT, color=label.color, ha="left", va="bottom",
                    annotation_clip=False, **arrow).set_in_layout(False)


def _fraction(fig: Figure, box: Box) -> tuple[float, float]:
    """A box's lower left corner as a fraction of the figure: the same spot in PNG pixels and SVG/PDF points."""
    return box[0] / fig.bbox.width, box[1] / fig.bbox.height


def _grid_spots(anchor: tuple[float, float | None], width: float, height: float, bounds: Box) -> list[Box]:
    """Every spot of a grid over the axes, nearest the anchor first: where no nearby spot is free, the label goes
    to the closest free one, with a leader line. An anchor y of None is a vertical line: distance is horizontal."""
    xs = np.arange(bounds[0] + 2, bounds[2] - width - 2, max(width / 4, 4.0))
    ys = np.arange(bounds[1] + 2, bounds[3] - height - 2, max(height / 2, 4.0))
    if not len(xs) or not len(ys):
        return []
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    dx = np.clip(anchor[0], gx, gx + width) - anchor[0]
    dy = 0.0 if anchor[1] is None else np.clip(anchor[1], gy, gy + height) - anchor[1]
    order = np.lexsort((gx, gy, np.hypot(dx, dy)))
    return [(float(gx[i]), float(gy[i]), float(gx[i] + width), float(gy[i] + height)) for i in order]


def figure(curves: Sequence[Curve], settings: PlotSettings | None = None) -> Figure:
    """The figure of `curves`, laid out and labelled (its canvas is Agg, so its pixels can be read back)."""
    settings = settings or PlotSettings()
    fig = Figure(figsize=settings.size, dpi=settings.dpi, layout="constrained")
    FigureCanvasAgg(fig)  # the renderer that measures text while the labels are placed
    draw(fig.add_subplot(), curves, settings)
    return fig


def draw(ax: Axes, curves: Sequence[Curve], settings: PlotSettings | None = None) -> None:
    """Draw `curves` on `ax` with their markers, legend and labels. Labels are placed in the pixels of the figure's
    layout as it stands (its layout engine, if any, is run first and then switched off, so they stay where they
    were placed): draw last, once the figure has its size and its other axes. The title is set when the axes have
    none and `settings.title` is not ""."""
    settings = settings or PlotSettings()
    fig = ax.get_figure()
    if getattr(fig, "canvas", None) is None or not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)  # a figure without a canvas that can measure text (e.g. pickled)
    keep_title = bool(ax.get_title())
    title = ax.get_title()
    drawn = _curves_drawn(ax, curves, settings)
    markers = _mark(ax, drawn, settings.log_y)
    epoch = _epoch_boundaries(ax, drawn, settings)
    _format_axes(ax, curves, settings, epoch)
    if keep_title:
        ax.set_title(title)
    engine = fig.get_layout_engine()
    legend_below = False
    while True:
        # One layout pass, measured with the limits the axes get in their place before it (their pixel paddings
        # barely move); a second only when the final limits moved a tick, whose label may be wider.
        if engine is not None:
            _set_limits(ax, drawn, settings)
            if settings.log_y:
                _log_ticks(ax)
            engine.execute(fig)
        ticks = _tick_locations(ax)
        _set_limits(ax, drawn, settings)
        if settings.log_y:
            _log_ticks(ax)
        if engine is not None and _tick_locations(ax) != ticks:
            engine.execute(fig)
            _set_limits(ax, drawn, settings)
        bbox = ax.get_window_extent()
        layout = Layout(
            bounds=(bbox.x0, bbox.y0, bbox.x1, bbox.y1),
            curves=[_envelope(ax, d) for d in drawn],
            curve_pad=_px(_LINE_WIDTH_PT / 2, fig) + 2.0,
        )
        layout.boxes += [_marker_box(ax, x, y, size) for x, y, size in markers]
        for d in drawn:
            if d.warmup_x is not None:
                (x_px, _) = ax.transData.transform((d.warmup_x, 1.0))
                layout.boxes.append((x_px - 1.0, bbox.y0, x_px + 1.0, bbox.y1))
        if len(curves) == 1 or len(curves) > _MAX_LEGEND or legend_below or _legend(ax, layout):
            break
        if not isinstance(engine, ConstrainedLayoutEngine):
            ax.legend(loc="upper right", fontsize=8)  # no free corner, and no layout that can make room below
            break
        # No corner of the axes is free: the legend goes below them, and the axes shrink to make room.
        fig.legend(loc="outside lower center", fontsize=8, ncols=min(len(curves), 2))
        legend_below = True
    if engine is not None:
        fig.set_layout_engine("none")  # frozen: the labels are placed in pixels of this layout
    _place_labels(ax, _labels(drawn, settings), layout)


def render(curves: Sequence[Curve], fmt: str, settings: PlotSettings | None = None) -> bytes:
    """The figure as `fmt` bytes."""
    settings = settings or PlotSettings()
    with matplotlib.rc_context(_RC):
        fig = figure(curves, settings)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=settings.dpi, metadata=_METADATA[fmt])
    return buffer.getvalue()


_OVERLAY_COLORS = {"expected": "tab:blue", "logged": "tab:orange", "explained": "tab:green", "diverge": "tab:red"}


def overlay_figure(curve: Curve, series: LoggedSeries, verdict: Verdict, settings: PlotSettings | None = None) -> Figure:
    """The expected curve, the logged points at the rows the logging rule gives them, any curve that explains the
    log (dashed), and a line at the first logged step beyond the tolerance. x is lrcli's row (`--x` scales it)."""
    settings = settings or PlotSettings()
    fig = Figure(figsize=settings.size, dpi=settings.dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    scale = xaxis.per_step(curve, settings.x, settings.seq_len)
    ax.plot(curve.steps * scale, curve.lr, color=_OVERLAY_COLORS["expected"], linewidth=_LINE_WIDTH_PT,
            label=f"expected: {curve.label} (T = {curve.plan.total}, W = {curve.plan.warmup})")  # fmt: skip
    styles = iter(("--", ":"))
    for label, other in verdict.explained_by:
        if other is curve:
            continue
        ax.plot(other.steps * scale, other.lr, linestyle=next(styles, "-."), color=_OVERLAY_COLORS["explained"],
                linewidth=1.2, label=f"{label} (T = {other.plan.total}, W = {other.plan.warmup})")  # fmt: skip
    rows = verdict.rows.astype(np.float64) * scale
    logged = np.asarray(series.lrs)
    many = len(rows) > 400
    ax.plot(rows, logged, linestyle="none", marker=".", markersize=2.5 if many else 4.5,
            color=_OVERLAY_COLORS["logged"], label=f"logged: {series.log_format} ({len(rows)} points)")  # fmt: skip
    if verdict.first_step is not None:
        index = series.steps.index(verdict.first_step)
        x = rows[index]
        ax.axvline(x, color=_OVERLAY_COLORS["diverge"], linewidth=0.9, linestyle="--",
                   label=f"first divergence: step {verdict.first_step}")  # fmt: skip
        ax.plot([x], [logged[index]], marker="o", markersize=7, markerfacecolor="none",
                color=_OVERLAY_COLORS["diverge"])  # fmt: skip
    jump = verdict.facts.get("jump_step")
    if jump is not None and jump in series.steps:  # a resumed run: where the second plan takes over
        ax.axvline(rows[series.steps.index(jump)], color="0.35", linewidth=0.9, linestyle=":",
                   label=f"resumed: second plan from step {jump}")  # fmt: skip
    if settings.log_y:
        ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: lr_text(value)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: count_text(value)))
    ax.set_xlabel(xaxis.axis_label(settings.x, settings.seq_len, [curve]))
    ax.set_ylabel("learning rate" + (" (log)" if settings.log_y else ""))
    verdict_words = "agree" if verdict.agree else verdict.cause.replace("-", " ")
    facts = verdict.facts
    detail = {
        "stretched": lambda: f" (T {curve.plan.total} expected, {facts.get('logged_total')} logged)",
        "resumed": lambda: f" at step {facts.get('jump_step')} (T {facts.get('before_total')} → {facts.get('after_total')})",
        "different-family": lambda: f" ({facts.get('schedule')} instead of {curve.schedule})",
        "scaled": lambda: f" (× {facts.get('scale', 1):.4g})",
    }.get(verdict.cause, lambda: "")()
    title = f"logged vs expected LR: {verdict_words}{detail}" if settings.title is None else settings.title
    if title:
        ax.set_title(textwrap.fill(title, int(settings.size[0] * _TITLE_CHARS_PER_INCH)), fontsize=10)
    ax.grid(True, alpha=0.3)
    if not settings.log_y:
        ax.set_ylim(bottom=min(0.0, float(np.min(logged)), float(curve.lr.min())))
    ax.legend(loc="best", fontsize=8)
    return fig


def render_overlay(curve: Curve, series: LoggedSeries, verdict: Verdict, fmt: str,
                   settings: PlotSettings | None = None) -> bytes:  # fmt: skip
    """The overlay figure as `fmt` bytes (png, svg, pdf), byte-reproducible like `render`."""
    settings = settings or PlotSettings()
    with matplotlib.rc_context(_RC):
        fig = overlay_figure(curve, series, verdict, settings)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=settings.dpi, metadata=_METADATA[fmt])
    return buffer.getvalue()
