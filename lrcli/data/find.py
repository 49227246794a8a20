"""The rows of one dataset a config names, from the first source that can tell, with that source named.

Order (issue 10): local data the framework would read; then, for a Hub id, the HF hub cache and the `datasets`
cache (offline); then lrcli's answer cache; then the Hub (unless offline: `--offline`, HF_HUB_OFFLINE). A Hub
answer is stored in the answer cache; when the Hub cannot be reached, a stored answer for the branch is used
however old, and the source says so. When nothing answers, RowsNotFound lists what was tried.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from lrcli.data.answer_cache import BRANCH_TTL, AnswerCache
from lrcli.data.count_files import BUILDER_BY_SUFFIX
from lrcli.data.datasets_cache import datasets_cache_rows
from lrcli.data.hub import hub_rows
from lrcli.data.hub_cache import hub_cache_rows
from lrcli.data.local import ProgressFactory, local_rows
from lrcli.data.locations import hub_offline
from lrcli.data.refs import DatasetRef, NotFound, ProgressBar, RowCount
from lrcli.data.splits import parse_split, rows_read, split_names
from lrcli.errors import LrcliError

_HUB_ID = re.compile(r"^[\w][\w.-]*(/[\w][\w.-]*)?$")


class RowsNotFound(LrcliError):
    """No source could count a dataset; `tried` lists what was looked at, in order."""

    def __init__(self, ref: DatasetRef, tried: list[str]) -> None:
        where = f" ({ref.where})" if ref.where else ""
        super().__init__(f"no row count for {ref.label}{where}: tried {'; '.join(tried)}")
        self.ref = ref
        self.tried = tuple(tried)


@dataclass(frozen=True)
class Sources:
    """Where to look: `offline` skips the network; the cache directories default to the environment's."""

    offline: bool = False
    answers: AnswerCache | None = None
    hub_cache: Path | None = None
    datasets_cache: Path | None = None
    progress: ProgressFactory | None = None

    @property
    def no_network(self) -> bool:
        return self.offline or hub_offline()


def looks_like_hub_id(path: str) -> bool:
    return bool(_HUB_ID.match(path)) and Path(path).suffix.lower() not in BUILDER_BY_SUFFIX and ".." not in path


def _result(ref: DatasetRef, split_rows: dict[str, int], source: str, notes: tuple[str, ...] = ()) -> RowCount:
    if "*" in split_rows:  # a save_to_disk Dataset: the framework takes it whole
        parts = parse_split(ref.split)
        if len(parts) > 1 or parts[0].sliced:
            notes += (f"{ref.where or ref.path}: split {ref.split!r} is not applied to a save_to_disk dataset "
                      "(load_from_disk returns it whole)",)
        return RowCount(ref, split_rows["*"], source, dict(split_rows), True, notes)
    return RowCount(ref, rows_read(ref.split, split_rows), source, dict(split_rows), True, notes)


def _from_answers(ref: DatasetRef, answers: AnswerCache, *, fresh_only: bool) -> RowCount | None:
    cached = answers.revision(ref)
    if cached is None or (fresh_only and time.time() - cached.checked > BRANCH_TTL):
        return None
    config = answers.config_of(ref, cached.sha)
    found = answers.rows(ref, cached.sha, config, split_names(ref.split))
    if found is None:
        return None
    rows, how = found
    age = "" if cached.checked == float("inf") else f", checked {time.strftime('%Y-%m-%d', time.localtime(cached.checked))}"
    return _result(ref, rows, f"Hub, revision {cached.sha[:7]}, {how}, cached{age}")


def count_rows(ref: DatasetRef, sources: Sources | None = None) -> RowCount:
    """The rows the framework reads for `ref` (its split spec applied), with their source."""
    sources = sources or Sources()
    tried: list[str] = []
    if ref.local:
        try:
            rows, source = local_rows(ref, sources.progress)
            return _result(ref, rows, source)
        except NotFound as miss:
            tried.append(miss.tried)
    if not (ref.hub and looks_like_hub_id(ref.path)):
        raise RowsNotFound(ref, tried or [f"{ref.path} is neither a local path nor a Hub dataset id"])
    bar = sources.progress(ref.label, 0) if sources.progress else ProgressBar()
    try:
        rows, source = hub_cache_rows(ref, sources.hub_cache, bar.update)
        return _result(ref, rows, source)
    except NotFound as miss:
        tried.append(miss.tried)
    finally:
        bar.close()
    try:
        rows, source = datasets_cache_rows(ref, sources.datasets_cache, sources.hub_cache)
        return _result(ref, rows, source)
    except NotFound as miss:
        tried.append(miss.tried)
    answers = sources.answers or AnswerCache()
    cached = _from_answers(ref, answers, fresh_only=not sources.no_network)
    if cached is not None:
        return cached
    tried.append(f"lrcli's answer cache {answers.path}")
    if sources.no_network:
        tried.append("the Hub (offline: " + ("--offline" if sources.offline else "HF_HUB_OFFLINE") + ")")
        raise RowsNotFound(ref, tried)
    try:
        answer = hub_rows(ref)
    except NotFound as miss:
        stale = _from_answers(ref, answers, fresh_only=False) if "not reachable" in miss.tried else None
        if stale is not None:
            return RowCount(stale.ref, stale.rows, stale.source, stale.split_rows, True,
                            (f"{miss.tried}: used the answer lrcli stored earlier",))
        tried.append(miss.tried)
        raise RowsNotFound(ref, tried) from None
    answers.store(ref, answer.sha, answer.config, answer.split_rows, answer.how)
    return _result(ref, answer.split_rows, f"Hub, revision {answer.sha[:7]}, {answer.how}")
