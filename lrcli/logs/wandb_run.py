"""A W&B run directory (`wandb/run-<time>-<id>/` or `wandb/offline-run-<time>-<id>/`) and its `run-<id>.wandb` file:
what every W&B user has on disk, online or not.

The file is W&B's transaction log (wandb 0.31.0, written by its Go core; the same layout since the Python writer of
`sdk/internal/datastore.py`): a 7-byte header (":W&B", magic 0xBEE1 little-endian, version 0), then LevelDB-log
records in 32 KiB blocks, each chunk a 7-byte header (CRC 4, length 2 little-endian, type 1: full, first, middle,
last) and its bytes; a block's tail shorter than a header is padding. The bytes are read by lrcli's bounded reader and
split here; each record is decoded by the `wandb` package's own `Record` protocol buffer (the optional extra
`lrcli[wandb]`), as logs/tensorboard.py does for TensorBoard.

What a Trainer run logs there (transformers integrations/integration_utils.py `WandbCallback`): each `on_log` calls
`wandb.log({"train/learning_rate": …, …, "train/global_step": state.global_step})`, a `history` record whose items
carry the values as JSON text (`value_json`: Python's repr of the float64, so the LR is kept exactly). `_step` is
W&B's own row counter (one per wandb.log call), not the Trainer's. The run's `config` record holds the
TrainingArguments, its `telemetry` record the transformers version that ran it: the version whose logging rule
applies (hf_state.hf_rule).
"""

from __future__ import annotations

import struct
from typing import Any

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, parse_json, read_bytes
from lrcli.logs.hf_state import hf_rule
from lrcli.logs.series import EXACT, LoggedSeries, logged_number, logged_step, series_from_points

WANDB_FORMAT = "W&B run"
WANDB_HF_FORMAT = "W&B run (HF Trainer)"
HEADER = struct.Struct("<4sHB")  # ":W&B", magic, version
MAGIC, VERSION = 0xBEE1, 0
BLOCK = 32 * 1024
CHUNK = struct.Struct("<IHB")  # checksum, length, type
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
# The Trainer's step (WandbCallback), then other trainers' usual step keys; W&B's _step only as the last resort.
STEP_KEYS = ("train/global_step", "trainer/global_step", "global_step", "step", "iter", "_step")
LR_KEYS = ("train/learning_rate", "learning_rate", "train/lr", "lr")
# TrainingArguments in the run's config that lrcli can use when no config file is given (TrainConfig field names).
CONFIG_KEYS = ("learning_rate", "lr_scheduler_type", "warmup_steps", "warmup_ratio", "num_train_epochs",
               "per_device_train_batch_size", "gradient_accumulation_steps", "max_steps")  # fmt: skip


def _record_class() -> type:
    try:
        from wandb.proto.wandb_internal_pb2 import Record
    except ImportError:
        raise LrcliError("reading a W&B run directory needs the wandb package: pip install 'lrcli[wandb]' (or export "
                         "the chart's CSV from the W&B page and pass that)") from None
    return Record


def split_records(data: bytes, where: str) -> tuple[list[bytes], tuple[str, ...]]:
    """The records of a .wandb file, and a note when it ends inside one (a run still writing it)."""
    if len(data) < HEADER.size:
        raise LrcliError(f"{where}: not a W&B run file (shorter than its header)")
    ident, magic, version = HEADER.unpack_from(data)
    if ident != b":W&B" or magic != MAGIC:
        raise LrcliError(f"{where}: not a W&B run file (no :W&B header)")
    if version != VERSION:
        raise LrcliError(f"{where}: W&B run file version {version}; lrcli reads version {VERSION}")
    records: list[bytes] = []
    pending: list[bytes] | None = None
    at = HEADER.size
    while at < len(data):
        left = BLOCK - at % BLOCK
        if left < CHUNK.size:  # a block's tail too short for a chunk header is padding
            at += left
            continue
        if at + CHUNK.size > len(data):
            break
        _, length, kind = CHUNK.unpack_from(data, at)
        if kind == 0 and length == 0:  # zero padding to the end of the block
            at += left
            continue
        body = data[at + CHUNK.size : at + CHUNK.size + length]
        if len(body) < length or length > left - CHUNK.size or kind not in (FULL, FIRST, MIDDLE, LAST):
            break
        at += CHUNK.size + length
        if kind == FULL:
            records.append(body)
        elif kind == FIRST:
            pending = [body]
        elif pending is not None:
            pending.append(body)
            if kind == LAST:
                records.append(b"".join(pending))
                pending = None
    complete = at >= len(data) and pending is None
    if complete:
        return records, ()
    if not records:
        raise LrcliError(f"{where}: not a W&B run file (no complete record)")
    return records, (f"{where} ends inside a record after byte {at:,} (is the run still writing it?); the "
                     f"{len(records):,} complete records are read",)


def _json(text: str, where: str) -> Any:
    return parse_json(text, f"{where} (a logged value)")


def _key(item: Any) -> str:
    return item.key or "/".join(item.nested_key)


def read_wandb_run(path: str, where: str, transformers_version: str, lr_column: str | None) -> LoggedSeries:
    record_class = _record_class()
    records, truncated = split_records(read_bytes(path, where, limit=TABLE_BYTES), where)
    rows: list[dict[str, Any]] = []
    config: dict[str, Any] = {}
    version = None
    for raw in records:
        try:
            record = record_class.FromString(raw)
        except Exception:  # the protobuf library's DecodeError
            raise LrcliError(f"{where}: not a W&B run file (a record does not decode)") from None
        kind = record.WhichOneof("record_type")
        if kind == "history":
            rows.append({_key(item): item.value_json for item in record.history.item})
        elif kind == "config":
            config.update({_key(item): item.value_json for item in record.config.update})
        elif kind == "telemetry" and record.telemetry.huggingface_version:
            version = record.telemetry.huggingface_version
    keys = {key for row in rows for key in row}
    if lr_column is not None:
        if lr_column not in keys:
            raise LrcliError(f"{where} has no logged key {shown(lr_column)}; it has: {', '.join(sorted(keys)) or 'none'}")
        lr_key = lr_column
    else:
        found = [k for k in LR_KEYS if k in keys]
        if not found:
            raise LrcliError(f"{where}: no learning-rate key ({', '.join(LR_KEYS)}) in the run's history; name it with "
                             f"--lr-column (keys: {', '.join(sorted(keys)) or 'none'})")
        lr_key = found[0]
    step_key = next(k for k in (*STEP_KEYS, None) if k is None or k in keys)
    if step_key is None:
        raise LrcliError(f"{where}: the run's history has no step key ({', '.join(STEP_KEYS)})")
    points = []
    for row in rows:
        if lr_key in row and step_key in row:
            step = logged_step(_json(row[step_key], where), f"{where} {step_key}")
            points.append((step, logged_number(_json(row[lr_key], where), f"{where} {lr_key} at step {step}")))
    steps, lrs, notes = series_from_points(points, where, lr_key)
    if step_key == "_step":
        notes += (f"{where}: no trainer step was logged, so W&B's _step (its count of wandb.log calls) is taken as the "
                  "optimizer step",)
    recorded: dict[str, Any] = {}
    for name in CONFIG_KEYS:
        if name in config:
            value = _json(config[name], where)
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                recorded[name] = value
    if isinstance(recorded.get("max_steps"), (int, float)) and recorded["max_steps"] <= 0:
        del recorded["max_steps"]  # TrainingArguments' -1: not set
    if step_key != "train/global_step":  # not the Trainer's WandbCallback: the logged step is taken as the row
        return LoggedSeries(steps, lrs, where, WANDB_FORMAT, EXACT, 0, f"the logged {step_key} is the row (LR after "
                            "that many scheduler steps)", recorded, truncated + notes)  # fmt: skip
    offset, rule = hf_rule(version or transformers_version)
    if version:
        recorded["transformers_version"] = version
        rule += " (the version the W&B run recorded)"
    return LoggedSeries(steps, lrs, where, WANDB_HF_FORMAT, EXACT, offset, rule, recorded, truncated + notes)
