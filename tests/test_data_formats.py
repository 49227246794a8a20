"""Local row counting against the real readers: every file is written by the library that writes that format
(json/jsonlines text, csv, pyarrow's Parquet and Arrow IPC writers, `datasets`' save_to_disk) and read back by
`datasets.load_dataset` / `load_from_disk`; lrcli must count the same rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.data.arrow_rows import arrow_rows
from lrcli.data.count_files import count_file
from lrcli.data.find import RowsNotFound, Sources, count_rows
from lrcli.data.local import local_rows
from lrcli.data.parquet_rows import parquet_rows
from lrcli.data.refs import DatasetRef, ProgressBar
from lrcli.errors import LrcliError

datasets.disable_progress_bars()


def _datasets_rows(path: Path, builder: str, tmp: Path) -> int:
    return len(datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=str(tmp / "hf")))


TEXT_CASES = {
    "blank.jsonl": ("json", b'{"a":1}\n\n{"a":2}\n'),
    "spaces.jsonl": ("json", b'{"a":1}\n   \n{"a":2}\n\t\n \r\n'),
    "crlf.jsonl": ("json", b'{"a":1}\r\n{"a":2}\r\n\r\n'),
    "no_final_newline.jsonl": ("json", b'{"a":1}\n{"a":2}'),
    "leading_blank.jsonl": ("json", b'\n\n{"a":1}\n'),
    "list.json": ("json", b'[{"a":1},{"a":2},{"a":3}]'),
    "indented_list.json": ("json", b'  \n[{"a":1},\n {"a":2}]'),
    "bom_list.json": ("json", b'\xef\xbb\xbf[{"a":1},{"a":2}]'),
    "strings.json": ("json", b'["x","y","z"]'),
    "multiline_objects.json": ("json", b'{"a":\n1}\n{"a":\n2}\n{"a": 3}'),
    "lines.ndjson": ("json", b'{"a":1}\n{"a":2}\n'),
    "blank.csv": ("csv", b"a,b\n1,2\n\n3,4\n"),
    "quoted_newline.csv": ("csv", b'a,b\n"1\n\nx",2\n3,4\n'),
    "whitespace_line.csv": ("csv", b"a,b\n1,2\n  \n3,4\n"),
    "empty_fields.csv": ("csv", b"a,b\n1,2\n,\n3,4\n"),
    "mixed_newlines.txt": ("text", b"a\n\nb\r\nc\rd"),
    "final_newline.txt": ("text", b"a\nb\n"),
}


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_text_formats_count_as_datasets_reads_them(tmp_path, name):
    builder, content = TEXT_CASES[name]
    path = tmp_path / name
    path.write_bytes(content)
    assert count_file(path) == _datasets_rows(path, builder, tmp_path)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({"t": st.text(max_size=30), "n": st.integers()}), min_size=1, max_size=40),
       blank_every=st.integers(0, 5), block=st.sampled_from([7, 64, 8 << 20]))
def test_jsonl_counts_match_datasets_across_block_boundaries(tmp_path_factory, rows, blank_every, block):
    """JSON Lines written by json.dumps, with blank lines, read in blocks that split lines (BLOCK patched small)."""
    tmp = tmp_path_factory.mktemp("jsonl")
    lines = []
    for i, row in enumerate(rows):
        lines.append(json.dumps(row))
        if blank_every and i % blank_every == 0:
            lines.append("  ")
    path = tmp / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("lrcli.data.count_files.BLOCK", block)
        counted = count_file(path)
    assert counted == len(rows) == _datasets_rows(path, "json", tmp)


def test_csv_written_by_csv_writer(tmp_path):
    path = tmp_path / "d.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instruction", "output"])
        for i in range(57):
            writer.writerow([f"line {i}\nwith a newline, and a comma", f'"quoted" {i}'])
    assert count_file(path) == 57 == _datasets_rows(path, "csv", tmp_path)


def _table(n: int) -> pa.Table:
    return pa.table({"i": list(range(n)), "s": [str(i) * (i % 4) for i in range(n)], "b": [i % 2 == 0 for i in range(n)],
                     "l": [[i, i] for i in range(n)], "m": [{"x": i, "y": str(i)} for i in range(n)]})


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 3000), group=st.integers(1, 1000), codec=st.sampled_from(["snappy", "none", "zstd", "gzip"]),
       stats=st.booleans())
def test_parquet_footer_rows_match_pyarrow(n, group, codec, stats):
    buffer = io.BytesIO()
    pq.write_table(_table(n), buffer, row_group_size=group, compression=codec, write_statistics=stats)
    data = buffer.getvalue()
    assert parquet_rows(io.BytesIO(data), len(data)) == pq.ParquetFile(io.BytesIO(data)).metadata.num_rows == n


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 3000), chunk=st.integers(1, 700), layout=st.sampled_from(["stream", "file"]))
def test_arrow_ipc_rows_match_pyarrow(n, chunk, layout):
    table = _table(n)
    buffer = io.BytesIO()
    writer = (pa.ipc.new_stream if layout == "stream" else pa.ipc.new_file)(buffer, table.schema)
    for batch in table.to_batches(max_chunksize=chunk):
        writer.write_batch(batch)
    writer.close()
    data = buffer.getvalue()
    assert arrow_rows(io.BytesIO(data), len(data)) == n


def test_parquet_and_arrow_files_match_datasets(tmp_path):
    pq.write_table(_table(123), tmp_path / "d.parquet", row_group_size=50)
    with pa.ipc.new_stream(str(tmp_path / "d.arrow"), _table(77).schema) as writer:
        writer.write_table(_table(77), max_chunksize=10)
    assert count_file(tmp_path / "d.parquet") == 123 == _datasets_rows(tmp_path / "d.parquet", "parquet", tmp_path)
    assert count_file(tmp_path / "d.arrow") == 77 == _datasets_rows(tmp_path / "d.arrow", "arrow", tmp_path)


def test_save_to_disk_dataset_and_dataset_dict(tmp_path):
    """Directories written by datasets' save_to_disk (several shards, after a select that load_from_disk honours)."""
    ds = datasets.Dataset.from_dict({"x": list(range(500))}).select(range(10, 410))
    ds.save_to_disk(str(tmp_path / "one"), num_shards=3)
    dd = datasets.DatasetDict({"train": ds, "test": datasets.Dataset.from_dict({"x": list(range(9))})})
    dd.save_to_disk(str(tmp_path / "dict"))
    one = count_rows(DatasetRef("one", roots=(tmp_path,), hub=False))
    assert one.rows == len(datasets.load_from_disk(str(tmp_path / "one"))) == 400
    assert "save_to_disk directory" in one.source
    test = count_rows(DatasetRef("dict", split="test", roots=(tmp_path,), hub=False))
    assert test.rows == len(datasets.load_from_disk(str(tmp_path / "dict"))["test"]) == 9
    sliced = count_rows(DatasetRef("one", split="train[:10%]", roots=(tmp_path,), hub=False))
    assert sliced.rows == 400 and "not applied" in sliced.notes[0]


def test_folder_with_split_files_follows_datasets_layout(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for split, n in (("train", 30), ("test", 4), ("validation", 6)):
        (folder / f"{split}.jsonl").write_text("".join(json.dumps({"i": i}) + "\n" for i in range(n)))
    (folder / "README.md").write_text("# not data\n")
    loaded = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "hf"))
    for split in ("train", "test", "validation"):
        got = count_rows(DatasetRef("data", split=split, roots=(tmp_path,), hub=False))
        assert got.rows == len(loaded[split])


def test_flat_folder_is_every_file_of_one_type(tmp_path):
    folder = tmp_path / "mydata"
    folder.mkdir()
    for i, n in enumerate((10, 20)):
        (folder / f"part{i}.jsonl").write_text("".join(json.dumps({"i": j}) + "\n" for j in range(n)))
    rows, source = local_rows(DatasetRef("mydata", roots=(tmp_path,), hub=False, flat_dir=True))
    assert rows == {"train": 30} and "2 files" in source
    (folder / "notes.txt").write_text("x\n")
    with pytest.raises(LrcliError, match="all of one type"):
        local_rows(DatasetRef("mydata", roots=(tmp_path,), hub=False, flat_dir=True))


def test_packaged_builder_with_data_files_per_split(tmp_path):
    (tmp_path / "tr").mkdir()
    for i in range(3):
        (tmp_path / "tr" / f"{i}.jsonl").write_text('{"a":1}\n' * (i + 1))
    (tmp_path / "ev.jsonl").write_text('{"a":1}\n' * 5)
    ref = DatasetRef("json", data_files=(("train", "tr/*.jsonl"), ("test", "ev.jsonl")), split="train+test",
                     roots=(tmp_path,))
    expected = len(datasets.load_dataset("json", data_files={"train": str(tmp_path / "tr/*.jsonl"),
                                                             "test": str(tmp_path / "ev.jsonl")},
                                         split="train+test", cache_dir=str(tmp_path / "hf")))
    assert count_rows(ref).rows == expected == 11


def test_progress_bar_sees_every_byte(tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl"
    path.write_text(('{"text": "' + "x" * 100 + '"}\n') * 5000)
    monkeypatch.setattr("lrcli.data.count_files.BLOCK", 4096)
    seen: list[int] = []

    class Bar(ProgressBar):
        def __init__(self, label: str, total: int) -> None:
            self.total = total
            seen.append(-total)

        def update(self, done: int) -> None:
            seen.append(done)

        def close(self) -> None:
            seen.append(0)

    got = count_rows(DatasetRef("big.jsonl", roots=(tmp_path,), hub=False), Sources(progress=Bar))
    size = path.stat().st_size
    assert got.rows == 5000
    assert seen[0] == -size and seen[-1] == 0 and seen[-2] == size
    updates = seen[1:-1]
    assert updates == sorted(updates) and len(updates) > 10


@pytest.mark.parametrize("content,name,message", [
    (b"PAR1garbagePAR1", "x.parquet", "not a readable parquet file"),
    (b"{not json\n{\"a\": 1}\n", "x.jsonl", "not JSON Lines nor a JSON list"),
    (b"[1, 2", "x.json", "not valid JSON"),
    (b"\x00\x01", "x.bin", "lrcli counts .json"),
])
def test_unreadable_files_are_one_line_errors(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LrcliError, match=message):
        count_file(path)


def test_missing_local_file_is_not_tried_on_the_hub(tmp_path):
    with pytest.raises(RowsNotFound, match="local path data/train.jsonl"):
        count_rows(DatasetRef("data/train.jsonl", roots=(tmp_path,)))
