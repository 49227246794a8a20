"""Row counts from the `datasets` cache, offline: the dataset_info.json that `load_dataset` writes beside the Arrow
files it prepared.

Layout (datasets 2.16+, checked in tests by loading through the real library from a stand-in Hub):
`<datasets cache>/<owner>___<name>/<config>/<version>/<commit sha>/dataset_info.json` with
`splits: {name: {num_examples, ...}}`. A read with data_dir or data_files gets a `<config>-<hash>` directory whose
hash lrcli does not recompute, so only plain (config, split) reads are answered here. Of several cached revisions
the one the hub cache's refs/<revision> names is used, else the most recently written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lrcli.data.hub_cache import repo_dir
from lrcli.data.locations import datasets_cache, hub_cache
from lrcli.data.refs import DatasetRef, NotFound
from lrcli.data.splits import split_names

_HASHED = re.compile(r"^.+-[0-9a-f]{16}$")  # <config>-<hash> of a data_dir/data_files read


def dataset_dir(repo_id: str, cache: Path | None = None) -> Path:
    return (cache or datasets_cache()) / repo_id.replace("/", "___")


def _wanted_sha(ref: DatasetRef, hub: Path | None) -> str | None:
    revision = ref.revision or "main"
    if len(revision) == 40:
        return revision
    try:
        return (repo_dir(ref.path, hub or hub_cache()) / "refs" / revision).read_text().strip()
    except OSError:
        return None


def datasets_cache_rows(
    ref: DatasetRef, cache: Path | None = None, hub: Path | None = None
) -> tuple[dict[str, int], str]:
    base = dataset_dir(ref.path, cache)
    where = f"datasets cache {base}"
    if ref.data_dir or ref.data_files:
        raise NotFound(f"{where} (not for data_dir/data_files reads)")
    configs = [ref.name] if ref.name else [p.name for p in base.iterdir()] if base.is_dir() else []
    configs = [c for c in configs if not _HASHED.match(c) or c == ref.name]
    if not ref.name and len(configs) > 1:
        configs = [c for c in configs if c == "default"] or configs
    if len(configs) != 1:
        raise NotFound(where if not configs else f"{where} (several configs: name one)")
    infos = sorted(
        (base / configs[0]).glob("*/*/dataset_info.json"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    if not infos:
        raise NotFound(f"{where} (no config {configs[0]})")
    sha = _wanted_sha(ref, hub)
    chosen = next((p for p in infos if p.parent.name == sha), None)
    if chosen is None:
        if ref.revision:
            raise NotFound(f"{where} (revision {ref.revision} not cached)")
        chosen = infos[0]
    try:
        splits = json.loads(chosen.read_text())["splits"]
        counts = {name: int(info["num_examples"]) for name, info in splits.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise NotFound(f"{chosen} (unreadable)") from None
    wanted = split_names(ref.split) or tuple(counts)
    missing = [s for s in wanted if s not in counts]
    if missing:
        raise NotFound(f"{where} (no split {missing[0]})")
    revision = chosen.parent.name
    label = revision[:7] if len(revision) == 40 else revision
    return {s: counts[s] for s in wanted}, f"datasets cache, revision {label}"
