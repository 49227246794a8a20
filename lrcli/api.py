"""lrcli as a library: the same reading, counting and curves as the command line, in Python's words.

    import lrcli

    config = lrcli.load_config("train.yaml", dataset_size=52_002, world_size=8)
    plan = lrcli.plan_steps(config)      # T (plan.total), W (plan.warmup) and every stage of the count
    curve = lrcli.compute(config)        # curve.steps, curve.lr (numpy arrays), curve.notes (warnings)
    lrcli.draw(ax, [curve])              # on a matplotlib Axes of yours, labelled as `lrcli plot` labels it
    lrcli.table([curve], "csv")          # the CSV (or "json") text `lrcli plot -o lr.csv` writes
    lrcli.overlay("output/", "train.yaml", dataset_size=52_002)  # a run's logged LR against it: the verdict

Settings are `TrainConfig` field names (HF `TrainingArguments` names: the CLI's `--samples` is `dataset_size`,
`--batch` is `per_device_train_batch_size`, …). They override the config file, whose values override the
framework's defaults, exactly as the CLI's flags do. A mistake raises `LrcliError` with one line that names those
fields, never a command-line flag; what the config file's reading warns about is issued as an `LrcliWarning`.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from lrcli.config import Layer, Source, TrainConfig
from lrcli.config import resolve as _resolve
from lrcli.curve import Curve
from lrcli.curve import compute as _compute
from lrcli.errors import LrcliError
from lrcli.inputs.datasets import DataCounting
from lrcli.inputs.layers import PLAIN_FLAGS, STEP_FLAGS, ConfigInput, config_layers, merged_kwargs
from lrcli.steps import StepPlan
from lrcli.steps import plan_steps as _plan_steps


class LrcliWarning(UserWarning):
    """What lrcli warns about a config or a run (the CLI's `lrcli: warning:` lines)."""


# lrcli's own flags in the core's messages -> the library's words for them. Other programs' flags
# (`trl sft --config`, accelerate's `--num_processes`) are left as they are.
API_WORDS: dict[str, str] = {
    **{flag: field for flag, (field, _) in STEP_FLAGS.items()},
    **PLAIN_FLAGS,
    "--no-even-batches": "even_batches=False",
    "--drop-last": "dataloader_drop_last=True",
    "--split-batches": "split_batches=True",
    "--kw": "lr_scheduler_kwargs",
    "--scheduler-kwargs": "lr_scheduler_kwargs",
    "--dialect": "dialect",
    "--trainer": "trainer",
    "--accelerate-config": "accelerate_config",
    "--offline": "offline=True",
    "--lr-column": "lr_column",  # lrcli.overlay's (and lrcli.logs.read_log's) arguments
    "--run": "run",
}
COMMAND_WORDS = {
    "`lrcli schedules`": "`lrcli.SCHEDULES`",
    "`lrcli steps`": "`lrcli.plan_steps`",
    "`lrcli compare`": "one `lrcli.compute` per value",
    "`lrcli overlay`": "`lrcli.overlay`",
}
_FLAG = re.compile(r"(?<![\w-])(--[a-z]+(?:-[a-z]+)*)(?![\w-])( [A-Z][A-Z0-9_]*\b(?![\w-]))?")


def in_api_words(message: str) -> str:
    """A core error message with lrcli's flags named as the library names them: `add --samples N` becomes
    `add dataset_size=N`, `--lr must be > 0` becomes `learning_rate must be > 0`."""

    def word(match: re.Match[str]) -> str:
        flag, metavar = match.group(1), match.group(2)
        name = API_WORDS.get(flag)
        if name is None:
            return match.group(0)
        if metavar and "=" not in name:
            return f"{name}={metavar.strip()}"
        return name + (metavar or "")

    for command, words in COMMAND_WORDS.items():
        message = message.replace(command, words)
    return _FLAG.sub(word, message)


P = ParamSpec("P")
R = TypeVar("R")


def _api_errors(function: Callable[P, R]) -> Callable[P, R]:
    """The library's boundary: an LrcliError leaves in the library's words."""

    @functools.wraps(function)
    def in_words(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except LrcliError as exc:
            raise LrcliError(in_api_words(str(exc))) from None

    return in_words


@_api_errors
def load_config(
    path: str | Path | None = None,
    *,
    dialect: str | None = None,
    trainer: str | None = None,
    accelerate_config: str | Path | None = None,
    offline: bool = False,
    **settings: Any,
) -> TrainConfig:
    """The settings a run of `path` (a training config of any dialect lrcli reads; None: none) will use, with
    `settings` (TrainConfig fields) over the file's values, as the CLI's flags are. `dialect` forces the reading,
    `trainer` picks a TRL trainer's defaults and, after @, the framework release (`"sft@0.24"`, axolotl `"@0.20"`;
    else the installed release, else the newest modelled: the `framework_version` setting), `accelerate_config` gives the world size as `accelerate launch` does.
    `lr_scheduler_kwargs` are merged over the file's key by key. The reading's warnings are issued as LrcliWarning.
    Without `dataset_size` (or `total_steps`), N is found in the datasets the file names (local files, the Hugging
    Face caches, lrcli's answer cache, the Hub; `offline=True` skips the network), as the CLI does without --samples.
    """
    count = "dataset_size" not in settings and "total_steps" not in settings
    given = ConfigInput(
        None if path is None else str(path), dialect, trainer, None if accelerate_config is None else str(accelerate_config),
        count, DataCounting(offline=offline), transformers_version_given="transformers_version" in settings,
    )
    file = config_layers(given)
    for note in file.notes:
        warnings.warn(note, LrcliWarning, stacklevel=3)
    overrides = dict(settings)
    kwargs = overrides.pop("lr_scheduler_kwargs", None)
    layers = list(file.layers)
    layers.append(Layer(overrides, Source("program", "argument")))
    if kwargs is not None:
        if not isinstance(kwargs, Mapping):
            raise LrcliError(f"argument lr_scheduler_kwargs must be a mapping of scheduler arguments, got {kwargs!r}")
        layers.append(Layer({"lr_scheduler_kwargs": merged_kwargs(file.scheduler_kwargs, kwargs) or {}},
                            Source("program", "argument")))
    return _resolve(layers)


@_api_errors
def resolve(layers: Any, base: TrainConfig | None = None) -> TrainConfig:
    """`config.resolve`: merge `(values, source)` layers (later wins) into a checked TrainConfig."""
    return _resolve(layers, base)


@_api_errors
def plan_steps(config: TrainConfig) -> StepPlan:
    """T and W of `config`, counted as the framework that runs it counts them (`steps.plan_steps`)."""
    return _plan_steps(config)


@_api_errors
def compute(config: TrainConfig) -> Curve:
    """The LR the run uses at every step 0 … T (`curve.compute`)."""
    return _compute(config)


@_api_errors
def draw(
    ax: Any,
    curves: Curve | Sequence[Curve],
    *,
    log_y: bool = False,
    x: str = "steps",
    seq_len: int | None = None,
    title: str | None = None,
) -> None:
    """Draw `curves` on the matplotlib Axes `ax` as `lrcli plot`/`compare` draw them: markers at the peak and the
    end of warmup, labels placed off the curves, a legend for several. `x` is the x axis unit (steps, epochs,
    samples or tokens with `seq_len`); `title` replaces the generated one ("" for none; an Axes that already has
    a title keeps it). Labels are placed in the figure's current layout: call it once the figure has its size."""
    from lrcli.render.plot import draw as draw_on  # matplotlib is imported only by those who draw
    from lrcli.render.settings import PlotSettings

    many = [curves] if isinstance(curves, Curve) else list(curves)
    draw_on(ax, many, PlotSettings(log_y=log_y, x=x, seq_len=seq_len, title=title))


@_api_errors
def table(curves: Curve | Sequence[Curve], fmt: str = "csv") -> str:
    """The table `lrcli plot`/`compare -o FILE.csv|.json` writes, as text: `fmt` is "csv" or "json"."""
    from lrcli.render import TABLE_FORMATS, render

    if fmt not in TABLE_FORMATS:
        raise LrcliError(f"table format {fmt!r}: use one of {', '.join(TABLE_FORMATS)}")
    many = [curves] if isinstance(curves, Curve) else list(curves)
    return render(many, fmt).decode()


@_api_errors
def overlay(
    log: str | Path,
    path: str | Path | None = None,
    *,
    lr_column: str | None = None,
    run: str | None = None,
    dialect: str | None = None,
    trainer: str | None = None,
    accelerate_config: str | Path | None = None,
    offline: bool = False,
    **settings: Any,
) -> dict[str, Any]:
    """A run's logged LR (`log`: a log file or the run's directory, as `lrcli overlay LOG` takes) against the curve
    the training config at `path` gives with `settings` over it (as `load_config`), and why they differ: the report
    `lrcli overlay --format json` prints, as plain data (docs/output.md: `agree`, `cause`, `summary`, `details`,
    `facts`, the points compared, the log and the expected plan). Without `path`, what the log records about its run
    stands in for the file (the Trainer's max_steps, a W&B run's TrainingArguments). `lr_column` picks the LR column
    or tag of the log, `run` the run of a W&B chart export that holds several."""
    from lrcli.config import DEFAULT_TRANSFORMERS
    from lrcli.diagnosis import compare_log
    from lrcli.logs import log_settings, read_log
    from lrcli.render.overlay_report import report_document

    series = read_log(str(log), transformers_version=DEFAULT_TRANSFORMERS, lr_column=lr_column, run=run)
    if path is None:
        settings = {"label": Path(series.source).stem, **log_settings(series), **settings}
    with warnings.catch_warnings():
        warnings.simplefilter("always", LrcliWarning)
        config = load_config(path, dialect=dialect, trainer=trainer, accelerate_config=accelerate_config,
                             offline=offline, **settings)  # fmt: skip
    curve, series, verdict = compare_log(config, series)
    for note in series.notes:
        warnings.warn(note, LrcliWarning, stacklevel=3)
    return report_document(curve, series, verdict)
