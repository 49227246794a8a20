"""The training configs among the paths given to `lrcli check`: files as named, directories searched.

A directory is walked for *.yaml, *.yml and *.json (hidden directories, virtual environments and caches left out).
What a walk finds is kept only when it is a training config: launcher configs (accelerate), files no dialect claims
(workflows, data, tool settings), files that cannot be read, and DeepSpeed-only files that a training config of the
same search names (`deepspeed: ds.json`: they are checked as part of that config) are skipped quietly. A file named
on the command line is always checked (a TOML job file or a launch script too, read as `show` reads it), and a
path that does not exist is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrcli.dialects import DIALECTS
from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import Located, PathKind, load_located, probe
from lrcli.inputs.files import find_referenced_file, load_mapping

SUFFIXES = (".yaml", ".yml", ".json")
# Files checked when named, not searched for: torchtitan's TOML job files and launch scripts (Megatron, torchtitan,
# verl, ms-swift), which the dialects read from `{LAUNCH_KEY: the script's commands}`.
MAPPING_ONLY = (".toml", ".sh", ".bash")
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", "site-packages", "venv", ".venv", "build", "dist"}
LAUNCHER_KEYS = ("compute_environment", "distributed_type")
# Keys through which a training config names another config file (checked with it, not on its own).
REFERENCE_KEYS = ("deepspeed", "accelerator_config", "accelerate_config")


@dataclass(frozen=True)
class Found:
    """One config to check: its path as shown, the document with key positions (None, with `problem`, when it
    could not be read), and whether the user named it (then problems are reported, not skipped)."""

    path: str
    located: Located | None
    problem: str | None = None
    named: bool = True


def _walk(directory: Path) -> Iterator[Path]:
    stack = [directory]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir(), reverse=True)
        except OSError:
            continue
        for entry in entries:
            kind = probe(entry)
            if kind is PathKind.DIRECTORY:
                if not entry.name.startswith(".") and entry.name not in SKIPPED_DIRECTORIES and not entry.is_symlink():
                    stack.append(entry)
            elif kind is PathKind.FILE and entry.suffix.lower() in SUFFIXES and not entry.name.startswith("."):
                yield entry


def is_launcher_config(document: Any) -> bool:
    """An accelerate launcher config (what `accelerate config` writes), which no training config dialect reads."""
    return isinstance(document, Mapping) and "compute_environment" in document and (
        "distributed_type" in document or "num_processes" in document)


def _is_training_config(document: Any) -> bool:
    if not isinstance(document, Mapping) or is_launcher_config(document):
        return False
    return any(module.claims(document) > 0 for module in DIALECTS.values())


def _references(path: Path, document: Mapping[str, Any]) -> Iterator[Path]:
    for key in REFERENCE_KEYS:
        value = document.get(key)
        if isinstance(value, str) and value.strip() and not value.lstrip().startswith("{"):
            try:
                found, _ = find_referenced_file(value, path, key, "a config file")
            except LrcliError:
                continue
            if found is not None:
                yield found.resolve()


def find_configs(paths: Iterable[str], *, configs_only: bool = False) -> list[Found]:
    """The configs to check, in the order given (a directory's files sorted by path). `configs_only`: a named file
    is kept only when a search would keep it (pre-commit names every YAML/JSON file of a commit)."""
    found: list[Found] = []
    for text in paths:
        kind = probe(text)
        if kind is PathKind.MISSING:
            raise LrcliError(f"{shown(text)}: no such file or directory")
        if kind is PathKind.DENIED:
            raise LrcliError(f"{shown(text)}: permission denied (a directory on its path may not be searched)")
        if kind is not PathKind.DIRECTORY and not configs_only:
            found.append(_read(Path(text), named=True))
            continue
        walked = [_read(path, named=False) for path in (_walk(Path(text)) if kind is PathKind.DIRECTORY else [Path(text)])]
        configs = [item for item in walked if item.located is not None and _is_training_config(item.located.value)]
        referenced = {ref for item in configs for ref in _references(Path(item.path), item.located.value)}
        found += [item for item in configs if Path(item.path).resolve() not in referenced or
                  _has_training_keys(item.located.value)]
    return found


def _has_training_keys(document: Mapping[str, Any]) -> bool:
    """A referenced file that is a training config in its own right (not DeepSpeed/accelerate-only)."""
    scores = {name: module.claims(document) for name, module in DIALECTS.items()}
    return max(scores.values()) > 0 and max(scores, key=scores.__getitem__) != "deepspeed"


def _read(path: Path, *, named: bool) -> Found:
    try:
        if path.suffix.lower() in MAPPING_ONLY:  # read as `show` reads them, without key positions
            return Found(str(path), Located(load_mapping(path), {}), named=named)
        return Found(str(path), load_located(path, shown(str(path))), named=named)
    except LrcliError as exc:
        return Found(str(path), None, str(exc), named=named)
