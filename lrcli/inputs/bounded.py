"""The one bounded reader: every byte lrcli reads from a user's file comes through here.

A path names a regular file or is refused in one line before a byte is read: a FIFO would block forever, a device
such as /dev/zero never ends, a directory is not data. What is read is capped (bytes per file, characters per line,
nesting depth, YAML alias expansion), so no input can make lrcli hang or exhaust memory, and every file read is
recorded (`recording`) so that the writer can refuse to overwrite an input of the same command.

    probe(path) -> PathKind                      never raises: file, directory, special, missing, denied
    read_text(path, what, limit=...) -> str       a whole UTF-8 file, at most `limit` bytes
    load_document(path, what) -> Any              a YAML, JSON or TOML file (by suffix), parsed with the caps below
    load_located(path, what) -> Located           a YAML or JSON file, with the line and column of every mapping key
    parse_yaml(text, what) / parse_json(...)      the same caps for text already in memory (also parse_toml)
    text_lines(path, what, ...) -> Iterator[str]  a file line by line (universal newlines), each line capped
    open_regular(path, what) / handle_lines(...)  the same for a caller that reads the bytes itself
    recording() -> list[FileRead]                 the files read inside the `with` block (also `files_read()`)

`what` is how a message names the file: the flag or key and the path as the user wrote it (`--samples 'a.jsonl'`).
YAML is parsed with `yaml.safe_load` semantics (the safe constructor, implicit types and merge keys as
`safe_load` has them), through libyaml's C parser when PyYAML has it (`CSafeLoader`, several times faster).
"""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, BinaryIO

from lrcli.errors import LrcliError

if TYPE_CHECKING:
    import yaml


# The parsers are imported when a file of their kind is first parsed: a run from flags alone (`lrcli steps
# --samples …`) reads no YAML or TOML, and PyYAML's import is a good part of lrcli's start-up.
def _yaml() -> ModuleType:
    import yaml

    return yaml


def _yaml_loader() -> type:
    try:
        from yaml import CSafeLoader
    except ImportError:  # PyYAML built without libyaml: the pure-Python loader, same semantics, slower
        from yaml import SafeLoader

        return SafeLoader
    return CSafeLoader


def _json() -> ModuleType:
    import json

    return json


def _tomllib() -> ModuleType:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, before it joined the standard library (a dependency on Python 3.10 only)
        import tomli as tomllib
    return tomllib

# Caps. A training config is a few KB (the largest of the real configs under tests/data/real_configs is 10.8 KB);
# 1 MiB is 100 times that, and the item cap keeps the worst YAML (one value per two bytes) well under 2 s
# (bench/bench_config_read.py).
CONFIG_BYTES = 1 << 20
YAML_ITEMS = 50_000  # separators that can start a YAML value (newline , [ { "- " ": " "? "), counted before parsing
TABLE_BYTES = 256 << 20  # a whole-file JSON table: a --samples .json list, a trainer_state.json
LINE_CHARS = 16 << 20  # one line of a file read line by line (a .jsonl record, a CSV row)
MAX_DEPTH = 100  # nested mappings/lists; real configs nest 5 or 6 deep
MAX_VALUES = 1_000_000  # values of a document with every YAML alias expanded ("billion laughs" stop here)


class PathKind(Enum):
    FILE = "file"
    DIRECTORY = "directory"
    SPECIAL = "special"  # a FIFO, a device, a socket
    MISSING = "missing"
    DENIED = "denied"  # a directory on the way may not be searched


def probe(path: str | os.PathLike[str]) -> PathKind:
    """What `path` names, following links; never raises (unlike `Path.is_file`, which raises PermissionError on
    Python ≤ 3.13 when a directory on the way may not be searched)."""
    try:
        mode = os.stat(path).st_mode
    except PermissionError:
        return PathKind.DENIED
    except (OSError, ValueError):  # no such file, a file used as a directory, a link loop, a name too long, NUL
        return PathKind.MISSING
    if stat.S_ISREG(mode):
        return PathKind.FILE
    if stat.S_ISDIR(mode):
        return PathKind.DIRECTORY
    return PathKind.SPECIAL


@dataclass(frozen=True)
class FileRead:
    """A file a command read: the path as given, and its identity (device, inode) for comparing with outputs."""

    path: str
    device: int
    inode: int


_RECORDS: ContextVar[list[FileRead] | None] = ContextVar("lrcli_files_read", default=None)


@contextmanager
def recording() -> Iterator[list[FileRead]]:
    """Collect every file opened through this module inside the `with` block (the CLI wraps each command in one)."""
    records: list[FileRead] = []
    token = _RECORDS.set(records)
    try:
        yield records
    finally:
        _RECORDS.reset(token)


def files_read() -> list[FileRead]:
    """The files read so far inside the innermost `recording()` block (none outside one)."""
    return list(_RECORDS.get() or ())


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_error(exc: OSError, what: str) -> LrcliError:
    if exc.errno == errno.ENOENT:
        return LrcliError(f"{what}: no such file")
    if exc.errno == errno.EACCES:
        return LrcliError(f"{what}: permission denied (the file, or a directory on its path, may not be read)")
    if exc.errno == errno.ENAMETOOLONG:
        return LrcliError(f"{what}: the file name is too long for this file system")
    if exc.errno == errno.ENOTDIR:
        return LrcliError(f"{what}: a part of the path is a file, not a directory")
    if exc.errno == errno.ELOOP:
        return LrcliError(f"{what}: too many levels of symbolic links")
    return LrcliError(f"{what}: cannot read it ({exc.strerror or exc})")


@contextmanager
def open_regular(path: str | os.PathLike[str], what: str) -> Iterator[BinaryIO]:
    """`path` opened for reading in binary, or an LrcliError: only a regular file is opened.

    The check is race-free: the file is opened non-blocking (so a FIFO cannot hang the open) and then examined
    through its descriptor. The file is recorded for `recording()`.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _open_error(exc, what) from None
    except ValueError:  # an embedded NUL
        raise LrcliError(f"{what}: not a valid path") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise LrcliError(f"{what}: is a directory; give a file")
        if not stat.S_ISREG(info.st_mode):
            raise LrcliError(f"{what}: is {_kind_of(info.st_mode)}, not a regular file; lrcli reads regular files only")
        records = _RECORDS.get()
        if records is not None:
            records.append(FileRead(os.fspath(path), info.st_dev, info.st_ino))
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def _megabytes(count: int) -> str:
    return f"{count / (1 << 20):.1f} MiB" if count >= 1 << 20 else f"{count / 1024:.1f} KiB"


def read_bytes(path: str | os.PathLike[str], what: str, *, limit: int) -> bytes:
    """The whole file, refused when larger than `limit` bytes (checked before reading, and while reading: a file in
    /proc reports size 0, a file may grow)."""
    with open_regular(path, what) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise _too_big(what, size, limit)
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise LrcliError(f"{what}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise _too_big(what, len(data), limit, at_least=True)
    return data


def _too_big(what: str, size: int, limit: int, *, at_least: bool = False) -> LrcliError:
    return LrcliError(
        f"{what}: the file is {'more than ' if at_least else ''}{_megabytes(size)}; lrcli reads such a file up to "
        f"{_megabytes(limit)} (is it the right file?)"
    )


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LrcliError(f"{what}: not UTF-8 text (byte {exc.start + 1}, line {line})") from None


def read_text(path: str | os.PathLike[str], what: str, *, limit: int = CONFIG_BYTES) -> str:
    """The whole file as UTF-8 text, at most `limit` bytes."""
    return _decode(read_bytes(path, what, limit=limit), what)


def load_document(path: str | os.PathLike[str], what: str, *, limit: int = CONFIG_BYTES) -> Any:
    """A YAML, JSON or TOML file (JSON by a `.json` suffix, which gives better error positions; TOML by `.toml`),
    with every cap applied."""
    text = read_text(path, what, limit=limit)
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return parse_json(text, what)
    if suffix == ".toml":
        return parse_toml(text, what)
    return parse_yaml(text, what)


def parse_toml(text: str, what: str) -> dict[str, Any]:
    """`tomllib.loads(text)` (torchtitan's job files), refused when nested deeper than MAX_DEPTH."""
    tomllib = _tomllib()
    return _parse_capped(text, what, "TOML", tomllib.loads, tomllib.TOMLDecodeError, str)


KeyPath = tuple[str | int, ...]  # mapping keys and list indices from the document's root


@dataclass(frozen=True)
class Located:
    """A parsed document and where each mapping key of it sits: `positions[("scheduler", "params", "lr")]` is the
    (line, column) of that key, both counted from 1; list items are addressed by their index."""

    value: Any
    positions: dict[KeyPath, tuple[int, int]]


def load_located(path: str | os.PathLike[str], what: str, *, limit: int = CONFIG_BYTES) -> Located:
    """`load_document` plus the position of every mapping key (for a linter's `file:line:column`), from one read."""
    text = read_text(path, what, limit=limit)
    if Path(path).suffix.lower() == ".json":
        return Located(parse_json(text, what), _json_key_positions(text))
    value, node = _parse_yaml_node(text, what)
    return Located(value, _yaml_key_positions(node))


def _yaml_key_positions(root: yaml.Node | None) -> dict[KeyPath, tuple[int, int]]:
    """Key positions of a composed YAML node graph; an alias's keys are found at its anchor (visited once each)."""
    yaml = _yaml()
    positions: dict[KeyPath, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, KeyPath]] = [(root, ())] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, where = stack.pop()
        if id(node) in seen or len(positions) > MAX_VALUES:
            continue
        seen.add(id(node))
        # children are pushed last-first so that they are visited in document order: an anchor's keys are found
        # where it is written, before any alias of it
        if isinstance(node, yaml.MappingNode):
            for key, child in reversed(node.value):
                if isinstance(key, yaml.ScalarNode):
                    path = (*where, key.value)
                    positions.setdefault(path, (key.start_mark.line + 1, key.start_mark.column + 1))
                    stack.append((child, path))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, (*where, index)) for index, child in reversed(list(enumerate(node.value))))
    return positions


def _json_key_positions(text: str) -> dict[KeyPath, tuple[int, int]]:
    """Key positions of a JSON text that `json.loads` accepted: one pass over its tokens, keeping the path of open
    objects and arrays (strings are skipped whole, so a brace inside one does not count)."""
    positions: dict[KeyPath, tuple[int, int]] = {}
    frames: list[list[Any]] = []  # [container kind, current key or index]
    line, line_start, index, length = 1, 0, 0, len(text)
    expect_key = False
    while index < length:
        char = text[index]
        if char == "\n":
            line, line_start = line + 1, index + 1
        elif char == '"':
            end = index + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if expect_key and frames and frames[-1][0] == "{":
                key = _json().loads(text[index:end + 1])
                frames[-1][1] = key
                path = tuple(frame[1] for frame in frames)
                positions.setdefault(path, (line, index - line_start + 1))
                expect_key = False
            index = end
        elif char in "{[":
            if frames and frames[-1][0] == "[" and frames[-1][1] is None:
                frames[-1][1] = 0
            frames.append([char, None])
            expect_key = char == "{"
        elif char in "}]":
            frames.pop()
        elif char == ",":
            if frames and frames[-1][0] == "[":
                frames[-1][1] = (frames[-1][1] or 0) + 1
            expect_key = bool(frames) and frames[-1][0] == "{"
        index += 1
    return positions


def parse_json(text: str, what: str) -> Any:
    """`json.loads(text)`, refused when nested deeper than MAX_DEPTH."""
    json = _json()
    return _parse_capped(text, what, "JSON", json.loads, json.JSONDecodeError,
                         lambda exc: f"{exc.msg} at line {exc.lineno}, column {exc.colno}")


def _parse_capped(text: str, what: str, kind: str, loads: Callable[[str], Any], invalid: type[ValueError],
                  describe: Callable[[Any], str]) -> Any:
    """`loads(text)` with one error line for invalid text (`describe` says where), recursion, an integer of more
    than 4300 digits (Python's int limit), and nesting deeper than MAX_DEPTH."""
    try:
        value = loads(text)
    except invalid as exc:
        raise LrcliError(f"{what}: not valid {kind} ({describe(exc)})") from None
    except RecursionError:
        raise _too_deep(what) from None
    except ValueError as exc:
        raise LrcliError(f"{what}: not valid {kind} for lrcli ({str(exc).partition(':')[0]})") from None
    if _depth(value) > MAX_DEPTH:
        raise _too_deep(what)
    return value


def _too_deep(what: str) -> LrcliError:
    return LrcliError(f"{what}: nested more than {MAX_DEPTH} levels deep; a training config nests a few levels")


def _depth(value: Any) -> int:
    """Nesting depth of plain JSON data (no shared or recursive parts), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _yaml_items(text: str) -> int:
    """An upper-bound estimate of the values in a YAML text: each value starts after a line break, a flow
    separator or an indicator, so the count bounds the parser's work before it starts."""
    return sum(text.count(mark) for mark in ("\n", ",", "[", "{", "- ", ": ", "? "))


def parse_yaml(text: str, what: str) -> Any:
    """`yaml.safe_load(text)`, with caps: at most YAML_ITEMS items, MAX_DEPTH levels, MAX_VALUES values once every
    alias is expanded, and no anchor used inside itself."""
    return _parse_yaml_node(text, what)[0]


def _parse_yaml_node(text: str, what: str) -> tuple[Any, yaml.Node | None]:
    """`parse_yaml`'s value and the composed node it was constructed from (which knows where each key sits)."""
    items = _yaml_items(text)
    if items > YAML_ITEMS:
        raise LrcliError(
            f"{what}: about {items:,} YAML items, more than lrcli reads in one file ({YAML_ITEMS:,}); "
            "a training config has a few hundred (is it the right file?)"
        )
    yaml = _yaml()
    loader = _yaml_loader()(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # the pure-Python composer recurses once per level (libyaml stops at 1000)
            raise _too_deep(what) from None
        if node is None:
            return None, None
        _check_yaml_graph(node, what)
        try:
            return loader.construct_document(node), node
        except ValueError as exc:  # an integer of more than 4300 digits, a date like 2024-13-45
            raise LrcliError(f"{what}: a value lrcli cannot read ({str(exc).partition(':')[0]})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        if problem and "nesting depth" in problem:
            raise _too_deep(what) from None
        raise LrcliError(f"{what}: not valid YAML{where}" + (f" ({problem})" if problem else "")) from None
    finally:
        loader.dispose()


def _yaml_children(node: yaml.Node, mapping: type) -> list[yaml.Node]:
    if isinstance(node, mapping):
        return [part for pair in node.value for part in pair]
    return list(node.value)


def _check_yaml_graph(root: yaml.Node, what: str) -> None:
    """Walk the composed node graph once (an alias is the same node object as its anchor, so the graph is shared):
    refuse a cycle, more than MAX_DEPTH levels, or more than MAX_VALUES values once aliases are expanded.

    Only collections are visited as graph nodes; a scalar child counts one value where it is met, which keeps the
    walk a small part of the parse (bench/bench_config_read.py)."""
    scalar, mapping = _yaml().ScalarNode, _yaml().MappingNode
    if isinstance(root, scalar):
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            total, deepest = 1, 0
            for child in _yaml_children(node, mapping):
                if child.__class__ is scalar:
                    total, deepest = total + 1, deepest or 1
                else:
                    total += size[id(child)]
                    deepest = max(deepest, depth[id(child)])
            size[key], depth[key] = total, deepest + 1
            on_path.discard(key)
            if depth[key] > MAX_DEPTH:
                raise _too_deep(what)
            if total > MAX_VALUES:
                raise LrcliError(
                    f"{what}: the value at line {node.start_mark.line + 1} expands to more than {MAX_VALUES:,} values "
                    "through YAML aliases (*name); lrcli refuses such a document (a 'billion laughs' file)"
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise LrcliError(
                f"{what}: the YAML anchor at line {node.start_mark.line + 1} is used inside its own value (a value "
                "that contains itself); no framework setting can be recursive: remove that alias"
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend(
            (child, False) for child in _yaml_children(node, mapping) if child.__class__ is not scalar and id(child) not in size
        )


def text_lines(
    path: str | os.PathLike[str], what: str, *, newline: str | None = None, limit: int = LINE_CHARS
) -> Iterator[str]:
    """The file's lines as UTF-8 text, each refused beyond `limit` characters, so memory stays bounded whatever
    the file holds. `newline` is `open`'s: None (universal newlines) or "" (untranslated, for the csv module)."""
    with open_regular(path, what) as raw:
        yield from handle_lines(raw, what, newline=newline, limit=limit)


def handle_lines(
    raw: BinaryIO, what: str, *, newline: str | None = None, limit: int = LINE_CHARS, encoding: str = "utf-8"
) -> Iterator[str]:
    """`text_lines` for a file already opened (by `open_regular`) in binary."""
    text = io.TextIOWrapper(raw, encoding=encoding, newline=newline)
    number = 0
    try:
        while True:
            line = text.readline(limit + 1)
            if not line:
                return
            number += 1
            if len(line) > limit and not line.endswith(("\n", "\r")):
                raise LrcliError(f"{what}: line {number:,} is longer than {limit:,} characters; is it the right file?")
            yield line
    except UnicodeDecodeError:
        raise LrcliError(f"{what}: not UTF-8 text (at line {number + 1:,})") from None
    except OSError as exc:
        raise LrcliError(f"{what}: cannot read it ({exc.strerror or exc})") from None
    finally:
        text.detach()


__all__ = [
    "CONFIG_BYTES", "LINE_CHARS", "MAX_DEPTH", "MAX_VALUES", "TABLE_BYTES", "YAML_ITEMS", "FileRead", "KeyPath",
    "Located", "PathKind", "files_read", "handle_lines", "load_document", "load_located", "open_regular", "parse_json", "parse_yaml", "probe", "read_bytes", "read_text", "recording",
    "text_lines",
]
