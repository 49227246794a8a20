"""A config file (and an accelerate launcher config) and the command-line flags as `config.resolve` layers.

Precedence, lowest first: TrainConfig defaults (transformers') < framework defaults and file values (the dialect's
Reading) < N counted from the datasets the file names (lrcli.inputs.datasets) < the transformers version of lrcli's
environment (`inputs.installed`) < `--accelerate-config`
num_processes < flags.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrcli.config import Layer, Source
from lrcli.dialects import read_config, read_launch_script
from lrcli.errors import LrcliError
from lrcli.inputs.datasets import DataCounting, data_layers
from lrcli.inputs.files import load_mapping, samples_value
from lrcli.inputs.installed import transformers_layers
from lrcli.inputs.launcher import accelerate_world_size
from lrcli.inputs.values import MAX_WHOLE, finite_float, whole_number

LAUNCH_SCRIPT_SUFFIXES = (".sh", ".bash")  # read as the commands they run (lrcli.inputs.launch_script)


@dataclass(frozen=True)
class ConfigInput:
    """What the user said about files: the training config, how to read it, the launcher config; and whether
    `--transformers-version` was given (then the environment's transformers is not looked at)."""

    path: str | None = None
    dialect: str | None = None
    trainer: str | None = None
    accelerate_config: str | None = None
    count_data: bool = True  # False when N is given (--samples) or not needed (--total-steps)
    counting: DataCounting = DataCounting()
    transformers_version_given: bool = False
    arguments: tuple[str, ...] = ()  # the framework's own command-line overrides (`lrcli plot job.toml -- --a.b 1`)
    document: Mapping[str, Any] | None = None  # the config already read (`lrcli check` reads it with key positions)


@dataclass(frozen=True)
class ConfigLayers:
    """A config file read into layers: the layers, the dialect's warnings, and the file's scheduler kwargs
    (which flag kwargs are merged over, key by key, rather than replacing them)."""

    layers: tuple[Layer, ...] = ()
    notes: tuple[str, ...] = ()
    scheduler_kwargs: Mapping[str, Any] | None = None
    document: Mapping[str, Any] | None = None  # the config file's top-level mapping, for the lint rules


def config_layers(given: ConfigInput) -> ConfigLayers:
    """The layers of `given`'s files; none when no file was named."""
    layers: list[Layer] = []
    notes: tuple[str, ...] = ()
    file_kwargs: Mapping[str, Any] = {}
    reading = None
    document = None
    if given.path is not None:
        path = Path(given.path)
        if path.suffix.lower() in LAUNCH_SCRIPT_SUFFIXES:  # the arguments of the training command it runs
            reading = read_launch_script(path, given.dialect, trainer=given.trainer, arguments=given.arguments)
        else:
            document = given.document if given.document is not None else load_mapping(path)
            reading = read_config(document, path, given.dialect, trainer=given.trainer, arguments=given.arguments)
        layers.append(Layer({"label": path.stem}, Source.file(str(path))))
        layers += reading.layers()
        notes += reading.notes
        file_kwargs = reading.values.get("lr_scheduler_kwargs") or {}
        if given.count_data:
            found, data_notes = data_layers(reading.data, given.counting)
            layers += found
            notes += data_notes
    elif given.arguments:
        raise LrcliError(f"{given.arguments[0]}: arguments after `--` are a framework's own overrides of a config "
                         "file; name the file first, e.g. `lrcli plot job.toml -- --training.steps 10`")
    elif given.dialect is not None or given.trainer is not None:
        flag = "--dialect" if given.dialect is not None else "--trainer"
        raise LrcliError(f"{flag} applies to a config file: name one, e.g. `lrcli plot train.yaml {flag} …`")
    if not given.transformers_version_given:
        layers += transformers_layers(reading.transformers if reading is not None else None)
    if given.accelerate_config is not None:
        size, source = accelerate_world_size(Path(given.accelerate_config))
        layers.append(Layer({"world_size": size}, Source.flag(f"--accelerate-config {source}")))
    return ConfigLayers(tuple(layers), notes, file_kwargs, document)


def merged_kwargs(file_kwargs: Mapping[str, Any] | None, flag_kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    """Scheduler kwargs from flags on top of the file's (a flag's key wins); None when flags give none."""
    return {**(file_kwargs or {}), **flag_kwargs} if flag_kwargs else None


def _whole(minimum: int) -> Callable[[str, str], int]:
    return lambda text, flag: whole_number(text, flag, minimum=minimum)


def _text(text: str, flag: str) -> str:
    return text


# Flags whose text lrcli parses itself (so that `compare` can take comma lists, and 1e6 is a whole number):
# flag -> (TrainConfig field, how its text becomes a value). `config.resolve` checks the values after.
STEP_FLAGS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "--samples": ("dataset_size", samples_value),
    "--batch": ("per_device_train_batch_size", _whole(1)),
    "--grad-accum": ("gradient_accumulation_steps", _whole(1)),
    "--epochs": ("num_train_epochs", finite_float),
    "--world-size": ("world_size", _whole(1)),
    "--max-steps": ("max_steps", _whole(-MAX_WHOLE)),
    "--warmup-steps": ("warmup_steps", finite_float),
    "--warmup-ratio": ("warmup_ratio", finite_float),
    "--transformers-version": ("transformers_version", _text),
}

# Flags whose value goes to a TrainConfig field as given (Typer has typed it, or resolve checks it).
PLAIN_FLAGS: dict[str, str] = {
    "--schedule": "lr_scheduler_type",
    "--lr": "learning_rate",
    "--total-steps": "total_steps",
    "--drop-last": "dataloader_drop_last",
    "--split-batches": "split_batches",
    "--no-even-batches": "even_batches",
    "--metrics": "metrics_path",
    "--metric": "metric_name",
    "--step-unit": "step_unit",
}


def step_flag_choices(texts: Mapping[str, str | None]) -> dict[str, list[Any]]:
    """`{"--world-size": "1,8"}` -> `{"--world-size": [1, 8]}`; flags not given are left out."""
    return {
        flag: [STEP_FLAGS[flag][1](item.strip(), flag) for item in text.split(",")]
        for flag, text in texts.items()
        if text is not None
    }


def flag_layers(values: Mapping[str, Any]) -> list[Layer]:
    """One layer per flag given (`None`: not given), named by the flag, in `values`' order."""
    layers = []
    for flag, value in values.items():
        if value is None:
            continue
        field = STEP_FLAGS[flag][0] if flag in STEP_FLAGS else PLAIN_FLAGS[flag]
        layers.append(Layer({field: value}, Source.flag(flag)))
    return layers
