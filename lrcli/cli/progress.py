"""The progress bar for slow work (counting a large dataset file, replaying 10^9 steps), on stderr, drawn only once the work has taken
about a second, so quick counts print nothing. The data layer calls `update(done)` and `close()`
(lrcli.data.refs.ProgressBar); this module is the only one that draws it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from lrcli.data.refs import ProgressBar

DELAY = 1.0  # seconds before the bar appears
INTERVAL = 0.1  # seconds between redraws
WIDTH = 30


def size_text(n: float) -> str:
    """A byte count as people read it: 12.0 MB, 2.7 GB, 1.2 TB."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


class StderrBar(ProgressBar):
    """`counting <label>  [#######.......]  45%  12.0 MB/26.7 MB`, redrawn in place on a terminal."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, verb: str = "counting", unit: str = "bytes") -> None:
        self.label, self.total, self.verb = label, total, verb
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.start = clock()
        self.drawn_at: float | None = None
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = self.clock()
        if now - self.start < DELAY or (self.drawn_at is not None and now - self.drawn_at < INTERVAL):
            return
        self.drawn_at = now
        self._draw()

    def _draw(self) -> None:
        if self.total > 0:
            share = min(self.done / self.total, 1.0)
            filled = int(share * WIDTH)
            done = f"{_size(self.done)}/{_size(self.total)}" if self.unit == "bytes" else \
                f"{self.done:,}/{self.total:,} {self.unit}"
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  {done}"
        else:
            bar = _size(self.done) if self.unit == "bytes" else f"{self.done:,} {self.unit}"
        self.stream.write(f"\r{self.verb} {self.label}  {bar}")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn_at is not None:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def stderr_progress(label: str, total: int, verb: str = "counting", unit: str = "bytes") -> ProgressBar:
    """A bar on a terminal's stderr (none when it is a file): the data layer's counting, the writing of tables, the
    replay of a long chained schedule (`unit` "rows")."""
    stream = sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        return ProgressBar()
    return StderrBar(label, total, stream, verb=verb, unit=unit)
