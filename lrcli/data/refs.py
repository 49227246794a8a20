"""What a config says about its data, and what lrcli found: plain, framework-neutral records.

A dialect turns a framework's data keys into `DatasetRef`s (one per dataset the framework loads); `lrcli.data.find`
turns each into a `RowCount` (the rows of that dataset as the framework reads them, with where the number came from);
the framework's planner then applies its own arithmetic (weights, max_samples, held-out splits).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DatasetRef:
    """One dataset as the framework will load it (the arguments it passes to `datasets.load_dataset` and friends).

    `path` is a Hub id or a local path as the config writes it; `roots` are the directories a relative local path
    is looked up in, the framework's own first (its working directory, LLaMA-Factory's dataset_dir). `hub` /
    `local` say which the framework would try: axolotl and `datasets` look for a local path first, then the Hub;
    LLaMA-Factory's `file_name` is local only, its `hf_hub_url` Hub only.
    """

    path: str
    name: str | None = None  # the config (subset) name
    split: str = "train"  # a `datasets` split spec, sliced or not
    data_dir: str | None = None
    data_files: tuple[tuple[str, str], ...] = ()  # (split, pattern) pairs; a bare data_files string is split "train"
    revision: str | None = None
    builder: str | None = None  # a packaged builder (json, csv, parquet, text, arrow) when the framework names one
    where: str = ""  # the config key that names it, for messages ("datasets[0]", "dataset_mixture.datasets[3]")
    roots: tuple[Path, ...] = ()
    hub: bool = True
    local: bool = True
    flat_dir: bool = False  # a local directory is every file directly in it (LLaMA-Factory), not datasets' layout
    title: str | None = None  # the framework's own name for the dataset (a LLaMA-Factory dataset_info.json key)

    def patterns(self) -> dict[str, tuple[str, ...]]:
        """data_files as {split: patterns}."""
        out: dict[str, tuple[str, ...]] = {}
        for split, pattern in self.data_files:
            out[split] = (*out.get(split, ()), pattern)
        return out

    @property
    def label(self) -> str:
        """`yahma/alpaca-cleaned, split train` / `HuggingFaceTB/smoltalk2 (SFT), split s1k_1.1_think`."""
        name = f" ({self.name})" if self.name else ""
        extra = f", data_dir {self.data_dir}" if self.data_dir else ""
        title = f"{self.title} = " if self.title else ""
        return f"{title}{self.path}{name}{extra}, split {self.split}"


@dataclass(frozen=True)
class RowCount:
    """The rows a framework reads for one DatasetRef (the split spec applied), and how lrcli knows.

    `source` reads after the label: "local file data/x.jsonl", "HF hub cache, revision 12567ca, card",
    "Hub, revision 12567ca, cached". `split_rows` are the whole splits the spec reads from. `exact` is False when the
    number is only what the source could tell (files of a cached snapshot lrcli cannot prove complete).
    """

    ref: DatasetRef
    rows: int
    source: str
    split_rows: dict[str, int] = field(default_factory=dict)
    exact: bool = True
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """`51,760 rows: yahma/alpaca-cleaned, split train (Hub, revision 12567ca, cached)`."""
        return f"{self.rows:,} rows: {self.ref.label} ({self.source})"


@dataclass(frozen=True)
class DataEntry:
    """One dataset of a config's data, with the framework's own per-dataset knobs (`options`: a handbook mixture
    `weight`, LLaMA-Factory `num_samples`, torchtune's gsm8k `partition`, …), read by that framework's row rule."""

    ref: DatasetRef
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DataSpec:
    """Everything a config says about its training data: the datasets, in the framework's order, the row rule
    that turns their counts into the N the planner takes (a key of `lrcli.steps.ROW_RULES`), the framework-level
    knobs that rule reads (`test_split_size`, …), where in the file it was read, and a problem that keeps lrcli
    from counting (a dataset kind it cannot count), reported only when N is needed."""

    rule: str
    entries: tuple[DataEntry, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    where: str = ""
    problem: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountedDataset:
    """A DataEntry with the rows lrcli found for it."""

    entry: DataEntry
    count: RowCount


def data_files_pairs(value: object) -> tuple[tuple[str, str], ...]:
    """A config's data_files (a string, a list, or {split: string | list}) as (split, pattern) pairs."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (("train", value),)
    if isinstance(value, dict):
        return tuple(
            (str(split), str(p)) for split, pats in value.items() for p in (pats if isinstance(pats, list) else [pats])
        )
    if isinstance(value, (list, tuple)):
        return tuple(("train", str(p)) for p in value)
    return (("train", str(value)),)


class ProgressBar:
    """What the data layer needs from the CLI's progress display: `update(done)` with the bytes read so far of
    `total` (given when it is made), then `close()`. The default does nothing."""

    def update(self, done: int) -> None:  # noqa: B027 - a no-op default
        pass

    def close(self) -> None:  # noqa: B027
        pass


class NotFound(Exception):
    """A source could not answer for a DatasetRef; `tried` says what it looked at (for the final error line)."""

    def __init__(self, tried: str) -> None:
        super().__init__(tried)
        self.tried = tried
