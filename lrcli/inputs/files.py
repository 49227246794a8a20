"""Files in: a config path becomes a plain mapping, a dataset file a record count, a path a config names a file.

Only `yaml.safe_load` and `json` are used. Numeric strings are left as they are here: each dialect coerces the
values it reads (`values.coerce_number`), because only it knows which keys the framework converts.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import yaml

from lrcli.errors import LrcliError
from lrcli.inputs.values import SampleCount, coerce_number, whole_number

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
    """`--samples` as a number, or as the record count of a local .jsonl/.json/.csv file; `A+B+…` gives one of
    those per dataset (in the order of the config's dataset list) and becomes a SampleCount: their sum, with
    each kept for the frameworks that treat datasets one by one."""
    if "+" not in text or Path(text).is_file() or not isinstance(coerce_number(text), str):  # 1e+3, a+b.jsonl
        return _one_count(text, flag)
    items = [item.strip() for item in re.split(r"(?<![eE])\+", text)]  # not the + of an exponent
    if not all(items):
        raise LrcliError(
            f"{flag} {text}: a count is missing between the '+' signs; give one count (or .jsonl/.json/.csv file) "
            f"per dataset, in the order of the config's dataset list, e.g. {flag} 500+5000"
        )
    return SampleCount([_one_count(item, f"{flag} {text}: count {i} of {len(items)}") for i, item in enumerate(items, 1)])


def _one_count(text: str, what: str) -> int:
    if Path(text).suffix.lower() in (".jsonl", ".json", ".csv"):
        return count_records(Path(text))
    return whole_number(text, what, minimum=1)


def relative_to_config(config_path: Path, referenced: str) -> Path:
    """A path written inside a config (e.g. `deepspeed: ds.json`), resolved from the config's own directory."""
    candidate = Path(referenced).expanduser()
    return candidate if candidate.is_absolute() else config_path.parent / candidate


def find_referenced_file(referenced: str, config_path: Path, key: str, what: str) -> tuple[Path | None, str]:
    """The file a config's `key: PATH` names (a DeepSpeed JSON, an accelerator_config JSON, an accelerate config),
    and how it was found; (None, the places looked in) when it is in neither.

    The frameworks open PATH as given, i.e. relative to the working directory of the training run (transformers
    `HfDeepSpeedConfig` and `AcceleratorConfig.from_json_file`, axolotl `normalize_config`, `accelerate launch
    --config_file`); lrcli looks beside the config first (where a config's own files usually sit), then in the
    current directory, and says which it used. A directory is an error naming `what` should be there."""
    given = Path(referenced).expanduser()
    beside = relative_to_config(config_path, referenced)
    directory = next((p for p in (beside, given) if p.is_dir()), None)
    if directory is not None and not any(p.is_file() for p in (beside, given)):
        raise LrcliError(f"{config_path.name} key {key}: {directory} is a directory; point it at {what}")
    if given.is_absolute():
        return (given, "absolute path") if given.is_file() else (None, f"{given}")
    if beside.is_file():
        return beside, "beside the config"
    if given.is_file():
        return given, "in the current directory, where the framework opens it"
    places = dict.fromkeys((beside.parent.absolute(), Path.cwd()))
    return None, " and ".join(map(str, places))
