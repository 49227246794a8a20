"""The command line: flags in, the core called, results printed. The only module that prints or exits."""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from lrcli import __version__
from lrcli.config import resolve
from lrcli.configfile import ConfigInput, config_layers, merged_kwargs
from lrcli.curve import Curve, compute, first_update_notes, starting_lr
from lrcli.errors import LrcliError
from lrcli.load import looks_like_config, samples_value
from lrcli.render import STDOUT, pick_format, render, show_text, steps_text
from lrcli.schedules import REQUIRED, SCHEDULES
from lrcli.steps import contrast_hf_plan, plan_steps
from lrcli.values import finite_float, parse_kw_pairs, parse_kwargs_json, whole_number

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
        "before merging; other frameworks use the sum.",
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
    typer.Option("--transformers-version", metavar="V", help="Whose step/warmup rules: e.g. 4.51, 4.52.1, 5.14. Default: 5.24."),
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
    typer.Option(
        "--step-unit",
        help="When the scheduler steps: 'step' (each optimizer update, default) or 'epoch' (then row s is the LR "
        "after floor(s/U) scheduler steps, U updates per epoch).",
    ),
]


# Config files (lrcli.dialects): the file a run is launched with.
ConfigArg = Annotated[
    str | None,
    typer.Argument(
        metavar="CONFIG",
        help="Training config (HF/TRL, LLaMA-Factory, axolotl, DeepSpeed, torchtune YAML/JSON); flags override it.",
        show_default=False,
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
TrainerOpt = Annotated[
    str | None,
    typer.Option("--trainer", help="TRL trainer whose defaults apply (sft, dpo, grpo, …; sft@0.11 for an older TRL). Default: from the file name, its folder or its keys."),
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


def _whole(minimum: int) -> Callable[[str, str], int]:
    return lambda text, flag: whole_number(text, flag, minimum=minimum)


def _text(text: str, flag: str) -> str:
    return text


# step flag -> (TrainConfig field, how its text becomes a value); the value checks of config.resolve apply after.
STEP_FLAGS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "--samples": ("dataset_size", samples_value),
    "--batch": ("per_device_train_batch_size", _whole(1)),
    "--grad-accum": ("gradient_accumulation_steps", _whole(1)),
    "--epochs": ("num_train_epochs", finite_float),
    "--world-size": ("world_size", _whole(1)),
    "--max-steps": ("max_steps", _whole(-(2**62))),
    "--warmup-steps": ("warmup_steps", finite_float),
    "--warmup-ratio": ("warmup_ratio", finite_float),
    "--transformers-version": ("transformers_version", _text),
}


def _step_flag_values(raw: dict[str, str | None]) -> dict[str, list[Any]]:
    """`{"--world-size": "1,8"}` -> `{"--world-size": [1, 8]}`; flags not given are left out."""
    values: dict[str, list[Any]] = {}
    for flag, text in raw.items():
        if text is None:
            continue
        parse = STEP_FLAGS[flag][1]
        values[flag] = [parse(item.strip(), flag) for item in text.split(",")]
    return values


def _one_each(values: dict[str, list[Any]], command: str) -> dict[str, Any]:
    for flag, items in values.items():
        if len(items) > 1:
            raise LrcliError(
                f"{flag} {','.join(map(str, items))}: `lrcli {command}` takes one value; "
                "`lrcli compare` draws one curve per value"
            )
    return {flag: items[0] for flag, items in values.items()}


def _flag_layers(
    *, schedule: str | None, lr: float | None, total_steps: str | None, step_values: dict[str, Any],
    drop_last: bool = False, split_batches: bool = False, no_even_batches: bool = False,
) -> list[tuple[dict[str, Any], str]]:
    layers: list[tuple[dict[str, Any], str]] = [
        ({"lr_scheduler_type": schedule}, "--schedule"),
        ({"learning_rate": lr}, "--lr"),
        ({"total_steps": total_steps}, "--total-steps"),
        ({"dataloader_drop_last": True if drop_last else None}, "--drop-last"),
        ({"split_batches": True if split_batches else None}, "--split-batches"),
        ({"even_batches": False if no_even_batches else None}, "--no-even-batches"),
    ]
    layers += [({STEP_FLAGS[flag][0]: value}, flag) for flag, value in step_values.items()]
    return layers


def _metric_layers(metrics: str | None, metric: str | None, step_unit: str | None) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"metrics_path": metrics}, "--metrics"),
        ({"metric_name": metric}, "--metric"),
        ({"step_unit": step_unit}, "--step-unit"),
    ]


def _kwargs_from_flags(kw: list[str] | None, scheduler_kwargs: str | None) -> dict[str, Any]:
    merged = parse_kwargs_json(scheduler_kwargs) if scheduler_kwargs else {}
    merged.update(parse_kw_pairs(kw or []))
    return merged


def _summary(curve: Curve) -> str:
    per_epoch = curve.plan.update_steps_per_epoch
    return (
        f"{curve.label}: T={curve.plan.total} step{'' if curve.plan.total == 1 else 's'}"
        + (f" ({per_epoch} per epoch)" if per_epoch is not None else "")
        + f", warmup W={curve.plan.warmup}, "
        f"peak LR {curve.peak_lr:.6g} at step {curve.peak_step}, final LR {curve.final_lr:.6g}"
    )


def _write(curves: Sequence[Curve], output: str | None, fmt: str | None, *, log_y: bool, default_name: str) -> None:
    if output is not None and output != STDOUT and (Path(output).is_dir() or output.endswith(os.sep)):
        raise LrcliError(
            f"-o {output} names a directory; give a file name in it, e.g. -o {Path(output) / default_name}.{fmt or 'png'}"
        )
    chosen = pick_format(output, fmt)
    ignored = (
        [f"--log-y only changes plots and the txt chart; the {chosen.upper()} table has the same values"]
        if log_y and chosen in ("csv", "json") else []
    )  # warned after the write, so that a failed write stays one error line
    if log_y and chosen not in ("csv", "json") and not any((curve.lr > 0).any() for curve in curves):
        raise LrcliError(
            f"--log-y: every LR of {' and '.join(c.label for c in curves)} is 0, which a log axis cannot show; "
            "drop --log-y"
        )
    if output == STDOUT:
        if chosen in ("png", "pdf") and sys.stdout.isatty():
            raise LrcliError(f"refusing to write binary {chosen.upper()} to a terminal; use -o FILE.{chosen}")
        data = render(curves, chosen, log_y=log_y)
        for curve in curves:
            typer.echo(_summary(curve), err=True)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        _warn(ignored)
        return
    path = Path(output) if output is not None else Path(f"{default_name}.{chosen}")
    data = render(curves, chosen, log_y=log_y)
    _atomic_write(path, data)
    for curve in curves:
        typer.echo(_summary(curve), err=True)
    typer.echo(f"wrote {path}", err=True)
    _warn(ignored)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, so a failure leaves no partial output.

    A target that exists and is not a regular file (/dev/null, a FIFO) is written in place: replacing it
    would destroy the device node.
    """
    if path.exists() and not path.is_file():
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise LrcliError(f"cannot write {path}: {exc.strerror}") from None
        return
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        if not directory.exists():
            hint = f"create the directory {directory} first"
        elif not directory.is_dir():
            hint = f"{directory} is a file, not a directory"
        else:
            hint = f"choose a directory you can write to ({directory} is not)"
        raise LrcliError(f"cannot write {path}: {exc.strerror}; {hint}") from None
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
    config_path: ConfigArg = None,
    output: OutputOpt = None,
    schedule: ScheduleOpt = None,
    lr: LrOpt = None,
    total_steps: TotalStepsOpt = None,
    samples: SamplesOpt = None,
    batch: BatchOpt = None,
    grad_accum: GradAccumOpt = None,
    epochs: EpochsOpt = None,
    world_size: WorldSizeOpt = None,
    max_steps: MaxStepsOpt = None,
    drop_last: DropLastOpt = False,
    split_batches: SplitBatchesOpt = False,
    no_even_batches: NoEvenBatchesOpt = False,
    warmup_steps: WarmupStepsOpt = None,
    warmup_ratio: WarmupRatioOpt = None,
    transformers_version: TransformersVersionOpt = None,
    kw: KwOpt = None,
    scheduler_kwargs: SchedulerKwargsOpt = None,
    fmt: FormatOpt = None,
    log_y: LogYOpt = False,
    metrics: MetricsOpt = None,
    metric: MetricOpt = None,
    step_unit: StepUnitOpt = None,
    dialect: DialectOpt = None,
    accelerate_config: AccelerateConfigOpt = None,
    trainer: TrainerOpt = None,
) -> None:
    """Draw (or tabulate) one learning-rate schedule, from flags or from a training CONFIG file.

    Without -o, writes <schedule>.png (<config name>.png for a CONFIG) in the current directory. Row s of a table is the LR after s scheduler
    steps, i.e. the LR of update s+1, for s = 0 … T.

    T comes from --total-steps, or from the step flags as the HF Trainer counts them (see `lrcli steps`).

    Example: lrcli plot --schedule cosine --samples 10000 --batch 32 --world-size 8 --warmup-ratio 0.1 -o lr.png

    Example: lrcli plot train.yaml --samples data.jsonl --world-size 8 -o lr.png
    """
    with user_errors():
        layers, file_notes, file_kwargs = config_layers(ConfigInput(config_path, dialect, trainer, accelerate_config))
        raw = _raw_step_flags(samples, batch, grad_accum, epochs, world_size, max_steps, warmup_steps, warmup_ratio,
                              transformers_version)
        step_values = _one_each(_step_flag_values(raw), "plot")
        layers += _flag_layers(
            schedule=schedule, lr=lr, total_steps=total_steps, step_values=step_values, drop_last=drop_last,
            split_batches=split_batches, no_even_batches=no_even_batches,
        )
        layers.append(({"lr_scheduler_kwargs": merged_kwargs(file_kwargs, _kwargs_from_flags(kw, scheduler_kwargs))},
                       "--kw"))
        layers += _metric_layers(metrics, metric, step_unit)
        curve = compute(resolve(layers))
        _write([curve], output, fmt, log_y=log_y, default_name=_safe_name(curve.label))
        _warn(file_notes + curve.notes)  # after the write: a failed write stays one error line


def _split_compare_kwargs(labels: dict[str, str], pairs: dict[str, Any]) -> dict[str, dict[str, Any]]:
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


@app.command()
def compare(
    names: Annotated[
        list[str],
        typer.Argument(
            metavar="SCHEDULE_OR_CONFIG",
            help="Schedule names or config files (.yaml/.yml/.json) to overlay.",
            show_default=False,
        ),
    ],
    output: OutputOpt = None,
    lr: LrOpt = None,
    total_steps: TotalStepsOpt = None,
    samples: SamplesOpt = None,
    batch: BatchOpt = None,
    grad_accum: GradAccumOpt = None,
    epochs: EpochsOpt = None,
    world_size: WorldSizeOpt = None,
    max_steps: MaxStepsOpt = None,
    drop_last: DropLastOpt = False,
    split_batches: SplitBatchesOpt = False,
    no_even_batches: NoEvenBatchesOpt = False,
    warmup_steps: WarmupStepsOpt = None,
    warmup_ratio: WarmupRatioOpt = None,
    transformers_version: TransformersVersionOpt = None,
    kw: KwOpt = None,
    scheduler_kwargs: SchedulerKwargsOpt = None,
    fmt: FormatOpt = None,
    log_y: LogYOpt = False,
    metrics: MetricsOpt = None,
    metric: MetricOpt = None,
    step_unit: StepUnitOpt = None,
    dialect: DialectOpt = None,
    accelerate_config: AccelerateConfigOpt = None,
    trainer: TrainerOpt = None,
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
    with user_errors():
        pairs = _kwargs_from_flags(kw, scheduler_kwargs)
        labels = _compare_labels(names)
        per_name = _split_compare_kwargs(labels, pairs)
        file_notes: tuple[str, ...] = ()
        raw = _raw_step_flags(samples, batch, grad_accum, epochs, world_size, max_steps, warmup_steps, warmup_ratio,
                              transformers_version)
        choices = _step_flag_values(raw)
        varying = [flag for flag, items in choices.items() if len(items) > 1]
        curves = []
        for name in names:
            for combination in itertools.product(*choices.values()):
                step_values = dict(zip(choices, combination, strict=True))
                suffix = " ".join(f"{flag.lstrip('-').replace('-', '_')}={step_values[flag]}" for flag in varying)
                is_file = looks_like_config(name)
                given = ConfigInput(name if is_file else None, dialect, trainer, accelerate_config)
                layers, notes, file_kwargs = config_layers(given) if is_file else ([], (), {})
                file_notes += notes
                layers += _flag_layers(
                    schedule=None if is_file else name, lr=lr, total_steps=total_steps, step_values=step_values,
                    drop_last=drop_last, split_batches=split_batches, no_even_batches=no_even_batches,
                )
                layers.append(({"lr_scheduler_kwargs": merged_kwargs(file_kwargs, per_name[name])}, "--kw"))
                label = labels[name]
                layers.append(({"label": f"{label} {suffix}" if suffix else label}, "compare"))
                layers += _metric_layers(metrics, metric, step_unit)
                curves.append(compute(resolve(layers)))
        stems = (_safe_name(Path(n).stem if looks_like_config(n) else n) for n in names)
        _write(curves, output, fmt, log_y=log_y, default_name="compare_" + "_".join(stems))
        _warn(list(dict.fromkeys(file_notes + tuple(note for curve in curves for note in curve.notes))))


def _compare_labels(names: Sequence[str]) -> dict[str, str]:
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


def _raw_step_flags(
    samples: str | None, batch: str | None, grad_accum: str | None, epochs: str | None, world_size: str | None,
    max_steps: str | None, warmup_steps: str | None, warmup_ratio: str | None, transformers_version: str | None,
) -> dict[str, str | None]:
    return {
        "--samples": samples, "--batch": batch, "--grad-accum": grad_accum, "--epochs": epochs,
        "--world-size": world_size, "--max-steps": max_steps, "--warmup-steps": warmup_steps,
        "--warmup-ratio": warmup_ratio, "--transformers-version": transformers_version,
    }


@app.command()
def steps(
    config_path: ConfigArg = None,
    samples: SamplesOpt = None,
    batch: BatchOpt = None,
    grad_accum: GradAccumOpt = None,
    epochs: EpochsOpt = None,
    world_size: WorldSizeOpt = None,
    max_steps: MaxStepsOpt = None,
    drop_last: DropLastOpt = False,
    split_batches: SplitBatchesOpt = False,
    no_even_batches: NoEvenBatchesOpt = False,
    warmup_steps: WarmupStepsOpt = None,
    warmup_ratio: WarmupRatioOpt = None,
    transformers_version: TransformersVersionOpt = None,
    total_steps: TotalStepsOpt = None,
    schedule: ScheduleOpt = None,
    kw: KwOpt = None,
    scheduler_kwargs: SchedulerKwargsOpt = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Every rounding stage with its formula, and the other rule set's answer.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    dialect: DialectOpt = None,
    accelerate_config: AccelerateConfigOpt = None,
    trainer: TrainerOpt = None,
) -> None:
    """How many optimizer steps the run has and where warmup ends, exactly as the HF Trainer counts them
    (or, for a CONFIG of axolotl, torchtune, Lightning or LLaMA-Factory v1, as that framework does).
    T and W count optimizer updates; in `lrcli plot` tables row s is the LR after s scheduler steps, s = 0 … T.

    N samples -> per-process batches per epoch (accelerate sharding) -> update steps per epoch (÷ GA) -> T -> W.
    --transformers-version switches the rules that changed (floor before 4.52.1, warmup precedence in 4.x / 5.x).

    Example: lrcli steps --samples 10000 --batch 32 --epochs 1 --world-size 8 --warmup-ratio 0.1 --explain

    Example: lrcli steps axolotl.yml --samples 5000 --world-size 4 --json
    """
    with user_errors():
        layers, file_notes, file_kwargs = config_layers(ConfigInput(config_path, dialect, trainer, accelerate_config))
        raw = _raw_step_flags(samples, batch, grad_accum, epochs, world_size, max_steps, warmup_steps, warmup_ratio,
                              transformers_version)
        step_values = _one_each(_step_flag_values(raw), "steps")
        layers += _flag_layers(
            schedule=schedule, lr=None, total_steps=total_steps, step_values=step_values, drop_last=drop_last,
            split_batches=split_batches, no_even_batches=no_even_batches,
        )
        layers.append(({"lr_scheduler_kwargs": merged_kwargs(file_kwargs, _kwargs_from_flags(kw, scheduler_kwargs))},
                       "--kw"))
        config = resolve(layers)
        plan = plan_steps(config)
        plan = replace(plan, notes=file_notes + plan.notes + first_update_notes(starting_lr(config, plan), plan))
        if as_json:
            typer.echo(steps_text.steps_json(config, plan), nl=False)
        elif explain:
            contrast = contrast_hf_plan(config) if config.framework == "hf" else None
            typer.echo(steps_text.explanation(config, plan, contrast), nl=False)
        else:
            typer.echo(steps_text.summary_table(config, plan), nl=False)
        _warn(plan.notes)  # on stderr, so `--json` and the table stay clean data on stdout


@app.command()
def show(
    config_path: Annotated[str, typer.Argument(metavar="CONFIG", help="The training config to explain.", show_default=False)],
    samples: SamplesOpt = None,
    batch: BatchOpt = None,
    grad_accum: GradAccumOpt = None,
    epochs: EpochsOpt = None,
    world_size: WorldSizeOpt = None,
    max_steps: MaxStepsOpt = None,
    drop_last: DropLastOpt = False,
    split_batches: SplitBatchesOpt = False,
    no_even_batches: NoEvenBatchesOpt = False,
    warmup_steps: WarmupStepsOpt = None,
    warmup_ratio: WarmupRatioOpt = None,
    transformers_version: TransformersVersionOpt = None,
    total_steps: TotalStepsOpt = None,
    schedule: ScheduleOpt = None,
    lr: LrOpt = None,
    kw: KwOpt = None,
    scheduler_kwargs: SchedulerKwargsOpt = None,
    dialect: DialectOpt = None,
    accelerate_config: AccelerateConfigOpt = None,
    trainer: TrainerOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """The resolved plan of a CONFIG: every value used, where it came from (file key, framework default, flag),
    and T and W when the dataset size is known.

    Example: lrcli show train.yaml --samples 20000 --world-size 8
    """
    with user_errors():
        layers, notes, file_kwargs = config_layers(ConfigInput(config_path, dialect, trainer, accelerate_config))
        raw = _raw_step_flags(samples, batch, grad_accum, epochs, world_size, max_steps, warmup_steps, warmup_ratio,
                              transformers_version)
        step_values = _one_each(_step_flag_values(raw), "show")
        layers += _flag_layers(schedule=schedule, lr=lr, total_steps=total_steps, step_values=step_values,
                               drop_last=drop_last, split_batches=split_batches, no_even_batches=no_even_batches)
        layers.append(({"lr_scheduler_kwargs": merged_kwargs(file_kwargs, _kwargs_from_flags(kw, scheduler_kwargs))},
                       "--kw"))
        config = resolve(layers)
        plan, missing = None, None
        try:
            plan = plan_steps(config)
        except LrcliError as exc:  # show what is known even when T is not
            missing = str(exc)
        render_show = show_text.show_json if as_json else show_text.show_text
        typer.echo(render_show(config, plan, missing, notes), nl=False)


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
    except Exception as exc:  # a bug, not a user mistake: still one line, but exit 1 and a way to get the traceback
        if os.environ.get("LRCLI_DEBUG"):
            raise
        typer.echo(
            f"lrcli: error: internal error ({type(exc).__name__}: {exc}); this is a bug in lrcli: rerun with "
            "LRCLI_DEBUG=1 for the traceback and report it",
            err=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
