"""The option set the run commands share, defined once: `RunOptions` holds them, `@run_options` adds them to a
command, and `RunOptions.layers` turns them into `config.resolve` layers (the one flag → layer translation).

Typer builds a command's options from its signature, so `@run_options` gives the command a signature with the
shared options appended (keyword-only) and hands the command one `RunOptions` instead of twenty arguments: the
Typer form of sqlite-utils' `@output_options` and black's one `Mode` object. `@figure_options` does the same for
the options of `plot` and `compare` that change how curves are drawn (`FigureOptions`).
"""

from __future__ import annotations

import functools
import inspect
import math
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lrcli.dialects import NAMES as DIALECT_NAMES
from lrcli.errors import LrcliError
from lrcli.render import DEFAULT_DPI, DEFAULT_SIZE, FORMATS, PlotSettings
from lrcli.render.xaxis import X_UNITS, check_unit

if TYPE_CHECKING:
    from lrcli.config import Layer
    from lrcli.inputs.layers import ConfigLayers


# ---------------------------------------------------------------------------------------------- completion
def complete_schedule(incomplete: str) -> list[tuple[str, str]]:
    """Schedule names (`lrcli schedules`) starting with what was typed, each with its one-line summary."""
    from lrcli.schedules import SCHEDULES  # numpy: only when the shell asks

    return [(name, s.summary) for name, s in SCHEDULES.items() if name.startswith(incomplete)]


def complete_schedule_or_config(incomplete: str) -> list[tuple[str, str]]:
    """`compare`'s names: schedule names; nothing when none matches, so the shell completes a file name."""
    from lrcli.inputs.files import looks_like_config

    return [] if looks_like_config(incomplete) else complete_schedule(incomplete)


def _completer(choices: Mapping[str, str]) -> Callable[[str], list[tuple[str, str]]]:
    def complete(incomplete: str) -> list[tuple[str, str]]:
        return [(name, meaning) for name, meaning in choices.items() if name.startswith(incomplete)]

    return complete


def complete_dialect(incomplete: str) -> list[tuple[str, str]]:
    """Dialect names, each with the first line of its module's docstring (the modules: only when the shell asks)."""
    from lrcli.dialects import registry

    return [(name, module.__doc__.strip().splitlines()[0] if module.__doc__ else "")
            for name, module in registry().items() if name.startswith(incomplete)]


def complete_trainer(incomplete: str) -> list[tuple[str, str]]:
    from lrcli.dialects import swift, trl, verl

    return _completer({**dict.fromkeys(verl.ROLES, "verl optimizer"), **dict.fromkeys(swift.COMMANDS, "ms-swift command"),
                       **dict.fromkeys(swift.RLHF_TYPES, "ms-swift rlhf_type"),
                       **dict.fromkeys(trl.KNOWN_TRAINERS, "TRL trainer")})(incomplete)


complete_step_unit = _completer({"step": "every optimizer update", "epoch": "once per epoch (Lightning interval)"})
complete_format = _completer(dict.fromkeys(FORMATS, ""))

# Help panels: `lrcli plot --help` groups the options by what they are about.
STEPS_PANEL = "Step count: T and W, counted as the trainer counts them"
SCHEDULE_PANEL = "Schedule"
CONFIG_PANEL = "Config file"
FIGURE_PANEL = "Figure (PNG, SVG, PDF)"

# ---------------------------------------------------------------------------------------------- option definitions
# Metavars are words, or the symbol the output uses for the same quantity (N, GA, E, T): never a symbol the output
# uses for something else (W is the warmup, B the batches per epoch, L the batches per process).
ScheduleOpt = Annotated[
    str | None,
    typer.Option("--schedule", "--lr-scheduler-type", metavar="NAME", rich_help_panel=SCHEDULE_PANEL,
                 autocompletion=complete_schedule,
                 help="Schedule name (see `lrcli schedules`). Default: linear."),
]
LrOpt = Annotated[
    float | None,
    typer.Option("--lr", "--learning-rate", metavar="LR", rich_help_panel=SCHEDULE_PANEL,
                 help="Peak learning rate (the optimizer's lr). Default: 5e-5."),
]
TotalStepsOpt = Annotated[
    str | None,
    typer.Option("--total-steps", metavar="T", rich_help_panel=STEPS_PANEL,
                 help="T itself: the number of optimizer steps (1e6 is fine), instead of counting it."),
]
WarmupStepsOpt = Annotated[
    str | None,
    typer.Option("--warmup-steps", metavar="X", rich_help_panel=STEPS_PANEL,
                 help="Warmup, transformers 5.x meaning: ≥ 1 is a step count, < 1 a fraction of T (rounded up)."),
]
WarmupRatioOpt = Annotated[
    str | None,
    typer.Option("--warmup-ratio", metavar="R", rich_help_panel=STEPS_PANEL,
                 help="Warmup as a fraction of T, rounded up: W = ceil(T · R)."),
]
# Step flags: T and W as the HF Trainer derives them. Strings, so that `compare` can take comma lists (1,8).
SamplesOpt = Annotated[
    str | None,
    typer.Option(
        "--samples", metavar="N", rich_help_panel=STEPS_PANEL,
        help="N, the training samples (after packing, if any), or a .jsonl/.json/.csv file to count. N1+N2+…: one "
        "count (or file) per dataset, in the order of the config's dataset list: LLaMA-Factory cuts each to "
        "max_samples before merging; other frameworks use the sum. Without it, N is counted from the datasets a "
        "CONFIG names (local files, the Hugging Face caches, the Hub).",
    ),
]
BatchOpt = Annotated[
    str | None,
    typer.Option("--batch", "--per-device-train-batch-size", metavar="SIZE", rich_help_panel=STEPS_PANEL,
                 help="b, the micro-batch per device. Default: 8."),
]
GradAccumOpt = Annotated[
    str | None,
    typer.Option("--grad-accum", "--gradient-accumulation-steps", metavar="GA", rich_help_panel=STEPS_PANEL,
                 help="GA, the gradient accumulation steps. Default: 1."),
]
EpochsOpt = Annotated[
    str | None,
    typer.Option("--epochs", "--num-train-epochs", metavar="E", rich_help_panel=STEPS_PANEL,
                 help="E, the epochs; a float is allowed. Default: 3."),
]
WorldSizeOpt = Annotated[
    str | None,
    typer.Option("--world-size", "--num-processes", metavar="PROCS", rich_help_panel=STEPS_PANEL,
                 help="w, the data-parallel processes (GPUs). Default: 1."),
]
MaxStepsOpt = Annotated[
    str | None,
    typer.Option("--max-steps", metavar="STEPS", rich_help_panel=STEPS_PANEL,
                 help="When > 0, T is this and --epochs is not used (as in HF)."),
]
DropLastOpt = Annotated[
    bool,
    typer.Option("--drop-last", "--dataloader-drop-last", rich_help_panel=STEPS_PANEL,
                 help="Drop each epoch's last, incomplete batch."),
]
SplitBatchesOpt = Annotated[
    bool,
    typer.Option(
        "--split-batches", rich_help_panel=STEPS_PANEL,
        help="accelerate split_batches (HF accelerator_config): every process takes b/w samples of each batch, so "
        "each process sees all B batches (L = B).",
    ),
]
NoEvenBatchesOpt = Annotated[
    bool,
    typer.Option(
        "--no-even-batches", rich_help_panel=STEPS_PANEL,
        help="accelerate even_batches=False: short processes do not wrap around (process 0's count is shown).",
    ),
]
TransformersVersionOpt = Annotated[
    str | None,
    typer.Option(
        "--transformers-version", metavar="VERSION", rich_help_panel=STEPS_PANEL,
        help="Whose step/warmup rules: e.g. 4.51, 4.52.1, 5.14. Default: the installed transformers (else the "
        "version the config's framework requires, else 5.25); LRCLI_IGNORE_INSTALLED=1 ignores the installed one.",
    ),
]
KwOpt = Annotated[
    list[str] | None,
    typer.Option("--kw", metavar="KEY=VALUE", rich_help_panel=SCHEDULE_PANEL,
                 help="One scheduler argument (HF lr_scheduler_kwargs); repeatable."),
]
SchedulerKwargsOpt = Annotated[
    str | None,
    typer.Option("--scheduler-kwargs", metavar="JSON", rich_help_panel=SCHEDULE_PANEL,
                 help='All scheduler arguments as a JSON object, e.g. \'{"num_cycles": 2}\'.'),
]
MetricsOpt = Annotated[
    str | None,
    typer.Option(
        "--metrics", metavar="FILE", rich_help_panel=SCHEDULE_PANEL,
        help="Evaluation history for ReduceLROnPlateau/greedy: a trainer_state.json (log_history) or a CSV with a "
        "step column (optimizer updates done) and a metric column.",
    ),
]
MetricOpt = Annotated[
    str | None,
    typer.Option("--metric", metavar="NAME", rich_help_panel=SCHEDULE_PANEL,
                 help="The metric to read from --metrics. Default: eval_loss, val_loss or the only one."),
]
StepUnitOpt = Annotated[
    str | None,
    typer.Option(
        "--step-unit", metavar="step|epoch", rich_help_panel=SCHEDULE_PANEL, autocompletion=complete_step_unit,
        help="When the scheduler steps: 'step' (each optimizer update, default) or 'epoch' (then row s is the LR "
        "after floor(s / U) scheduler steps, U updates per epoch).",
    ),
]
DialectOpt = Annotated[
    str | None,
    typer.Option("--dialect", metavar="NAME", rich_help_panel=CONFIG_PANEL, autocompletion=complete_dialect,
                 help=f"Read CONFIG as one of: {', '.join(DIALECT_NAMES)}. Default: detected from its keys."),
]
AccelerateConfigOpt = Annotated[
    str | None,
    typer.Option("--accelerate-config", metavar="FILE", rich_help_panel=CONFIG_PANEL,
                 help="An accelerate launcher config: the world size is its num_processes."),
]
OfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline", rich_help_panel=CONFIG_PANEL,
        help="Find N without the network: local data, the Hugging Face caches and lrcli's cache of earlier Hub answers "
        "only (HF_HUB_OFFLINE=1 does the same).",
    ),
]
TrainerOpt = Annotated[
    str | None,
    typer.Option("--trainer", metavar="NAME", rich_help_panel=CONFIG_PANEL, autocompletion=complete_trainer,
                 help="The trainer whose defaults apply and, after @, the framework release whose rules apply "
                 "(TRL: sft, dpo, grpo, …, sft@0.24; axolotl: @0.20; torchtitan@0.2.2; verl's optimizer: actor, "
                 "critic, sft, actor@0.5; ms-swift's command: sft, pt, dpo, …, sft@3). Default: the trainer from "
                 "the file name, its folder or its keys; the release installed beside lrcli (package metadata), else "
                 "the newest lrcli models (TRL 1.16.0, axolotl 0.21.0, torchtitan 0.2.2, the newest that reads TOML)."),
]

# Options that only some commands have, shared by name so that every command spells them the same way.
CONFIG_HELP = (
    f"A training config (YAML, JSON or TOML; a launch script .sh for torchtitan) for any of: {', '.join(DIALECT_NAMES)} (see --dialect); flags override its values."
)
ConfigArg = Annotated[str | None, typer.Argument(metavar="CONFIG", help=CONFIG_HELP, show_default=False)]
RequiredConfigArg = Annotated[str, typer.Argument(metavar="CONFIG", help=CONFIG_HELP, show_default=False)]
FrameworkArgs = Annotated[
    list[str] | None,
    typer.Argument(metavar="ARGS", show_default=False,
                   help="After `--`: the framework's own command-line overrides, as its launch command passes them "
                   "(torchtitan: --training.steps 10 --lr_scheduler.warmup_steps=5); they win over the CONFIG's values."),
]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE",
                 help="Write here; the suffix picks the format: .png .svg .pdf .csv .json .txt; '-' is CSV on stdout."),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", metavar="FORMAT", autocompletion=complete_format,
                 help=f"The output format, whatever the suffix: {', '.join(FORMATS)}."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]

# Figure options (`plot`, `compare`): how a curve is drawn, not which curve.
LogYOpt = Annotated[bool, typer.Option("--log-y", rich_help_panel=FIGURE_PANEL, help="Logarithmic LR axis.")]
XAxisOpt = Annotated[
    str,
    typer.Option("--x", metavar="|".join(X_UNITS), rich_help_panel=FIGURE_PANEL, show_default=False,
                 autocompletion=_completer(X_UNITS),
                 help="The x axis: optimizer steps (the default), epochs, samples or tokens (samples × --seq-len). "
                 "epochs lines up runs of different lengths, e.g. compare --world-size 1,8."),
]
SeqLenOpt = Annotated[
    int | None,
    typer.Option("--seq-len", metavar="TOKENS", rich_help_panel=FIGURE_PANEL,
                 help="Tokens per sample, for --x tokens (exact when samples are packed to this length)."),
]
TitleOpt = Annotated[
    str | None,
    typer.Option("--title", metavar="TEXT", rich_help_panel=FIGURE_PANEL,
                 help="The figure's title instead of the generated one ('' for none)."),
]
SizeOpt = Annotated[
    str | None,
    typer.Option("--size", metavar="WIDTHxHEIGHT", rich_help_panel=FIGURE_PANEL,
                 help=f"The figure's size in inches, e.g. 12x6. Default: {DEFAULT_SIZE[0]:g}x{DEFAULT_SIZE[1]:g}."),
]
DpiOpt = Annotated[
    int | None,
    typer.Option("--dpi", metavar="DPI", rich_help_panel=FIGURE_PANEL,
                 help=f"The PNG's dots per inch. Default: {DEFAULT_DPI}."),
]


# ---------------------------------------------------------------------------------------------- the options object
# Step flags in the order their layers are applied (also the order `compare` names a varying one in a label).
STEP_FLAG_NAMES = {
    "samples": "--samples", "batch": "--batch", "grad_accum": "--grad-accum", "epochs": "--epochs",
    "world_size": "--world-size", "max_steps": "--max-steps", "warmup_steps": "--warmup-steps",
    "warmup_ratio": "--warmup-ratio", "transformers_version": "--transformers-version",
}  # fmt: skip


@dataclass(frozen=True)
class RunOptions:
    """Every option the run commands (plot, compare, steps, show) share, as the user typed it."""

    samples: SamplesOpt = None
    batch: BatchOpt = None
    grad_accum: GradAccumOpt = None
    epochs: EpochsOpt = None
    world_size: WorldSizeOpt = None
    max_steps: MaxStepsOpt = None
    drop_last: DropLastOpt = False
    split_batches: SplitBatchesOpt = False
    no_even_batches: NoEvenBatchesOpt = False
    warmup_steps: WarmupStepsOpt = None
    warmup_ratio: WarmupRatioOpt = None
    transformers_version: TransformersVersionOpt = None
    total_steps: TotalStepsOpt = None
    schedule: ScheduleOpt = None
    lr: LrOpt = None
    kw: KwOpt = None
    scheduler_kwargs: SchedulerKwargsOpt = None
    metrics: MetricsOpt = None
    metric: MetricOpt = None
    step_unit: StepUnitOpt = None
    dialect: DialectOpt = None
    accelerate_config: AccelerateConfigOpt = None
    trainer: TrainerOpt = None
    offline: OfflineOpt = False

    def config_file(
        self, path: str | None, arguments: Sequence[str] | None = None, *, document: Mapping[str, Any] | None = None,
        offline: bool = False,
    ) -> ConfigLayers:
        """The config file at `path` (None: no file) and the launcher config, as layers; N is counted from the
        datasets the file names unless --samples gives it or --total-steps makes it unneeded. `arguments` are the
        framework's own overrides given after `--`; `document`: the file already read; `offline`: no network whatever
        --offline says (`lrcli check`)."""
        # Imported here: the data layer (Hub, caches, file counters) is needed only once a command reads a config.
        from lrcli.inputs.datasets import DataCounting
        from lrcli.inputs.layers import ConfigInput, config_layers

        count = self.samples is None and self.total_steps is None
        counting = DataCounting(offline=self.offline or offline, progress=_stderr_progress)
        return config_layers(ConfigInput(path, self.dialect, self.trainer, self.accelerate_config, count, counting,
                                         transformers_version_given=self.transformers_version is not None,
                                         arguments=tuple(arguments or ()), document=document))

    def no_config_file(self) -> ConfigLayers:
        """The layers a curve without a config file gets (compare's schedule names): the launcher config and the
        environment's transformers, but no file (so --dialect/--trainer, which name a file's reading, do not apply)."""
        from lrcli.inputs.layers import ConfigInput, config_layers

        return config_layers(ConfigInput(None, None, None, self.accelerate_config, count_data=False,
                                         transformers_version_given=self.transformers_version is not None))

    def step_choices(self) -> dict[str, list[Any]]:
        """The step flags given, each parsed into its list of values (`--world-size 1,8` -> [1, 8])."""
        from lrcli.inputs.layers import step_flag_choices

        return step_flag_choices({flag: getattr(self, name) for name, flag in STEP_FLAG_NAMES.items()})

    def one_step_choice(self, command: str) -> dict[str, Any]:
        """The step flags of a command that draws one curve: a comma list is an error."""
        values = self.step_choices()
        for flag, items in values.items():
            if len(items) > 1:
                raise LrcliError(
                    f"{flag} {','.join(map(str, items))}: `lrcli {command}` takes one value; "
                    "`lrcli compare` draws one curve per value"
                )
        return {flag: items[0] for flag, items in values.items()}

    def flag_kwargs(self) -> dict[str, Any]:
        """Scheduler kwargs from --scheduler-kwargs, with --kw entries over its keys."""
        from lrcli.inputs.values import parse_kw_pairs, parse_kwargs_json

        merged = parse_kwargs_json(self.scheduler_kwargs) if self.scheduler_kwargs else {}
        merged.update(parse_kw_pairs(self.kw or []))
        return merged

    def layers(
        self,
        config_file: ConfigLayers,
        step_values: Mapping[str, Any],
        *,
        schedule: str | None = None,
        kwargs: Mapping[str, Any] | None = None,
    ) -> list[Layer]:
        """The config file's layers under every flag: `step_values` is one choice per step flag, `schedule`
        overrides --schedule (compare's names), `kwargs` the flags' scheduler kwargs (compare's per-curve ones)."""
        from lrcli.config import Layer, Source
        from lrcli.inputs.layers import flag_layers, merged_kwargs

        layers = list(config_file.layers)
        layers += flag_layers({
            "--schedule": schedule if schedule is not None else self.schedule,
            "--lr": self.lr,
            "--total-steps": self.total_steps,
            "--drop-last": True if self.drop_last else None,
            "--split-batches": True if self.split_batches else None,
            "--no-even-batches": False if self.no_even_batches else None,
            **step_values,
        })
        flag_kwargs = self.flag_kwargs() if kwargs is None else kwargs
        layers.append(Layer({"lr_scheduler_kwargs": merged_kwargs(config_file.scheduler_kwargs, flag_kwargs)},
                            Source.flag("--kw")))
        layers += flag_layers({"--metrics": self.metrics, "--metric": self.metric, "--step-unit": self.step_unit})
        return layers


def _stderr_progress(label: str, total: int, verb: str = "counting") -> Any:
    """`cli.progress.stderr_progress`, imported when data is first counted (a run from flags counts none)."""
    from lrcli.cli.progress import stderr_progress

    return stderr_progress(label, total, verb)


RUN_OPTION_NAMES = tuple(f.name for f in fields(RunOptions))


@dataclass(frozen=True)
class FigureOptions:
    """How `plot` and `compare` draw (not which curves): the figure options, as the user typed them."""

    log_y: LogYOpt = False
    x: XAxisOpt = "steps"
    seq_len: SeqLenOpt = None
    title: TitleOpt = None
    size: SizeOpt = None
    dpi: DpiOpt = None

    def settings(self) -> PlotSettings:
        """The options checked and parsed: `--size 12x6` in inches, `--dpi` within what a PNG can hold."""
        check_unit(self.x, self.seq_len)
        size = DEFAULT_SIZE if self.size is None else _figure_size(self.size)
        dpi = DEFAULT_DPI if self.dpi is None else self.dpi
        if not MIN_DPI <= dpi <= MAX_DPI:
            raise LrcliError(f"--dpi {dpi}: give {MIN_DPI} … {MAX_DPI} dots per inch (screens 100, print 300)")
        pixels = max(size) * dpi
        if pixels > MAX_PIXELS:
            raise LrcliError(
                f"--size {size[0]:g}x{size[1]:g} at --dpi {dpi} is {pixels:,.0f} pixels wide or tall, more than a PNG "
                f"renders ({MAX_PIXELS:,}); lower --dpi or --size"
            )
        return PlotSettings(log_y=self.log_y, x=self.x, seq_len=self.seq_len, title=self.title, size=size, dpi=dpi)

    def unused_by(self, fmt: str) -> list[str]:
        """Warnings for the options given that the format `fmt` does not use."""
        given = [flag for flag, value in (("--x", self.x != "steps"), ("--seq-len", self.seq_len is not None),
                                          ("--title", self.title is not None), ("--size", self.size is not None),
                                          ("--dpi", self.dpi is not None)) if value]  # fmt: skip
        if fmt in ("csv", "json"):
            given += ["--log-y"] if self.log_y else []
            return [f"{', '.join(given)} only change{'s' if len(given) == 1 else ''} plots; the {fmt.upper()} table "
                    "has every row whatever the figure options"] if given else []
        if fmt == "txt":
            return [f"{', '.join(given)} only change{'s' if len(given) == 1 else ''} PNG, SVG and PDF plots"] if given else []
        notes = []
        if fmt in ("svg", "pdf") and self.dpi is not None:
            notes.append(f"--dpi only changes PNG files: {fmt.upper()} is drawn in vector form, sharp at any size")
        if self.seq_len is not None and self.x != "tokens":
            notes.append(f"--seq-len only changes --x tokens (the x axis is {self.x})")
        return notes


# Figure sizes lrcli draws: labels need ~2 inches; a PNG side stays within what Agg renders.
MIN_SIZE, MAX_SIZE = 2.0, 100.0
MIN_DPI, MAX_DPI = 10, 2400
MAX_PIXELS = 32_000


def _figure_size(text: str) -> tuple[float, float]:
    width, sep, height = text.lower().replace("×", "x").partition("x")
    try:
        size = (float(width), float(height)) if sep else None
    except ValueError:
        size = None
    if size is None or not all(math.isfinite(v) for v in size):
        raise LrcliError(f"--size {text!r} is not WIDTHxHEIGHT in inches; write it like --size 12x6")
    if not all(MIN_SIZE <= v <= MAX_SIZE for v in size):
        raise LrcliError(f"--size {text}: each side must be {MIN_SIZE:g} … {MAX_SIZE:g} inches (the default is "
                         f"{DEFAULT_SIZE[0]:g}x{DEFAULT_SIZE[1]:g})")
    return size


FIGURE_OPTION_NAMES = tuple(f.name for f in fields(FigureOptions))


def _option_group(
    group: type, keyword: str, without: Sequence[str] = ()
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every option of the dataclass `group` except `without` (which keep their defaults), and call
    it with `keyword=group(...)` in their place. Groups stack: each takes its own options out of the call."""
    names = tuple(f.name for f in fields(group))
    unknown = set(without) - set(names)
    assert not unknown, unknown
    hints = typing.get_type_hints(group, include_extras=True)
    shared = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
        for f in fields(group)
        if f.name not in without
    ]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own_hints = typing.get_type_hints(command, include_extras=True)
        own = [
            p.replace(annotation=own_hints[p.name])
            for p in inspect.signature(command).parameters.values()
            if p.name != keyword
        ]

        @functools.wraps(command)
        def with_options(**given: Any) -> None:
            picked = {name: given.pop(name) for name in names if name in given}
            command(**given, **{keyword: group(**picked)})

        parameters = own + shared
        with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        with_options.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_options

    return decorate


def run_options(*, without: Sequence[str] = ()) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every RunOptions option except `without`, and call it with `options=RunOptions(...)`."""
    return _option_group(RunOptions, "options", without)


def figure_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the figure options, and call it with `figure=FigureOptions(...)`."""
    return _option_group(FigureOptions, "figure")(command)
