"""The command line: flags in, the core called, results printed. The only package that prints or exits.

`app` (app.py) is the Typer application and `user_errors` its one error boundary; `options` defines the option set
the run commands share and its translation into `config.resolve` layers; `output` writes results. Each command has
its own module, named in COMMANDS in the order `lrcli --help` lists them.

A run builds only the command it names (`lrcli steps …` imports and builds `steps` alone: Typer builds the click
object of every registered command, and each command module imports what its options need); `lrcli`, `--help`, shell
completion and an unknown name get them all. `lrcli.cli.app` (PEP 562) is the Typer app with every command.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer

from lrcli import __version__
from lrcli.cli.app import Command, Group, Terminated, interrupted, say
from lrcli.cli.app import app as _app

# Importing the submodule bound the name `app` here to it; the package's `app` is the Typer app (__getattr__ below),
# as it was when the commands were registered at import.
del globals()["app"]

# command name -> (its module, the function); the order of `lrcli --help`
COMMANDS = {
    "plot": ("lrcli.cli.plot", "plot"), "compare": ("lrcli.cli.compare", "compare"),
    "overlay": ("lrcli.cli.overlay", "overlay"), "steps": ("lrcli.cli.steps", "steps"),
    "show": ("lrcli.cli.show", "show"), "schedules": ("lrcli.cli.schedules", "schedules"),
    "check": ("lrcli.cli.check", "check_command"),
}  # fmt: skip


def _register(app: typer.Typer, names: Sequence[str]) -> typer.Typer:
    for name in names:
        module, function = COMMANDS[name]
        app.command(name, cls=Command)(getattr(importlib.import_module(module), function))
    return app


_everything: list[typer.Typer] = []


def __getattr__(name: str) -> Any:
    """`lrcli.cli.app`: the Typer app with every command, registered on first use (tests, documentation)."""
    if name != "app":
        raise AttributeError(f"module 'lrcli.cli' has no attribute {name!r}")
    if not _everything:
        _everything.append(_register(_app, list(COMMANDS)))
    return _everything[0]


def _app_for(args: Sequence[str]) -> typer.Typer:
    """The app a run needs: only the command `args` names (with its `--help`), else every command (`lrcli`,
    `lrcli --help`, `--version`, completion, a misspelt name: its error lists the commands)."""
    named = args[0] if args else None
    if named not in COMMANDS or "_LRCLI_COMPLETE" in os.environ or _everything:
        return __getattr__("app")
    alone = typer.Typer(name=_app.info.name, cls=Group, no_args_is_help=True, help=_app.info.help)
    alone.callback()(_root)
    return _register(alone, [named])


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"lrcli {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """See the exact learning-rate curve and step count of a training run before it runs."""


_app.callback()(_root)


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
    """Console entry point: Typer's own usage errors also become one `lrcli: error:` line with exit code 2.

    Run from the console (`argv` None: the `lrcli` script, `python -m lrcli`), the process ends as soon as its
    output is flushed (`_leave`); called from Python with `argv`, it raises SystemExit as usual."""
    try:
        _main(argv)
    except SystemExit as exc:
        if argv is None:
            _leave(exc.code)
        raise


def _leave(code: object) -> None:
    """End the process at once with `code`, once stdout and stderr are flushed: the interpreter's teardown (freeing
    every module and object: ~0.1 s of CPU after a plot, more wall time on a busy machine) changes nothing the
    user sees. Every file lrcli writes is closed and renamed into place before this point (cli/safe_write.py).
    Not under a profiler or tracer, which report at exit; an exit code that is not a number, or a flush that
    fails, leaves through the interpreter's normal exit instead."""
    if not isinstance(code, int) or sys.getprofile() is not None or sys.gettrace() is not None:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _main(argv: Sequence[str] | None) -> NoReturn:
    try:
        with _sigterm_interrupts():
            args = list(argv) if argv is not None else sys.argv[1:]
            code = _app_for(args)(args=args, prog_name="lrcli", standalone_mode=False)
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
