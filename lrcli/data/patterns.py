"""Which files of a dataset repository (or local folder) `datasets` reads for each split.

Mirrors `datasets/data_files.py` for repositories and folders without a loading script:
- explicit patterns (the card's `configs[].data_files`, or a `data_files` argument) are globbed relative to the base
  directory (`data_dir` when given);
- otherwise `_get_data_files_patterns` tries, first match wins: the sharded layout
  `data/{split}-NNNNN-of-NNNNN*.*` (every split found), then split keywords in directory names, then in file names
  (train/training, validation/valid/dev/val, test/testing/eval/evaluation, bounded by `-._ 0-9`), then every file
  as "train";
- globbing is fsspec's (≥ 2023.12, like Python's glob): `*` and `?` stay within one path segment, a `**` segment
  spans any number of them; hidden files and `__special__` directories are skipped unless the pattern names them,
  as are README.md, dataset_info.json and the other FILES_TO_IGNORE;
- only files whose extension a builder reads count (the most common builder among them wins, as in
  `infer_module_for_data_files`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from lrcli.data.count_files import BUILDER_BY_SUFFIX

SPLIT_KEYWORDS = {
    "train": ("train", "training"),
    "validation": ("validation", "valid", "dev", "val"),
    "test": ("test", "testing", "eval", "evaluation"),
}
_SEP = "-._ 0-9"
_IN_DIR = ("**/{k}/**", "**/{k}[{s}]*/**", "**/*[{s}]{k}/**", "**/*[{s}]{k}[{s}]*/**")
_IN_NAME = ("**/{k}[{s}]*", "**/*[{s}]{k}[{s}]*")
SHARDED = re.compile(r"^data/(?P<split>[^/]+?)-\d{5}-of-\d{5}[^/]*\.[^/]*$")
FILES_TO_IGNORE = {"README.md", "config.json", "dataset_info.json", "dataset_infos.json", "dummy_data.zip",
                   "dataset_dict.json"}  # fmt: skip
_SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")


def _default_patterns(templates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {
        split: tuple(t.format(k=k, s=_SEP) for k in keywords for t in templates)
        for split, keywords in SPLIT_KEYWORDS.items()
    }


PATTERNS_SPLIT_IN_DIR = _default_patterns(_IN_DIR)
PATTERNS_SPLIT_IN_NAME = _default_patterns(_IN_NAME)


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    segments = pattern.strip("/").split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        out.append(_segment(seg))
        if not last:
            out.append("/")
    return re.compile("^" + "".join(out) + "$")


def _segment(seg: str) -> str:
    out, i = [], 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = seg.find("]", i + 2)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = seg[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _skipped(path: str, pattern: str) -> bool:
    """Hidden files/dirs and __special__ dirs, unless the pattern itself reaches into one."""
    parts = path.split("/")
    names_hidden = [p for p in parts if p.startswith(".")]
    if names_hidden and not any(seg.startswith(".") for seg in pattern.split("/")):
        return True
    special = [p for p in parts[:-1] if p.startswith("__")]
    return bool(special) and not any(seg.startswith("__") for seg in pattern.split("/"))


def glob(pattern: str, files: Iterable[str]) -> list[str]:
    """The files (repository-relative, '/'-separated) a pattern matches, in sorted order."""
    regex = _glob_regex(pattern)
    base = pattern.rsplit("/", 1)[-1]
    return sorted(
        f for f in files
        if regex.match(f) and not _skipped(f, pattern) and (f.rsplit("/", 1)[-1] not in FILES_TO_IGNORE or f.rsplit("/", 1)[-1] == base)
    )  # fmt: skip


def _data_files(files: Iterable[str]) -> list[str]:
    return [f for f in files if _suffix(f) in BUILDER_BY_SUFFIX]


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def resolve_patterns(patterns: Mapping[str, Iterable[str]], files: Iterable[str]) -> dict[str, list[str]]:
    """split -> matched files, for explicit data_files patterns (each split's patterns unioned, order kept)."""
    files = list(files)
    out = {}
    for split, pats in patterns.items():
        matched: list[str] = []
        for pat in pats:
            matched += [f for f in glob(pat, files) if f not in matched]
        out[split] = matched
    return out


def default_split_files(files: Iterable[str]) -> dict[str, list[str]]:
    """split -> files when nothing names the data files (`_get_data_files_patterns` order); {} when no data file."""
    files = _data_files(files)
    sharded: dict[str, list[str]] = {}
    for f in files:
        match = SHARDED.match(f)
        if match:
            sharded.setdefault(match["split"], []).append(f)
    if sharded:
        return {split: sorted(found) for split, found in sharded.items() if _SPLIT_NAME.match(split)}
    for table in (PATTERNS_SPLIT_IN_DIR, PATTERNS_SPLIT_IN_NAME):
        found = {split: resolve_patterns({split: pats}, files)[split] for split, pats in table.items()}
        found = {split: fs for split, fs in found.items() if fs}
        if found:
            return found
    every = glob("**", files)
    return {"train": every} if every else {}


def dominant_builder(files: Iterable[str]) -> str | None:
    """The builder `datasets` picks for a set of data files: the most common one among their extensions."""
    counts = Counter(BUILDER_BY_SUFFIX.get(_suffix(f)) for f in files)
    counts.pop(None, None)
    return counts.most_common(1)[0][0] if counts else None


def under(files: Iterable[str], base: str | None) -> dict[str, str]:
    """Files below `base` (a data_dir), as {path relative to base: path in the repository}."""
    if not base:
        return {f: f for f in files}
    prefix = base.strip("/") + "/"
    return {f[len(prefix) :]: f for f in files if f.startswith(prefix)}


def split_files(
    files: Iterable[str], patterns: Mapping[str, Iterable[str]] | None, data_dir: str | None
) -> dict[str, list[str]]:
    """split -> repository paths of the files `load_dataset` reads for it: explicit patterns when given, else the
    default layout rules, both relative to data_dir."""
    inside = under(files, data_dir)
    if patterns:
        found = resolve_patterns(patterns, inside)
        found = {split: _data_files(fs) for split, fs in found.items()}
    else:
        found = default_split_files(inside)
    return {split: [inside[f] for f in fs] for split, fs in found.items() if fs}
