"""`lrcli check`: the schedule mistakes a config shows before launch, as findings with codes (docs/rules.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from lrcli.cli.app import say, user_errors
from lrcli.cli.options import RunOptions, run_options
from lrcli.cli.output import to_stdout
from lrcli.errors import LrcliError

if TYPE_CHECKING:
    from lrcli.config import TrainConfig
    from lrcli.curve import Curve
    from lrcli.inputs.config_search import Found
    from lrcli.inputs.layers import ConfigLayers
    from lrcli.lint import Finding, Target

FORMATS = ("text", "json", "github")  # lint.report's formats (a test holds them equal); the core is imported in the command

ConfigsArg = Annotated[
    list[str],
    typer.Argument(metavar="CONFIG…", show_default=False,
                   help="Training configs (YAML/JSON; TOML job files and launch scripts when named) or "
                        "directories to search for them."),
]
CheckFormatOpt = Annotated[
    str,
    typer.Option("--format", metavar="|".join(FORMATS),
                 help="text (one line per finding), json, or github (GitHub Actions annotations)."),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option("--ignore", metavar="CODE", help="Leave out a code (LR501) or a family (LR5); repeatable, or CODE,CODE."),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail the check too (exit 1).")]
OnlineOpt = Annotated[
    bool,
    typer.Option("--online", help="Also ask the Hugging Face Hub for dataset sizes (10 s timeout per request), so that "
                 "the rules that need T run for configs whose data is not local or cached."),
]
ConfigsOnlyOpt = Annotated[
    bool,
    typer.Option("--configs-only", help="Skip named files that are not training configs (workflows, launcher configs, "
                 "data) quietly, as a directory search does: for pre-commit, which passes every YAML/JSON file."),
]


@run_options(without=("offline", "metrics", "metric"))
def check_command(
    configs: ConfigsArg,
    fmt: CheckFormatOpt = "text",
    ignore: IgnoreOpt = None,
    strict: StrictOpt = False,
    configs_only: ConfigsOnlyOpt = False,
    online: OnlineOpt = False,
    *,
    options: RunOptions,
) -> None:
    """Find the schedule mistakes in training configs before the GPUs do: warmup longer than the run, a DeepSpeed
    scheduler that replaces the config's, keys the transformers version drops, eval_steps beyond T, an epoch-stepped
    scheduler sized in updates, … Every finding has a code (docs/rules.md), a level, the key's line and the fix.

    Exit 0 when nothing fails, 1 when an error (with --strict, also a warning) is found, 2 on a usage error. Step
    flags (--samples, --world-size, …) apply to every config; without --online the network is not used (N from local
    data and the caches, else --samples).

    Example: lrcli check configs/ --format github

    Example: lrcli check train.yaml --samples 52002 --world-size 8 --ignore LR603
    """
    from lrcli.inputs.config_search import find_configs
    from lrcli.lint import check, expand, fails, unknown_codes
    from lrcli.lint.report import github_lines, json_text, text_lines

    with user_errors():
        if fmt not in FORMATS:
            raise LrcliError(f"--format {fmt}: use one of {', '.join(FORMATS)}")
        codes = [code.strip().upper() for item in ignore or [] for code in item.split(",") if code.strip()]
        unknown = unknown_codes(codes)
        if unknown:
            raise LrcliError(f"--ignore {', '.join(unknown)}: no such rule (docs/rules.md lists them: LR001 …)")
        ignored = expand(codes)
        step_values = options.one_step_choice("check")
        findings: list[Finding] = []
        found = find_configs(configs, configs_only=configs_only)
        for item in found:
            findings += check(_target(item, options, step_values, online), ignored)
        if fmt == "json":
            to_stdout(json_text(findings, len(found)) + "\n")
        elif fmt == "github":
            to_stdout("".join(line + "\n" for line in github_lines(findings)))
        else:
            *lines, summary = text_lines(findings, len(found))
            to_stdout("".join(line + "\n" for line in lines))
            say(summary)
    raise typer.Exit(1 if any(fails(f, strict) for f in findings) else 0)


def _target(item: Found, options: RunOptions, step_values: dict, online: bool) -> Target:
    from lrcli.config import resolve
    from lrcli.inputs.bounded import Located
    from lrcli.inputs.config_search import is_launcher_config
    from lrcli.lint import assess

    if item.located is None:
        return assess(item.path, Located({}, {}), None, settings_error=item.problem)
    if is_launcher_config(item.located.value):
        return assess(item.path, item.located, None, launcher=True)
    try:
        if not isinstance(item.located.value, dict):
            raise LrcliError(f"{item.path}: expected a mapping of settings at the top level")
        config_file = options.config_file(item.path, document=item.located.value, offline=not online)
        config = resolve(options.layers(config_file, step_values))
    except LrcliError as exc:
        return assess(item.path, item.located, None, settings_error=str(exc))
    return assess(item.path, item.located, config)


def finding_warnings(
    config_path: str | None, config_file: ConfigLayers, config: TrainConfig, notes: Sequence[str],
    curve: Curve | None = None,
) -> list[str]:
    """The error- and warning-level findings of a run `plot`/`steps` computed, as warning texts (without the ones
    `notes`, the warnings it printed, already give), so that the checks reach those who never run `check`."""
    from lrcli.inputs.bounded import Located
    from lrcli.lint import RULES, assess, check

    located = Located(config_file.document or {}, {})
    try:  # `steps` draws no curve, and does not start to for its warnings
        target = assess(config_path or "flags", located, config, curve=curve, evaluate=False)
    except LrcliError:
        return []
    noted = {code for code, rule in RULES.items() if rule.repeats(notes)} | {"LR000", "LR010"}
    return [
        f"{f.code} {f.message} (fix: {f.fix}; `lrcli check` explains)"
        for f in check(target, noted)
        if f.level in ("error", "warning")
    ]


__all__: Sequence[str] = ["check_command", "finding_warnings"]
