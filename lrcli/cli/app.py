"""The Typer application, the one error boundary, and the stderr lines shared by every command."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer

from lrcli.errors import LrcliError, one_line
from lrcli.inputs.bounded import recording

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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like SIGINT's KeyboardInterrupt so that the same clean-up runs (see `cli.main`)."""

    exit_code = 143


def say(line: str) -> None:
    """One line on stderr: every stderr line lrcli prints goes through here, so user text in it (a path with a
    newline, a huge value) can neither split it nor make it unbounded."""
    typer.echo(one_line(line), err=True)


def interrupted(exc: KeyboardInterrupt) -> typer.Exit:
    """The one line for Ctrl-C or SIGTERM, and the shell's exit code for them (128 + signal number)."""
    say("lrcli: interrupted")
    return typer.Exit(getattr(exc, "exit_code", 130))


@contextmanager
def user_errors() -> Iterator[None]:
    """The one boundary around a command: a user mistake becomes one stderr line and exit code 2, never a
    traceback; an interrupt one `lrcli: interrupted` line (the writer has removed its temporary file by then).

    Inside it, every file the command reads is recorded (`inputs.bounded.recording`: the writer refuses to write
    over one of them) and library warnings (matplotlib's) become `lrcli: warning:` lines.
    """
    try:
        with recording(), library_warnings():
            yield
    except LrcliError as exc:
        say(f"lrcli: error: {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt as exc:
        raise interrupted(exc) from None


@contextmanager
def library_warnings() -> Iterator[None]:
    """Warnings a library issues while a command runs, printed as `lrcli: warning: …` lines (once each)."""
    with warnings.catch_warnings():
        warnings.simplefilter("default")

        def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
            text = str(message).strip().replace("\n", " ")
            say(f"lrcli: warning: {text}")

        warnings.showwarning = show
        yield


def warn(notes: Sequence[str]) -> None:
    for note in notes:
        say(f"lrcli: warning: {note}")
