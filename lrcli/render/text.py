"""A terminal chart of one or more curves, for work over SSH: plain text, no plotting library."""

from __future__ import annotations

import math
from collections.abc import Sequence

from lrcli.curve import Curve
from lrcli.schedules.types import np

WIDTH = 72
HEIGHT = 16
MARKS = "*o+x#@%&"
OVERLAP = "="  # two or more curves in one cell: neither mark would be honest


def _y_of(value: float, low: float, high: float, log_y: bool) -> float | None:
    if log_y:
        if value <= 0:
            return None
        value, low, high = math.log10(value), math.log10(low), math.log10(high)
    return 0.0 if high == low else (value - low) / (high - low)


def chart(curves: Sequence[Curve], *, log_y: bool = False) -> str:
    """Rows of characters: y = LR (linear or log10), x = step 0 … max T; one mark per curve. The scale spans every
    value the curve holds (an outlined curve holds each column's extremes, so its range is exact too)."""
    last_step = max(int(c.steps[-1]) for c in curves)
    values = [float(v) for c in curves for v in c.lr if (v > 0 or not log_y)]
    high = max(values) if values else 1.0
    low = min(values) if log_y and values else min(0.0, min(values, default=0.0))
    grid = [[" "] * WIDTH for _ in range(HEIGHT)]
    for mark, curve in zip(MARKS * len(curves), curves, strict=False):
        picked = [round(col * last_step / (WIDTH - 1)) if WIDTH > 1 else 0 for col in range(WIDTH)]
        shown = [step for step in picked if step <= curve.steps[-1]]
        value_at = dict(zip(shown, curve.values(np.array(shown, dtype=np.int64)).tolist(), strict=True))
        for col, step in enumerate(picked):
            if step > curve.steps[-1]:
                continue
            y = _y_of(value_at[step], low, high, log_y)
            if y is not None:
                row = grid[HEIGHT - 1 - round(y * (HEIGHT - 1))]
                row[col] = mark if row[col] in (" ", mark) else OVERLAP
    top, bottom = f"{high:.3g}", f"{low:.3g}"
    pad = max(len(top), len(bottom))
    lines = []
    for i, row in enumerate(grid):
        tick = top if i == 0 else bottom if i == HEIGHT - 1 else ""
        lines.append(f"{tick:>{pad}} |{''.join(row)}")
    lines.append(" " * pad + " +" + "-" * WIDTH)
    lines.append(" " * pad + f"  0{'step':^{WIDTH - 2 - len(str(last_step))}}{last_step}")
    for mark, curve in zip(MARKS * len(curves), curves, strict=False):
        lines.append(
            f"{' ' * pad}  {mark} {curve.label}: T={curve.plan.total} W={curve.plan.warmup}"
            f" peak={curve.peak_lr:g} final={curve.final_lr:.6g}" + (" (log y)" if log_y else "")
        )
    if len(curves) > 1 and any(OVERLAP in row for row in grid):
        lines.append(f"{' ' * pad}  {OVERLAP} several curves")
    return "\n".join(lines) + "\n"
