"""Row counts and data-file patterns from a dataset card's metadata (the YAML header of README.md, which the Hub
also serves parsed as `cardData` in GET /api/datasets/{id}).

`dataset_info` is one mapping (one config) or a list of them, each with `config_name` (default "default") and
`splits: [{name, num_bytes, num_examples}]`; `configs` lists `{config_name, data_files: [{split, path}], default}`.
Which config `load_dataset(id)` picks without a name is `datasets`' `MetadataConfigs.get_default_config_name`: the
only config, or the one named "default", or the one marked `default: true`; several candidates, or none among
several configs, is an error there ("Config name is missing") and here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrcli.errors import LrcliError
from lrcli.inputs.bounded import parse_yaml

DEFAULT_CONFIG = "default"


@dataclass(frozen=True)
class Card:
    """The parts of a card lrcli reads: row counts per config and split, and each config's data_files patterns."""

    split_rows: dict[str, dict[str, int]]  # config -> split -> num_examples
    data_files: dict[str, dict[str, tuple[str, ...]]]  # config -> split -> patterns
    default_marked: tuple[str, ...] = ()  # configs with `default: true`

    @property
    def config_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.data_files, *self.split_rows]))


def parse_card_data(card: Mapping[str, Any] | None) -> Card:
    """A Card from parsed card metadata; malformed entries are skipped (the Hub shows such cards too)."""
    card = card or {}
    split_rows: dict[str, dict[str, int]] = {}
    info = card.get("dataset_info")
    for entry in info if isinstance(info, list) else [info] if isinstance(info, Mapping) else []:
        if not isinstance(entry, Mapping):
            continue
        splits = {}
        for split in entry.get("splits") or []:
            if isinstance(split, Mapping) and isinstance(split.get("name"), str):
                rows = split.get("num_examples")
                if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0:
                    splits[split["name"]] = rows
        if splits:
            split_rows[str(entry.get("config_name") or DEFAULT_CONFIG)] = splits
    data_files: dict[str, dict[str, tuple[str, ...]]] = {}
    marked = []
    for entry in card.get("configs") or []:
        if not isinstance(entry, Mapping):
            continue
        name = str(entry.get("config_name") or DEFAULT_CONFIG)
        if entry.get("default"):
            marked.append(name)
        data_files[name] = _split_patterns(entry.get("data_files"))
    return Card(split_rows, data_files, tuple(marked))


def _split_patterns(spec: Any) -> dict[str, tuple[str, ...]]:
    """`data_files` as datasets' `sanitize_patterns`: a string or list means split "train"; a list of
    {split, path} maps each split to its path(s)."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        return {"train": (spec,)}
    if isinstance(spec, Mapping):
        return {str(k): tuple(v) if isinstance(v, list) else (str(v),) for k, v in spec.items()}
    if isinstance(spec, list):
        if any(isinstance(item, Mapping) for item in spec):
            out: dict[str, tuple[str, ...]] = {}
            for item in spec:
                if isinstance(item, Mapping) and "split" in item and "path" in item:
                    path = item["path"]
                    out[str(item["split"])] = tuple(path) if isinstance(path, list) else (str(path),)
            return out
        return {"train": tuple(str(p) for p in spec)}
    return {}


def default_config(card: Card) -> str | None:
    """The config `load_dataset(id)` uses without a name, None when it would ask for one (or the card has none)."""
    names = card.config_names
    if not names:
        return None
    candidates = [n for n in names if len(names) == 1 or n == DEFAULT_CONFIG or n in card.default_marked]
    if len(candidates) == 1:
        return candidates[0]
    return None


def card_from_readme(text: str) -> Mapping[str, Any]:
    """The YAML metadata block at the top of a README.md (between `---` lines), {} when there is none."""
    if not text.startswith("---"):
        return {}
    lines = text.splitlines()
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:  # the bounded reader's caps: a card is text from the network
                data = parse_yaml("\n".join(lines[1:end]), "the dataset card")
            except LrcliError:
                return {}
            return data if isinstance(data, Mapping) else {}
    return {}
