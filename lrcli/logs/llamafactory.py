"""LLaMA-Factory's `trainer_log.jsonl` (0.9.5 train/callbacks.py `LogCallback.on_log`): one JSON object per HF Trainer
log, `current_steps` = state.global_step, `total_steps` = state.max_steps, `lr` = the log's `learning_rate`. The value
is the HF Trainer's, so the transformers version's logging rule applies (hf_state.hf_rule)."""

from __future__ import annotations

from lrcli.errors import LrcliError
from lrcli.inputs.bounded import parse_json, text_lines
from lrcli.logs.hf_state import hf_rule
from lrcli.logs.series import EXACT, LoggedSeries, logged_number, logged_step, series_from_points

LLAMAFACTORY_FORMAT = "LLaMA-Factory trainer_log.jsonl"


def read_trainer_log(path: str, where: str, transformers_version: str) -> LoggedSeries:
    points, total = [], None
    for number, line in enumerate(text_lines(path, where), start=1):
        if not line.strip():
            continue
        entry = parse_json(line, f"{where} line {number}")
        if not isinstance(entry, dict) or "current_steps" not in entry:
            raise LrcliError(f"{where} line {number}: no current_steps; expected LLaMA-Factory's trainer_log.jsonl")
        if isinstance(entry.get("total_steps"), int) and not isinstance(entry["total_steps"], bool):
            total = entry["total_steps"]
        if "lr" in entry:
            step = logged_step(entry["current_steps"], f"{where} line {number} current_steps")
            points.append((step, logged_number(entry["lr"], f"{where} line {number} lr")))
    steps, lrs, notes = series_from_points(points, where, "lr")
    offset, rule = hf_rule(transformers_version)
    recorded = {"max_steps": total} if total else {}
    return LoggedSeries(steps, lrs, where, LLAMAFACTORY_FORMAT, EXACT, offset, rule, recorded, notes)
