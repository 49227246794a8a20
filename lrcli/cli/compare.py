"""`lrcli compare`: several schedules or configs, and every combination of comma-listed step flags, overlaid."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from lrcli.cli.app import user_errors, warn
from lrcli.cli.options import (
    FigureOptions,
    FormatOpt,
    OutputOpt,
    RunOptions,
    complete_schedule_or_config,
    figure_options,
    run_options,
)
from lrcli.cli.output import curve_choice, evaluating_progress, safe_name, write_curves
from lrcli.errors import LrcliError
from lrcli.inputs.files import looks_like_config

NamesArg = Annotated[
    list[str],
    typer.Argument(
        metavar="SCHEDULE_OR_CONFIG",
        help="Schedule names or config files (.yaml/.yml/.json) to overlay.",
        show_default=False,
        autocompletion=complete_schedule_or_config,
    ),
]


@run_options(without=("schedule",))
@figure_options
def compare(
    names: NamesArg,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    *,
    options: RunOptions,
    figure: FigureOptions,
) -> None:
    """Overlay several schedules or config files in one figure or table (one CSV column per curve).

    A config file draws the curve its framework will run; the flags override its values as in `lrcli plot`.
    Row s of a table is the LR after s scheduler steps, i.e. the LR of update s+1, for s = 0 … T.

    Scheduler arguments for one curve only: --kw LABEL.KEY=VALUE (LABEL: the schedule name, or a config's file
    name without its suffix). Without -o, writes compare_<names>.png in the current directory.

    Step flags take comma lists: each combination is one curve per schedule, labelled by the values that vary,
    e.g. `lrcli compare cosine --samples 10000 --batch 32 --world-size 1,8` draws "cosine world_size=1" and
    "cosine world_size=8".

    Example: lrcli compare cosine linear --lr 3e-4 --total-steps 500 --warmup-steps 50 -o c.png
    """
    from lrcli.cli.check import finding_warnings
    from lrcli.config import Layer, Source, resolve
    from lrcli.curve import MAX_CURVE_STEPS, outline, row_by_row
    from lrcli.render import pick_format

    with user_errors():
        labels = compare_labels(names)
        per_name = split_compare_kwargs(labels, options.flag_kwargs())
        choices = options.step_choices()
        varying = [flag for flag, items in choices.items() if len(items) > 1]
        try:
            chosen = pick_format(output, fmt)
        except LrcliError:
            chosen = None  # write_curves says what is wrong with -o, after checking what it names
        curves = []
        findings: list[str] = []  # what `lrcli check` fails on, for each compared config, as `plot` warns it
        for name in names:
            is_file = looks_like_config(name)
            for combination in itertools.product(*choices.values()):
                step_values = dict(zip(choices, combination, strict=True))
                suffix = " ".join(f"{flag.lstrip('-').replace('-', '_')}={step_values[flag]}" for flag in varying)
                config_file = options.config_file(name) if is_file else options.no_config_file()
                layers = options.layers(
                    config_file, step_values, schedule=None if is_file else name, kwargs=per_name[name]
                )
                label = f"{labels[name]} {suffix}" if suffix else labels[name]
                layers.append(Layer({"label": label}, Source.derived("compare")))
                # rows held in arrays are shared among the curves (as one plot's at most): past that, outlines
                held = sum(len(curve.steps) for curve in curves)
                config = resolve(layers)
                how = curve_choice(chosen, figure, max(0, MAX_CURVE_STEPS + 1 - held))
                curve = outline(config, **how, progress=evaluating_progress(label))
                curves.append(replace(curve, notes=config_file.notes + curve.notes))  # the JSON output carries them
                if is_file:
                    findings += [
                        f"{label}: {text}"
                        for text in finding_warnings(name, config_file, config, curves[-1].notes, curve)
                    ]
        if len(curves) > 1:  # the summary table sums every row of each curve: refused before anything is written
            for curve in curves:
                if curve.outlined:
                    row_by_row(curve.plan.total + 1, f"{curve.label}: the mean and sum of the LR")
        stems = (safe_name(Path(n).stem if looks_like_config(n) else n) for n in names)
        write_curves(curves, output, fmt, figure, default_name="compare_" + "_".join(stems))
        warn(list(dict.fromkeys(note for curve in curves for note in curve.notes)))
        warn(list(dict.fromkeys(findings)))


def split_compare_kwargs(labels: dict[str, str], pairs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`LABEL.KEY=VALUE` goes to the one compared schedule or config (by its label, e.g. `trl_sft` for
    `configs/trl_sft.yaml`); a plain `KEY=VALUE` goes to every one."""
    per_name: dict[str, dict[str, Any]] = {name: {} for name in labels}
    by_label = {label: name for name, label in labels.items()}
    for key, value in pairs.items():
        target = max((label for label in by_label if key.startswith(label + ".")), key=len, default=None)
        if target is not None:
            per_name[by_label[target]][key[len(target) + 1:]] = value
        elif "." in key:
            prefix = key.partition(".")[0]
            raise LrcliError(
                f"--kw {key}: {prefix!r} is not one of the compared curves; write --kw LABEL.KEY=VALUE with "
                f"LABEL one of: {', '.join(by_label)}"
            )
        else:
            for name in labels:
                per_name[name].setdefault(key, value)
    return per_name


def compare_labels(names: Sequence[str]) -> dict[str, str]:
    """Each compared name's label: a config's file stem, or its path when two configs share a stem
    (`a/train.yaml b/train.yaml`), so legends and CSV columns stay tellable apart."""
    repeated = [name for name in dict.fromkeys(names) if names.count(name) > 1]
    if repeated:
        raise LrcliError(f"{repeated[0]} is given twice to `lrcli compare`; list each schedule or config once")
    stems = [Path(name).stem if looks_like_config(name) else name for name in names]
    return {
        name: str(Path(name).with_suffix("")) if looks_like_config(name) and stems.count(stem) > 1 else stem
        for name, stem in zip(names, stems, strict=True)
    }

