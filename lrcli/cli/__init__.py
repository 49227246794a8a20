"""The command line: flags in, the core called, results printed. The only package that prints or exits.

`app` (app.py) is the Typer application and `user_errors` its one error boundary; `options` defines the option set
the run commands share and its translation into `config.resolve` layers; `output` writes results. Each command has
its own module and is registered here, in the order `lrcli --help` lists them.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer

from lrcli import __version__
from lrcli.cli import check, compare, overlay, plot, schedules, show, steps
from lrcli.cli.app import Command, Terminated, app, interrupted, say

for command in (plot.plot, compare.compare, overlay.overlay, steps.steps, show.show, schedules.schedules):
    app.command(cls=Command)(command)
app.command("check", cls=Command)(check.check_command)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"lrcli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """See the exact learning-rate curve and step count of a training run before it runs."""


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raised as `Terminated` (a KeyboardInterrupt) while lrcli runs, so that it cleans up as for Ctrl-C:
    the writer removes its temporary file and one `lrcli: interrupted` line is printed (exit 143)."""

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def usage_error_text(exc: typer.TyperException) -> str:
    """Typer's message for a usage error as lrcli's error text: the subcommand (the `lrcli` prefix is already
    `lrcli: error:`), the message in lrcli's lower-case style, and where the help is."""
    message = exc.format_message().strip().rstrip(".")
    message = message[:1].lower() + message[1:]
    context = getattr(exc, "ctx", None)
    if context is None:
        return message
    command = context.command_path.partition(" ")[2]  # "lrcli plot" -> "plot"; "" for lrcli itself
    return f"{command + ': ' if command else ''}{message} (see `{context.command_path} --help`)"


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point: Typer's own usage errors also become one `lrcli: error:` line with exit code 2."""
    try:
        with _sigterm_interrupts():
            code = app(args=list(argv) if argv is not None else None, prog_name="lrcli", standalone_mode=False)
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `lrcli` / `lrcli plot`: show help, as Typer would
            typer.echo(exc.format_message(), err=True)
            sys.exit(2)
        say(f"lrcli: error: {usage_error_text(exc)}")
        sys.exit(getattr(exc, "exit_code", 2))
    except (typer.Abort, KeyboardInterrupt) as exc:  # Click turns an interrupt outside a command into Abort
        cause = exc.__context__ if isinstance(exc, typer.Abort) else exc
        sys.exit(interrupted(cause if isinstance(cause, KeyboardInterrupt) else KeyboardInterrupt()).exit_code)
    except Exception as exc:  # a bug, not a user mistake: still one line, but exit 1 and a way to get the traceback
        if os.environ.get("LRCLI_DEBUG"):
            raise
        say(
            f"lrcli: error: internal error ({type(exc).__name__}: {exc}); this is a bug in lrcli: rerun with "
            "LRCLI_DEBUG=1 for the traceback and report it"
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["app", "main"]
