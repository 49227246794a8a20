"""`lrcli overlay`'s report: text lines for stderr, or one JSON object."""

from __future__ import annotations

import json
from typing import Any

from lrcli.curve import Curve
from lrcli.diagnosis import Verdict
from lrcli.logs.series import LoggedSeries


def report_lines(curve: Curve, series: LoggedSeries, verdict: Verdict) -> list[str]:
    first = "none" if verdict.first_step is None else f"step {verdict.first_step}"
    lines = [
        f"log: {series.source} ({series.log_format}, {len(series.steps)} points, steps {series.steps[0]}–"
        f"{series.steps[-1]}); rule: {series.rule}",
        f"expected: {curve.label}: {curve.schedule}, peak {curve.peak_lr:.6g}, T = {curve.plan.total}, "
        f"W = {curve.plan.warmup}",
        f"compared {verdict.points} points" + (f" ({verdict.beyond} logged past T)" if verdict.beyond else "")
        + f"; max |Δ| = {verdict.max_rel_diff:.3g} × peak; first beyond tolerance ({verdict.tolerance}): {first}",
        ("agree: " if verdict.agree else "differ: ") + verdict.summary,
    ]
    return lines + list(verdict.details)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    return value


def report_document(curve: Curve, series: LoggedSeries, verdict: Verdict) -> dict[str, Any]:
    """The report as plain data: `--format json`'s object, `lrcli.overlay`'s return value (docs/output.md)."""
    return {
        "agree": verdict.agree,
        "cause": verdict.cause,
        "summary": verdict.summary,
        "details": list(verdict.details),
        "points_compared": verdict.points,
        "points_beyond_curve": verdict.beyond,
        "max_rel_diff": verdict.max_rel_diff,
        "first_step_beyond_tolerance": verdict.first_step,
        "tolerance": verdict.tolerance,
        "facts": {k: _plain(v) for k, v in verdict.facts.items()},
        "log": {"path": series.source, "format": series.log_format, "precision": series.precision,
                "rule": series.rule, "row_offset": series.row_offset, "recorded": dict(series.recorded),
                "steps": list(series.steps), "lrs": list(series.lrs)},  # fmt: skip
        "expected": {"label": curve.label, "schedule": curve.schedule, "total_steps": curve.plan.total,
                     "warmup_steps": curve.plan.warmup, "peak_lr": curve.peak_lr},  # fmt: skip
        "explained_by": [{"label": label, "schedule": other.schedule, "total_steps": other.plan.total,
                          "warmup_steps": other.plan.warmup} for label, other in verdict.explained_by],  # fmt: skip
    }


def report_json(curve: Curve, series: LoggedSeries, verdict: Verdict) -> str:
    return json.dumps(report_document(curve, series, verdict), indent=1, allow_nan=False) + "\n"
