"""The option set the run commands share, defined once: `RunOptions` holds them, `@run_options` adds them to a
command, and `RunOptions.layers` turns them into `config.resolve` layers (the one flag → layer translation).

Typer builds a command's options from its signature, so `@run_options` gives the command a signature with the
shared options appended (keyword-only) and hands the command one `RunOptions` instead of twenty arguments: the
Typer form of sqlite-utils' `@output_options` and black's one `Mode` object.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Annotated, Any

import typer

from lrcli.cli.progress import stderr_progress
from lrcli.config import Layer, Source
from lrcli.errors import LrcliError
from lrcli.inputs.datasets import DataCounting
from lrcli.inputs.layers import ConfigInput, ConfigLayers, config_layers, flag_layers, merged_kwargs, step_flag_choices
from lrcli.inputs.values import parse_kw_pairs, parse_kwargs_json

# ---------------------------------------------------------------------------------------------- option definitions
ScheduleOpt = Annotated[
    str | None,
    typer.Option("--schedule", "--lr-scheduler-type", help="Schedule name (see `lrcli schedules`). Default: linear."),
]
LrOpt = Annotated[float | None, typer.Option("--lr", "--learning-rate", help="Peak learning rate. Default: 5e-5.")]
TotalStepsOpt = Annotated[
    str | None, typer.Option("--total-steps", metavar="T", help="T: the number of optimizer steps (1e6 is fine).")
]
WarmupStepsOpt = Annotated[
    str | None,
    typer.Option("--warmup-steps", metavar="X", help="Warmup, transformers 5.x meaning: ≥ 1 is a step count, < 1 a fraction of T (rounded up)."),
]
WarmupRatioOpt = Annotated[
    str | None, typer.Option("--warmup-ratio", metavar="R", help="Warmup as a fraction of T, rounded up: W = ceil(T·R).")
]
# Step flags: T and W as the HF Trainer derives them. Strings, so that `compare` can take comma lists (1,8).
SamplesOpt = Annotated[
    str | None,
    typer.Option(
        "--samples", metavar="N",
        help="N: training samples (after packing, if any), or a .jsonl/.json/.csv file to count. N1+N2+…: one count "
        "(or file) per dataset, in the order of the config's dataset list: LLaMA-Factory cuts each to max_samples "
        "before merging; other frameworks use the sum. Without it, N is counted from the datasets a CONFIG names "
        "(local files, the Hugging Face caches, the Hub).",
    ),
]
BatchOpt = Annotated[
    str | None, typer.Option("--batch", "--per-device-train-batch-size", metavar="B", help="b: micro-batch per device. Default: 8.")
]
GradAccumOpt = Annotated[
    str | None,
    typer.Option("--grad-accum", "--gradient-accumulation-steps", metavar="GA", help="GA: gradient accumulation steps. Default: 1."),
]
EpochsOpt = Annotated[
    str | None, typer.Option("--epochs", "--num-train-epochs", metavar="E", help="E: epochs, a float is allowed. Default: 3.")
]
WorldSizeOpt = Annotated[
    str | None,
    typer.Option("--world-size", "--num-processes", metavar="W", help="w: data-parallel processes (GPUs). Default: 1."),
]
MaxStepsOpt = Annotated[str | None, typer.Option("--max-steps", metavar="T", help="T itself when > 0, overriding --epochs (as HF).")]
DropLastOpt = Annotated[
    bool, typer.Option("--drop-last", "--dataloader-drop-last", help="Drop each epoch's last, incomplete batch.")
]
SplitBatchesOpt = Annotated[
    bool,
    typer.Option(
        "--split-batches",
        help="accelerate split_batches (HF accelerator_config): every process takes b/w samples of each batch, so "
        "L = B batches per process.",
    ),
]
NoEvenBatchesOpt = Annotated[
    bool,
    typer.Option(
        "--no-even-batches",
        help="accelerate even_batches=False: short processes do not wrap around (process 0's count is shown).",
    ),
]
TransformersVersionOpt = Annotated[
    str | None,
    typer.Option(
        "--transformers-version", metavar="V",
        help="Whose step/warmup rules: e.g. 4.51, 4.52.1, 5.14. Default: the installed transformers (else the "
        "version the config's framework requires, else 5.24); LRCLI_IGNORE_INSTALLED=1 ignores the installed one.",
    ),
]
KwOpt = Annotated[
    list[str] | None,
    typer.Option("--kw", help="Scheduler argument KEY=VALUE (HF lr_scheduler_kwargs); repeatable."),
]
SchedulerKwargsOpt = Annotated[
    str | None, typer.Option("--scheduler-kwargs", help='Scheduler arguments as JSON, e.g. \'{"num_cycles": 2}\'.')
]
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
    typer.Option(
        "--step-unit",
        help="When the scheduler steps: 'step' (each optimizer update, default) or 'epoch' (then row s is the LR "
        "after floor(s/U) scheduler steps, U updates per epoch).",
    ),
]
DialectOpt = Annotated[
    str | None,
    typer.Option("--dialect", help="Read CONFIG as: hf, trl, llamafactory, axolotl, deepspeed, torchtune. Default: detected."),
]
AccelerateConfigOpt = Annotated[
    str | None,
    typer.Option("--accelerate-config", metavar="PATH", help="accelerate launcher config: the world size is its num_processes."),
]
OfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Find N without the network: local data, the Hugging Face caches and lrcli's cache of earlier Hub answers "
        "only (HF_HUB_OFFLINE=1 does the same).",
    ),
]
TrainerOpt = Annotated[
    str | None,
    typer.Option("--trainer", help="TRL trainer whose defaults apply (sft, dpo, grpo, …; sft@0.11 for an older TRL). Default: from the file name, its folder or its keys."),
]

# Options that only some commands have, shared by name so that every command spells them the same way.
ConfigArg = Annotated[
    str | None,
    typer.Argument(
        metavar="CONFIG",
        help="Training config (HF/TRL, LLaMA-Factory, axolotl, DeepSpeed, torchtune YAML/JSON); flags override it.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output", "-o", help="Write here; the suffix picks the format: .png .svg .pdf .csv .json .txt; '-' is CSV on stdout."
    ),
]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Output format, overriding the suffix: png svg pdf csv json txt.")]
LogYOpt = Annotated[bool, typer.Option("--log-y", help="Logarithmic LR axis.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]


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

    def config_file(self, path: str | None) -> ConfigLayers:
        """The config file at `path` (None: no file) and the launcher config, as layers; N is counted from the
        datasets the file names unless --samples gives it or --total-steps makes it unneeded."""
        count = self.samples is None and self.total_steps is None
        counting = DataCounting(offline=self.offline, progress=stderr_progress)
        return config_layers(ConfigInput(path, self.dialect, self.trainer, self.accelerate_config, count, counting,
                                         transformers_version_given=self.transformers_version is not None))

    def no_config_file(self) -> ConfigLayers:
        """The layers a curve without a config file gets (compare's schedule names): the launcher config and the
        environment's transformers, but no file (so --dialect/--trainer, which name a file's reading, do not apply)."""
        return config_layers(ConfigInput(None, None, None, self.accelerate_config, count_data=False,
                                         transformers_version_given=self.transformers_version is not None))

    def step_choices(self) -> dict[str, list[Any]]:
        """The step flags given, each parsed into its list of values (`--world-size 1,8` -> [1, 8])."""
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


RUN_OPTION_NAMES = tuple(f.name for f in fields(RunOptions))


def run_options(*, without: Sequence[str] = ()) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command every RunOptions option except `without` (which keep their defaults), and call it with
    `options=RunOptions(...)` in their place."""
    unknown = set(without) - set(RUN_OPTION_NAMES)
    assert not unknown, unknown
    hints = typing.get_type_hints(RunOptions, include_extras=True)
    shared = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
        for f in fields(RunOptions)
        if f.name not in without
    ]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own_hints = typing.get_type_hints(command, include_extras=True)
        own = [
            p.replace(annotation=own_hints[p.name])
            for p in inspect.signature(command).parameters.values()
            if p.name != "options"
        ]

        @functools.wraps(command)
        def with_options(**given: Any) -> None:
            picked = {name: given.pop(name) for name in RUN_OPTION_NAMES if name in given}
            command(**given, options=RunOptions(**picked))

        parameters = own + shared
        with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        with_options.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_options

    return decorate
