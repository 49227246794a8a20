"""lrcli's on-disk memory of the Hub's answers, in the user cache directory (lrcli.data.locations.lrcli_cache),
so a second run needs no network.

Three tables in one JSON file (`hub-rows.json`), all keyed by the Hub endpoint and dataset id:
- `revisions`: a branch or tag (`main`) -> the commit sha the Hub last gave for it, and when;
- `configs`: a commit sha + the config name asked for (or none) -> the config the answer was for;
- `rows`: a commit sha + config + data_dir + data_files + split -> that split's row count and how the Hub knew it
  (dataset card or viewer). A commit never changes, so a row count stored under its sha stays true.
A pinned sha is answered from here for ever; a branch while its sha was checked less than `BRANCH_TTL` ago (after
that lrcli asks the Hub which sha the branch is at now, and falls back to the stored one, saying so, when the Hub
cannot be reached). Writes go through a temporary file and `os.replace`; an unreadable file counts as empty.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lrcli.data.locations import hub_endpoint, lrcli_cache
from lrcli.data.refs import DatasetRef

FILE_NAME = "hub-rows.json"
FORMAT = 1
BRANCH_TTL = 24 * 3600.0  # seconds a branch -> sha answer is trusted without asking the Hub again


@dataclass(frozen=True)
class CachedRevision:
    sha: str
    checked: float  # time.time() of the Hub's answer


def _key(*parts: object) -> str:
    return json.dumps([hub_endpoint(), *parts], separators=(",", ":"))


def _rows_key(ref: DatasetRef, sha: str, config: str | None, split: str) -> str:
    return _key(ref.path, sha, config or "", ref.data_dir or "", list(ref.data_files), split)


class AnswerCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or lrcli_cache()) / FILE_NAME
        self._data: dict | None = None

    def _load(self) -> dict:
        if self._data is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(data, dict) or data.get("format") != FORMAT:
                    raise ValueError
            except (OSError, ValueError):
                data = {"format": FORMAT, "revisions": {}, "configs": {}, "rows": {}}
            self._data = data
        return self._data

    def revision(self, ref: DatasetRef) -> CachedRevision | None:
        revision = ref.revision or "main"
        if len(revision) == 40 and all(c in "0123456789abcdef" for c in revision):
            return CachedRevision(revision, float("inf"))
        entry = self._load()["revisions"].get(_key(ref.path, revision))
        if not isinstance(entry, dict):
            return None
        return CachedRevision(str(entry["sha"]), float(entry["checked"]))

    def rows(self, ref: DatasetRef, sha: str, config: str | None, splits: tuple[str, ...]) -> tuple[dict[str, int], str] | None:
        """({split: rows}, how) when every split is stored for this sha, else None."""
        table = self._load()["rows"]
        found, how = {}, ""
        for split in splits:
            entry = table.get(_rows_key(ref, sha, config, split))
            if not isinstance(entry, dict):
                return None
            found[split], how = int(entry["rows"]), str(entry["how"])
        return found, how

    def config_of(self, ref: DatasetRef, sha: str) -> str | None:
        """The config the Hub resolved for a ref without a name, as stored with its rows."""
        entry = self._load()["configs"].get(_key(ref.path, sha, ref.name or ""))
        return entry if isinstance(entry, str) else None

    def store(self, ref: DatasetRef, sha: str, config: str, split_rows: dict[str, int], how: str) -> None:
        data = self._load()
        now = time.time()
        revision = ref.revision or "main"
        if revision != sha:
            data["revisions"][_key(ref.path, revision)] = {"sha": sha, "checked": now}
        data["configs"][_key(ref.path, sha, ref.name or "")] = config
        for split, rows in split_rows.items():
            data["rows"][_rows_key(ref, sha, config, split)] = {"rows": rows, "how": how, "saved": now}
        self._write(data)

    def _write(self, data: dict) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".hub-rows-", dir=self.path.parent)
        except OSError:
            return  # a read-only cache directory costs a network request next time, nothing more
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
