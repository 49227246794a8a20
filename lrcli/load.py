"""Config files in: a path becomes a plain mapping; dataset files become a record count; launcher configs a world size.

Only `yaml.safe_load` and `json` are used. Numeric strings are left as they are here: each dialect coerces the
values it reads (`values.coerce_number`), because only it knows which keys the framework converts.
"""

from __future__ import annotations

import csv
import difflib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from lrcli.errors import LrcliError
from lrcli.values import whole_number

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


def looks_like_config(text: str) -> bool:
    """True when a positional argument names a config file rather than a schedule."""
    return text.lower().endswith(CONFIG_SUFFIXES) or ("/" in text and Path(text).is_file())


def load_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML or JSON file (JSON is YAML, but json gives better error positions)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LrcliError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LrcliError(f"{path}: cannot read it ({exc})") from None
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(text)
        else:
            raw = yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise LrcliError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise LrcliError(f"{path}: not valid YAML{where}") from None
    if raw is None:
        raise LrcliError(f"{path}: the file is empty")
    if not isinstance(raw, dict):
        raise LrcliError(f"{path}: expected a mapping of settings at the top level, got {type(raw).__name__}")
    return raw


def count_records(path: Path) -> int:
    """Records in a local dataset file: .jsonl lines that are not blank, a .json list (or a {"data": [...]}
    object), or .csv rows after the header."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                count = sum(1 for line in handle if line.strip())
        elif suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("data"), list):
                data = data["data"]
            if not isinstance(data, list):
                raise LrcliError(f"--samples {path}: expected a JSON list of records (or {{\"data\": [...]}})")
            count = len(data)
        elif suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                count = max(sum(1 for row in csv.reader(handle) if row) - 1, 0)
        else:
            raise LrcliError(f"--samples {path}: count records of .jsonl, .json or .csv files only, or give a number")
    except FileNotFoundError:
        raise LrcliError(f"--samples {path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise LrcliError(f"--samples {path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LrcliError(f"--samples {path}: cannot read it ({exc})") from None
    if count == 0:
        raise LrcliError(f"--samples {path}: the file has no records")
    return count


def samples_value(text: str, flag: str = "--samples") -> int:
    """`--samples` as a number, or as the record count of a local .jsonl/.json/.csv file."""
    if Path(text).suffix.lower() in (".jsonl", ".json", ".csv"):
        return count_records(Path(text))
    return whole_number(text, flag, minimum=1)


def accelerate_world_size(path: Path) -> tuple[int, str]:
    """World size of an accelerate launcher config: `num_processes` (the total over all machines)."""
    raw = load_mapping(path)
    value = raw.get("num_processes")
    if value is None:
        raise LrcliError(f"--accelerate-config {path}: no num_processes key, so the world size is unknown")
    return whole_number(value, f"{path} num_processes", minimum=1), f"{path.name} key num_processes"


def near_miss_notes(keys: Iterable[str], used: Iterable[str], known: Iterable[str], path: Path) -> tuple[str, ...]:
    """Warnings for keys that are not used nor known to the framework but are one typo away from a key lrcli reads.

    Everything else is ignored silently: configs are full of model and data settings lrcli has no use for.
    """
    used = sorted(set(used))
    known_set = set(known) | set(used)
    notes = []
    for key in keys:
        if not isinstance(key, str) or key in known_set:
            continue
        close = difflib.get_close_matches(key, used, n=1, cutoff=0.85)
        if close:
            notes.append(f"{path.name}: key {key!r} is not read; did you mean {close[0]!r}?")
    return tuple(notes)


def relative_to_config(config_path: Path, referenced: str) -> Path:
    """A path written inside a config (e.g. `deepspeed: ds.json`), resolved from the config's own directory."""
    candidate = Path(referenced).expanduser()
    return candidate if candidate.is_absolute() else config_path.parent / candidate


def get_nested(raw: Mapping[str, Any], dotted: str) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
