"""The real Hugging Face Hub, for one small public dataset. Deselected by default (pyproject addopts
`-m 'not network'`, so the suite reports no skip); run with `pytest -m network` where the Hub is reachable."""

from __future__ import annotations

import pytest

from lrcli.data.find import Sources, count_rows
from lrcli.data.refs import DatasetRef


@pytest.mark.network
def test_the_real_hub_counts_gsm8k_main_train_from_its_card():
    first = count_rows(DatasetRef("openai/gsm8k", name="main", split="train"))
    assert first.rows == 7473  # the card's dataset_info (config main, split train)
    assert first.source.startswith("Hub, revision ") and first.source.endswith("dataset card")
    again = count_rows(DatasetRef("openai/gsm8k", name="main", split="train"), Sources(offline=True))
    assert again.rows == 7473 and "cached" in again.source
