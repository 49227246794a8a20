"""The command line: flags in, the core called, results printed. The only module that prints or exits."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from lrcli import __version__
from lrcli.config import TrainConfig, resolve
from lrcli.curve import Curve, compute
from lrcli.errors import LrcliError
from lrcli.render import STDOUT, pick_format, render
from lrcli.schedules import REQUIRED, SCHEDULES
from lrcli.values import parse_kw_pairs, parse_kwargs_json

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

# Shared options: one definition each, so every command spells them the same way.
ScheduleOpt = Annotated[
    str | None,
    typer.Option("--schedule", "--lr-scheduler-type", help="Schedule name (see `lrcli schedules`). Default: linear."),
]
LrOpt = Annotated[float | None, typer.Option("--lr", "--learning-rate", help="Peak learning rate. Default: 5e-5.")]
TotalStepsOpt = Annotated[int | None, typer.Option("--total-steps", help="T: the number of optimizer steps.")]
WarmupStepsOpt = Annotated[
    float | None,
    typer.Option("--warmup-steps", help="Warmup, transformers 5.x meaning: ≥ 1 is a step count, < 1 a fraction of T (rounded up)."),
]
WarmupRatioOpt = Annotated[
    float | None, typer.Option("--warmup-ratio", help="Warmup as a fraction of T, rounded up: W = ceil(T·R).")
]
KwOpt = Annotated[
    list[str] | None,
    typer.Option("--kw", help="Scheduler argument KEY=VALUE (HF lr_scheduler_kwargs); repeatable."),
]
SchedulerKwargsOpt = Annotated[
    str | None, typer.Option("--scheduler-kwargs", help='Scheduler arguments as JSON, e.g. \'{"num_cycles": 2}\'.')
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", help="Write here; the suffix picks the format: .png .svg .pdf .csv .json .txt; '-' is CSV on stdout."
    ),
]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Output format, overriding the suffix: png svg pdf csv json txt.")]
LogYOpt = Annotated[bool, typer.Option("--log-y", help="Logarithmic LR axis.")]
MetricsOpt = Annotated[
    str | None,
    typer.Option(
        "--metrics",
        help="Evaluation history for ReduceLROnPlateau/greedy: a trainer_state.json (log_history) or a CSV with a "
        "step column (optimizer updates done) and a metric column.",
    ),
]
MetricOpt = Annotated[
    str | None,
    typer.Option("--metric", help="Metric to read from --metrics. Default: eval_loss, val_loss or the only one."),
]
StepUnitOpt = Annotated[
    str | None,
    typer.Option("--step-unit", help="When the scheduler steps: 'step' (each optimizer update, default) or 'epoch'."),
]


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


def _warn(notes: Sequence[str]) -> None:
    for note in notes:
        typer.echo(f"lrcli: warning: {note}", err=True)


def _flag_layers(
    *, schedule: str | None, lr: float | None, total_steps: int | None, warmup_steps: float | None,
    warmup_ratio: float | None, metrics: str | None = None, metric: str | None = None, step_unit: str | None = None,
) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"metrics_path": metrics}, "--metrics"),
        ({"metric_name": metric}, "--metric"),
        ({"step_unit": step_unit}, "--step-unit"),
        ({"lr_scheduler_type": schedule}, "--schedule"),
        ({"learning_rate": lr}, "--lr"),
        ({"total_steps": total_steps}, "--total-steps"),
        ({"warmup_steps": warmup_steps}, "--warmup-steps"),
        ({"warmup_ratio": warmup_ratio}, "--warmup-ratio"),
    ]


def _kwargs_from_flags(kw: list[str] | None, scheduler_kwargs: str | None) -> dict[str, Any]:
    merged = parse_kwargs_json(scheduler_kwargs) if scheduler_kwargs else {}
    merged.update(parse_kw_pairs(kw or []))
    return merged


def _summary(curve: Curve) -> str:
    peak_step = int(curve.lr.argmax())
    return (
        f"{curve.label}: T={curve.plan.total} steps, warmup W={curve.plan.warmup}, "
        f"peak LR {float(curve.lr[peak_step]):.6g} at step {peak_step}, final LR {curve.final_lr:.6g}"
    )


def _write(curves: Sequence[Curve], output: str | None, fmt: str | None, *, log_y: bool, default_name: str) -> None:
    chosen = pick_format(output, fmt)
    if output == STDOUT:
        if chosen in ("png", "pdf") and sys.stdout.isatty():
            raise LrcliError(f"refusing to write binary {chosen.upper()} to a terminal; use -o FILE.{chosen}")
        data = render(curves, chosen, log_y=log_y)
        for curve in curves:
            typer.echo(_summary(curve), err=True)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(output) if output is not None else Path(f"{default_name}.{chosen}")
    data = render(curves, chosen, log_y=log_y)
    _atomic_write(path, data)
    for curve in curves:
        typer.echo(_summary(curve), err=True)
    typer.echo(f"wrote {path}", err=True)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, so a failure leaves no partial output."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise LrcliError(f"cannot write {path}: {exc.strerror}; check that {directory} exists and is writable") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise LrcliError(f"cannot write {path}: {exc.strerror}") from None


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


@app.command()
def plot(
    output: OutputOpt = None,
    schedule: ScheduleOpt = None,
    lr: LrOpt = None,
    total_steps: TotalStepsOpt = None,
    warmup_steps: WarmupStepsOpt = None,
    warmup_ratio: WarmupRatioOpt = None,
    kw: KwOpt = None,
    scheduler_kwargs: SchedulerKwargsOpt = None,
    fmt: FormatOpt = None,
    log_y: LogYOpt = False,
    metrics: MetricsOpt = None,
    metric: MetricOpt = None,
    step_unit: StepUnitOpt = None,
) -> None:
    """Draw (or tabulate) one learning-rate schedule.

    Without -o, writes <schedule>.png in the current directory. Row s is the LR after s scheduler steps.

    Example: lrcli plot --schedule cosine --lr 5e-6 --total-steps 1000 --warmup-ratio 0.1 -o lr.png
    """
    with user_errors():
        layers = _flag_layers(
            schedule=schedule, lr=lr, total_steps=total_steps, warmup_steps=warmup_steps, warmup_ratio=warmup_ratio,
            metrics=metrics, metric=metric, step_unit=step_unit,
        )
        layers.append(({"lr_scheduler_kwargs": _kwargs_from_flags(kw, scheduler_kwargs) or None}, "--kw"))
        curve = compute(resolve(layers))
        _warn(curve.notes)
        _write([curve], output, fmt, log_y=log_y, default_name=_safe_name(curve.label))


def _split_compare_kwargs(names: Sequence[str], pairs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`NAME.KEY=VALUE` goes to schedule NAME only; a plain `KEY=VALUE` goes to every schedule."""
    per_name: dict[str, dict[str, Any]] = {name: {} for name in names}
    for key, value in pairs.items():
        prefix, dot, rest = key.partition(".")
        if dot and prefix in per_name:
            per_name[prefix][rest] = value
        elif dot and prefix not in SCHEDULES:
            raise LrcliError(f"--kw {key}: {prefix!r} is not one of the compared schedules ({', '.join(names)})")
        else:
            for name in names:
                per_name[name].setdefault(key, value)
    return per_name


@app.command()
def compare(
    names: Annotated[list[str], typer.Argument(help="Schedule names to overlay.", show_default=False)],
    output: OutputOpt = None,
    lr: LrOpt = None,
    total_steps: TotalStepsOpt = None,
    warmup_steps: WarmupStepsOpt = None,
    warmup_ratio: WarmupRatioOpt = None,
    kw: KwOpt = None,
    scheduler_kwargs: SchedulerKwargsOpt = None,
    fmt: FormatOpt = None,
    log_y: LogYOpt = False,
    metrics: MetricsOpt = None,
    metric: MetricOpt = None,
    step_unit: StepUnitOpt = None,
) -> None:
    """Overlay several schedules in one figure or table (one CSV column per schedule).

    Scheduler arguments for one schedule only: --kw NAME.KEY=VALUE.

    Example: lrcli compare cosine linear --lr 3e-4 --total-steps 500 --warmup-steps 50 -o c.png
    """
    with user_errors():
        pairs = _kwargs_from_flags(kw, scheduler_kwargs)
        per_name = _split_compare_kwargs(names, pairs)
        curves = []
        for name in names:
            layers = _flag_layers(
                schedule=name, lr=lr, total_steps=total_steps, warmup_steps=warmup_steps, warmup_ratio=warmup_ratio,
                metrics=metrics, metric=metric, step_unit=step_unit,
            )
            layers.append(({"lr_scheduler_kwargs": per_name[name] or None}, "--kw"))
            curves.append(compute(resolve(layers)))
        for curve in curves:
            _warn(curve.notes)
        _write(curves, output, fmt, log_y=log_y, default_name="compare_" + "_".join(_safe_name(n) for n in names))


def _format_default(value: Any) -> str:
    return "required" if value is REQUIRED else repr(value)


@app.command()
def schedules() -> None:
    """List every schedule: name, what it does, and its parameters with defaults.

    Example: lrcli schedules
    """
    families: dict[str, list[str]] = {}
    for schedule in SCHEDULES.values():
        params = ", ".join(f"{k}={_format_default(v)}" for k, v in schedule.parameters().items())
        since = f" [transformers ≥ {schedule.added_in}]" if schedule.added_in else ""
        since += " [needs --metrics]" if schedule.needs_metrics else ""
        families.setdefault(schedule.family, []).append(
            f"  {schedule.name:<28} {schedule.summary}{since}\n  {'':<28} params: {params or '(none)'}"
        )
    blocks = [f"{family}:\n" + "\n".join(lines) for family, lines in families.items()]
    typer.echo("\n\n".join(blocks))


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


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console entry point: Typer's own usage errors also become one `lrcli: error:` line with exit code 2."""
    try:
        code = app(args=list(argv) if argv is not None else None, prog_name="lrcli", standalone_mode=False)
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `lrcli` / `lrcli plot`: show help, as Typer would
            typer.echo(exc.format_message(), err=True)
            sys.exit(2)
        context = getattr(exc, "ctx", None)
        where = f"{context.command_path}: " if context is not None else ""
        hint = f" (see `{context.command_path} --help`)" if context is not None else ""
        typer.echo(f"lrcli: error: {where}{exc.format_message()}{hint}", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except typer.Abort:
        typer.echo("lrcli: error: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
