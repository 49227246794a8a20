"""Writing results: a file written whole or not at all, stdout for `-o -`, and the refusal of binary on a terminal."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import typer

from lrcli.cli.app import warn
from lrcli.cli.options import FigureOptions
from lrcli.curve import Curve
from lrcli.errors import LrcliError
from lrcli.render import STDOUT, pick_format, render, summary_text


def safe_name(text: str) -> str:
    """`text` as a file name: letters, digits, `-_.` kept, everything else `_`."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def write_curves(
    curves: Sequence[Curve], output: str | None, fmt: str | None, figure: FigureOptions, *, default_name: str
) -> None:
    """Render `curves` in the format `-o`/`--format` pick, drawn as `figure` says, and write them (default file:
    `default_name.<format>`), then print each curve's summary on stderr."""
    if output is not None and output != STDOUT and (Path(output).is_dir() or output.endswith(os.sep)):
        raise LrcliError(
            f"-o {output} names a directory; give a file name in it, e.g. -o {Path(output) / default_name}.{fmt or 'png'}"
        )
    chosen = pick_format(output, fmt)
    settings = figure.settings()
    ignored = figure.unused_by(chosen)  # warned after the write, so that a failed write stays one error line
    if settings.log_y and chosen not in ("csv", "json") and not any((curve.lr > 0).any() for curve in curves):
        raise LrcliError(
            f"--log-y: every LR of {' and '.join(c.label for c in curves)} is 0, which a log axis cannot show; "
            "drop --log-y"
        )
    if output == STDOUT:
        if chosen in ("png", "pdf") and sys.stdout.isatty():
            raise LrcliError(f"refusing to write binary {chosen.upper()} to a terminal; use -o FILE.{chosen}")
        data = render(curves, chosen, settings)
        _print_summary(curves)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        warn(ignored)
        return
    path = Path(output) if output is not None else Path(f"{default_name}.{chosen}")
    data = render(curves, chosen, settings)
    atomic_write(path, data)
    _print_summary(curves)
    typer.echo(f"wrote {path}", err=True)
    warn(ignored)


def _print_summary(curves: Sequence[Curve]) -> None:
    """On stderr: one line for one curve, the per-curve table for several (`compare`)."""
    if len(curves) == 1:
        typer.echo(summary_text.summary_line(curves[0]), err=True)
    else:
        typer.echo(summary_text.summary_table(curves), err=True, nl=False)


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, so a failure leaves no partial output.

    A target that exists and is not a regular file (/dev/null, a FIFO) is written in place: replacing it
    would destroy the device node.
    """
    if path.exists() and not path.is_file():
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise LrcliError(f"cannot write {path}: {exc.strerror}") from None
        return
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        if not directory.exists():
            hint = f"create the directory {directory} first"
        elif not directory.is_dir():
            hint = f"{directory} is a file, not a directory"
        else:
            hint = f"choose a directory you can write to ({directory} is not)"
        raise LrcliError(f"cannot write {path}: {exc.strerror}; {hint}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise LrcliError(f"cannot write {path}: {exc.strerror}") from None
