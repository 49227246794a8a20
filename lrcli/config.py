"""TrainConfig: every value a curve depends on, in one frozen object that remembers where each came from."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from lrcli.errors import LrcliError
from lrcli.inputs.values import MAX_WHOLE, SampleCount, finite_float, number_text, whole_number

if TYPE_CHECKING:  # a field's type only: a run from flags counts no dataset
    from lrcli.data.refs import CountedDataset

DEFAULT_SOURCE = "default"

SourceKind = Literal["flag", "file", "default", "derived", "program", "environment"]


@dataclass(frozen=True)
class Source:
    """Where a value came from: its kind, and the words that name it to the user.

    `flag`: a command-line flag (`--lr`); `file`: a config file's key or section (`train.yaml key learning_rate`);
    `default`: a framework's default or pin (`axolotl default`); `derived`: computed from other values
    (`train.yaml batch_size // micro_batch_size`); `program`: handed to `resolve` by a Python caller;
    `environment`: read from lrcli's Python environment (the installed transformers: `installed`).
    """

    kind: SourceKind
    text: str

    def __str__(self) -> str:
        return self.text

    def subject(self, name: str) -> str:
        """How an error names the value: the flag or file key the user wrote, else the source and the setting."""
        return self.text if self.kind in ("flag", "file") else f"{self.text} {name}"

    @classmethod
    def flag(cls, text: str) -> Source:
        return cls("flag", text)

    @classmethod
    def file(cls, text: str) -> Source:
        return cls("file", text)

    @classmethod
    def default(cls, text: str) -> Source:
        return cls("default", text)

    @classmethod
    def derived(cls, text: str) -> Source:
        return cls("derived", text)


class Layer(NamedTuple):
    """Settings from one place, in TrainConfig field names; `None` values mean "not given"."""

    values: Mapping[str, Any]
    source: Source | str  # a plain string is a `program` source


# The default rule set: the newest transformers line lrcli models (steps/hf_versions.NEWEST); the CLI prefers the
# installed transformers.
DEFAULT_TRANSFORMERS = "5.25"


@dataclass(frozen=True)
class TrainConfig:
    """The resolved training settings, under Hugging Face `TrainingArguments` names.

    Defaults are transformers 5.25's (the same as 5.24's). `sources` maps each field set by something other than a
    default to where it came from (`--lr`, `train.yaml key learning_rate`, ...).
    """

    learning_rate: float = 5e-5
    lr_scheduler_type: str = "linear"
    lr_scheduler_kwargs: Mapping[str, Any] = field(default_factory=dict)
    warmup_steps: float = 0  # transformers 5.x meaning: >= 1 a count, < 1 a ratio of T
    warmup_ratio: float | None = None
    total_steps: int | None = None  # lrcli's --total-steps: T itself, no step arithmetic
    max_steps: int = -1
    num_train_epochs: float = 3.0
    per_device_train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    world_size: int = 1
    dataset_size: int | None = None
    dataloader_drop_last: bool = False
    # accelerate DataLoaderConfiguration, set through TrainingArguments.accelerator_config
    split_batches: bool = False  # every process takes a slice of each batch instead of whole batches
    even_batches: bool = True  # short processes wrap around to the first samples in the last round
    transformers_version: str = DEFAULT_TRANSFORMERS  # the newest rules lrcli knows; the CLI prefers the installed one
    framework: str = "hf"  # whose step arithmetic applies: a key of steps.PLANNERS
    label: str | None = None
    step_unit: str = "step"  # when the scheduler steps: every optimizer update, or every epoch (Lightning `interval`)
    metrics_path: str | None = None  # evaluation-metric history for metric-driven schedules (ReduceLROnPlateau)
    metric_name: str | None = None  # which metric in it; None: eval_loss, val_loss or the only one
    # Read from config files (lrcli/dialects): settings of frameworks other than the HF Trainer.
    dialect: str | None = None  # which config dialect the file was read as
    trainer: str | None = None  # TRL trainer (sft, dpo, grpo, ...) whose defaults apply
    # The framework release whose rules apply (TRL, axolotl): `--trainer NAME@VERSION`, else the installed
    # distribution's version (package metadata), else the newest release lrcli models (lrcli.inputs.releases).
    framework_version: str | None = None
    global_batch_size: int | None = None  # axolotl `batch_size` (per process; axolotl multiplies by world size)
    packing: bool = False  # dataset_size counts packed sequences
    max_samples: int | None = None  # LLaMA-Factory: the dataset is cut to this many samples
    val_size: float | None = None  # LLaMA-Factory: rows (>1) or fraction (<=1) split off for evaluation
    max_steps_per_epoch: int | None = None  # torchtune
    trainer_options: Mapping[str, Any] = field(default_factory=dict)  # e.g. TRL GRPO num_generations
    derive_kwargs: str | None = None  # a key of steps.KWARG_RULES: the framework fills scheduler kwargs from T and W
    deepspeed_values: Mapping[str, Any] = field(default_factory=dict)  # explicit DeepSpeed values HF must match
    # TrainingArguments keys the config file hands the framework that only some transformers versions have
    # (steps.hf_versions.KEY_VERSIONS): a version without one refuses it or drops it, as its launcher does.
    version_bound_keys: tuple[str, ...] = ()
    # Keys of the config file that no dataclass of the framework release takes (the dialect knows which: TRL's
    # ModelConfig has no torch_dtype from 0.27): a launcher that passes leftovers on stops on them, others drop them.
    framework_leftover_keys: tuple[str, ...] = ()
    # The datasets the config names, with the rows lrcli found for each (lrcli/inputs/datasets.py); the stages
    # of the framework's row arithmetic that made dataset_size of them; why N could not be found, if it could not
    # (raised only by a planner that needs N).
    datasets: tuple[CountedDataset, ...] = ()
    dataset_stages: tuple[tuple[str, str, int | float | str], ...] = ()
    datasets_missing: str | None = None
    sources: Mapping[str, Source] = field(default_factory=dict)  # fields not set here have their defaults

    def source(self, name: str) -> str:
        """Where field `name` came from, in words (`"default"` for TrainConfig's own defaults)."""
        found = self.sources.get(name)
        return DEFAULT_SOURCE if found is None else found.text

    def source_kind(self, name: str) -> SourceKind:
        found = self.sources.get(name)
        return "default" if found is None else found.kind


FIELD_NAMES = tuple(f.name for f in fields(TrainConfig) if f.name != "sources")

# trainer_options the planners compute with: each must be a whole number ≥ 1 (a count, a parallel degree, a
# length) or, for packing's efficiency estimate, a number > 0. Other options (flags, names, Lightning's own
# limit_train_batches/max_time/devices) are checked by the planner that reads them.
WHOLE_OPTIONS = (
    "num_generations", "num_iterations", "steps_per_generation", "generation_batch_size",  # TRL GRPO/RLOO
    "context_parallel_size", "tensor_parallel_size", "sequence_len", "total_num_tokens",  # axolotl
    "datasets", "cp_size", "global_batch_size",  # LLaMA-Factory
    "tensor_parallel_dim", "num_nodes",  # torchtune, Lightning
)  # fmt: skip
POSITIVE_OPTIONS = ("sample_packing_eff_est",)


def _options(value: Mapping[str, Any] | None, what: str) -> MappingProxyType:
    """trainer_options with every number a planner computes with checked, and no number beyond 2^53 or non-finite
    anywhere (a planner's `int()` or float arithmetic on it would fail or mean something else)."""
    options = dict(value or {})
    for key, item in options.items():
        where = f"{what}: {key}"
        if key in WHOLE_OPTIONS:
            options[key] = whole_number(item, where, minimum=1)
        elif key in POSITIVE_OPTIONS:
            number = finite_float(item, where)
            if number <= 0:
                raise LrcliError(f"{where} must be > 0, got {number_text(item)}")
            options[key] = number
        elif isinstance(item, float) and not math.isfinite(item):
            raise LrcliError(f"{where} must be a finite number, got {number_text(item)}")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_WHOLE:
            whole_number(item, where, minimum=-MAX_WHOLE)  # raises: beyond 2^53
    return MappingProxyType(options)


def _validated(name: str, value: Any, what: str) -> Any:
    if name == "learning_rate":
        lr = finite_float(value, what)
        if lr <= 0:
            raise LrcliError(f"{what} must be > 0, got {number_text(value)}")
        return lr
    if name == "warmup_steps":
        ws = finite_float(value, what)
        if ws < 0:
            raise LrcliError(f"{what} must be ≥ 0 (≥ 1 is a count, < 1 a fraction of the total), got {number_text(value)}")
        return ws
    if name == "warmup_ratio":
        if value is None:
            return None
        ratio = finite_float(value, what)
        if not 0 <= ratio <= 1:
            raise LrcliError(f"{what} must be in [0, 1], got {number_text(value)}")
        return ratio
    if name == "total_steps":
        return None if value is None else whole_number(value, what, minimum=1)
    if name == "max_steps":
        return whole_number(value, what, minimum=-MAX_WHOLE)
    if name == "num_train_epochs":
        epochs = finite_float(value, what)
        if epochs <= 0:
            raise LrcliError(f"{what} must be > 0, got {number_text(value)}")
        return epochs
    if name in ("per_device_train_batch_size", "gradient_accumulation_steps", "world_size"):
        return whole_number(value, what, minimum=1)
    if name in ("global_batch_size", "max_samples", "max_steps_per_epoch"):
        return None if value is None else whole_number(value, what, minimum=1)
    if name == "val_size":
        if value is None:
            return None
        size = finite_float(value, what)
        if size < 0:
            raise LrcliError(f"{what} must be ≥ 0 (a row count > 1 or a fraction ≤ 1), got {number_text(value)}")
        return size
    if name in ("datasets", "dataset_stages"):
        return tuple(value or ())
    if name == "datasets_missing":
        return None if value is None else str(value)
    if name == "trainer_options":
        return _options(value, what)
    if name == "deepspeed_values":
        return MappingProxyType(dict(value or {}))
    if name in ("version_bound_keys", "framework_leftover_keys"):
        if not all(isinstance(key, str) for key in value):
            raise LrcliError(f"{what} must be a list of key names, got {value!r}")
        return tuple(value)
    if name == "packing":
        if not isinstance(value, bool):
            raise LrcliError(f"{what} must be true or false, got {number_text(value)}")
        return value
    if name == "dataset_size":
        if isinstance(value, SampleCount):
            return value  # `--samples A+B`: each count was checked when parsed
        return None if value is None else whole_number(value, what, minimum=1)
    if name == "lr_scheduler_kwargs":
        if value is None:
            return MappingProxyType({})
        if not isinstance(value, Mapping):
            raise LrcliError(f"{what} must be a mapping of scheduler arguments, got {number_text(value)}")
        return MappingProxyType(dict(value))
    if name == "step_unit":
        if value not in ("step", "epoch"):
            raise LrcliError(f"{what} must be 'step' (every optimizer update) or 'epoch', got {number_text(value)}")
        return value
    if name in (
        "lr_scheduler_type", "transformers_version", "label", "framework", "metrics_path", "metric_name",
        "dialect", "trainer", "derive_kwargs", "framework_version",
    ):
        if value is not None and not isinstance(value, str):
            raise LrcliError(f"{what} must be a string, got {number_text(value)}")
        return value
    if name in ("dataloader_drop_last", "split_batches", "even_batches"):
        if not isinstance(value, bool):
            raise LrcliError(f"{what} must be true or false, got {number_text(value)}")
        return value
    raise LrcliError(f"unknown setting {name!r}")


def resolve(layers: Iterable[Layer | tuple[Mapping[str, Any], Source | str]], base: TrainConfig | None = None) -> TrainConfig:
    """Merge settings layers in increasing precedence: framework default < config file < flag.

    Each layer is `(values, source)`; `values` uses TrainConfig field names and `source` (a `Source`, or a string
    naming a program's own values) says where they came from. Later layers win; `None` in a layer means "not
    given" and is skipped. Every value is checked here, and an error names it as its source does.
    """
    config = base or TrainConfig()
    chosen: dict[str, Any] = {}
    sources = dict(config.sources)
    for values, given in layers:
        source = given if isinstance(given, Source) else Source("program", given)
        for name, value in values.items():
            if value is None:
                continue
            if name not in FIELD_NAMES:
                raise LrcliError(f"unknown setting {name!r} from {source}")
            chosen[name] = _validated(name, value, source.subject(name))
            sources[name] = source
    return replace(config, **chosen, sources=MappingProxyType(sources))

