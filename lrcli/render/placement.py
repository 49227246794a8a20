"""Where a plot's labels go: the first of their candidate spots that touches no curve, marker, line, legend or
other label. Pure geometry in display pixels (y up); render/plot.py measures the artists and draws the result.

A curve is kept as its envelope: for every pixel column it crosses, the lowest and highest y the drawn polyline
reaches in that column (the vertices in it and the crossings of its borders, so a steep ramp between two far-apart
points is covered too). Testing a label against a curve of 10^7 points is then a slice of a few hundred columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels, y up

# How much each kind of conflict weighs when no candidate is free: leaving the axes is worst (the label is cut or
# sits on the tick labels), then covering a curve, then covering another label, marker or line.
_OUTSIDE, _ON_CURVE, _ON_BOX = 100, 10, 1


def boxes_overlap(a: Box, b: Box, pad: float = 0.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def box_inside(inner: Box, outer: Box, pad: float = 0.0) -> bool:
    return (
        inner[0] >= outer[0] + pad and inner[1] >= outer[1] + pad
        and inner[2] <= outer[2] - pad and inner[3] <= outer[3] - pad
    )  # fmt: skip


@dataclass(frozen=True)
class Envelope:
    """Per pixel column `left + i`: the lowest (`low[i]`) and highest (`high[i]`) y of a drawn line there
    (+inf / -inf where the line does not pass)."""

    left: int
    low: NDArray[np.float64]
    high: NDArray[np.float64]

    def hits(self, box: Box, pad: float) -> bool:
        """Whether the line comes within `pad` pixels of `box` (pad covers half the line width and a margin)."""
        first = max(int(np.floor(box[0] - pad)) - self.left, 0)
        last = min(int(np.floor(box[2] + pad)) - self.left, len(self.low) - 1)
        if last < first:
            return False
        low, high = self.low[first : last + 1], self.high[first : last + 1]
        return bool(np.any((low <= box[3] + pad) & (high >= box[1] - pad)))

    def covered_columns(self, box: Box, pad: float = 0.0) -> int:
        """How many of the box's pixel columns the line passes through inside the box (0: the box is clear)."""
        first = max(int(np.floor(box[0] - pad)) - self.left, 0)
        last = min(int(np.floor(box[2] + pad)) - self.left, len(self.low) - 1)
        if last < first:
            return 0
        low, high = self.low[first : last + 1], self.high[first : last + 1]
        return int(np.count_nonzero((low <= box[3] + pad) & (high >= box[1] - pad)))


def polyline_envelope(x: NDArray[np.float64], y: NDArray[np.float64]) -> Envelope:
    """The envelope of the polyline through (x, y) in display pixels; NaN vertices break the line, as in
    matplotlib. Exact for straight segments: each column gets its vertices and the segment ends on its borders."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return Envelope(0, np.full(0, np.inf), np.full(0, -np.inf))
    left = int(np.floor(x[finite].min()))
    right = int(np.floor(x[finite].max()))
    low = np.full(right - left + 2, np.inf)
    high = np.full(right - left + 2, -np.inf)
    columns = np.floor(x[finite]).astype(np.int64) - left
    np.minimum.at(low, columns, y[finite])
    np.maximum.at(high, columns, y[finite])
    # Where a segment crosses the border x = k between columns k-1 and k, the line is at the same height in both.
    both = finite[:-1] & finite[1:]
    x0, x1, y0, y1 = x[:-1][both], x[1:][both], y[:-1][both], y[1:][both]
    slanted = x0 != x1  # a vertical segment lies in one column, where its two vertices already are
    x0, x1, y0, y1 = x0[slanted], x1[slanted], y0[slanted], y1[slanted]
    first = np.ceil(np.minimum(x0, x1)).astype(np.int64)
    last = np.floor(np.maximum(x0, x1)).astype(np.int64)
    counts = np.maximum(last - first + 1, 0)
    if counts.sum():
        segment = np.repeat(np.arange(len(counts)), counts)
        starts = np.cumsum(counts) - counts
        border = first[segment] + (np.arange(counts.sum()) - starts[segment])
        t = (border - x0[segment]) / (x1[segment] - x0[segment])
        height = y0[segment] + t * (y1[segment] - y0[segment])
        for column in (border - left - 1, border - left):
            inside = (column >= 0) & (column < len(low))
            np.minimum.at(low, column[inside], height[inside])
            np.maximum.at(high, column[inside], height[inside])
    return Envelope(left, low, high)


@dataclass
class Layout:
    """What labels must keep clear of, in display pixels; `place` adds each placed label to it."""

    bounds: Box  # the axes: labels stay inside
    curves: Sequence[Envelope]
    boxes: list[Box] = field(default_factory=list)  # markers, lines, the legend, labels placed so far
    curve_pad: float = 2.0  # half the curve's line width plus a margin
    box_pad: float = 1.5

    def conflicts(self, box: Box) -> int:
        score = 0 if box_inside(box, self.bounds, 1.0) else _OUTSIDE
        score += _ON_CURVE * sum(curve.hits(box, self.curve_pad) for curve in self.curves)
        score += _ON_BOX * sum(boxes_overlap(box, other, self.box_pad) for other in self.boxes)
        return score

    def place(self, candidates: Sequence[Box]) -> int:
        """The index of the first candidate with no conflict, else of the least conflicting (the earliest on a
        tie); its box becomes an obstacle for the labels placed after it."""
        best, best_score = 0, None
        for index, box in enumerate(candidates):
            score = self.conflicts(box)
            if score == 0:
                best = index
                break
            if best_score is None or score < best_score:
                best, best_score = index, score
        self.boxes.append(candidates[best])
        return best
