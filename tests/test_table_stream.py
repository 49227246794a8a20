"""Tables of any length (issue 15): streamed in blocks with a progress bar past about a second, refused before a
byte is written when they cannot fit (the free disk, the file-size limit), with their size in the message."""

from __future__ import annotations

import resource
from collections import namedtuple

import pytest

import lrcli.cli.output as output
import lrcli.cli.progress as progress


def test_a_table_larger_than_the_free_disk_is_refused_with_its_size(cli, tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(output.shutil, "disk_usage", lambda path: usage(1 << 40, 1 << 40, 10 << 20))
    result = cli("plot", "--total-steps", "20000000", "-o", str(tmp_path / "lr.csv"))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("lrcli: error: the table of 20,000,001 rows is about ") and "MB" in line
    assert "more than the 10.0 MB free on" in line
    assert list(tmp_path.iterdir()) == []


def test_a_table_past_the_file_size_limit_is_refused_before_writing(cli, tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, hard))
    try:
        result = cli("plot", "--total-steps", "1000000", "-o", str(tmp_path / "lr.csv"))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert result.exit_code == 2
    assert "more than this process may write to one file (1.0 MB, `ulimit -f`)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_writing_a_table_reports_its_progress(cli, tmp_path, monkeypatch):
    seen = []

    class Bar:
        def __init__(self, label, total, verb):
            seen.append((label, total, verb))

        def update(self, done):
            seen.append(done)

        def close(self):
            seen.append("closed")

    monkeypatch.setattr(progress, "stderr_progress", lambda label, total, verb="counting": Bar(label, total, verb))
    target = tmp_path / "lr.csv"
    result = cli("plot", "--total-steps", "50000", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    label, estimate, verb = seen[0]
    size = target.stat().st_size
    assert (label, verb) == (str(target), "writing") and abs(estimate - size) < 0.1 * size
    assert seen[-2] == size and seen[-1] == "closed"
    assert seen[1:-1] == sorted(seen[1:-1])  # bytes written so far, block by block


@pytest.mark.parametrize("schedule", ["StepLR", "CosineAnnealingLR"])
def test_schedules_replayed_from_the_start_are_tabulated_whole(cli, tmp_path, schedule):
    """StepLR's value at step s multiplies s steps' ratios: its table is evaluated at once, not block by block."""
    result = cli("plot", "--schedule", schedule, "--kw", "step_size=7" if schedule == "StepLR" else "eta_min=0",
                 "--total-steps", "20000", "-o", str(tmp_path / "lr.csv"))
    assert result.exit_code == 0, result.stderr
    assert len((tmp_path / "lr.csv").read_text().splitlines()) == 20_002
