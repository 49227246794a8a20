"""Writing results: files through the one writer (`safe_write`), stdout for `-o -` and the data commands, the
refusal of binary on a terminal, and the summary lines."""

from __future__ import annotations

import errno
import math
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lrcli.cli.app import StdoutClosed, say, warn
from lrcli.cli.options import FigureOptions
from lrcli.cli.safe_write import NAME_MAX, write_output
from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import PathKind, files_read, probe
from lrcli.render import STDOUT, pick_format, render_chunks

if TYPE_CHECKING:
    from lrcli.curve import Curve

BINARY_FORMATS = ("png", "pdf")


def safe_name(text: str) -> str:
    """`text` as a file name: letters, digits, `-_.` kept, everything else `_`."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def default_file_name(stem: str, suffix: str) -> str:
    """`stem.suffix`, the stem shortened (its start kept, a count of what was cut added) when the name would be
    longer than a file system allows: `compare_<every name>` can be."""
    room = NAME_MAX - len(f".{suffix}") - 16
    if len(os.fsencode(stem)) <= room:
        return f"{stem}.{suffix}"
    kept = os.fsencode(stem)[:room].decode("utf-8", "ignore")
    return f"{kept}_and_{len(stem) - len(kept)}_more.{suffix}"


def figure_columns(figure: FigureOptions) -> int:
    """Columns to outline a long curve in: two per pixel of the figure's width, so that every pixel column of the
    axes (narrower than the figure) holds the exact extremes of the rows it shows."""
    try:
        settings = figure.settings()
    except LrcliError:
        return 2 * 900  # the options are refused later, with their own message
    return 2 * max(1, int(settings.size[0] * settings.dpi))


def curve_choice(chosen: str | None, figure: FigureOptions, dense_rows: int) -> dict[str, Any]:
    """How `curve.outline` computes a curve for output format `chosen`, holding at most `dense_rows` rows in one
    array (`compare` shares that budget among its curves): a JSON document holds every row up to it, else streams
    them; a CSV streams block by block (memory flat however many rows); a drawing is outlined past DENSE_ROWS, at
    a cost that does not grow with T."""
    from lrcli.curve import DENSE_ROWS
    from lrcli.render.table import TABLE_BLOCK_ROWS

    if chosen == "json":
        return {"columns": 1, "dense_rows": dense_rows, "blocks": True}
    if chosen == "csv":
        return {"columns": 1, "dense_rows": min(dense_rows, TABLE_BLOCK_ROWS), "blocks": True}
    return {"columns": figure_columns(figure), "dense_rows": min(dense_rows, DENSE_ROWS)}


def evaluating_progress(label: str, verb: str = "evaluating") -> Any:
    """The bar factory for work that looks at every row of a curve (a long chained replay, compare's sums over
    10^9 rows): drawn on stderr once that takes about a second."""
    from lrcli.cli.progress import stderr_progress

    return lambda rows: stderr_progress(label, rows, verb=verb, unit="rows")


def to_stdout(data: str | bytes) -> None:
    """Data on stdout, flushed; a failed write (a full disk, `>/dev/full`) is one error line; a closed pipe
    (`| head`) ends the command quietly."""
    try:
        if isinstance(data, str):
            sys.stdout.write(data)
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except OSError as exc:
        _abandon_stdout()
        if exc.errno == errno.EPIPE:
            raise StdoutClosed() from None
        raise LrcliError(f"cannot write to standard output: {exc.strerror or exc}") from None


def _abandon_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's own flush at exit cannot fail a second time and print
    a traceback-like 'Exception ignored' message."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file (tests capture stdout in memory)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def write_curves(
    curves: Sequence[Curve], output: str | None, fmt: str | None, figure: FigureOptions, *, default_name: str
) -> None:
    """Render `curves` in the format `-o`/`--format` pick, drawn as `figure` says, and write them (default file:
    `default_name.<format>`), then print each curve's summary on stderr."""
    if output is not None and output != STDOUT and (output.endswith(os.sep) or probe(output) is PathKind.DIRECTORY):
        raise LrcliError(
            f"-o {shown(output)} names a directory; give a file name in it, e.g. "
            f"-o {shown(str(Path(output) / default_name))}.{fmt or 'png'}"
        )
    chosen = pick_format(output, fmt)
    settings = figure.settings()
    ignored = figure.unused_by(chosen)  # warned after the write, so that a failed write stays one error line
    if settings.log_y and chosen not in ("csv", "json") and not any((curve.lr > 0).any() for curve in curves):
        raise LrcliError(
            f"--log-y: every LR of {' and '.join(shown(c.label) for c in curves)} is 0, which a log axis cannot "
            "show; drop --log-y"
        )
    if output == STDOUT:
        if chosen in BINARY_FORMATS and sys.stdout.isatty():
            raise LrcliError(f"refusing to write binary {chosen.upper()} to a terminal; use -o FILE.{chosen}")
        for chunk in render_chunks(curves, chosen, settings):
            to_stdout(chunk)
        _print_summary(curves)
        warn(ignored)
        return
    given = output if output is not None else default_file_name(default_name, chosen)
    chunks = render_chunks(curves, chosen, settings)  # rendered while written, into the temporary file
    if chosen in ("csv", "json"):
        chunks = _with_progress(chunks, given, _check_room(curves, given, chosen))
    written = write_output(given, chunks, binary=chosen in BINARY_FORMATS, inputs=files_read())
    _print_summary(curves)
    say(f"wrote {written}" if str(written) == given else f"wrote {given} (-> {written})")
    warn(ignored)


def _check_room(curves: Sequence[Curve], given: str, fmt: str) -> int:
    """The table's estimated size; an error before writing anything when the disk it goes to has less room."""
    from lrcli.cli.progress import size_text
    from lrcli.render.table import table_size

    size = table_size(curves, fmt)
    rows = max(c.plan.total + 1 for c in curves)
    allowed = _file_size_limit()
    if size > allowed:
        raise LrcliError(
            f"the table of {rows:,} rows is about {size_text(size)}, more than this process may write to one file "
            f"({size_text(allowed)}, `ulimit -f`); raise the limit, or plot it (-o lr.png draws any T)"
        )
    directory = Path(given).resolve().parent
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        return size  # the writer reports a directory it cannot use
    if size > free:
        raise LrcliError(
            f"the table of {rows:,} rows is about {size_text(size)}, more than the {size_text(free)} free on "
            f"{shown(str(directory))}; write it to another disk, or plot it (-o lr.png draws any T)"
        )
    return size


def _file_size_limit() -> float:
    """The largest file this process may write (`ulimit -f`, RLIMIT_FSIZE), or infinity."""
    try:
        import resource
    except ImportError:  # not a Unix
        return math.inf
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return math.inf if soft == resource.RLIM_INFINITY else float(soft)


def _with_progress(chunks: Iterator[bytes], label: str, size: int) -> Iterator[bytes]:
    """The chunks, counted on a stderr progress bar that appears when writing takes more than about a second."""
    from lrcli.cli.progress import stderr_progress

    bar = stderr_progress(label, size, verb="writing")
    done = 0
    try:
        for chunk in chunks:
            yield chunk
            done += len(chunk)
            bar.update(done)
    finally:
        bar.close()


def _print_summary(curves: Sequence[Curve]) -> None:
    """On stderr: one line for one curve, the per-curve table for several (`compare`), each line through `say`."""
    from lrcli.render import summary_text

    if len(curves) == 1:
        say(summary_text.summary_line(curves[0]))
    else:
        for line in summary_text.summary_table(curves, lambda label: evaluating_progress(label, "summing")).splitlines():
            say(line)
