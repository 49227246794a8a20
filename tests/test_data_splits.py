"""Split specs (`train[:10%]`, `test[100:2000]+train`) counted as `datasets` reads them: every spec Hypothesis draws is
read by a real `datasets` builder, and lrcli must give the same length, or refuse what `datasets` refuses."""

from __future__ import annotations

import json

import datasets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.data.splits import describe, parse_split, rows_read, split_names
from lrcli.errors import LrcliError

SIZES = {"train": 1001, "test": 37, "validation": 100, "tiny": 1, "s250": 250, "a.b": 5}


@pytest.fixture(scope="module")
def builder(tmp_path_factory):
    """A prepared `datasets` json builder with one split per SIZES entry (the real ArrowReader slices them)."""
    root = tmp_path_factory.mktemp("splits")
    files = {}
    for split, rows in SIZES.items():
        path = root / f"{split}.jsonl"
        path.write_text("".join(json.dumps({"i": i}) + "\n" for i in range(rows)))
        files[split] = str(path)
    datasets.disable_progress_bars()
    built = datasets.load_dataset_builder("json", data_files=files, cache_dir=str(root / "cache"))
    built.download_and_prepare()
    return built


def _bound(draw, percent: bool):
    if draw(st.booleans()):
        return ""
    value = draw(st.integers(-110, 110) if percent else st.integers(-1200, 1200))
    return f"{value}%" if percent else str(value)


@st.composite
def specs(draw):
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        split = draw(st.sampled_from(sorted(SIZES)))
        if draw(st.integers(0, 3)) == 0:
            parts.append(split)
            continue
        percent = draw(st.booleans())
        text = f"{split}[{_bound(draw, percent)}:{_bound(draw, percent)}]"
        rounding = draw(st.sampled_from(["", "", "(closest)", "(pct1_dropremainder)", "(bogus)"]))
        parts.append(text + rounding)
    return draw(st.sampled_from(["+", " + "])).join(parts)


@settings(max_examples=300, deadline=None)
@given(spec=specs())
def test_rows_read_matches_datasets(builder, spec):
    """Same length; where `datasets` refuses a spec, lrcli refuses it or counts 0 rows (which its callers refuse:
    `datasets` raises "corresponds to no data" for an empty read of unsharded files, returns 0 rows for some)."""
    try:
        expected = len(builder.as_dataset(split=spec))
    except (ValueError, KeyError, IndexError):
        expected = None
    try:
        got = rows_read(spec, SIZES)
    except LrcliError:
        assert expected is None, spec
        return
    assert got == (expected or 0), spec


@pytest.mark.parametrize("spec", ["train[:10%]", "train[10%:20%]", "test[-5:]", "train[1_000:]",
                                  "s250[33%:66%](pct1_dropremainder)", "train+test", "validation[:50%]+tiny", "all",
                                  "train[:10%] +test",
                                  # to = from - 1 reads to the end (datasets' take -1), any other to < from nothing
                                  "train[1:0]", "a.b[2:1]", "a.b[1:-5]", "train[5:0]", "tiny[1:0]"])
def test_examples_match_datasets(builder, spec):
    assert rows_read(spec, SIZES) == len(builder.as_dataset(split=spec))


def test_unknown_split_names_the_splits_there_are():
    with pytest.raises(LrcliError, match=r"no split 'dev' \(the dataset has: .*train"):
        rows_read("dev[:10%]", SIZES)


def test_split_names_and_description():
    assert split_names("train[:10%]+test+train[-5:]") == ("train", "test")
    assert parse_split("train")[0].sliced is False
    assert describe("train", SIZES) == ""
    assert describe("train[:10%]", SIZES) == "train[:10%] of 1,001 = 100"
