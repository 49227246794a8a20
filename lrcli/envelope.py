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

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lrcli.schedules.types import Level

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


def replayed(blocks: Iterable[NDArray[np.float64] | Level], rows: int, columns: int) -> Outline:
    """The outline of rows 0 … rows − 1 from every row's value, read block by block in order (a chained replay that
    has no random access): each column's min and max (first row on ties) merged as the blocks pass, so the cost is
    O(rows) but one block is in memory. Exact by construction: every row is looked at."""
    edges = column_edges(rows, columns)
    count = len(edges) - 1
    low, high = np.full(count, np.inf), np.full(count, -np.inf)
    low_row, high_row = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
    first, last = np.zeros(count), np.zeros(count)
    position = 0
    for block in blocks:
        length = block.count if isinstance(block, Level) else len(block)
        if length == 0:
            continue
        stop = position + length
        c0 = int(np.searchsorted(edges, position, side="right")) - 1
        c1 = int(np.searchsorted(edges, stop - 1, side="right")) - 1
        cs = np.arange(c0, c1 + 1)
        seg_start = np.maximum(edges[cs], position)  # each column's first row inside this block
        if isinstance(block, Level):
            mins = maxs = np.full(len(cs), block.value)
            min_at = max_at = seg_start
            firsts = lasts = mins
        else:
            starts = seg_start - position
            mins, maxs = np.minimum.reduceat(block, starts), np.maximum.reduceat(block, starts)
            min_at = position + _first_equal(block, starts, mins)
            max_at = position + _first_equal(block, starts, maxs)
            firsts = block[starts]
            lasts = block[np.minimum(edges[cs + 1], stop) - 1 - position]
        lower, higher = mins < low[cs], maxs > high[cs]  # strict: an earlier row keeps a tie
        low[cs[lower]], low_row[cs[lower]] = mins[lower], min_at[lower]
        high[cs[higher]], high_row[cs[higher]] = maxs[higher], max_at[higher]
        opens = edges[cs] >= position
        first[cs[opens]] = firsts[opens]
        closes = edges[cs + 1] <= stop
        last[cs[closes]] = lasts[closes]
        position = stop
    if position != rows:
        raise AssertionError(f"the replay gave {position} rows, not {rows}")
    peak_column = int(np.argmax(high))
    drawn = {int(r): float(v) for r, v in zip(edges[:-1], first, strict=True)}
    drawn.update({int(r): float(v) for r, v in zip(edges[1:] - 1, last, strict=True)})
    drawn.update({int(r): float(v) for r, v in zip(low_row, low, strict=True)})
    drawn.update({int(r): float(v) for r, v in zip(high_row, high, strict=True)})
    steps = np.array(sorted(drawn), dtype=np.int64)
    lr = np.array([drawn[int(s)] for s in steps], dtype=np.float64)
    return Outline(edges, low, high, steps, lr, int(high_row[peak_column]), float(high[peak_column]))


def _first_equal(block: NDArray[np.float64], starts: NDArray[np.int64], targets: NDArray[np.float64]) -> NDArray[np.int64]:
    """For each segment of `block` beginning at `starts`, the index of its first value equal to its target."""
    lengths = np.diff(np.append(starts, len(block)))
    hits = np.flatnonzero(block == np.repeat(targets, lengths))
    segment = np.searchsorted(starts, hits, side="right") - 1
    _, first = np.unique(segment, return_index=True)  # every segment holds its own extreme
    return hits[first]
