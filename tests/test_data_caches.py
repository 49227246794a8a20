"""The HF hub cache and the `datasets` cache as the real libraries write them: a subprocess (its own HF_ENDPOINT and
HF_HOME) downloads repositories from the stand-in Hub with huggingface_hub.snapshot_download and loads them with
datasets.load_dataset, recording each length; lrcli then reads the caches offline, the stand-in stopped, and must
find the same row counts — from the card, from the files (datasets' layout rules), or from dataset_info.json."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hub_standin import StandInHub

from lrcli.data.datasets_cache import datasets_cache_rows
from lrcli.data.find import RowsNotFound, Sources, count_rows
from lrcli.data.hub_cache import hub_cache_rows
from lrcli.data.refs import DatasetRef, NotFound


def _parquet(n: int) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": [f"row {i}" for i in range(n)]}), buffer)
    return buffer.getvalue()


def _jsonl(n: int) -> bytes:
    return "".join(json.dumps({"text": f"row {i}"}) + "\n" for i in range(n)).encode()


CARDED = {
    "configs": [{"config_name": "SFT", "data_files": [{"split": "a_think", "path": "SFT/a_think-*"},
                                                      {"split": "b_no_think", "path": "SFT/b_no_think-*"}]},
                {"config_name": "Preference", "data_files": [{"split": "p", "path": "Preference/p-*"}]}],
    "dataset_info": [{"config_name": "SFT", "splits": [{"name": "a_think", "num_bytes": 1, "num_examples": 7},
                                                      {"name": "b_no_think", "num_bytes": 1, "num_examples": 3}]},
                     {"config_name": "Preference", "splits": [{"name": "p", "num_bytes": 1, "num_examples": 4}]}],
}
REPOS = {
    "org/carded": ({"SFT/a_think-00000-of-00001.parquet": _parquet(7), "SFT/b_no_think-00000-of-00001.parquet":
                    _parquet(3), "Preference/p-00000-of-00001.parquet": _parquet(4)}, CARDED),
    "org/sharded": ({"data/train-00000-of-00002.parquet": _parquet(11), "data/train-00001-of-00002.parquet":
                     _parquet(6), "data/test-00000-of-00001.parquet": _parquet(2)}, None),
    "org/rl": ({"data/rl/x-00000-of-00002.parquet": _parquet(6), "data/rl/x-00001-of-00002.parquet": _parquet(5),
                "data/finetune/y.parquet": _parquet(9)}, None),
    "org/dirs": ({"train/a.jsonl": _jsonl(12), "train/b.jsonl": _jsonl(3), "test/c.jsonl": _jsonl(4)}, None),
    "org/names": ({"my_train_1.jsonl": _jsonl(5), "my_train_2.jsonl": _jsonl(6), "my-validation.jsonl": _jsonl(2),
                   "notes.md": b"# hi\n"}, None),
    "org/onejson": ({"alpaca_data_cleaned.json": json.dumps([{"instruction": str(i)} for i in range(41)]).encode()},
                    None),
}
# (job name, repo, load_dataset kwargs, snapshot allow_patterns or None)
JOBS = [
    ("carded_b", "org/carded", {"name": "SFT", "split": "b_no_think"}, None),
    ("carded_p", "org/carded", {"name": "Preference", "split": "p"}, None),
    ("sharded_train", "org/sharded", {"split": "train"}, None),
    ("sharded_test", "org/sharded", {"split": "test[:50%]"}, None),
    ("rl", "org/rl", {"data_dir": "data/rl", "split": "train"}, None),
    ("rl_all", "org/rl", {"split": "train"}, None),
    ("dirs_train", "org/dirs", {"split": "train"}, None),
    ("dirs_test", "org/dirs", {"split": "test"}, None),
    ("names_train", "org/names", {"split": "train"}, None),
    ("names_validation", "org/names", {"split": "validation"}, None),
    ("onejson", "org/onejson", {"split": "train[:25%]"}, None),
]
SCRIPT = r"""
import json, sys
import datasets, huggingface_hub
datasets.disable_progress_bars()
jobs, endpoint = json.loads(sys.argv[1]), sys.argv[2]
out = {}
for name, repo, kwargs, allow in jobs:
    huggingface_hub.snapshot_download(repo, repo_type="dataset", endpoint=endpoint, allow_patterns=allow)
    if kwargs is not None:
        out[name] = len(datasets.load_dataset(repo, **kwargs))
print(json.dumps(out))
"""


def _env(home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(HF_HOME=str(home), HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_PROGRESS_BARS="1")
    return env


@pytest.fixture(scope="module")
def caches(tmp_path_factory):
    """HF_HOME filled by the real libraries from the stand-in Hub, and the lengths datasets reported."""
    home = tmp_path_factory.mktemp("hf_home")
    with StandInHub() as hub:
        for repo, (files, card) in REPOS.items():
            hub.add(repo, files, card)
        env = _env(home) | {"HF_ENDPOINT": hub.url}
        proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(JOBS), hub.url], capture_output=True,
                              text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        lengths = json.loads(proc.stdout.strip().splitlines()[-1])
        shas = {repo: r.sha for repo, r in hub.repos.items()}
    return home, lengths, shas


@pytest.fixture
def offline_env(caches, monkeypatch, tmp_path):
    home, _, _ = caches
    for name in [k for k in os.environ if k.startswith(("HF_", "HUGGINGFACE_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("LRCLI_CACHE_DIR", str(tmp_path / "lrcli"))
    return home


def _ref(repo: str, kwargs: dict) -> DatasetRef:
    return DatasetRef(repo, name=kwargs.get("name"), split=kwargs.get("split", "train"), data_dir=kwargs.get("data_dir"))


@pytest.mark.parametrize("job", [j[0] for j in JOBS])
def test_hub_cache_gives_what_datasets_loaded(caches, offline_env, job):
    _, lengths, shas = caches
    _, repo, kwargs, _ = next(j for j in JOBS if j[0] == job)
    got = count_rows(_ref(repo, kwargs))
    assert got.rows == lengths[job]
    assert got.source.startswith(f"HF hub cache, revision {shas[repo][:7]}, ")
    expected_kind = "dataset card" if repo == "org/carded" else "counted from the files"
    assert got.source.endswith(expected_kind)


@pytest.mark.parametrize("job", ["carded_b", "sharded_train", "dirs_test", "names_validation", "onejson"])
def test_datasets_cache_dataset_info_gives_the_same_rows(caches, offline_env, job):
    _, lengths, shas = caches
    _, repo, kwargs, _ = next(j for j in JOBS if j[0] == job)
    rows, source = datasets_cache_rows(_ref(repo, kwargs))
    from lrcli.data.splits import rows_read

    assert rows_read(kwargs["split"], rows) == lengths[job]
    assert source == f"datasets cache, revision {shas[repo][:7]}"


def test_datasets_cache_does_not_answer_data_dir_reads(caches, offline_env):
    with pytest.raises(NotFound, match="not for data_dir"):
        datasets_cache_rows(DatasetRef("org/rl", data_dir="data/rl"))


def test_partial_snapshot_is_not_counted_from_its_files(tmp_path, monkeypatch):
    """A snapshot downloaded with allow_patterns lacks shards; lrcli must not count the half it has."""
    home = tmp_path / "hf"
    with StandInHub() as hub:
        files, _ = REPOS["org/sharded"]
        hub.add("org/sharded", files, None)
        env = _env(home) | {"HF_ENDPOINT": hub.url}
        jobs = [("x", "org/sharded", None, ["data/train-00000-*"])]
        proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(jobs), hub.url], capture_output=True,
                              text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    with pytest.raises(NotFound, match="1 of 2 files of split train not downloaded"):
        hub_cache_rows(DatasetRef("org/sharded"), home / "hub")
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("LRCLI_CACHE_DIR", str(tmp_path / "lrcli"))
    with pytest.raises(RowsNotFound, match="not downloaded"):
        count_rows(DatasetRef("org/sharded"), Sources(offline=True))


def test_uncached_repo_is_not_found(caches, offline_env):
    with pytest.raises(NotFound, match="no revision main"):
        hub_cache_rows(DatasetRef("org/elsewhere"))
