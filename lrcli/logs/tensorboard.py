"""TensorBoard event files (`events.out.tfevents.*`) from HF's `TensorBoardCallback` (tag `train/learning_rate`, step
= global_step) and Lightning's `TensorBoardLogger` (`LearningRateMonitor` tags `lr-<Optimizer>`).

The bytes are read by lrcli's bounded reader and split into TFRecords here (8-byte length, 4-byte CRC, the record,
4-byte CRC); each record is decoded by the `tensorboard` package's own `Event` protocol buffer (the optional extra
`lrcli[tensorboard]`). Scalars are stored as float32, so the comparison allows float32 rounding.
"""

from __future__ import annotations

import struct

from lrcli.errors import LrcliError, shown
from lrcli.inputs.bounded import TABLE_BYTES, read_bytes
from lrcli.logs.hf_state import hf_rule
from lrcli.logs.lightning import LIGHTNING_FORMAT, lightning_rule
from lrcli.logs.series import FLOAT32, LoggedSeries, series_from_points

HF_TAGS = ("train/learning_rate", "learning_rate")
HF_TB_FORMAT = "HF Trainer TensorBoard"


def _event_class() -> type:
    try:
        from tensorboard.compat.proto.event_pb2 import Event
    except ImportError:
        raise LrcliError("reading TensorBoard event files needs the tensorboard package: "
                         "pip install 'lrcli[tensorboard]' (or export the scalars as CSV and pass that)") from None
    return Event


def _records(data: bytes, where: str) -> tuple[list[bytes], tuple[str, ...]]:
    """The records, and a note when the file ends inside one (a run still writing it: the complete ones are read,
    as TensorBoard does)."""
    records, at = [], 0
    while at < len(data):
        (length,) = struct.unpack_from("<Q", data, at) if at + 8 <= len(data) else (len(data),)
        start = at + 12
        if start + length + 4 > len(data):
            if not records:
                raise LrcliError(f"{where}: not a TensorBoard event file (no complete record)")
            return records, (f"{where} ends inside a record after byte {at:,} (is the run still writing it?); the "
                             f"{len(records):,} complete records are read",)
        records.append(data[start : start + length])
        at = start + length + 4
    return records, ()


def _value(value: object) -> float | None:
    which = value.WhichOneof("value")  # type: ignore[attr-defined]
    if which == "simple_value":
        return float(value.simple_value)  # type: ignore[attr-defined]
    if which == "tensor" and value.tensor.float_val:  # type: ignore[attr-defined]
        return float(value.tensor.float_val[0])  # type: ignore[attr-defined]
    return None


def read_events(path: str, where: str, transformers_version: str, lr_column: str | None) -> LoggedSeries:
    event_class = _event_class()
    scalars: dict[str, list[tuple[int, float]]] = {}
    records, truncated = _records(read_bytes(path, where, limit=TABLE_BYTES), where)
    for record in records:
        try:
            event = event_class.FromString(record)
        except Exception:  # the protobuf library's DecodeError
            raise LrcliError(f"{where}: not a TensorBoard event file (a record does not decode)") from None
        for value in event.summary.value:
            number = _value(value)
            if number is not None:
                scalars.setdefault(value.tag, []).append((int(event.step), number))
    if lr_column is not None:
        if lr_column not in scalars:
            raise LrcliError(f"{where} has no tag {shown(lr_column)}; it has: {', '.join(sorted(scalars)) or 'none'}")
        tag = lr_column
    else:
        found = [t for t in scalars if t in HF_TAGS or t.startswith("lr-")]
        if len(found) != 1:
            raise LrcliError(f"{where}: {'several' if found else 'no'} learning-rate tags "
                             f"({', '.join(found or sorted(scalars)) or 'none'}); pick one with --lr-column")
        tag = found[0]
    steps, lrs, notes = series_from_points(scalars[tag], where, tag)
    notes = truncated + notes
    if tag.startswith("lr-"):
        offset, rule = lightning_rule(steps)
        return LoggedSeries(steps, lrs, where, LIGHTNING_FORMAT + " (TensorBoard)", FLOAT32, offset, rule, {}, notes)
    offset, rule = hf_rule(transformers_version)
    return LoggedSeries(steps, lrs, where, HF_TB_FORMAT, FLOAT32, offset, rule, {}, notes)
