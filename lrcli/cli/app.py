"""The Typer application, the one error boundary, and the warning printer shared by every command."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer

from lrcli.errors import LrcliError

STEP_CONVENTION_HELP = (
    "Row s of every table is the LR after s scheduler steps, i.e. the LR the optimizer uses for update s+1, "
    "for s = 0 … T."
)

app = typer.Typer(
    name="lrcli",
    no_args_is_help=True,
    add_completion=False,
    help="See the exact learning-rate curve and step count of a training run before it runs. " + STEP_CONVENTION_HELP,
)


@contextmanager
def user_errors() -> Iterator[None]:
    """The one boundary: a user mistake becomes one stderr line and exit code 2, never a traceback."""
    try:
        yield
    except LrcliError as exc:
        typer.echo(f"lrcli: error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def warn(notes: Sequence[str]) -> None:
    for note in notes:
        typer.echo(f"lrcli: warning: {note}", err=True)
