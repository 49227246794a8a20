"""`lrcli plot`: one schedule, from flags or a training config, drawn or tabulated."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from lrcli.cli.app import user_errors, warn
from lrcli.cli.options import (
    ConfigArg,
    FigureOptions,
    FormatOpt,
    FrameworkArgs,
    OutputOpt,
    RunOptions,
    figure_options,
    run_options,
)
from lrcli.cli.output import curve_choice, evaluating_progress, safe_name, write_curves
from lrcli.cli.overlay import LrColumnOpt, OverlayLogOpt, RunOpt, run_overlay


@run_options()
@figure_options
def plot(
    config_path: ConfigArg = None,
    framework_args: FrameworkArgs = None,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    overlay_log: OverlayLogOpt = None,
    lr_column: LrColumnOpt = None,
    run: RunOpt = None,
    *,
    options: RunOptions,
    figure: FigureOptions,
) -> None:
    """Draw (or tabulate) one learning-rate schedule, from flags or from a training CONFIG file.

    Without -o, writes <schedule>.png (<config name>.png for a CONFIG) in the current directory. Row s of a table is the LR after s scheduler
    steps, i.e. the LR of update s+1, for s = 0 … T.

    T comes from --total-steps, or from the step flags as the HF Trainer counts them (see `lrcli steps`).

    Example: lrcli plot --schedule cosine --samples 10000 --batch 32 --world-size 8 --warmup-ratio 0.1 -o lr.png

    Example: lrcli plot train.yaml --samples data.jsonl --world-size 8 -o lr.png

    With --overlay LOG it is `lrcli overlay LOG CONFIG`: the logged LR over the curve, the report, exit 1 when they differ.
    """
    from lrcli.cli.check import finding_warnings
    from lrcli.config import resolve
    from lrcli.curve import MAX_CURVE_STEPS, outline
    from lrcli.errors import LrcliError
    from lrcli.render import pick_format
    from lrcli.render.steps_text import samples_source

    with user_errors():
        if overlay_log is not None:  # the logged LR over this curve: `lrcli overlay LOG CONFIG`, same report and exit
            if fmt is not None and fmt.lower().lstrip(".") not in ("png", "svg", "pdf"):
                raise LrcliError(f"--format {fmt} with --overlay: the overlay is a plot (png, svg or pdf)")
            if output is None and fmt is not None:
                output = f"overlay_{safe_name(Path(config_path).stem if config_path else 'flags')}.{fmt.lower().lstrip('.')}"
            run_overlay(overlay_log, config_path, options, figure, output, "text", lr_column, run)
            return
        config_file = options.config_file(config_path, framework_args)
        config = resolve(options.layers(config_file, options.one_step_choice("plot")))
        try:
            chosen = pick_format(output, fmt)
        except LrcliError:
            chosen = None  # write_curves says what is wrong with -o, after checking what it names
        curve = outline(config, **curve_choice(chosen, figure, MAX_CURVE_STEPS + 1),
                        progress=evaluating_progress(config.label or config.lr_scheduler_type))
        curve = replace(curve, notes=config_file.notes + curve.notes)  # the JSON output carries them too
        write_curves([curve], output, fmt, figure, default_name=safe_name(curve.label))
        found = samples_source(config)
        if found:
            typer.echo(found, err=True)
        warn(curve.notes)  # after the write: a failed write stays one error line
        warn(finding_warnings(config_path, config_file, config, curve.notes, curve))  # what `lrcli check` fails on
