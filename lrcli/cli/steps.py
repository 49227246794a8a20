"""`lrcli steps`: T and W with every stage of the count, as a table, an explanation or JSON."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from lrcli.cli.app import user_errors, warn
from lrcli.cli.options import ConfigArg, FrameworkArgs, JsonOpt, RunOptions, run_options
from lrcli.cli.output import to_stdout

ExplainOpt = Annotated[
    bool, typer.Option("--explain", help="Every rounding stage with its formula, and the other rule set's answer.")
]


@run_options(without=("lr", "metrics", "metric", "step_unit"))
def steps(
    config_path: ConfigArg = None,
    framework_args: FrameworkArgs = None,
    explain: ExplainOpt = False,
    as_json: JsonOpt = False,
    *,
    options: RunOptions,
) -> None:
    """How many optimizer steps the run has and where warmup ends, exactly as the HF Trainer counts them
    (or, for a CONFIG of axolotl, torchtune, Lightning or LLaMA-Factory v1, as that framework does).
    T and W count optimizer updates; in `lrcli plot` tables row s is the LR after s scheduler steps, s = 0 … T.

    N samples -> per-process batches per epoch (accelerate sharding) -> update steps per epoch (÷ GA) -> T -> W.
    --transformers-version switches the rules that changed (floor before 4.52.1, warmup precedence in 4.x / 5.x).

    Example: lrcli steps --samples 10000 --batch 32 --epochs 1 --world-size 8 --warmup-ratio 0.1 --explain

    Example: lrcli steps axolotl.yml --samples 5000 --world-size 4 --json
    """
    # The core is imported here, not at the top: `lrcli --help` and the other commands need none of it.
    from lrcli.cli.check import finding_warnings
    from lrcli.config import resolve
    from lrcli.curve import (
        first_update_notes,
        scheduler_settings,
        starting_lrs,
        starting_zero_rows,
        zero_rows_notes,
    )
    from lrcli.render import steps_text
    from lrcli.render.document import document, scheduler_record
    from lrcli.schedules import get_schedule
    from lrcli.steps import contrast_plan, plan_steps

    with user_errors():
        config_file = options.config_file(config_path, framework_args)
        config = resolve(options.layers(config_file, options.one_step_choice("steps")))
        plan = plan_steps(config)
        schedule = get_schedule(config.lr_scheduler_type)
        # Whether the first updates run at LR 0: settled by the schedule's form where it can be (no numpy), else
        # by evaluating rows 0 and 1.
        zeros = starting_zero_rows(config, plan)
        starting = (zero_rows_notes(zeros, plan, schedule) if zeros is not None
                    else first_update_notes(starting_lrs(config, plan), plan, schedule))
        plan = replace(plan, notes=config_file.notes + plan.notes + starting)
        if as_json:
            name, kwargs, sources = scheduler_settings(config, plan)
            scheduler = scheduler_record(name, config.learning_rate, kwargs, sources, config.lr_scheduler_kwargs)
            to_stdout(document([steps_text.steps_record(config, plan, scheduler)]))
        elif explain:
            to_stdout(steps_text.explanation(config, plan, contrast_plan(config)))
        else:
            to_stdout(steps_text.summary_table(config, plan))
        warn(plan.notes)  # on stderr, so `--json` and the table stay clean data on stdout
        warn(finding_warnings(config_path, config_file, config, plan.notes))  # what `lrcli check` fails on
