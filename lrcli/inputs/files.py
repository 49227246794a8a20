"""Files in: a config path becomes a plain mapping, a dataset file a record count, a path a config names a file.

Every file is read through `inputs.bounded` (regular files only, size/depth/alias caps; YAML with `safe_load`
semantics). Numeric strings are left as they are here: each dialect coerces the
values it reads (`values.coerce_number`), because only it knows which keys the framework converts.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, PathKind, load_document, parse_json, probe, read_text, text_lines
from lrcli.inputs.values import SampleCount, coerce_number, whole_number

CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".sh", ".bash")
# The key under which a launch script (`.sh`, `.bash`) is handed to the dialects: its commands (inputs.launch_script), for the
# dialect whose entry point one of them runs (torchtitan.train, …) to read its arguments.
LAUNCH_KEY = "lrcli.launch_commands"


def looks_like_config(text: str) -> bool:
    """True when a positional argument names a config file rather than a schedule."""
    # A path whose directory may not be searched is taken as a file too: reading it then says "permission denied"
    # instead of "unknown schedule".
    return text.lower().endswith(CONFIG_SUFFIXES) or (
        "/" in text and probe(text) in (PathKind.FILE, PathKind.SPECIAL, PathKind.DENIED)
    )


def load_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML, JSON or TOML file, read through the bounded reader (size, depth and alias
    caps; regular files only); a `.sh` launch script as `{LAUNCH_KEY: its commands}`."""
    what = shown(str(path))
    if path.suffix.lower() in (".sh", ".bash"):
        from lrcli.inputs.launch_script import script_commands  # only for a script: the bash reader is large

        return {LAUNCH_KEY: script_commands(path)}
    raw = load_document(path, what)
    if raw is None:
        raise LrcliError(f"{what}: the file is empty")
    if not isinstance(raw, dict):
        raise LrcliError(f"{what}: expected a mapping of settings at the top level, got {type(raw).__name__}")
    return raw


def count_records(path: Path) -> int:
    """Records in a local dataset file: .jsonl lines that are not blank, a .json list (or a {"data": [...]}
    object), or .csv rows after the header. Read through the bounded reader: line by line for .jsonl and .csv
    (memory stays bounded whatever the size), whole for .json (at most TABLE_BYTES)."""
    what = f"--samples {shown(str(path))}"
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        count = sum(1 for line in text_lines(path, what) if line.strip())
    elif suffix == ".json":
        data = parse_json(read_text(path, what, limit=TABLE_BYTES), what)
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list):
            raise LrcliError(f"{what}: expected a JSON list of records (or {{\"data\": [...]}})")
        count = len(data)
    elif suffix == ".csv":
        try:
            count = max(sum(1 for row in csv.reader(text_lines(path, what, newline="")) if row) - 1, 0)
        except csv.Error as exc:
            raise LrcliError(f"{what}: not a CSV file lrcli can count ({exc})") from None
    else:
        raise LrcliError(f"{what}: count records of .jsonl, .json or .csv files only, or give a number")
    if count == 0:
        raise LrcliError(f"{what}: the file has no records")
    return count


def samples_value(text: str, flag: str = "--samples") -> int:
    """`--samples` as a number, or as the record count of a local .jsonl/.json/.csv file; `A+B+…` gives one of
    those per dataset (in the order of the config's dataset list) and becomes a SampleCount: their sum, with
    each kept for the frameworks that treat datasets one by one."""
    if "+" not in text or probe(text) is PathKind.FILE or not isinstance(coerce_number(text), str):  # 1e+3, a+b.jsonl
        return _one_count(text, flag)
    items = [item.strip() for item in re.split(r"(?<![eE])\+", text)]  # not the + of an exponent
    if not all(items):
        raise LrcliError(
            f"{flag} {shown(text)}: a count is missing between the '+' signs; give one count (or .jsonl/.json/.csv file) "
            f"per dataset, in the order of the config's dataset list, e.g. {flag} 500+5000"
        )
    return SampleCount(
        [_one_count(item, f"{flag} {shown(text)}: count {i} of {len(items)}") for i, item in enumerate(items, 1)]
    )


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
    kinds = {place: probe(place) for place in (beside, given)}
    denied = [place for place, kind in kinds.items() if kind is PathKind.DENIED]
    directory = next((p for p, kind in kinds.items() if kind is PathKind.DIRECTORY), None)
    if directory is not None and PathKind.FILE not in kinds.values():
        raise LrcliError(
            f"{shown(config_path.name)} key {key}: {shown(str(directory))} is a directory; point it at {what}"
        )
    if given.is_absolute():
        if kinds[given] is PathKind.DENIED:
            raise _denied(config_path, key, given)
        return (given, "absolute path") if kinds[given] is not PathKind.MISSING else (None, shown(str(given)))
    for place, how in ((beside, "beside the config"), (given, "in the current directory, where the framework opens it")):
        if kinds[place] in (PathKind.FILE, PathKind.SPECIAL):  # a FIFO or device is refused when it is read
            return place, how
    if denied:
        raise _denied(config_path, key, denied[0])
    places = dict.fromkeys((beside.parent.absolute(), Path.cwd()))
    return None, " and ".join(shown(str(place)) for place in places)


def _denied(config_path: Path, key: str, place: Path) -> LrcliError:
    return LrcliError(
        f"{shown(config_path.name)} key {key}: {shown(str(place))}: permission denied (a directory on its path may "
        "not be searched); run lrcli as a user who can read it, or copy the file"
    )
