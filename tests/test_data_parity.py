"""The frameworks' row arithmetic, checked against their own code run on real `datasets` objects:
- LLaMA-Factory 0.9.5: `get_dataset_list` (dataset_info.json), `_load_single_dataset` (num_samples, then max_samples),
  `merge_dataset`, `split_dataset` (val_size), `get_dataset` — on real files in a real dataset_dir;
- the alignment-handbook / open-r1 `get_dataset` with `dataset_mixture` (weights, test_split_size), and its
  `ScriptArguments.__post_init__` (weight default): golden rows from tools/gen_handbook_mixture_golden.py, which
  runs them (their code is not on PyPI, so the tests cannot fetch it);
- TRL 0.24 `get_dataset` (`datasets:`, test_split_size) from its wheel;
- axolotl 0.19 `create_train_validation_split` / `_handle_train_dataset_split` (val_set_size) from its wheel.
Only loading is routed: each framework's `load_dataset(id, config, split=…)` reads a local JSON Lines file of the
drawn length through the real `datasets.load_dataset`, so split slicing, shuffles, selects, concatenation and
train_test_split are `datasets`' own."""

from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

import datasets
import numpy as np
import pytest
from conftest import DATA, TOOLS, framework_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrcli.config import resolve
from lrcli.data.refs import CountedDataset, DataEntry, DatasetRef, RowCount
from lrcli.data.splits import rows_read
from lrcli.errors import LrcliError
from lrcli.steps import ROW_RULES
from lrcli.steps.axolotl import training_rows as axolotl_training_rows
from lrcli.steps.llamafactory import training_rows as llamafactory_training_rows

datasets.disable_progress_bars()
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _extract(path: Path, name: str, ns: dict[str, Any], class_name: str | None = None) -> Any:
    import sys

    sys.path.insert(0, str(TOOLS))
    from framework_code import extract

    return extract(path, name, ns, class_name)


def _jsonl(path: Path, rows: int) -> Path:
    path.write_text("".join(json.dumps({"i": i}) + "\n" for i in range(rows)))
    return path


def _counted(rows: dict[str, int], split: str, options: dict[str, Any] | None = None) -> CountedDataset:
    ref = DatasetRef("x", split=split)
    return CountedDataset(DataEntry(ref, options or {}), RowCount(ref, rows_read(split, rows), "test", rows))


def _lrcli_rows(rule: str, counted: list[CountedDataset], options: dict[str, Any]) -> int | None:
    """N by lrcli's row rule; None where lrcli refuses (the input layer refuses a dataset that reads no row, as
    `datasets` raises "corresponds to no data"; the rule refuses what train_test_split refuses)."""
    if any(c.count.rows == 0 for c in counted):
        return None
    try:
        return ROW_RULES[rule](counted, options).n
    except LrcliError:
        return None


# ------------------------------------------------------------------------------------------------- LLaMA-Factory
@pytest.fixture(scope="module")
def llamafactory_get_dataset():
    source = framework_source("llamafactory")
    constants = ast.parse((source / "extras" / "constants.py").read_text())
    ns: dict[str, Any] = {"os": os, "json": json, "np": np, "Optional": Optional, "Literal": Any, "Union": Any,
                          "DATA_CONFIG": "dataset_info.json", "use_modelscope": lambda: False,
                          "use_openmind": lambda: False, "hf_hub_download": None, "load_dataset": datasets.load_dataset,
                          "load_from_disk": datasets.load_from_disk, "Dataset": datasets.Dataset,
                          "DatasetDict": datasets.DatasetDict, "concatenate_datasets": datasets.concatenate_datasets,
                          "interleave_datasets": datasets.interleave_datasets, "has_tokenized_data": lambda p: False,
                          "align_dataset": lambda dataset, *args: dataset,
                          "_get_preprocessed_dataset": lambda dataset, *args, **kwargs: dataset,
                          "logger": SimpleNamespace(info_rank0=lambda *a: None, warning_rank0=lambda *a: None,
                                                    warning_rank0_once=lambda *a: None),
                          "Any": Any}
    exec(compile(ast.Module([n for n in constants.body if isinstance(n, ast.Assign) and any(
        getattr(t, "id", "") == "FILEEXT2TYPE" for t in n.targets)], []), "constants", "exec"), ns)  # noqa: S102
    ns["DatasetAttr"] = dataclass(_extract(source / "data" / "parser.py", "DatasetAttr", ns))
    _extract(source / "data" / "parser.py", "get_dataset_list", ns)
    for name in ("merge_dataset", "split_dataset", "get_dataset_module"):
        _extract(source / "data" / "data_utils.py", name, ns)
    for name in ("_load_single_dataset", "_get_merged_dataset", "get_dataset"):
        _extract(source / "data" / "loader.py", name, ns)
    return ns["get_dataset"]


@settings(max_examples=25, deadline=None, suppress_health_check=HEALTH)
@given(counts=st.lists(st.integers(1, 40), min_size=1, max_size=3),
       num_samples=st.lists(st.one_of(st.none(), st.integers(1, 60)), min_size=3, max_size=3),
       max_samples=st.one_of(st.none(), st.integers(1, 50)),
       val_size=st.sampled_from([0.0, 0.1, 0.25, 2, 3.0]))
def test_llamafactory_rows_match_its_loader(llamafactory_get_dataset, tmp_path_factory, counts, num_samples,
                                            max_samples, val_size):
    work = tmp_path_factory.mktemp("lf")
    info = {}
    for i, n in enumerate(counts):
        _jsonl(work / f"d{i}.jsonl", n)
        info[f"d{i}"] = {"file_name": f"d{i}.jsonl", **({"num_samples": num_samples[i]} if num_samples[i] else {})}
    (work / "dataset_info.json").write_text(json.dumps(info))
    names = list(info)
    data_args = SimpleNamespace(
        tokenized_path=None, dataset=names, eval_dataset=None, eval_on_each_dataset=False, streaming=False,
        max_samples=max_samples, val_size=val_size, mix_strategy="concat", interleave_probs=None,
        dataset_dir=str(work), preprocessing_num_workers=None, data_shared_file_system=False)
    training_args = SimpleNamespace(seed=42, main_process_first=lambda **kwargs: __import__("contextlib").nullcontext(),
                                    dataloader_num_workers=0)
    model_args = SimpleNamespace(cache_dir=str(work / "cache"), hf_hub_token=None)
    try:
        expected = len(llamafactory_get_dataset(None, model_args, data_args, training_args, "sft", None)["train_dataset"])
    except ValueError:
        expected = None
    # lrcli: the dialect's DataSpec over the same dataset_dir, counted, the row rule, then the planner's rows
    from lrcli.dialects.llamafactory import read_data
    from lrcli.inputs.datasets import DataCounting, data_layers

    raw = {"dataset": ",".join(names), "dataset_dir": str(work), "max_samples": max_samples, "val_size": val_size}
    layers, _ = data_layers(read_data(raw, work / "config.yaml"), DataCounting(offline=True))
    values = {"framework": "llamafactory", "max_samples": max_samples, "val_size": val_size,
              "trainer_options": {"datasets": len(names), "mix_strategy": "concat"}}
    try:
        config = resolve([(values, "test"), *layers])
        got = llamafactory_training_rows(config)[0]
    except LrcliError:
        got = None
    assert got == (expected or None), (counts, num_samples, max_samples, val_size)


# ------------------------------------------------------------------------------------------------ the handbook
HANDBOOK_GOLDEN = json.loads((DATA / "handbook_mixture_golden.json").read_text())


def test_handbook_golden_covers_weights_test_splits_and_refusals():
    cases = HANDBOOK_GOLDEN["cases"]
    assert len(cases) >= 100 and any("raises" in c for c in cases)
    assert {c["test_split_size"] for c in cases} >= {None, 0.1, 1, 5}
    assert any(w is not None and w < 1 for c in cases for w in c["weights"]) and any(len(c["sizes"]) > 1 for c in cases)


@pytest.mark.parametrize("case", HANDBOOK_GOLDEN["cases"], ids=lambda c: f"{c['sizes']}-{c['weights']}-{c['test_split_size']}-{c['split']}")
def test_handbook_mixture_matches_its_get_dataset(case):
    """The alignment-handbook's `get_dataset` over `dataset_mixture` (weights, test_split_size; open-r1 has the same
    function), run by tools/gen_handbook_mixture_golden.py on real `datasets` objects: its code is not on PyPI."""
    other = HANDBOOK_GOLDEN["other_split_rows"]
    counted = [_counted({"train": n, "other": other}, case["split"], {"weight": w if w is not None else 1.0})
               for n, w in zip(case["sizes"], case["weights"], strict=True)]
    got = _lrcli_rows("handbook_mixture", counted, {"test_split_size": case["test_split_size"], "where": "mixture"})
    assert (got or None) == (case.get("train_rows") or None), case  # 0 rows or an error: no run (lrcli refuses N = 0)


# ------------------------------------------------------------------------------------------------------- TRL
def _router(tmp: Path, table: dict[tuple[str, str | None], dict[str, int]]):
    """`datasets.load_dataset(id, config, split=…)` for the drawn datasets: each split a local JSON Lines file."""

    def load(path: str, name: str | None = None, *, split: str, **kwargs: Any) -> datasets.Dataset:
        files = {s: str(_jsonl(tmp / f"{abs(hash((path, name, s)))}.jsonl", n)) for s, n in table[(path, name)].items()}
        return datasets.load_dataset("json", data_files=files, split=split, cache_dir=str(tmp / "cache"))

    return load


@settings(max_examples=20, deadline=None, suppress_health_check=HEALTH)
@given(sizes=st.lists(st.integers(1, 60), min_size=1, max_size=3), splits=st.sampled_from(["train", "train[:30%]",
       "train[5:]", "train+other"]), test_split=st.one_of(st.none(), st.sampled_from([0.2, 3])))
def test_trl_datasets_match_its_get_dataset(tmp_path_factory, sizes, splits, test_split):
    source = framework_source("trl-0.24") / "scripts" / "utils.py"  # 1.16 loads through its own helpers
    tmp = tmp_path_factory.mktemp("trl")
    table = {(f"org/d{i}", None): {"train": n, "other": 3} for i, n in enumerate(sizes)}
    router = _router(tmp, table)
    ns: dict[str, Any] = {"dataclass": dataclass, "field": field, "Optional": Optional, "Union": Any,
                          "logger": SimpleNamespace(info=lambda *a: None), "DatasetDict": datasets.DatasetDict,
                          "concatenate_datasets": datasets.concatenate_datasets,
                          "datasets": SimpleNamespace(
                              load_dataset=lambda path, name=None, data_dir=None, data_files=None, split=None,
                              streaming=False: router(path, name, split=split),
                              Dataset=datasets.Dataset)}
    ns["DatasetConfig"] = dataclass(_extract(source, "DatasetConfig", ns))
    mixture_class = _extract(source, "DatasetMixtureConfig", ns)
    ns["DatasetMixtureConfig"] = dataclass(mixture_class)
    get_dataset = _extract(source, "get_dataset", ns)
    config = ns["DatasetMixtureConfig"](datasets=[{"path": p, "split": splits} for p, _ in table],
                                        test_split_size=test_split)
    try:
        expected = len(get_dataset(config)["train"])
    except ValueError:
        expected = None
    counted = [_counted({"train": n, "other": 3}, splits) for n in sizes]
    got = _lrcli_rows("trl_datasets", counted, {"test_split_size": test_split, "where": "datasets"})
    assert got == (expected or None), (sizes, splits, test_split)


@settings(max_examples=25, deadline=None, suppress_health_check=HEALTH)
@given(sizes=st.lists(st.integers(1, 60), min_size=1, max_size=3), splits=st.sampled_from(["train", "train[:30%]",
       "train[5:]", "train+other"]), test_split=st.one_of(st.none(), st.sampled_from([0.2, 3])),
       fractions=st.one_of(st.none(), st.lists(st.sampled_from([0.0, 0.1, 0.25, 1 / 3, 0.5, 1.0, 2.0, 3]),
                                               min_size=3, max_size=3)),
       partial=st.booleans())
def test_trl_1_16_datasets_match_its_get_dataset(tmp_path_factory, monkeypatch_module_free, sizes, splits, test_split,
                                                  fractions, partial):
    """TRL 1.16's own `scripts/utils.py` get_dataset (its DatasetConfig `fraction`, 1.8+): the fractions normalised to
    shares, the mixture capped so that no dataset is oversampled, each cut to round(share · total) rows."""
    source = framework_source("trl") / "scripts" / "utils.py"
    tmp = tmp_path_factory.mktemp("trl116")
    table = {(f"org/d{i}", None): {"train": n, "other": 3} for i, n in enumerate(sizes)}
    files = {key: {s: str(_jsonl(tmp / f"{i}-{s}.jsonl", n)) for s, n in splits_.items()}
             for i, (key, splits_) in enumerate(table.items())}
    real_load = datasets.load_dataset

    def load(path=None, name=None, data_dir=None, data_files=None, split=None, streaming=False, **kwargs):
        return real_load("json", data_files=files[(path, name)], split=split, cache_dir=str(tmp / "cache"))

    ns: dict[str, Any] = {"dataclass": dataclass, "field": field, "logger": SimpleNamespace(info=lambda *a: None)}
    ns["DatasetConfig"] = dataclass(_extract(source, "DatasetConfig", ns))
    ns["DatasetMixtureConfig"] = dataclass(_extract(source, "DatasetMixtureConfig", ns))
    get_dataset = _extract(source, "get_dataset", ns)  # it imports `datasets` itself: load_dataset is routed
    shares = None if fractions is None else fractions[:len(sizes)]
    if shares is not None and partial and len(sizes) > 1:
        shares = [None, *shares[1:]]
    entries = [{"path": p, "split": splits, **({} if shares is None or shares[i] is None else {"fraction": shares[i]})}
               for i, (p, _) in enumerate(table)]
    config = ns["DatasetMixtureConfig"](datasets=[dict(e) for e in entries], test_split_size=test_split)
    monkeypatch_module_free.setattr(datasets, "load_dataset", load)
    try:
        expected = len(get_dataset(config)["train"])
    except (ValueError, ZeroDivisionError):
        expected = None
    finally:
        monkeypatch_module_free.undo()
    counted = [_counted({"train": n, "other": 3}, splits, {k: v for k, v in e.items() if k == "fraction"})
               for n, e in zip(sizes, entries, strict=True)]
    got = _lrcli_rows("trl_datasets", counted, {"test_split_size": test_split, "where": "datasets"})
    assert got == (expected or None), (sizes, splits, test_split, shares)


@pytest.fixture
def monkeypatch_module_free():
    """A MonkeyPatch usable inside one Hypothesis example (undone by the test itself)."""
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_trl_fraction_before_1_8_is_refused(cli, tmp_path: Path) -> None:
    """TRL 1.7's DatasetConfig has no `fraction` (DatasetConfig(**entry) raises TypeError); 1.8+ cuts as its own
    get_dataset does (run here on the same two local files)."""
    import sys

    sys.path.insert(0, str(TOOLS))
    from framework_sources import release_dir

    sources = {version: release_dir("trl", version, "trl") / "scripts" / "utils.py" for version in ("1.7.1", "1.8.0")}
    assert ["fraction: float | None" in path.read_text() for path in sources.values()] == [False, True]
    files = []
    for name, rows in (("a", 40), ("b", 13)):
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_text("".join(json.dumps({"i": i}) + "\n" for i in range(rows)))
    path = tmp_path / "sft.yaml"
    path.write_text("".join(f"  - path: json\n    data_files: {f}\n    fraction: {share}\n"
                            for f, share in zip(files, (0.7, 0.3), strict=True)).join(["datasets:\n", ""]))
    source = framework_source("trl") / "scripts" / "utils.py"
    ns: dict[str, Any] = {"dataclass": dataclass, "field": field, "logger": SimpleNamespace(info=lambda *a: None)}
    ns["DatasetConfig"] = dataclass(_extract(source, "DatasetConfig", ns))
    ns["DatasetMixtureConfig"] = dataclass(_extract(source, "DatasetMixtureConfig", ns))
    entries = [{"path": "json", "data_files": str(f), "fraction": share} for f, share in zip(files, (0.7, 0.3),
                                                                                            strict=True)]
    expected = len(_extract(source, "get_dataset", ns)(ns["DatasetMixtureConfig"](datasets=entries))["train"])
    result = cli("show", str(path), "--dialect", "trl", "--trainer", "sft@1.16", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["settings"]["dataset_size"]["value"] == expected
    refused = cli("show", str(path), "--dialect", "trl", "--trainer", "sft@1.7")
    assert refused.exit_code == 2 and "has no fraction (added in 1.8)" in refused.stderr


# ---------------------------------------------------------------------------------------------------- axolotl
@pytest.mark.parametrize("n", [1, 2, 7, 20, 101])
@pytest.mark.parametrize("val_set_size", [0.0, 0.05, 0.1, 0.5, 0.99, 1, 2, 5, 19])
@pytest.mark.parametrize("rl", [False, True])
def test_axolotl_val_set_size_matches_its_split(n, val_set_size, rl):
    source = framework_source("axolotl") / "utils" / "data"
    ns: dict[str, Any] = {"md5": lambda text: hashlib.md5(text.encode()).hexdigest(), "Dataset": datasets.Dataset,  # noqa: S324
                          "DictDefault": dict, "deduplicate_and_log_datasets": None, "LOG": None}
    _extract(source / "shared.py", "generate_split_fingerprints", ns)
    split = _extract(source / "shared.py", "create_train_validation_split", ns)
    ns["create_train_validation_split"] = split
    handle = _extract(source / "sft.py", "_handle_train_dataset_split", ns)

    class Cfg(dict):
        def __getattr__(self, key: str) -> Any:
            return self.get(key)

    val_set_size = float(val_set_size)  # the schema's `val_set_size: float | None` (utils/schemas/config.py)
    cfg = Cfg(val_set_size=val_set_size, seed=42)
    data = datasets.Dataset.from_dict({"i": list(range(n))})
    try:
        if rl:  # rl.py: `elif cfg.val_set_size:` then create_train_validation_split(train, cfg, cfg.val_set_size)
            expected = len(split(data, cfg, val_set_size)[0]) if val_set_size else n
        else:
            expected = len(handle(data, cfg)[0])
    except ValueError:
        expected = None
    config = resolve([({"framework": "axolotl", "dataset_size": n, "val_size": val_set_size or None}, "test")])
    try:
        got = axolotl_training_rows(config, rl)[0]
    except LrcliError:
        got = None
    assert got == expected
