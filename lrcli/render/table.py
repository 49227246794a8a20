"""CSV tables (floats written so they read back bit-identical), and the JSON document of curves."""

from __future__ import annotations

from collections.abc import Sequence

from lrcli.curve import Curve
from lrcli.render import document


def to_csv(curves: Sequence[Curve]) -> str:
    """`step,lr` for one curve, `step,<label>,…` for several; shorter curves leave their cells empty."""
    header = ["step", "lr"] if len(curves) == 1 else ["step", *(c.label for c in curves)]
    columns = [[repr(v) for v in c.lr.tolist()] for c in curves]
    rows = max(len(col) for col in columns)
    lines = [",".join(_csv_cell(h) for h in header)]
    for s in range(rows):
        lines.append(",".join([str(s), *(col[s] if s < len(col) else "" for col in columns)]))
    return "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def to_json(curves: Sequence[Curve]) -> str:
    """The runs of `curves` as one schema-1 document (lrcli.render.document), one run per curve."""
    return document.document([document.curve_run_record(curve) for curve in curves])
