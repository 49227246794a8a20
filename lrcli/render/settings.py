"""PlotSettings: how curves are drawn, as plain data (render/plot.py draws them; the CLI fills them from flags)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SIZE = (9.0, 5.0)  # inches
DEFAULT_DPI = 100


@dataclass(frozen=True)
class PlotSettings:
    """How curves are drawn (not which): the LR axis scale, the x axis unit (render/xaxis.py), the title (None:
    generated; "": none), the figure size in inches and the PNG's dots per inch."""

    log_y: bool = False
    x: str = "steps"
    seq_len: int | None = None
    title: str | None = None
    size: tuple[float, float] = DEFAULT_SIZE
    dpi: int = DEFAULT_DPI
