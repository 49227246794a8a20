"""CSV tables (floats written so they read back bit-identical), and the JSON document of curves."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lrcli.curve import Curve
from lrcli.render import document

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
            lines = [f"{s},{cell}" for s, cell in zip(range(start, stop), columns[0], strict=True)]
        else:
            lines = [
                ",".join([str(s), *(col[s - start] if s - start < len(col) else "" for col in columns)])
                for s in range(start, stop)
            ]
        yield "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def to_json(curves: Sequence[Curve]) -> str:
    """The runs of `curves` as one schema-1 document (lrcli.render.document), one run per curve."""
    return document.document([document.curve_run_record(curve) for curve in curves])
