"""The row count of an Arrow IPC file (the `.arrow` files of `datasets`' cache and `save_to_disk`) from its message
headers, without reading the column data and without pyarrow.

Both IPC layouts are read, as `datasets`' arrow builder does (`pa.ipc.open_stream`, else `pa.ipc.open_file`):
- stream: messages `[0xFFFFFFFF] <int32 metadata length> <flatbuffer Message> <body of Message.bodyLength bytes>`
  until a zero length; the pre-0.15 form has no 0xFFFFFFFF continuation marker;
- file: `ARROW1\\0\\0` + the same stream + footer + `<int32 footer length> ARROW1`; its messages are read the same way.
Each RecordBatch message (`Message.header_type` 3) carries its row count in `RecordBatch.length` (Arrow
`format/Message.fbs`); the rows of a file are their sum. The bodies are skipped with a seek.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

FILE_MAGIC = b"ARROW1"
_CONTINUATION = 0xFFFFFFFF
_RECORD_BATCH = 3


class ArrowFormatError(ValueError):
    """The bytes are not an Arrow IPC stream or file this reader understands."""


def _table(buf: bytes, pos: int) -> tuple[int, int, int]:
    """(table position, vtable position, vtable size) of the flatbuffer table at `pos`."""
    (soffset,) = struct.unpack_from("<i", buf, pos)
    vtable = pos - soffset
    (vsize,) = struct.unpack_from("<H", buf, vtable)
    return pos, vtable, vsize


def _field(buf: bytes, table: tuple[int, int, int], index: int) -> int | None:
    """Absolute position of field `index` of a table, None when absent."""
    pos, vtable, vsize = table
    slot = 4 + 2 * index
    if slot + 2 > vsize:
        return None
    (offset,) = struct.unpack_from("<H", buf, vtable + slot)
    return pos + offset if offset else None


def message_rows(metadata: bytes) -> tuple[int, int]:
    """(rows, body length) of one IPC Message flatbuffer: rows are 0 for a Schema or DictionaryBatch."""
    try:
        (root,) = struct.unpack_from("<I", metadata, 0)
        message = _table(metadata, root)
        kind_at = _field(metadata, message, 1)  # header_type: ubyte
        header_at = _field(metadata, message, 2)  # header: offset to the union table
        body_at = _field(metadata, message, 3)  # bodyLength: long
        body = struct.unpack_from("<q", metadata, body_at)[0] if body_at is not None else 0
        kind = metadata[kind_at] if kind_at is not None else 0
        if kind != _RECORD_BATCH or header_at is None:
            return 0, body
        (rel,) = struct.unpack_from("<I", metadata, header_at)
        batch = _table(metadata, header_at + rel)
        length_at = _field(metadata, batch, 0)  # RecordBatch.length: long
        rows = struct.unpack_from("<q", metadata, length_at)[0] if length_at is not None else 0
    except (struct.error, IndexError) as exc:
        raise ArrowFormatError(f"a message header cannot be read ({exc})") from None
    if rows < 0 or body < 0:
        raise ArrowFormatError("negative length in a message header")
    return rows, body


def arrow_rows(handle: BinaryIO, size: int, progress=None) -> int:
    """Rows of an Arrow IPC stream or file; `progress(done_bytes)` is called as the reader moves through it."""
    start = handle.read(8)
    if start[:6] == FILE_MAGIC:
        position = 8
    else:
        position = 0
    handle.seek(position)
    rows = 0
    while position + 4 <= size:
        head = handle.read(4)
        if len(head) < 4:
            break
        (length,) = struct.unpack("<I", head)
        position += 4
        if length == _CONTINUATION:
            head = handle.read(4)
            if len(head) < 4:
                break
            (length,) = struct.unpack("<I", head)
            position += 4
        if length == 0:  # end of stream
            return rows
        if length > size - position:
            raise ArrowFormatError("a message runs past the end of the file")
        metadata = handle.read(length)
        position += length
        batch_rows, body = message_rows(metadata)
        rows += batch_rows
        position += body
        if position > size:
            raise ArrowFormatError("a message body runs past the end of the file")
        handle.seek(position)
        if progress is not None:
            progress(position)
    if start[:6] == FILE_MAGIC:
        raise ArrowFormatError("an Arrow file without its end-of-stream marker")
    return rows  # a stream that ends without the marker: what was written is what pyarrow reads
