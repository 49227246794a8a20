"""Reading: what one config file says, in TrainConfig field names, with where each value came from; and the
key-level helpers every dialect uses (near-miss warnings, dotted lookups)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrcli.config import Layer, Source
from lrcli.data.refs import DataSpec
from lrcli.inputs.installed import Requirement

# Where each value of a reading came from: a plain string is what the file itself says (a `file` source).
Sources = dict[str, Source | str]


@dataclass(frozen=True)
class Reading:
    """A config file translated into TrainConfig fields (not yet validated: `config.resolve` does that).

    `data` lists the datasets the file names (lrcli counts them before planning, unless --samples is given).
    `sources[field]` says where `values[field]` came from: a `Source`, or a plain string for what the file itself
    says (`"train.yaml key micro_batch_size"`, a `file` source); framework defaults and values computed from
    other keys are marked `Source.default` / `Source.derived` by the dialect. `notes` are warnings for the user
    (near-miss keys, values the framework ignores, ...). `transformers` is the transformers the framework release
    requires, when it pins one (the run uses it unless the installed transformers satisfies the requirement).
    """

    dialect: str
    values: Mapping[str, Any]
    sources: Mapping[str, Source | str]
    notes: tuple[str, ...] = ()
    transformers: Requirement | None = None
    data: DataSpec | None = None  # the datasets the file names, for lrcli/inputs/datasets.py to count

    def source(self, name: str) -> Source:
        given = self.sources.get(name, self.dialect)
        return given if isinstance(given, Source) else Source.file(given)

    def layers(self) -> list[Layer]:
        """One `config.resolve` layer per value, so each keeps its own source."""
        return [Layer({name: value}, self.source(name)) for name, value in self.values.items()]


def near_miss_notes(keys: Iterable[str], used: Iterable[str], known: Iterable[str], path: Path) -> tuple[str, ...]:
    """Warnings for keys that are not used nor known to the framework but are one typo away from a key lrcli reads.

    Everything else is ignored silently: configs are full of model and data settings lrcli has no use for.
    """
    used = sorted(set(used))
    known_set = set(known) | set(used)
    notes = []
    for key in keys:
        if not isinstance(key, str) or key in known_set:
            continue
        close = difflib.get_close_matches(key, used, n=1, cutoff=0.85)
        if close:
            notes.append(f"{path.name}: key {key!r} is not read; did you mean {close[0]!r}?")
    return tuple(notes)


def get_nested(raw: Mapping[str, Any], dotted: str) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
