"""The Hub path against a stand-in Hub (tests/hub_standin.py): card counts, the dataset viewer, the answer cache
(a second run needs no network), timeouts, gated and missing datasets, HF_HUB_OFFLINE and --offline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hub_standin import StandInHub

from lrcli.data.answer_cache import AnswerCache
from lrcli.data.find import RowsNotFound, Sources, count_rows
from lrcli.data.refs import DatasetRef

CARD = {
    "configs": [{"config_name": "SFT", "data_files": [{"split": "a_think", "path": "SFT/a_think-*"}]},
                {"config_name": "Preference", "data_files": [{"split": "p", "path": "Preference/p-*"}]}],
    "dataset_info": [
        {"config_name": "SFT", "splits": [{"name": "a_think", "num_bytes": 10, "num_examples": 835},
                                          {"name": "b_no_think", "num_bytes": 10, "num_examples": 2260}]},
        {"config_name": "Preference", "splits": [{"name": "p", "num_bytes": 10, "num_examples": 230501}]},
    ],
}
ONE_CONFIG = {"dataset_info": {"config_name": "plain_text", "splits": [
    {"name": "train", "num_bytes": 1, "num_examples": 25000}, {"name": "test", "num_bytes": 1, "num_examples": 25000}]}}


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A running stand-in Hub, with HF_ENDPOINT / the viewer pointed at it and empty caches."""
    standin = StandInHub()
    standin.add("org/mix", card=CARD)
    standin.add("org/imdb", card=ONE_CONFIG)
    standin.add("org/nocard", viewer={"default": {"train": 51760}})
    standin.add("org/partial", viewer={"default": {"train": 5}}, partial=True)
    standin.add("org/gated", card=ONE_CONFIG, gated=True)
    standin.start()
    monkeypatch.setenv("HF_ENDPOINT", standin.url)
    monkeypatch.setenv("LRCLI_DATASET_VIEWER", standin.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("LRCLI_CACHE_DIR", str(tmp_path / "lrcli"))
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HF_HUB_CACHE", "HF_DATASETS_CACHE",
                 "HUGGINGFACE_HUB_CACHE", "LRCLI_HUB_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "no-token"))
    yield standin
    standin.stop()


def test_card_counts_then_the_answer_cache_answers_offline(hub):
    ref = DatasetRef("org/mix", name="SFT", split="b_no_think[:10%]", where="dataset_mixture.datasets[0]")
    first = count_rows(ref)
    assert first.rows == 226 and first.split_rows == {"b_no_think": 2260}
    sha = hub.repos["org/mix"].sha
    assert first.source == f"Hub, revision {sha[:7]}, dataset card"
    asked = len(hub.requests)
    assert asked >= 1
    second = count_rows(ref, Sources(offline=True))
    assert second.rows == 226 and second.source.startswith(f"Hub, revision {sha[:7]}, dataset card, cached")
    third = count_rows(ref)  # within the branch TTL: no request either
    assert third.source == second.source
    assert len(hub.requests) == asked


def test_single_config_is_the_default(hub):
    assert count_rows(DatasetRef("org/imdb")).rows == 25000
    with pytest.raises(RowsNotFound, match="several configs SFT, Preference and none is the default"):
        count_rows(DatasetRef("org/mix", split="p"))


def test_viewer_answers_when_the_card_has_no_counts(hub):
    got = count_rows(DatasetRef("org/nocard"))
    assert got.rows == 51760 and "dataset viewer" in got.source
    assert any(path.startswith("/size?dataset=org%2Fnocard") for _, path in hub.requests)
    with pytest.raises(RowsNotFound, match="only a partial count"):
        count_rows(DatasetRef("org/partial"))


def test_missing_split_and_dataset_and_gated(hub):
    with pytest.raises(RowsNotFound, match="config SFT has no split p"):
        count_rows(DatasetRef("org/mix", name="SFT", split="p"))
    with pytest.raises(RowsNotFound, match="no dataset org/none, or it is private"):
        count_rows(DatasetRef("org/none"))
    with pytest.raises(RowsNotFound, match="gated"):
        count_rows(DatasetRef("org/gated"))


def test_offline_settings_ask_nothing(hub, monkeypatch):
    with pytest.raises(RowsNotFound, match=r"the Hub \(offline: --offline\)"):
        count_rows(DatasetRef("org/imdb"), Sources(offline=True))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RowsNotFound, match=r"the Hub \(offline: HF_HUB_OFFLINE\)"):
        count_rows(DatasetRef("org/imdb"))
    assert hub.requests == []


def test_a_hanging_hub_times_out(hub, monkeypatch):
    monkeypatch.setenv("LRCLI_HUB_TIMEOUT", "0.5")
    hub.delay = 3.0
    start = time.monotonic()
    with pytest.raises(RowsNotFound, match="not reachable"):
        count_rows(DatasetRef("org/imdb"))
    assert time.monotonic() - start < 2.5


def test_unreachable_hub_falls_back_to_a_stale_answer(hub, monkeypatch, tmp_path):
    ref = DatasetRef("org/imdb", split="test")
    count_rows(ref)
    cache = AnswerCache()
    data = cache._load()
    for entry in data["revisions"].values():
        entry["checked"] -= 10 * 24 * 3600  # older than the branch TTL: lrcli would ask the Hub again
    cache._write(data)
    hub.stop()
    got = count_rows(ref)
    assert got.rows == 25000 and "cached" in got.source
    assert "not reachable" in got.notes[0] and "used the answer lrcli stored earlier" in got.notes[0]


def test_unreachable_hub_without_an_answer_lists_what_was_tried(hub):
    hub.stop()
    with pytest.raises(RowsNotFound) as error:
        count_rows(DatasetRef("org/imdb", where="dataset_name"))
    message = str(error.value)
    assert message.startswith("no row count for org/imdb, split train (dataset_name): tried ")
    assert "HF hub cache" in message and "datasets cache" in message and "answer cache" in message
    assert "not reachable" in message


def test_pinned_revision_is_answered_from_the_cache_for_good(hub):
    sha = hub.repos["org/imdb"].sha
    ref = DatasetRef("org/imdb", revision=sha)
    assert count_rows(ref).rows == 25000
    hub.stop()
    assert count_rows(ref).source == f"Hub, revision {sha[:7]}, dataset card, cached"


def test_corrupt_answer_cache_counts_as_empty(hub, tmp_path):
    (tmp_path / "lrcli").mkdir()
    (tmp_path / "lrcli" / "hub-rows.json").write_text("{not json")
    assert count_rows(DatasetRef("org/imdb")).rows == 25000


def test_sample_axolotl_config_plots_against_the_stand_in(hub, cli, tmp_path):
    """`lrcli plot sample_configs/axolotl_lora.yml` with no --samples (issue 10), its dataset served by the stand-in."""
    hub.add("teknium/GPT4-LLM-Cleaned", viewer={"default": {"train": 54000}})  # a stand-in count (tests/data/hub_datasets.json)
    config = Path(__file__).resolve().parents[1] / "sample_configs" / "axolotl_lora.yml"
    result = cli("plot", str(config), "-o", str(tmp_path / "lr.csv"))
    assert result.exit_code == 0, result.stderr
    assert "N = 54,000 rows: teknium/GPT4-LLM-Cleaned, split train (Hub, revision " in result.stderr
    assert "dataset viewer" in result.stderr and "upper bound" in result.stderr  # axolotl drops long rows
    with_samples = cli("plot", str(config), "--samples", "54000", "-o", str(tmp_path / "lr2.csv"))
    assert with_samples.exit_code == 0, with_samples.stderr
    assert (tmp_path / "lr.csv").read_text() == (tmp_path / "lr2.csv").read_text()
