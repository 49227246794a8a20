"""A curve of any length as its outline: for each of a few thousand columns of consecutive rows, the exact lowest and
highest LR in it, from the values at a few rows only (so a plot of 10^9 steps costs what one of 10^3 costs).

The schedule says where it may turn (its breaks, schedules/pieces.py): between two breaks its LR only rises or only
falls, so over the rows a..b of a column the extremes are among the values at a, b and the rows on either side of
each break inside. Those are evaluated exactly as the framework computes them (the same function a dense
evaluation runs), so each column's minimum and maximum are the dense ones, bit for bit
(tests/test_envelope.py checks it against every row at T = 10^6). The peak's first row is found by bisection in
the piece that reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Values = Callable[[NDArray[np.int64]], NDArray[np.float64]]


@dataclass(frozen=True)
class Outline:
    """`edges[c]` … `edges[c + 1] − 1` are the rows of column c; `low`/`high` its extremes; `steps`/`lr` the rows
    to draw (each column's first, lowest, highest and last row, and the peak), in order, with their values."""

    edges: NDArray[np.int64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    steps: NDArray[np.int64]
    lr: NDArray[np.float64]
    peak_step: int
    peak_lr: float


def column_edges(rows: int, columns: int) -> NDArray[np.int64]:
    """`columns` runs of consecutive rows (fewer when there are fewer rows), as even as whole rows allow."""
    count = max(1, min(columns, rows))
    return np.array([c * rows // count for c in range(count + 1)], dtype=np.int64)  # Python ints: no overflow


def outline(values: Values, rows: int, breaks: NDArray[np.int64], columns: int) -> Outline:
    """The outline of rows 0 … rows − 1 of the curve `values` (row numbers -> LRs), monotone between `breaks`
    (rows where a new monotone piece may start)."""
    edges = column_edges(rows, columns)
    starts, ends = edges[:-1], edges[1:] - 1
    inside = breaks[(breaks > 0) & (breaks < rows)]
    candidates = np.unique(np.concatenate([starts, ends, inside - 1, inside]))
    lr = values(candidates)
    first = np.searchsorted(candidates, starts)  # every column's first row is a candidate
    low, high = np.minimum.reduceat(lr, first), np.maximum.reduceat(lr, first)
    column = np.searchsorted(edges, candidates, side="right") - 1
    lowest = candidates[np.lexsort((candidates, lr, column))[first]]  # per column: its smallest value, first row
    highest = candidates[np.lexsort((candidates, -lr, column))[first]]
    peak_lr = float(high.max())
    peak_step = _first_at(values, peak_lr, candidates, lr, int(np.argmax(high == peak_lr)), edges, inside)
    drawn = np.unique(np.concatenate([starts, ends, lowest, highest, [peak_step]]))
    drawn_lr = lr[np.searchsorted(candidates, drawn)] if np.isin(drawn, candidates).all() else values(drawn)
    return Outline(edges, low, high, drawn, drawn_lr, peak_step, peak_lr)


def _first_at(
    values: Values,
    target: float,
    candidates: NDArray[np.int64],
    lr: NDArray[np.float64],
    column: int,
    edges: NDArray[np.int64],
    breaks: NDArray[np.int64],
) -> int:
    """The first row of `column` whose LR is `target` (its maximum): the first piece that reaches it either starts
    there or rises to it, and then bisection finds where it first gets there."""
    start, end = int(edges[column]), int(edges[column + 1]) - 1
    inside = breaks[np.searchsorted(breaks, start, side="right"):np.searchsorted(breaks, end, side="right")]
    cuts = [start, *inside.tolist(), end + 1]

    def at(row: int) -> float:
        index = int(np.searchsorted(candidates, row))
        if index < len(candidates) and candidates[index] == row:
            return float(lr[index])
        return float(values(np.array([row], dtype=np.int64))[0])

    for u, next_start in zip(cuts[:-1], cuts[1:], strict=False):
        v = next_start - 1
        if at(u) == target:
            return u
        if at(v) == target:  # a rising piece: every row from the first that reaches the target on is at it
            low, high = u, v
            while high - low > 1:
                middle = (low + high) // 2
                if at(middle) >= target:
                    high = middle
                else:
                    low = middle
            return high
    # Not monotone in floats after all: the earliest candidate at the target is still a row at the peak.
    in_column = (candidates >= start) & (candidates <= end) & (lr == target)
    return int(candidates[np.argmax(in_column)])


def dense_columns(lr: NDArray[np.float64], edges: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each column's extremes from every row's value: what an outline must equal."""
    return np.minimum.reduceat(lr, edges[:-1]), np.maximum.reduceat(lr, edges[:-1])
