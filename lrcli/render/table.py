"""CSV tables (floats written so they read back bit-identical), and the JSON document of curves."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from lrcli.curve import Curve
from lrcli.render import document
from lrcli.schedules.types import np

TABLE_BLOCK_ROWS = 8_192  # rows evaluated and rendered at a time: memory stays flat however long the curve


def to_csv(curves: Sequence[Curve]) -> str:
    """`step,lr` for one curve, `step,<label>,…` for several; shorter curves leave their cells empty."""
    return "".join(csv_chunks(curves))


def csv_chunks(curves: Sequence[Curve]) -> Iterator[str]:
    """`to_csv` in blocks of TABLE_BLOCK_ROWS rows, each evaluated (an outlined curve) or sliced only when it is
    written, so a table of any length streams into its file instead of being held in memory at once."""
    header = ["step", "lr"] if len(curves) == 1 else ["step", *(c.label for c in curves)]
    yield ",".join(_csv_cell(h) for h in header) + "\n"
    rows = max(c.plan.total + 1 for c in curves)
    for start in range(0, rows, TABLE_BLOCK_ROWS):
        stop = min(start + TABLE_BLOCK_ROWS, rows)
        if len(curves) == 1:
            yield _block(start, curves[0].values(np.arange(start, stop, dtype=np.int64)).tolist())
            continue
        columns = [_cells(c, start, stop) for c in curves]
        yield "\n".join(
            ",".join([str(s), *(col[s - start] if s - start < len(col) else "" for col in columns)])
            for s in range(start, stop)
        ) + "\n"


def csv_size(curves: Sequence[Curve]) -> int:
    """About how many bytes `to_csv` writes, without writing it: the step column exactly, the value columns from
    the text of 256 rows spread over each curve."""
    rows = max(c.plan.total + 1 for c in curves)
    step_bytes = sum(max(0, min(rows, 10**d) - 10 ** (d - 1) * (d > 1)) * d for d in range(1, len(str(rows)) + 1))
    total = step_bytes + rows  # the digits and each row's newline
    for curve in curves:
        n = curve.plan.total + 1
        sample = np.unique(np.linspace(0, n - 1, min(n, 256)).astype(np.int64))
        mean = sum(len(repr(v)) for v in curve.values(sample).tolist()) / len(sample)
        total += int((mean + 1) * n)  # the value and its comma
    return total


def _block(start: int, values: list[float]) -> str:
    """Rows `start, v` for each value, `repr` floats (the shortest text that reads back as the same float). One
    `%` over the whole block formats every row in C: about twice as fast as numpy.savetxt with repr floats."""
    count = len(values)
    fields: list[float] = [0.0] * (2 * count)
    fields[0::2] = range(start, start + count)
    fields[1::2] = values
    return _row_format(count) % tuple(fields)


@functools.lru_cache(maxsize=4)
def _row_format(count: int) -> str:
    return "%d,%r\n" * count


def _cells(curve: Curve, start: int, stop: int) -> list[str]:
    stop = min(stop, curve.plan.total + 1)
    if stop <= start:
        return []
    return list(map(repr, curve.values(np.arange(start, stop, dtype=np.int64)).tolist()))


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def to_json(curves: Sequence[Curve]) -> str:
    """The runs of `curves` as one schema-1 document (lrcli.render.document), one run per curve."""
    return document.document([document.curve_run_record(curve) for curve in curves])
