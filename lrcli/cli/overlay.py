"""`lrcli overlay LOG [CONFIG]`: a run's logged LR against the curve it should have had (also `plot --overlay`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lrcli.cli.app import say, user_errors, warn
from lrcli.cli.options import ConfigArg, FigureOptions, RunOptions, figure_options, run_options
from lrcli.cli.output import default_file_name, safe_name, to_stdout
from lrcli.cli.safe_write import write_output
from lrcli.errors import LrcliError, shown

PLOT_FORMATS = ("png", "svg", "pdf")
REPORT_FORMATS = ("text", "json")

LogArg = Annotated[str, typer.Argument(
    metavar="LOG", show_default=False,
    help="What the run left: trainer_state.json or an output/checkpoint directory (the latest checkpoint's), "
    "LLaMA-Factory's trainer_log.jsonl, a Lightning metrics.csv, a TensorBoard event file, a W&B run directory "
    "(wandb/run-…, or the wandb/ directory: its newest run) or CSV export, a torchtune log_*.txt, or any CSV with a "
    "step and an LR column.",
)]  # fmt: skip
LrColumnOpt = Annotated[str | None, typer.Option(
    "--lr-column", metavar="NAME", help="The LR column or TensorBoard tag of the log (default: the only LR one).",
)]  # fmt: skip
RunOpt = Annotated[str | None, typer.Option(
    "--run", metavar="NAME", help="The run of a W&B chart export that holds several (its '<run> - <metric>' columns).",
)]  # fmt: skip
OverlayLogOpt = Annotated[str | None, typer.Option(
    "--overlay", metavar="LOG", help="A run's log (as `lrcli overlay LOG`): draw its LR over the curve and report.",
)]  # fmt: skip
ReportFormatOpt = Annotated[str, typer.Option(
    "--format", metavar="FORMAT", help="The report: text (on stderr) or json (on stdout; the plot only with -o).",
)]  # fmt: skip
OverlayOutputOpt = Annotated[str | None, typer.Option(
    "--output", "-o", metavar="FILE",
    help="The plot (.png .svg .pdf); default overlay_<name>.png here, none with --format json.",
)]  # fmt: skip


def run_overlay(log: str, config_path: str | None, options: RunOptions, figure: FigureOptions, output: str | None,
                fmt: str, lr_column: str | None, run: str | None = None) -> None:  # fmt: skip
    """Read, compare, report, draw; exits 1 when the log and the curve differ."""
    # Imported here: the curve, the log readers and the diagnosis are needed only when an overlay runs.
    from lrcli.config import DEFAULT_TRANSFORMERS, Layer, Source, TrainConfig, resolve
    from lrcli.diagnosis import compare_log
    from lrcli.inputs.bounded import files_read
    from lrcli.logs import log_settings, read_log
    from lrcli.render.overlay_report import report_json, report_lines

    if fmt not in REPORT_FORMATS:
        raise LrcliError(f"--format {shown(fmt)}: overlay reports as one of {', '.join(REPORT_FORMATS)}; the plot's "
                         "format is the suffix of -o")
    plot_format = None
    if output is not None or fmt == "text":
        suffix = Path(output).suffix.lower().lstrip(".") if output is not None else "png"
        if suffix not in PLOT_FORMATS:
            raise LrcliError(f"-o {shown(output or '')}: the overlay plot is one of "
                             f"{', '.join('.' + f for f in PLOT_FORMATS)}")
        plot_format = suffix
    # The HF logging rule is set once the config's transformers version is known (compare_log); until then the
    # default rule set's.
    series = read_log(log, transformers_version=DEFAULT_TRANSFORMERS, lr_column=lr_column, run=run)
    config_file = options.config_file(config_path)
    step_values = options.one_step_choice("overlay")
    layers = options.layers(config_file, step_values)
    if config_path is None:  # what the log records about its run (the Trainer's max_steps, a W&B run's settings)
        layers.insert(len(config_file.layers), Layer(log_settings(series), Source.file(f"{series.source} (log)")))
        layers.insert(0, Layer({"label": Path(series.source).stem}, "log"))
    config: TrainConfig = resolve(layers)
    curve, series, verdict = compare_log(config, series)
    if plot_format is not None:
        from lrcli.render.plot import render_overlay

        data = render_overlay(curve, series, verdict, plot_format, figure.settings())
        given = output if output is not None else default_file_name(f"overlay_{safe_name(curve.label)}", "png")
        written = write_output(given, [data], binary=plot_format != "svg", inputs=files_read())
        say(f"wrote {written}")
    if fmt == "json":
        to_stdout(report_json(curve, series, verdict))
    else:
        for line in report_lines(curve, series, verdict):
            say(line)
    warn(config_file.notes + series.notes + curve.notes)
    if not verdict.agree:
        raise typer.Exit(1)


@run_options()
@figure_options
def overlay(
    log: LogArg,
    config_path: ConfigArg = None,
    output: OverlayOutputOpt = None,
    fmt: ReportFormatOpt = "text",
    lr_column: LrColumnOpt = None,
    run: RunOpt = None,
    *,
    options: RunOptions,
    figure: FigureOptions,
) -> None:
    """Hold the LR a run LOGGED against the curve its CONFIG gives (without CONFIG: what the log records, e.g. the
    Trainer's max_steps, and the flags), and say why they differ.

    The logged points are matched to steps by the framework's logging rule (transformers ≤ 4.50.3 logs the LR after
    step g, ≥ 4.51.0 the LR update g used: --transformers-version picks it). The report gives the points compared,
    the max relative difference, the first step beyond tolerance and the likely cause: shifted by one step, scaled,
    stretched (world size or gradient accumulation counted differently), resumed with a different plan, a different
    schedule family (a DeepSpeed scheduler section), two of these together, or no known cause. Exit 0 when they
    agree, 1 when they differ, 2 on bad input.

    Example: lrcli overlay output/ train.yaml --samples 52002 -o overlay.png
    """
    with user_errors():
        run_overlay(log, config_path, options, figure, output, fmt, lr_column, run)
