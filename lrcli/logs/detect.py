"""`read_log`: a log file, or the output/checkpoint directory holding one, into a `LoggedSeries`."""

from __future__ import annotations

import re
from pathlib import Path

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import PathKind, probe
from lrcli.logs.csv_table import read_csv_log
from lrcli.logs.hf_state import read_trainer_state
from lrcli.logs.llamafactory import read_trainer_log
from lrcli.logs.series import LoggedSeries
from lrcli.logs.tensorboard import read_events
from lrcli.logs.torchtune import read_disk_log

CHECKPOINT = re.compile(r"checkpoint-(\d+)$")
TENSORBOARD = "events.out.tfevents."


def _latest_checkpoint(directory: Path) -> Path | None:
    found = []
    for entry in directory.iterdir():
        match = CHECKPOINT.match(entry.name)
        if match and probe(entry / "trainer_state.json") is PathKind.FILE:
            found.append((int(match.group(1)), entry / "trainer_state.json"))
    return max(found)[1] if found else None


def _in_directory(directory: Path) -> Path:
    """The log a run's directory holds: its trainer_state.json (HF `save_state`, the whole history), else the latest
    checkpoint's (`checkpoint-N` with the largest N), else LLaMA-Factory's trainer_log.jsonl, a metrics.csv,
    torchtune's latest log_<time>.txt, or the one TensorBoard event file below it (`runs/<date>/`, `version_0/`)."""
    own = directory / "trainer_state.json"
    if probe(own) is PathKind.FILE:
        return own
    latest = _latest_checkpoint(directory)
    if latest is not None:
        return latest
    for name in ("trainer_log.jsonl", "metrics.csv"):  # LLaMA-Factory, Lightning
        if probe(directory / name) is PathKind.FILE:
            return directory / name
    torchtune = sorted(p for p in directory.glob("log_*.txt") if probe(p) is PathKind.FILE)  # DiskLogger's
    if torchtune:
        return torchtune[-1]  # log_<unix time>.txt: the latest run
    events = sorted(p for p in directory.rglob(f"{TENSORBOARD}*") if probe(p) is PathKind.FILE)
    if len(events) == 1:
        return events[0]
    if events:
        raise LrcliError(f"{shown(str(directory))} holds {len(events)} TensorBoard event files; name one of them")
    raise LrcliError(f"{shown(str(directory))} holds no training log (trainer_state.json, checkpoint-N/, "
                     "trainer_log.jsonl, metrics.csv or a TensorBoard event file); name the log file")


def read_log(path: str, *, transformers_version: str, lr_column: str | None = None) -> LoggedSeries:
    """The LR series of the log at `path` (a file, or a run's directory), with the logging rule of its framework:
    HF's under `transformers_version`."""
    kind = probe(path)
    file = Path(path)
    if kind is PathKind.DIRECTORY:
        file = _in_directory(file)
    elif kind is PathKind.MISSING:
        raise LrcliError(f"log {shown(path)} does not exist; give a trainer_state.json, a run's output directory, "
                         "a metrics.csv, trainer_log.jsonl or a TensorBoard event file")
    where = shown(str(file))
    name = file.name
    if name.startswith(TENSORBOARD):
        return read_events(str(file), where, transformers_version, lr_column)
    if name.endswith(".jsonl"):
        return read_trainer_log(str(file), where, transformers_version)
    if name.endswith(".csv"):
        return read_csv_log(str(file), where, lr_column)
    if name.endswith(".txt"):
        return read_disk_log(str(file), where, lr_column)
    if name.endswith(".json"):
        return read_trainer_state(str(file), where, transformers_version)
    raise LrcliError(f"log {where} is not a training log lrcli reads: give a trainer_state.json (or the run's output "
                     "directory), trainer_log.jsonl, a .csv (metrics.csv, a W&B export, step + LR columns), a "
                     "TensorBoard events.out.tfevents.* file or a torchtune log_*.txt")
