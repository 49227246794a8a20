"""The training rows LLaMA-Factory 0.9.5 hands the Trainer, from its own loader code (`data/loader.py` `get_dataset`,
`_get_merged_dataset`, `_load_single_dataset`; `data/data_utils.py` `merge_dataset`, `split_dataset`,
`get_dataset_module`), run as shipped on stand-in datasets that only have a length.

Only what touches real data is stubbed: `load_dataset` returns a dataset of the given row count, `align_dataset`
and `_get_preprocessed_dataset` return what they get (lrcli's `--samples` counts the rows of each dataset before
preprocessing), `concatenate_datasets` adds the lengths, and `train_test_split` keeps n − test rows with the
test size `datasets` (≤ 4.0.0, LLaMA-Factory's pin) takes: an int as a count, a float as ceil(test_size · n).
So the order of max_samples cut, merge and val_size split is LLaMA-Factory's own. tests/test_samples_per_dataset.py
compares lrcli with it; the source comes from `pip download --no-deps llamafactory==0.9.5` unzipped (see .ci/run).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal, Optional, Union

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from framework_code import extract  # noqa: E402
from framework_sources import package_dir  # noqa: E402


class Rows:
    """A dataset that is only its row count."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def select(self, indices: Any) -> Rows:
        return Rows(len(list(indices)))

    def train_test_split(self, test_size: Any, seed: int) -> dict[str, Rows]:
        if isinstance(test_size, float) and not 0 < test_size < 1:
            raise ValueError(f"test_size={test_size} should be a float in the (0, 1) range")
        held = test_size if isinstance(test_size, int) else math.ceil(test_size * self.n)
        if not 0 < held < self.n:
            raise ValueError(f"test_size={test_size} leaves no training rows out of {self.n}")
        return {"train": Rows(self.n - held), "test": Rows(held)}


class DatasetDict(dict):
    pass


class _Log:
    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def load(source: Path | None = None) -> Any:
    """LLaMA-Factory's `get_dataset` (of `source`, default the pinned 0.9.5: tools/framework_sources.py), wired to
    the stand-ins."""
    source = source or package_dir("llamafactory")
    rows: dict[str, int] = {}
    ns: dict[str, Any] = {
        "os": os, "np": np, "logger": _Log(), "Literal": Literal, "Optional": Optional, "Union": Union,
        "DatasetDict": DatasetDict, "align_dataset": lambda dataset, *args: dataset,
        "load_dataset": lambda path, **kwargs: Rows(rows[path]),
        "concatenate_datasets": lambda datasets: Rows(sum(len(d) for d in datasets)),
        "get_dataset_list": lambda names, dataset_dir: [
            SimpleNamespace(load_from="hf_hub", dataset_name=name, subset=None, folder=None, split="train",
                            num_samples=None, ranking=False) for name in names],
        "_get_preprocessed_dataset": lambda dataset, *args, **kwargs: dataset,
    }  # fmt: skip
    for name in ("merge_dataset", "split_dataset", "get_dataset_module"):
        extract(source / "data" / "data_utils.py", name, ns)
    for name in ("_load_single_dataset", "_get_merged_dataset", "get_dataset"):
        extract(source / "data" / "loader.py", name, ns)

    def training_rows(counts: list[int], max_samples: int | None, val_size: float | int) -> int:
        names = [f"d{i}" for i in range(len(counts))]
        rows.clear()
        rows.update(zip(names, counts, strict=True))
        data_args = SimpleNamespace(
            tokenized_path=None, dataset=names, eval_dataset=None, eval_on_each_dataset=False, streaming=False,
            max_samples=max_samples, val_size=val_size, mix_strategy="concat", interleave_probs=None,
            dataset_dir="data", preprocessing_num_workers=None, data_shared_file_system=False)
        training_args = SimpleNamespace(seed=42, main_process_first=lambda **kwargs: contextlib.nullcontext())
        model = SimpleNamespace(cache_dir=None, hf_hub_token=None)
        module = ns["get_dataset"](None, model, data_args, training_args, "sft", None)
        return len(module["train_dataset"])

    return training_rows
