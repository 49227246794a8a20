"""Row counts of local data a config names: files, folders of files, and `save_to_disk` directories.

How the frameworks open a local path, mirrored here:
- a packaged builder (`path: json` + data_files, torchtune `source: json`): the data_files patterns, relative to the
  working directory (or data_dir), each split its own files;
- a file (axolotl `datasets[].path`, LLaMA-Factory `file_name`): one split "train" (axolotl keeps a sliced split
  spec), read by `ds_type` or the extension;
- a directory written by `save_to_disk`: `state.json` lists its Arrow files (a Dataset: the split key is not applied,
  as axolotl's `load_from_disk` returns the Dataset itself), or `dataset_dict.json` lists split subdirectories;
- LLaMA-Factory's dataset folder: every file directly inside it, all of one type (`_load_single_dataset`);
- any other directory: `load_dataset(dir)`, i.e. datasets' folder layout (lrcli.data.patterns).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from lrcli.data import patterns
from lrcli.data.count_files import BUILDER_BY_SUFFIX, builder_for, count_file, file_size
from lrcli.data.refs import DatasetRef, NotFound, ProgressBar
from lrcli.data.splits import split_names
from lrcli.errors import LrcliError

PACKAGED_BUILDERS = frozenset({"json", "csv", "parquet", "text", "arrow"})
ProgressFactory = Callable[[str, int], ProgressBar]


def find_local(ref: DatasetRef) -> tuple[Path, str] | None:
    """(path, how it was found) of a ref's local path, or None when it names nothing on disk."""
    given = Path(ref.path).expanduser()
    if given.is_absolute():
        return (given, "absolute path") if given.exists() else None
    for root in ref.roots or (Path.cwd(),):
        candidate = root / given
        if candidate.exists():
            return candidate, f"in {root}"
    return None


class _Counter:
    """Counts files under one progress bar whose total is the bytes of all of them."""

    def __init__(self, files: list[Path], label: str, progress: ProgressFactory | None) -> None:
        self.bar = progress(label, sum(file_size(f) for f in files)) if progress else ProgressBar()
        self.offset = 0

    def count(self, path: Path, builder: str | None) -> int:
        offset = self.offset
        rows = count_file(path, builder, lambda done: self.bar.update(offset + done))
        self.offset += file_size(path)
        self.bar.update(self.offset)
        return rows


def _count_all(groups: dict[str, list[Path]], builder: str | None, label: str,
               progress: ProgressFactory | None) -> dict[str, int]:
    counter = _Counter([f for fs in groups.values() for f in fs], label, progress)
    try:
        return {split: sum(counter.count(f, builder) for f in files) for split, files in groups.items()}
    finally:
        counter.bar.close()


def _glob_local(pattern: str, base: Path) -> list[Path]:
    given = Path(pattern).expanduser()
    if given.is_absolute():
        anchor = Path(given.anchor)
        rel = given.relative_to(anchor).as_posix()
        return [anchor / f for f in patterns.glob(rel, _walk(anchor, rel))]
    return [base / f for f in patterns.glob(pattern, _walk(base, pattern))]


def _walk(base: Path, pattern: str) -> list[str]:
    """Files under the fixed leading directories of a pattern, relative to base."""
    fixed = []
    for seg in pattern.split("/")[:-1]:
        if any(c in seg for c in "*?["):
            break
        fixed.append(seg)
    top = base.joinpath(*fixed)
    if not top.is_dir():
        return []
    return [p.relative_to(base).as_posix() for p in top.rglob("*") if p.is_file()]


def _packaged(ref: DatasetRef, progress: ProgressFactory | None) -> tuple[dict[str, int], str]:
    base_root = (ref.roots or (Path.cwd(),))[0]
    base = base_root / ref.data_dir if ref.data_dir else base_root
    if not ref.data_files:
        raise LrcliError(f"{ref.where or ref.path}: the {ref.path} builder needs data_files naming the local files")
    groups: dict[str, list[Path]] = {}
    for split in split_names(ref.split) or tuple(ref.patterns()):
        pats = ref.patterns().get(split)
        if pats is None:
            raise LrcliError(f"{ref.where or ref.path}: data_files has no split {split!r}")
        files = [f for pat in pats for f in _glob_local(pat, base)]
        if not files:
            raise LrcliError(f"{ref.where or ref.path}: data_files {', '.join(pats)} match no file under {base}")
        groups[split] = files
    rows = _count_all(groups, ref.path, ref.label, progress)
    shown = ", ".join(str(f) for fs in groups.values() for f in fs[:3])
    return rows, f"local {ref.path} files {shown}"


def _arrow_dir_rows(directory: Path, counter: _Counter) -> int:
    try:
        state = json.loads((directory / "state.json").read_text())
        files = [directory / entry["filename"] for entry in state["_data_files"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise LrcliError(f"{directory}: a save_to_disk directory without a readable state.json") from None
    return sum(counter.count(f, "arrow") for f in files)


def _saved(directory: Path, ref: DatasetRef, progress: ProgressFactory | None) -> tuple[dict[str, int], str] | None:
    """Rows of a save_to_disk Dataset or DatasetDict directory, None when it is not one."""
    if (directory / "dataset_dict.json").is_file():
        try:
            splits = json.loads((directory / "dataset_dict.json").read_text())["splits"]
        except (OSError, ValueError, KeyError, TypeError):
            raise LrcliError(f"{directory}/dataset_dict.json: not readable") from None
        wanted = split_names(ref.split) or tuple(splits)
        missing = [s for s in wanted if s not in splits]
        if missing:
            raise LrcliError(f"{ref.where or directory}: the saved DatasetDict has no split {missing[0]} "
                             f"(it has {', '.join(splits)})")
        arrows = [f for s in wanted for f in (directory / s).glob("*.arrow")]
        counter = _Counter(arrows, ref.label, progress)
        try:
            return {s: _arrow_dir_rows(directory / s, counter) for s in wanted}, f"save_to_disk directory {directory}"
        finally:
            counter.bar.close()
    if (directory / "state.json").is_file():
        counter = _Counter(list(directory.glob("*.arrow")), ref.label, progress)
        try:
            rows = _arrow_dir_rows(directory, counter)
        finally:
            counter.bar.close()
        return {"*": rows}, f"save_to_disk directory {directory}"
    return None


def _flat_dir(directory: Path, ref: DatasetRef, progress: ProgressFactory | None) -> tuple[dict[str, int], str]:
    entries = sorted(directory.iterdir())
    if not entries:
        raise LrcliError(f"{ref.where or directory}: the folder {directory} is empty")
    kinds = {builder_for(p, ref.builder) for p in entries}
    if None in kinds or len(kinds) > 1:
        raise LrcliError(
            f"{ref.where or directory}: LLaMA-Factory reads every entry of {directory} and needs them all of one type "
            f"(.json/.jsonl, .csv, .parquet, .arrow or .txt); found {', '.join(sorted(p.name for p in entries)[:5])}"
        )
    rows = _count_all({"train": entries}, kinds.pop(), ref.label, progress)
    return _sliced_train(ref, rows), f"local folder {directory} ({len(entries)} files)"


def _sliced_train(ref: DatasetRef, rows: dict[str, int]) -> dict[str, int]:
    wanted = split_names(ref.split)
    if wanted not in (("train",), ()):
        raise LrcliError(f"{ref.where or ref.path}: local files give only the split 'train', not {ref.split!r}")
    return rows


def _datasets_dir(directory: Path, ref: DatasetRef, progress: ProgressFactory | None) -> tuple[dict[str, int], str]:
    files = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())
    layout = patterns.split_files(files, ref.patterns() or None, ref.data_dir)
    if not layout:
        raise LrcliError(f"{ref.where or directory}: no data files in {directory} (.json, .jsonl, .csv, .parquet, "
                         ".arrow or .txt)")
    wanted = split_names(ref.split) or tuple(layout)
    missing = [s for s in wanted if s not in layout]
    if missing:
        raise LrcliError(f"{ref.where or directory}: the folder {directory} has no split {missing[0]} "
                         f"(it has {', '.join(layout)})")
    groups = {s: [directory / f for f in layout[s]] for s in wanted}
    builder = ref.builder or patterns.dominant_builder([f for fs in groups.values() for f in map(str, fs)])
    groups = {s: [f for f in fs if BUILDER_BY_SUFFIX.get(f.suffix.lower()) == builder] for s, fs in groups.items()}
    rows = _count_all(groups, builder, ref.label, progress)
    return rows, f"local folder {directory}"


def local_rows(ref: DatasetRef, progress: ProgressFactory | None = None) -> tuple[dict[str, int], str]:
    """({split: rows}, source) from local data; NotFound when the ref names nothing on disk (then it may be a Hub
    id), LrcliError when it names local data that cannot be counted."""
    if ref.path in PACKAGED_BUILDERS:
        return _packaged(ref, progress)
    found = find_local(ref)
    if found is None:
        roots = " and ".join(str(r) for r in (ref.roots or (Path.cwd(),)))
        raise NotFound(f"local path {ref.path} (not in {roots})")
    path, _ = found
    if path.is_file():
        rows = _count_all({"train": [path]}, builder_for(path, ref.builder), ref.label, progress)
        return _sliced_train(ref, rows), f"local file {path}"
    if ref.flat_dir:
        return _flat_dir(path, ref, progress)
    saved = _saved(path, ref, progress)
    if saved is not None:
        return saved
    return _datasets_dir(path, ref, progress)
