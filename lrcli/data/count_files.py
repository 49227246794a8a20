"""Row counts of local data files, the way `datasets`' packaged builders read them, at disk speed.

| format | a row is | how lrcli counts it |
|---|---|---|
| `.jsonl`, `.json` JSON Lines | each non-blank line (pyarrow's JSON reader skips whitespace-only lines) | newlines counted in 8 MiB blocks with `bytes.count`; no JSON parsed except the first and last line, as a check |
| `.json` list (`[` first, after a BOM or whitespace) | each element (`datasets` json builder: a list of objects, or of strings) | one `json.loads` of the file (the format has no cheaper record boundary) |
| `.csv` | each record after the header; blank and whitespace-only lines skipped (pandas `skip_blank_lines`); quoted newlines stay in their record | `csv.reader` |
| `.txt` | each line, blank ones included, under universal newlines (`datasets` text builder, `sample_by="line"`) | `\\n`, `\\r\\n` and lone `\\r` counted per block |
| `.parquet` | the footer's `num_rows` | lrcli.data.parquet_rows (the footer only) |
| `.arrow` | the sum of RecordBatch lengths | lrcli.data.arrow_rows (message headers only) |

A JSON Lines file whose first or last line is not a whole JSON value (objects spread over several lines) falls back
to decoding the values one after another, as pyarrow's reader does. `progress(done_bytes)` is called after each
block, so the caller can draw a bar for a large file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from lrcli.data.arrow_rows import ArrowFormatError, arrow_rows
from lrcli.data.parquet_rows import ParquetFormatError, parquet_rows
from lrcli.errors import LrcliError

BLOCK = 8 << 20
Progress = Callable[[int], None]

# File extension -> the `datasets` builder that reads it (datasets/packaged_modules/__init__.py
# _EXTENSION_TO_MODULE, for the formats LLM training data comes in).
BUILDER_BY_SUFFIX = {
    ".json": "json", ".jsonl": "json", ".ndjson": "json", ".csv": "csv", ".tsv": "csv", ".txt": "text",
    ".parquet": "parquet", ".arrow": "arrow",
}  # fmt: skip
_BLANK_LINE = re.compile(rb"(?m)^[ \t\r\f\v]*\n")


def builder_for(path: Path | str, ds_type: str | None = None) -> str | None:
    """The builder `datasets` would use for a file: `ds_type` when given (axolotl's key), else by extension."""
    if ds_type:
        return {"jsonl": "json", "txt": "text"}.get(ds_type, ds_type)
    return BUILDER_BY_SUFFIX.get(Path(str(path)).suffix.lower())


def count_file(path: Path, builder: str | None = None, progress: Progress | None = None) -> int:
    """Rows `datasets` would read from one local file; LrcliError when it cannot be read or is not that format."""
    builder = builder or builder_for(path)
    if builder is None:
        raise LrcliError(
            f"{path}: lrcli counts .json, .jsonl, .csv, .txt, .parquet and .arrow files (what `datasets` loads); "
            "give --samples N for other formats"
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            if builder == "json":
                return _json_rows(handle, size, progress)
            if builder == "csv":
                return _csv_rows(handle, path.suffix.lower() == ".tsv")
            if builder == "text":
                return _text_rows(handle, progress)
            if builder == "parquet":
                return parquet_rows(handle, size)
            if builder == "arrow":
                return arrow_rows(handle, size, progress)
    except FileNotFoundError:
        raise LrcliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LrcliError(f"{path}: is a directory, not a data file") from None
    except (ParquetFormatError, ArrowFormatError) as exc:
        raise LrcliError(f"{path}: not a readable {builder} file ({exc})") from None
    except OSError as exc:
        raise LrcliError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    raise LrcliError(f"{path}: lrcli cannot count rows of the {builder!r} builder")


def _json_rows(handle: io.BufferedIOBase, size: int, progress: Progress | None) -> int:
    head = handle.read(64)
    start = head[len(codecs.BOM_UTF8):] if head.startswith(codecs.BOM_UTF8) else head
    if start.lstrip()[:1] == b"[":
        handle.seek(0)
        data = _read_all(handle, progress)
        try:
            value = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LrcliError(f"{getattr(handle, 'name', 'file')}: not valid JSON ({exc})") from None
        if not isinstance(value, list):
            raise LrcliError(f"{getattr(handle, 'name', 'file')}: expected a JSON list of records")
        return len(value)
    handle.seek(0)
    fast = _jsonl_fast(handle, progress)
    if fast is None:  # a whitespace-only line somewhere: count line by line
        handle.seek(0)
        rows, first, last = _jsonl_careful(handle)
    else:
        rows, first, last = fast
    if rows and not (_is_json_value(first) and _is_json_value(last)):
        handle.seek(0)
        return _decode_values(_read_all(handle, None), getattr(handle, "name", "file"))
    return rows


def _jsonl_fast(handle: io.BufferedIOBase, progress: Progress | None) -> tuple[int, bytes, bytes] | None:
    """(rows, first line, last line) of a JSON Lines file without blank lines, counting the newlines of each block
    as read (no copies); None as soon as a newline is followed by whitespace or a newline (a possible blank line)."""
    lines = done = 0
    first_block = b""
    previous = block = b""
    last_byte = b"\n"  # the file's start counts as a line start
    while True:
        chunk = handle.read(BLOCK)
        if not chunk:
            break
        done += len(chunk)
        if (last_byte == b"\n" and chunk[:1] in b" \t\r\n\f\v") or _BLANK_AFTER_NEWLINE.search(chunk):
            return None
        lines += chunk.count(b"\n")
        if not first_block:
            first_block = chunk
        previous, block, last_byte = block, chunk, chunk[-1:]
        if progress is not None:
            progress(done)
    if not done:
        return 0, b"", b""
    if last_byte != b"\n":
        lines += 1  # the last line has no newline (it is not blank: that was checked)
    end_text = previous[-(1 << 20):] + block  # the last line, even one longer than a block's last bytes
    return lines, _first_content_line(first_block), _last_content_line(end_text)


def _jsonl_careful(handle: io.BufferedIOBase) -> tuple[int, bytes, bytes]:
    """(rows, first line, last line), skipping whitespace-only lines, block by block with the unfinished line
    carried over."""
    lines = blank = 0
    first = b""
    last_lines = b""
    tail = b""
    while True:
        block = handle.read(BLOCK)
        if not block:
            break
        block = tail + block
        cut = block.rfind(b"\n") + 1
        whole, tail = block[:cut], block[cut:]
        if whole:
            lines += whole.count(b"\n")
            blank += _blank_lines(whole)
            if not first:
                first = _first_content_line(whole)
            if not whole.isspace():
                last_lines = whole
    last = _last_content_line(last_lines)
    if tail.strip():
        lines += 1
        first = first or tail.strip()
        last = tail.strip()
    return lines - blank, first, last


_BLANK_AFTER_NEWLINE = re.compile(rb"\n[ \t\r\f\v\n]")


def _blank_lines(whole: bytes) -> int:
    """Whitespace-only lines in a run of whole lines."""
    return len(_BLANK_LINE.findall(whole))


def _first_content_line(block: bytes) -> bytes:
    for line in block.split(b"\n", 64):
        if line.strip():
            return line.strip()
    return b""


def _last_content_line(block: bytes) -> bytes:
    end = len(block)
    while end > 0:
        start = block.rfind(b"\n", 0, end - 1) + 1
        line = block[start:end].strip()
        if line:
            return line
        end = start
    return b""


def _is_json_value(line: bytes) -> bool:
    try:
        json.loads(line.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return True


def _decode_values(data: bytes, name: str) -> int:
    """JSON values separated by whitespace, decoded one after another (objects spread over several lines)."""
    text = data.decode("utf-8-sig", errors="strict")
    decoder = json.JSONDecoder()
    pos, rows, end = 0, 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n\f\v":
            pos += 1
        if pos >= end:
            return rows
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise LrcliError(f"{name}: not JSON Lines nor a JSON list ({exc.msg} at line {exc.lineno})") from None
        rows += 1


def _read_all(handle: io.BufferedIOBase, progress: Progress | None) -> bytes:
    chunks, done = [], 0
    while True:
        block = handle.read(BLOCK)
        if not block:
            return b"".join(chunks)
        chunks.append(block)
        done += len(block)
        if progress is not None:
            progress(done)


def _csv_rows(handle: io.BufferedIOBase, tab: bool) -> int:
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    rows = 0
    for row in csv.reader(text, delimiter="\t" if tab else ","):
        if row and not (len(row) == 1 and not row[0].strip()):
            rows += 1
    return max(rows - 1, 0)  # the header


def _text_rows(handle: io.BufferedIOBase, progress: Progress | None) -> int:
    lines = done = 0
    pending_cr = False  # a block that ended in \r: a following \n belongs to the same line break
    last = b""
    while True:
        block = handle.read(BLOCK)
        if not block:
            break
        done += len(block)
        if pending_cr and block.startswith(b"\n"):
            block = block[1:]
        lines += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
        pending_cr = block.endswith(b"\r")
        last = block[-1:] or last
        if progress is not None:
            progress(done)
    if done and last not in (b"\n", b"\r"):
        lines += 1
    return lines


def list_dir_files(directory: Path) -> list[Path]:
    """The files directly in a directory (LLaMA-Factory's `os.listdir` of a dataset folder), hidden ones left out."""
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


def file_size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
