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
from lrcli.logs.wandb_run import read_wandb_run

CHECKPOINT = re.compile(r"checkpoint-(\d+)$")
TENSORBOARD = "events.out.tfevents."
WANDB_RUN = re.compile(r"(?:offline-)?run-(\d{8}_\d{6})-\w+$")  # wandb/run-<time>-<id>/, offline-run-…


def _wandb_file(run: Path) -> Path | None:
    found = sorted(p for p in run.glob("run-*.wandb") if probe(p) is PathKind.FILE)
    return found[-1] if found else None


def _latest_wandb_run(directory: Path) -> Path | None:
    """The .wandb file of the newest W&B run below `directory` (itself a `wandb/` directory, or holding one)."""
    runs = []
    for parent in (directory, directory / "wandb"):
        if probe(parent) is not PathKind.DIRECTORY:
            continue
        for entry in parent.iterdir():
            match = WANDB_RUN.match(entry.name)
            file = _wandb_file(entry) if match and probe(entry) is PathKind.DIRECTORY else None
            if file is not None:
                runs.append((match.group(1), entry.name, file))  # type: ignore[union-attr]
    return max(runs)[2] if runs else None


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
    torchtune's latest log_<time>.txt, a W&B run's run-<id>.wandb (the directory is the run's, or the `wandb/`
    directory above runs, or holds it: the newest run), or the one TensorBoard event file below it (`runs/<date>/`,
    `version_0/`)."""
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
    wandb = _wandb_file(directory) or _latest_wandb_run(directory)  # a W&B run directory, or the wandb/ above runs
    if wandb is not None:
        return wandb
    events = sorted(p for p in directory.rglob(f"{TENSORBOARD}*") if probe(p) is PathKind.FILE)
    if len(events) == 1:
        return events[0]
    if events:
        raise LrcliError(f"{shown(str(directory))} holds {len(events)} TensorBoard event files; name one of them")
    raise LrcliError(f"{shown(str(directory))} holds no training log (trainer_state.json, checkpoint-N/, "
                     "trainer_log.jsonl, metrics.csv, a W&B run or a TensorBoard event file); name the log file")


def read_log(path: str, *, transformers_version: str, lr_column: str | None = None, run: str | None = None) -> LoggedSeries:
    """The LR series of the log at `path` (a file, or a run's directory), with the logging rule of its framework:
    HF's under `transformers_version`. `run`: which run of a W&B chart export holding several."""
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
    if name.endswith(".wandb"):
        return read_wandb_run(str(file), where, transformers_version, lr_column)
    if name.endswith(".jsonl"):
        return read_trainer_log(str(file), where, transformers_version)
    if name.endswith(".csv"):
        return read_csv_log(str(file), where, lr_column, run)
    if name.endswith(".txt"):
        return read_disk_log(str(file), where, lr_column)
    if name.endswith(".json"):
        return read_trainer_state(str(file), where, transformers_version)
    raise LrcliError(f"log {where} is not a training log lrcli reads: give a trainer_state.json (or the run's output "
                     "directory), trainer_log.jsonl, a .csv (metrics.csv, a W&B export, step + LR columns), a W&B run "
                     "directory (or its run-<id>.wandb), a TensorBoard events.out.tfevents.* file or a torchtune "
                     "log_*.txt")
