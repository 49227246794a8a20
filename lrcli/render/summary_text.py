"""The per-curve numbers printed on stderr after a plot or a table is written: one line for one curve, a table for
several (`lrcli compare`). Text in, nothing printed; the same numbers are in the JSON output's `curve.summary`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lrcli.curve import NEAR_PEAK, Curve, summarize

_BEHIND = "DeepSpeed's scheduler sees step s − 1, so it peaks one step after warmup ends"


def _peaks_after_warmup(curve: Curve) -> bool:
    return curve.one_update_behind and curve.peak_step == curve.plan.warmup + 1


def summary_line(curve: Curve) -> str:
    """One stderr line per curve: T, W, the peak and the final LR, and whose rules counted T and W."""
    per_epoch = curve.plan.update_steps_per_epoch
    return (
        f"{curve.label}: T={curve.plan.total} step{'' if curve.plan.total == 1 else 's'}"
        + (f" ({per_epoch} per epoch)" if per_epoch is not None else "")
        + f", warmup W={curve.plan.warmup}, "
        f"peak LR {curve.peak_lr:.6g} at step {curve.peak_step}"
        + (f" ({_BEHIND})" if _peaks_after_warmup(curve) else "")
        + f", final LR {curve.final_lr:.6g}"
        + (f" ({curve.plan.transformers_rules})" if curve.plan.transformers_rules else "")
    )


COLUMNS = ("curve", "T", "W", "peak LR", "at step", "final LR", "mean LR", "Σ LR", f"steps ≥ {NEAR_PEAK:.0%} peak")


def summary_table(curves: Sequence[Curve], progress: Callable[[str], Callable[[int], Any]] | None = None) -> str:
    """`compare`'s table: per curve T, W, the peak LR and its step, the final LR, the mean LR and the LR summed over
    the T updates, and the updates at ≥ 90 % of the peak; then whose rules counted T and W."""
    rows = [COLUMNS]
    for curve in curves:
        s = summarize(curve, None if progress is None else progress(curve.label))
        peak_step = f"{s.peak_step}" + ("*" if _peaks_after_warmup(curve) else "")
        rows.append((curve.label, str(s.total_steps), str(s.warmup_steps), f"{s.peak_lr:.6g}", peak_step,
                     f"{s.final_lr:.6g}", f"{s.mean_lr:.6g}", f"{s.lr_sum:.6g}", str(s.steps_near_peak)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.append("mean LR and Σ LR are over the T updates (rows 0 … T − 1)")
    if any(_peaks_after_warmup(curve) for curve in curves):
        lines.append(f"* {_BEHIND}")
    rules = {curve.plan.transformers_rules for curve in curves} - {None}
    if rules:
        lines.append("step rules: " + "; ".join(sorted(rules)))
    return "\n".join(line.rstrip() for line in lines) + "\n"
