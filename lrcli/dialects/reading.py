"""Reading: what one config file says, in TrainConfig field names, with where each value came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reading:
    """A config file translated into TrainConfig fields (not yet validated: `config.resolve` does that).

    `sources[field]` says where `values[field]` came from, e.g. "train.yaml key micro_batch_size" or
    "axolotl default". `notes` are warnings for the user (near-miss keys, values the framework ignores, ...).
    """

    dialect: str
    values: Mapping[str, Any]
    sources: Mapping[str, str]
    notes: tuple[str, ...] = ()

    def layers(self) -> list[tuple[dict[str, Any], str]]:
        """One `config.resolve` layer per value, so each keeps its own source."""
        return [({name: value}, self.sources.get(name, self.dialect)) for name, value in self.values.items()]
