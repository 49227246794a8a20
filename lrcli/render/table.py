"""CSV tables (floats written so they read back bit-identical), and the JSON document of curves."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence

from lrcli.curve import Curve
from lrcli.render import document
from lrcli.schedules.types import np

TABLE_BLOCK_ROWS = 8_192  # rows evaluated and rendered at a time: memory stays flat however long the curve
CSV_BLOCK_ROWS = 10_000  # a CSV's blocks: decimal, so that block k ≥ 1 writes its steps as k and four digits


def to_csv(curves: Sequence[Curve]) -> str:
    """`step,lr` for one curve, `step,<label>,…` for several; shorter curves leave their cells empty."""
    return "".join(csv_chunks(curves))


def csv_chunks(curves: Sequence[Curve]) -> Iterator[str]:
    """`to_csv` in blocks of CSV_BLOCK_ROWS rows, each evaluated (an outlined curve) or sliced only when it is
    written, so a table of any length streams into its file instead of being held in memory at once."""
    header = ["step", "lr"] if len(curves) == 1 else ["step", *(c.label for c in curves)]
    yield ",".join(_csv_cell(h) for h in header) + "\n"
    rows = max(c.plan.total + 1 for c in curves)
    for start in range(0, rows, CSV_BLOCK_ROWS):
        stop = min(start + CSV_BLOCK_ROWS, rows)
        if len(curves) == 1:
            yield _block(start, curves[0].values(np.arange(start, stop, dtype=np.int64)).tolist())
            continue
        columns = [_cells(c, start, stop) for c in curves]
        yield "\n".join(
            ",".join([str(s), *(col[s - start] if s - start < len(col) else "" for col in columns)])
            for s in range(start, stop)
        ) + "\n"


def table_size(curves: Sequence[Curve], fmt: str = "csv") -> int:
    """About how many bytes `to_csv` (or the values of `to_json`) take, without writing them: the step column
    exactly, the values from the text of 256 rows spread over each curve."""
    rows = max(c.plan.total + 1 for c in curves)
    step_bytes = sum(max(0, min(rows, 10**d) - 10 ** (d - 1) * (d > 1)) * d for d in range(1, len(str(rows)) + 1))
    total = step_bytes + rows if fmt == "csv" else 0  # the digits and each row's newline
    for curve in curves:
        n = curve.plan.total + 1
        spread = np.linspace(0, n - 1, min(n, 256)).astype(np.int64)  # ascending: repeats are neighbours
        sample = spread[np.concatenate(([True], spread[1:] != spread[:-1]))]  # np.unique would import numpy.ma
        # a replayed curve's drawn rows (its extremes in TABLE_SAMPLE_COLUMNS runs over the whole curve) stand in
        # for the sample: reading the sample would replay the whole curve once more before writing it
        values = curve.lr.tolist() if curve.sequential else curve.values(sample).tolist()
        mean = sum(len(repr(v)) for v in values) / len(values)
        total += int((mean + (1 if fmt == "csv" else 8)) * n)  # the value and its comma (JSON: and its indent)
    return total


def _block(start: int, values: list[float]) -> str:
    """Rows `start, v` for each value of the block starting at `start` (a multiple of CSV_BLOCK_ROWS), `repr`
    floats (the shortest text that reads back as the same float).

    The step column is already text in the block's format string — for block k ≥ 1, `k` put before the four-digit
    row numbers of one cached template — so the one `%` over the block formats only the floats, in C: CPython's
    float repr is then nearly all of the cost (about 2.5 times faster than numpy.savetxt with repr floats)."""
    count = len(values)
    block, offset = divmod(start, CSV_BLOCK_ROWS)
    assert offset == 0 and count <= CSV_BLOCK_ROWS, (start, count)
    if block == 0:
        return _first_format(count) % tuple(values)
    return _row_template()[: _TEMPLATE_LINE * count].replace("@", str(block)) % tuple(values)


_TEMPLATE_LINE = len("@0000,%r\n")


@functools.lru_cache(maxsize=1)
def _row_template() -> str:
    return "".join(f"@{row:04d},%r\n" for row in range(CSV_BLOCK_ROWS))


@functools.lru_cache(maxsize=2)
def _first_format(count: int) -> str:
    return "".join(f"{row},%r\n" for row in range(count))


def _cells(curve: Curve, start: int, stop: int) -> list[str]:
    stop = min(stop, curve.plan.total + 1)
    if stop <= start:
        return []
    return list(map(repr, curve.values(np.arange(start, stop, dtype=np.int64)).tolist()))


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n') else text


def json_chunks(curves: Sequence[Curve]) -> Iterator[str]:
    """`to_json` in pieces: the document around each outlined curve's values, and the values block by block, in
    exactly the text `json.dumps(indent=1)` gives them (`repr` floats, one per line)."""
    text = to_json(curves)
    marker = json.dumps(document.ROWS_MARKER, ensure_ascii=False)
    outlined = iter([c for c in curves if c.outlined])
    while marker in text:
        head, _, text = text.partition(marker)
        indent = head[head.rindex("\n"):]  # the newline and the spaces before each value
        yield head
        curve = next(outlined)
        for start in range(0, curve.plan.total + 1, TABLE_BLOCK_ROWS):
            values = curve.values(np.arange(start, min(start + TABLE_BLOCK_ROWS, curve.plan.total + 1), dtype=np.int64))
            yield ("" if start == 0 else "," + indent) + ("," + indent).join(map(repr, values.tolist()))
    yield text


def to_json(curves: Sequence[Curve]) -> str:
    """The runs of `curves` as one schema-1 document (lrcli.render.document), one run per curve."""
    return document.document([document.curve_run_record(curve) for curve in curves])
