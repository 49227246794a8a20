"""A config file (and an accelerate launcher config) as `config.resolve` layers, below the command-line flags.

Precedence, lowest first: TrainConfig defaults (transformers') < framework defaults and file values (the dialect's
Reading) < `--accelerate-config` num_processes < flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrcli.dialects import read_config
from lrcli.errors import LrcliError
from lrcli.load import accelerate_world_size, load_mapping

Layers = list[tuple[dict[str, Any], str]]


@dataclass(frozen=True)
class ConfigInput:
    """What the user said about files: the training config, how to read it, the launcher config."""

    path: str | None = None
    dialect: str | None = None
    trainer: str | None = None
    accelerate_config: str | None = None


def config_layers(given: ConfigInput) -> tuple[Layers, tuple[str, ...], Mapping[str, Any]]:
    """(layers, notes, the file's scheduler kwargs) for `given`; no layers when no file was named."""
    layers: Layers = []
    notes: tuple[str, ...] = ()
    file_kwargs: Mapping[str, Any] = {}
    if given.path is not None:
        path = Path(given.path)
        reading = read_config(load_mapping(path), path, given.dialect, trainer=given.trainer)
        layers += [({"label": path.stem}, str(path))]
        layers += reading.layers()
        notes += reading.notes
        file_kwargs = reading.values.get("lr_scheduler_kwargs") or {}
    elif given.dialect is not None or given.trainer is not None:
        flag = "--dialect" if given.dialect is not None else "--trainer"
        raise LrcliError(f"{flag} applies to a config file: name one, e.g. `lrcli plot train.yaml {flag} …`")
    if given.accelerate_config is not None:
        size, source = accelerate_world_size(Path(given.accelerate_config))
        layers.append(({"world_size": size}, f"--accelerate-config {source}"))
    return layers, notes, file_kwargs


def merged_kwargs(file_kwargs: Mapping[str, Any], flag_kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    """Scheduler kwargs from flags on top of the file's (a flag's key wins); None when flags give none."""
    return {**file_kwargs, **flag_kwargs} if flag_kwargs else None
