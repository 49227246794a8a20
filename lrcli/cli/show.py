"""`lrcli show`: every value of a config's plan, where it came from, and T and W when they can be counted."""

from __future__ import annotations

from lrcli.cli.app import user_errors
from lrcli.cli.options import FrameworkArgs, JsonOpt, RequiredConfigArg, RunOptions, run_options
from lrcli.cli.output import to_stdout


@run_options(without=("metrics", "metric", "step_unit"))
def show(
    config_path: RequiredConfigArg, framework_args: FrameworkArgs = None, as_json: JsonOpt = False, *,
    options: RunOptions,
) -> None:
    """The resolved plan of a CONFIG: every value used, where it came from (file key, framework default, flag),
    and T and W when the dataset size is known.

    Example: lrcli show train.yaml --samples 20000 --world-size 8
    """
    from lrcli.config import resolve
    from lrcli.curve import scheduler_settings
    from lrcli.errors import LrcliError
    from lrcli.render import show_text
    from lrcli.render.document import document, scheduler_record
    from lrcli.steps import StepPlan, plan_steps

    with user_errors():
        config_file = options.config_file(config_path, framework_args)
        config = resolve(options.layers(config_file, options.one_step_choice("show")))
        plan: StepPlan | None = None
        scheduler = None
        missing = None
        try:
            plan = plan_steps(config)
            name, kwargs, sources = scheduler_settings(config, plan)
            scheduler = scheduler_record(name, config.learning_rate, kwargs, sources, config.lr_scheduler_kwargs)
        except LrcliError as exc:  # show what is known even when T (or the scheduler) is not
            missing = str(exc)
        if as_json:
            to_stdout(document([show_text.show_record(config, plan, missing, config_file.notes, scheduler)]))
        else:
            to_stdout(show_text.show_text(config, plan, missing, config_file.notes, scheduler))
