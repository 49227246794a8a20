"""The progress bar for slow counting: nothing for quick work, a bar on stderr after about a second, and a full bar
with a newline at the end; none at all when stderr is not a terminal."""

from __future__ import annotations

import io

from lrcli.cli.progress import DELAY, StderrBar, stderr_progress
from lrcli.data.refs import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_quick_work_draws_nothing():
    stream, clock = io.StringIO(), Clock()
    bar = StderrBar("data.jsonl", 1000, stream, clock)
    clock.now = DELAY / 2
    bar.update(1000)
    bar.close()
    assert stream.getvalue() == ""


def test_slow_work_draws_a_bar_that_ends_full():
    stream, clock = io.StringIO(), Clock()
    bar = StderrBar("data.jsonl", 40 << 20, stream, clock)
    for step in range(1, 41):
        clock.now = step * 0.05
        bar.update(step << 20)
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\rcounting data.jsonl  [") and text.endswith("100%  40.0 MB/40.0 MB\n")
    assert 5 <= text.count("\r") <= 25  # redrawn at most every INTERVAL, not on every update


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert type(stderr_progress("x", 10)) is ProgressBar
