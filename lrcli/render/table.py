"""CSV and JSON tables, with floats written so they read back bit-identical."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from lrcli.curve import Curve

STEP_CONVENTION = (
    "row s is the LR after s scheduler steps, i.e. the LR the optimizer uses for update s+1 "
    "(get_last_lr() after s calls to scheduler.step())"
)

EPOCH_STEP_CONVENTION = (
    "row s is the LR the optimizer uses for update s+1; the scheduler steps once per epoch, so row s is the LR after "
    "floor(s / update steps per epoch) scheduler steps"
)


CSV_CHUNK_ROWS = 65_536  # rows rendered at a time: memory stays a few MB however long the curve


def to_csv(curves: Sequence[Curve]) -> str:
    """`step,lr` for one curve, `step,<label>,…` for several; shorter curves leave their cells empty."""
    return "".join(csv_chunks(curves))


def csv_chunks(curves: Sequence[Curve]) -> Iterator[str]:
    """`to_csv` in pieces of CSV_CHUNK_ROWS rows, so a 10^7-row table streams into its file instead of being held
    in memory as one string (and its Python lists of strings) at once."""
    header = ["step", "lr"] if len(curves) == 1 else ["step", *(c.label for c in curves)]
    yield ",".join(_csv_cell(h) for h in header) + "\n"
    rows = max(len(c.lr) for c in curves)
    for start in range(0, rows, CSV_CHUNK_ROWS):
        stop = min(start + CSV_CHUNK_ROWS, rows)
        columns = [[repr(v) for v in c.lr[start:stop].tolist()] for c in curves]
        if len(columns) == 1:
            lines = [f"{s},{cell}" for s, cell in zip(range(start, stop), columns[0])]
        else:
            lines = [
                ",".join([str(s), *(col[s - start] if s - start < len(col) else "" for col in columns)])
                for s in range(start, stop)
            ]
        yield "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def curve_record(curve: Curve) -> dict[str, Any]:
    return {
        "label": curve.label,
        "schedule": curve.schedule,
        "base_lr": curve.base_lr,
        "peak_lr": curve.peak_lr,
        "peak_step": curve.peak_step,
        "scheduler_kwargs": dict(curve.kwargs),
        "plan": asdict(curve.plan),
        "notes": list(curve.notes),
        "step_convention": STEP_CONVENTION if curve.step_unit == "step" else EPOCH_STEP_CONVENTION,
        "lr": curve.lr.tolist(),
    }


def to_json(curves: Sequence[Curve]) -> str:
    """One object for one curve, `{"curves": [...]}` for several (compare)."""
    payload: dict[str, Any] = (
        curve_record(curves[0]) if len(curves) == 1 else {"curves": [curve_record(c) for c in curves]}
    )
    return json.dumps(payload, indent=1) + "\n"
