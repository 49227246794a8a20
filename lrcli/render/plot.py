"""PNG / SVG / PDF plots through matplotlib's object API (no pyplot), byte-for-byte reproducible."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # never a GUI backend, whatever the user's matplotlibrc says

import textwrap  # noqa: E402

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from lrcli.curve import Curve  # noqa: E402
from lrcli.schedules import get_schedule  # noqa: E402

# Without these, matplotlib writes the date and its version into the file, so bytes differ run to run.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}
_MAX_VISIBLE_STAIRS = 400  # about half the plot's width in pixels at the default size and dpi
_RC = {"svg.hashsalt": "lrcli", "svg.fonttype": "path", "pdf.compression": 6}
# Characters of a 10 pt title that fit the 9-inch figure; longer titles wrap instead of running off the edge.
_TITLE_WIDTH = 100


def _steps_text(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def _title(curves: Sequence[Curve]) -> str:
    if len(curves) == 1:
        c = curves[0]
        name = c.label if c.label == c.schedule else f"{c.label} ({c.schedule})"
        base = "" if c.base_lr == c.peak_lr else f" (optimizer lr {c.base_lr:g})"
        details = f"peak LR {c.peak_lr:g}{base} · T = {_steps_text(c.plan.total)} · {warmup_words(c)}"
        if c.plan.transformers_version is not None:
            details += f" · transformers {c.plan.transformers_version} rules"
        joined = f"{name} · {details}"
        return joined if len(joined) <= _TITLE_WIDTH else f"{name}\n{details}"
    joined = "  vs  ".join(c.label for c in curves)
    if len(joined) <= _TITLE_WIDTH:
        return joined
    if len(joined) <= 2 * _TITLE_WIDTH:
        return textwrap.fill(joined, _TITLE_WIDTH, break_long_words=False, break_on_hyphens=False)
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


def _draw(ax: object, curve: Curve, color: str, *, log_y: bool, single: bool) -> None:
    steps = curve.steps
    lr = curve.lr.copy()
    if log_y:
        lr[lr <= 0] = np.nan  # log axes cannot show 0; the gap itself tells the reader
    # The LR holds from one scheduler step to the next (row s is used by update s+1), so draw it as a staircase:
    # epoch-stepped schedules and short runs show their real plateaus instead of ramps between points. With more
    # changes than a figure has pixels the stairs are sub-pixel and only blur the line, so those are drawn plain.
    label = curve.label if single else _legend_label(curve)
    changes = int(np.count_nonzero(np.diff(curve.lr)))
    style = "steps-post" if changes <= _MAX_VISIBLE_STAIRS else "default"
    ax.plot(steps, lr, color=color, linewidth=1.6, label=label, drawstyle=style)  # type: ignore[attr-defined]
    warmup = curve.plan.warmup
    if 0 < warmup <= curve.plan.total:
        ax.axvline(warmup, color=color, linestyle="--", linewidth=0.9, alpha=0.7)  # type: ignore[attr-defined]
        if single:
            near_end = warmup > 0.75 * curve.plan.total  # label on the left of the line, inside the axes
            ax.annotate(  # type: ignore[attr-defined]
                warmup_label(curve),
                xy=(warmup, 0.02),
                xycoords=("data", "axes fraction"),
                xytext=(-4 if near_end else 4, 0),
                textcoords="offset points",
                ha="right" if near_end else "left",
                fontsize=8,
                color=color,
            )
    peak = curve.peak_step
    ax.plot([peak], [curve.lr[peak]], marker="o", color=color, markersize=5)  # type: ignore[attr-defined]
    final = curve.final_lr
    if not (log_y and final <= 0):
        ax.plot([steps[-1]], [final], marker="s", color=color, markersize=4)  # type: ignore[attr-defined]
    if single:
        ax.annotate(  # type: ignore[attr-defined]
            f"peak {curve.lr[peak]:.4g} @ step {peak}",
            xy=(peak, curve.lr[peak]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
        )
        ax.annotate(  # type: ignore[attr-defined]
            f"final {final:.4g} @ step {int(steps[-1])}",
            xy=(steps[-1], final if final > 0 or not log_y else np.nanmin(lr)),
            xytext=(-6, 10),
            textcoords="offset points",
            ha="right",
            fontsize=8,
        )


def render(curves: Sequence[Curve], fmt: str, *, log_y: bool = False, title: str | None = None) -> bytes:
    """The figure as `fmt` bytes."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(9, 5), layout="constrained")
        ax = fig.add_subplot()
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, curve in enumerate(curves):
            _draw(ax, curve, colors[i % len(colors)], log_y=log_y, single=len(curves) == 1)
        if log_y:
            ax.set_yscale("log")
        else:  # a linear LR axis shows 0, so heights compare honestly (a constant LR is not a line mid-air)
            top = max(max(c.peak_lr for c in curves), max(c.base_lr for c in curves))
            bottom = min(0.0, min(float(c.lr.min()) for c in curves))
            pad = 0.04 * (top - bottom)  # a curve at LR 0 stays visible above the axis line
            ax.set_ylim(bottom - pad, top + pad)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers, even for T = 1
        ax.set_xlabel("optimizer step s (the LR of update s+1)")  # true whether the scheduler steps per update or per epoch
        ax.set_ylabel("learning rate" + (" (log)" if log_y else ""))
        ax.set_title(title or _title(curves), fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.set_xlim(0, max(int(c.steps[-1]) for c in curves))
        if len(curves) > 1:
            ax.legend(fontsize=8)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
    return buffer.getvalue()
