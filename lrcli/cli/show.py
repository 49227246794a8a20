"""`lrcli show`: every value of a config's plan, where it came from, and T and W when they can be counted."""

from __future__ import annotations

import typer

from lrcli.cli.app import user_errors
from lrcli.cli.options import JsonOpt, RequiredConfigArg, RunOptions, run_options
from lrcli.cli.output import to_stdout
from lrcli.config import resolve
from lrcli.errors import LrcliError
from lrcli.render import show_text
from lrcli.steps import StepPlan, plan_steps


@run_options(without=("metrics", "metric", "step_unit"))
def show(config_path: RequiredConfigArg, as_json: JsonOpt = False, *, options: RunOptions) -> None:
    """The resolved plan of a CONFIG: every value used, where it came from (file key, framework default, flag),
    and T and W when the dataset size is known.

    Example: lrcli show train.yaml --samples 20000 --world-size 8
    """
    with user_errors():
        config_file = options.config_file(config_path)
        config = resolve(options.layers(config_file, options.one_step_choice("show")))
        plan: StepPlan | None = None
        missing = None
        try:
            plan = plan_steps(config)
        except LrcliError as exc:  # show what is known even when T is not
            missing = str(exc)
        render_show = show_text.show_json if as_json else show_text.show_text
        to_stdout(render_show(config, plan, missing, config_file.notes))
