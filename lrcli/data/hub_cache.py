"""Row counts from the Hugging Face hub cache, offline: the snapshot huggingface_hub downloaded for a dataset repo.

Layout (huggingface_hub `file_download.py`, checked in tests by downloading through the real library):
`<hub cache>/datasets--<owner>--<name>/refs/<revision>` holds the commit sha, `snapshots/<sha>/<path>` the files
(symlinks into `blobs/`), and since huggingface_hub 1.x `trees/<sha>.json` lists every file of the revision
(`{"format_version": 1, "files": {path: {size, blob_id}}}`) when a snapshot was listed.

Answers, first that works:
1. the card in the snapshot (README.md's `dataset_info`), for a plain (config, split) read — no data_dir or
   data_files, which would select other files than the card counts;
2. the data files of the split in the snapshot, counted from their metadata (Parquet footers, Arrow headers) or
   lines — only when every file of the split is there: the revision's listing (`trees/<sha>.json`) or the
   `-NNNNN-of-NNNNN` shard names prove it; otherwise this source does not answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from lrcli.data import patterns
from lrcli.data.card import Card, card_from_readme, default_config, parse_card_data
from lrcli.data.count_files import Progress, count_file
from lrcli.data.locations import hub_cache
from lrcli.data.refs import DatasetRef, NotFound
from lrcli.data.splits import split_names
from lrcli.errors import LrcliError
from lrcli.inputs.bounded import TABLE_BYTES, PathKind, parse_json, probe, read_text

_SHA = re.compile(r"^[0-9a-f]{40}$")
_SHARD = re.compile(r"-(\d{5})-of-(\d{5})")


def repo_dir(repo_id: str, cache: Path | None = None) -> Path:
    return (cache or hub_cache()) / ("datasets--" + repo_id.replace("/", "--"))


def snapshot(repo_id: str, revision: str | None, cache: Path | None = None) -> tuple[Path, str]:
    """(snapshot directory, commit sha) of a cached revision; NotFound when it is not cached."""
    base = repo_dir(repo_id, cache)
    revision = revision or "main"
    ref = base / "refs" / revision
    if probe(ref) is not PathKind.MISSING:
        sha = read_text(ref, str(ref), limit=4096).strip()
    elif _SHA.match(revision):
        sha = revision
    else:
        raise NotFound(f"HF hub cache {base} (no revision {revision})")
    folder = base / "snapshots" / sha
    if probe(folder) is not PathKind.DIRECTORY:
        raise NotFound(f"HF hub cache {base} (revision {revision}: no snapshot)")
    return folder, sha


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if probe(p) is PathKind.FILE)


def _listing(base: Path, sha: str) -> list[str] | None:
    try:
        tree = base / "trees" / f"{sha}.json"
        data = parse_json(read_text(tree, str(tree), limit=TABLE_BYTES), str(tree))
        return sorted(data["files"])
    except (OSError, ValueError, KeyError, TypeError, LrcliError):
        return None


def cached_card(folder: Path) -> Card:
    try:
        readme = folder / "README.md"
        return parse_card_data(card_from_readme(read_text(readme, str(readme), limit=TABLE_BYTES)))
    except (OSError, LrcliError):
        return parse_card_data(None)


def config_for(ref: DatasetRef, card: Card, where: str) -> str:
    """The config a read uses: the one named, else the card's default; NotFound when the card would make
    `load_dataset` ask for a name."""
    if ref.name:
        return ref.name
    chosen = default_config(card)
    if chosen is None and card.config_names:
        raise NotFound(f"{where} (several configs {', '.join(card.config_names)} and none is the default: name one)")
    return chosen or "default"


def explicit_patterns(ref: DatasetRef, card: Card, where: str) -> Mapping[str, tuple[str, ...]] | None:
    """{split: file patterns} a read is told to use: the ref's data_files, else its config's card `data_files`;
    None when neither names files (the split layout is then inferred from the file names)."""
    if ref.data_files:
        return ref.patterns()
    config = config_for(ref, card, where) if card.data_files else None
    return card.data_files.get(config) if config else None


def card_split_rows(ref: DatasetRef, card: Card, where: str) -> dict[str, int]:
    """{split: rows} for the splits the ref reads, from a card; NotFound when the card does not give them all."""
    if ref.data_dir or ref.data_files:
        raise NotFound(f"{where} card (it counts the whole config; data_dir/data_files select other files)")
    config = config_for(ref, card, where)
    counts = card.split_rows.get(config)
    if counts is None:
        raise NotFound(f"{where} card (no row counts for config {config})")
    wanted = split_names(ref.split) or tuple(counts)  # () is `all`: every split
    missing = [s for s in wanted if s not in counts]
    if missing:
        raise NotFound(f"{where} card (config {config} has no split {missing[0]}; it has {', '.join(counts)})")
    return {s: counts[s] for s in wanted}


def file_split_rows(
    ref: DatasetRef, folder: Path, card: Card, complete: list[str] | None, where: str, progress: Progress | None
) -> tuple[dict[str, int], list[str]]:
    """{split: rows} counted from the snapshot's files, and the files counted; NotFound when files are missing."""
    present = _files(folder)
    listed = complete if complete is not None else present
    layout = patterns.split_files(listed, explicit_patterns(ref, card, where), ref.data_dir)
    rows, counted = {}, []
    for split in split_names(ref.split) or tuple(layout):
        files = layout.get(split)
        if not files:
            raise NotFound(f"{where} (no data files for split {split})")
        missing = [f for f in files if f not in present]
        if missing:
            raise NotFound(f"{where} ({len(missing)} of {len(files)} files of split {split} not downloaded)")
        if complete is None and not _shards_complete(files):
            raise NotFound(f"{where} (no file listing of the revision to show split {split} is complete)")
        builder = ref.builder or patterns.dominant_builder(files)
        rows[split] = sum(count_file(folder / f, builder, progress) for f in files)
        counted += files
    return rows, counted


def _shards_complete(files: list[str]) -> bool:
    """True when every file is a `-NNNNN-of-NNNNN` shard and each numbered set is whole."""
    sets: dict[tuple[str, int], set[int]] = {}
    for f in files:
        match = _SHARD.search(f)
        if not match:
            return False
        key = (f[: match.start()], int(match[2]))
        sets.setdefault(key, set()).add(int(match[1]))
    return all(found == set(range(total)) for (_, total), found in sets.items())


def hub_cache_rows(
    ref: DatasetRef, cache: Path | None = None, progress: Progress | None = None
) -> tuple[dict[str, int], str]:
    """({split: rows}, source text) for a Hub dataset from the local hub cache; NotFound otherwise."""
    base = repo_dir(ref.path, cache)
    folder, sha = snapshot(ref.path, ref.revision, cache)
    where = f"HF hub cache {base}"
    card = cached_card(folder)
    short = sha[:7]
    try:
        return card_split_rows(ref, card, where), f"HF hub cache, revision {short}, dataset card"
    except NotFound as card_miss:
        try:
            rows, _ = file_split_rows(ref, folder, card, _listing(base, sha), where, progress)
        except NotFound as file_miss:
            raise NotFound(f"{card_miss.tried}; {file_miss.tried}") from None
    return rows, f"HF hub cache, revision {short}, counted from the files"
