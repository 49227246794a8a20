"""Renderers, chosen by the output file's suffix; matplotlib is imported only when a plot is drawn."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lrcli.errors import LrcliError
from lrcli.render.settings import DEFAULT_DPI, DEFAULT_SIZE, PlotSettings

if TYPE_CHECKING:  # curves need numpy; choosing a format does not
    from lrcli.curve import Curve

PLOT_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "json")
TEXT_FORMATS = ("txt",)
FORMATS = PLOT_FORMATS + TABLE_FORMATS + TEXT_FORMATS
STDOUT = "-"


def pick_format(output: str | None, explicit: str | None) -> str:
    """`--format` if given, else the suffix of `-o` (`-` means CSV on stdout), else PNG."""
    if explicit is not None:
        fmt = explicit.lower().lstrip(".")
        if fmt not in FORMATS:
            raise LrcliError(f"unknown format {explicit!r}; use one of: {', '.join(FORMATS)}")
        return fmt
    if output is None:
        return "png"
    if output == STDOUT:
        return "csv"
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"the suffix '.{suffix}' is not an output format" if suffix else "no suffix says the output format"
        raise LrcliError(
            f"{output}: {shown}; end the name in one of "
            f"{', '.join('.' + f for f in FORMATS)}, or give --format"
        )
    return suffix


def render_chunks(curves: Sequence[Curve], fmt: str, settings: PlotSettings | None = None) -> Iterator[bytes]:
    """The output in pieces: a CSV table row block by row block (a long one never sits in memory whole), any
    other format as one piece. The writer streams them into its temporary file."""
    if fmt == "csv":
        from lrcli.render import table

        yield from (chunk.encode() for chunk in table.csv_chunks(curves))
        return
    if fmt == "json":
        from lrcli.render import table

        yield from (chunk.encode() for chunk in table.json_chunks(curves))
        return
    yield render(curves, fmt, settings)


def render(curves: Sequence[Curve], fmt: str, settings: PlotSettings | None = None) -> bytes:
    """The whole output in memory, so that a failure never leaves a partial file behind. Tables hold every row
    whatever `settings` say; the text chart takes its LR scale."""
    settings = settings or PlotSettings()
    if fmt in PLOT_FORMATS:
        from lrcli.render import plot  # matplotlib costs ~0.5 s: only plots pay for it

        return plot.render(curves, fmt, settings)
    if fmt == "csv":
        from lrcli.render import table

        return table.to_csv(curves).encode()
    if fmt == "json":
        from lrcli.render import table

        return table.to_json(curves).encode()
    if fmt == "txt":
        from lrcli.render import text

        return text.chart(curves, log_y=settings.log_y).encode()
    raise LrcliError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


__all__ = ["DEFAULT_DPI", "DEFAULT_SIZE", "FORMATS", "STDOUT", "PlotSettings", "pick_format", "render"]
