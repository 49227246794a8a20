"""The row count of a Parquet file from its footer, without reading a single row and without pyarrow.

A Parquet file ends with `<FileMetaData> <4-byte little-endian length> PAR1`. FileMetaData is a Thrift struct in
the compact protocol (parquet-format `parquet.thrift`): field 1 version (i32), 2 schema (list<SchemaElement>),
3 num_rows (i64), 4 row_groups, ... The reader below walks the struct's fields, skipping every value it does not
need with the compact protocol's own rules, and returns field 3. That is the number pyarrow reports as
`ParquetFile(path).metadata.num_rows` and `datasets` counts for the file (tests/test_data_formats.py checks both).
"""

from __future__ import annotations

import struct
from typing import BinaryIO

MAGIC = b"PAR1"

# Thrift compact protocol type ids
_BOOL_TRUE, _BOOL_FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)


class ParquetFormatError(ValueError):
    """The bytes are not a Parquet footer this reader understands."""


class _Compact:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise ParquetFormatError("footer ends early")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise ParquetFormatError("varint too long")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def skip(self, kind: int) -> None:
        if kind in (_BOOL_TRUE, _BOOL_FALSE):
            return  # a struct field's bool lives in its header
        if kind == _BYTE:
            self.pos += 1
        elif kind in (_I16, _I32, _I64):
            self.varint()
        elif kind == _DOUBLE:
            self.pos += 8
        elif kind == _BINARY:
            length = self.varint()  # not `self.pos += self.varint()`: that adds to the position before the length
            self.pos += length
        elif kind in (_LIST, _SET):
            header = self.byte()
            size, elem = header >> 4, header & 0x0F
            if size == 15:
                size = self.varint()
            for _ in range(size):
                self._skip_element(elem)
        elif kind == _MAP:
            size = self.varint()
            if size:
                types = self.byte()
                for _ in range(size):
                    self._skip_element(types >> 4)
                    self._skip_element(types & 0x0F)
        elif kind == _STRUCT:
            self.skip_struct()
        else:
            raise ParquetFormatError(f"unknown thrift type {kind}")
        if self.pos > len(self.data):
            raise ParquetFormatError("footer ends early")

    def _skip_element(self, kind: int) -> None:
        if kind in (_BOOL_TRUE, _BOOL_FALSE):
            self.pos += 1  # inside a list or map a bool takes one byte
        else:
            self.skip(kind)

    def fields(self):
        """(field id, type) for each field of the struct at the cursor, the cursor left at its value."""
        last = 0
        while True:
            header = self.byte()
            if header == 0:  # STOP
                return
            delta, kind = header >> 4, header & 0x0F
            field = last + delta if delta else self.zigzag()
            last = field
            yield field, kind

    def skip_struct(self) -> None:
        for _, kind in self.fields():
            self.skip(kind)


def footer_num_rows(footer: bytes) -> int:
    """FileMetaData.num_rows from the serialized footer struct."""
    reader = _Compact(footer)
    for field, kind in reader.fields():
        if field == 3 and kind == _I64:
            return reader.zigzag()
        reader.skip(kind)
    raise ParquetFormatError("the footer has no num_rows")


def read_footer(handle: BinaryIO, size: int) -> bytes:
    """The FileMetaData bytes of an open Parquet file of `size` bytes."""
    if size < 12:
        raise ParquetFormatError("too short for a Parquet file")
    handle.seek(size - 8)
    tail = handle.read(8)
    if tail[4:] != MAGIC:
        raise ParquetFormatError("no PAR1 magic at the end (not a Parquet file, or an encrypted footer)")
    (length,) = struct.unpack("<I", tail[:4])
    if length + 8 > size:
        raise ParquetFormatError("footer length beyond the file")
    handle.seek(size - 8 - length)
    return handle.read(length)


def parquet_rows(handle: BinaryIO, size: int) -> int:
    return footer_num_rows(read_footer(handle, size))
