"""The Typer application, the one error boundary, and the stderr lines shared by every command."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from lrcli.errors import LrcliError, one_line
from lrcli.inputs.bounded import recording

STEP_CONVENTION_HELP = (
    "Row s of every table is the LR after s scheduler steps, i.e. the LR the optimizer uses for update s+1, "
    "for s = 0 … T."
)


def unwrap_paragraphs(text: str | None) -> str | None:
    """Docstring paragraphs as single lines: Typer's help keeps the line breaks of every paragraph after the first,
    so a sentence wrapped at 120 columns in the source would be printed broken in two at whatever width."""
    if text is None:
        return None
    return "\n\n".join(" ".join(line.strip() for line in block.splitlines()) for block in text.split("\n\n"))


def _no_value_type(ctx: Any) -> None:
    return None


class _PlainValues:
    """Typer (0.29) coerces every parameter through a pydantic TypeAdapter that it builds on first use, even for an
    option left unset or a flag: every run imported pydantic (~0.1 s, more than all of lrcli's own modules). A
    value that needs no conversion — unset, a string for a `str` option, a bool for a flag — is passed through as
    the adapter would return it; anything else (numbers, lists) still goes to Typer's own coercion."""

    def __init__(self, param: Any, typer_coercion: Any) -> None:
        self.param, self.typer_coercion = param, typer_coercion

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        many = param.multiple or param.nargs == -1
        if value is None or (many and value == ()):
            return () if many else None
        if many and param.type_descriptor.annotation == list[str] and all(type(v) is str for v in value):
            return list(value)
        if type(value) in (str, bool) and value.__class__ is param.type_descriptor.annotation and not many:
            return value
        return self.typer_coercion().coerce(value, param=param, ctx=ctx)


def _plain_values(param: Any) -> None:
    coercion = getattr(param, "get_runtime_param", None)
    if coercion is None or not hasattr(param, "type_descriptor") or isinstance(coercion, _PlainValues):
        return  # another Typer: its own coercion, unchanged
    plain = _PlainValues(param, coercion)
    param.get_runtime_param = lambda: plain


def _plain_params(params: list[Any]) -> list[Any]:
    """No `<bool>` / `<str>` type column in the help: a flag takes no value (Typer prints `<bool>` for every flag,
    `--help` and `--install-completion` included), and an argument's metavar already says what it is (Typer
    prints `CONFIG <str>`). Typer has no setting for either, so the params of lrcli's own commands are adjusted
    where Typer hands them over."""
    for param in params:
        _plain_values(param)
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # an option with a metavar shows it instead of its type
        elif param.param_type_name == "argument" and param.metavar is not None:
            param.display_type_rich = _no_value_type
    return params


class Command(TyperCommand):
    """A command whose help reads as prose: paragraphs unwrapped, flags without a value type."""

    def __init__(self, *args: Any, help: str | None = None, **kwargs: Any) -> None:  # noqa: A002 (Typer's name)
        super().__init__(*args, help=unwrap_paragraphs(help), **kwargs)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_params(super().get_params(ctx))


class Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_params(super().get_params(ctx))


app = typer.Typer(
    name="lrcli",
    cls=Group,
    no_args_is_help=True,
    help="See the exact learning-rate curve and step count of a training run before it runs. " + STEP_CONVENTION_HELP,
)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like SIGINT's KeyboardInterrupt so that the same clean-up runs (see `cli.main`)."""

    exit_code = 143


class StdoutClosed(Exception):
    """The reader of stdout went away (`lrcli schedules | head -1`): nothing left to say, and nothing went wrong."""


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
    except StdoutClosed:
        raise typer.Exit(0) from None  # as `… | head` expects: quiet (no error line for the reader's choice)
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
