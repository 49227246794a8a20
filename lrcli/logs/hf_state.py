"""The HF Trainer's `trainer_state.json` (`TrainerState.save_to_json`): `log_history[*].learning_rate` at `step`.

Which LR the Trainer logs at global_step g changed in transformers 4.51.0 (trainer.py `_inner_training_loop`):
- ≤ 4.50.3: `_maybe_log_save_evaluate` calls `self._get_learning_rate()` after `self.lr_scheduler.step()`, so step g
  logs the LR after g scheduler steps: lrcli's row g (the LR of the NEXT update);
- ≥ 4.51.0: "get leaning rate before update": `learning_rate = self._get_learning_rate()` is read before
  `lr_scheduler.step()` and passed to `_maybe_log_save_evaluate(..., learning_rate=learning_rate)`, so step g logs
  row g − 1, the LR update g used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from packaging.version import InvalidVersion, Version

from lrcli.errors import LrcliError
from lrcli.inputs.bounded import TABLE_BYTES, parse_json, read_text
from lrcli.logs.series import EXACT, LoggedSeries, logged_number, logged_step, series_from_points

LOGS_LR_USED = Version("4.51.0")
FORMAT = "HF trainer_state.json"
HF_FORMATS = (FORMAT, "HF Trainer TensorBoard", "LLaMA-Factory trainer_log.jsonl", "W&B run (HF Trainer)")  # the logs whose rule is the transformers version's


def hf_rule(transformers_version: str) -> tuple[int, str]:
    """(row offset, the rule in words) of the HF Trainer's LR logging under `transformers_version`."""
    try:
        version = Version(transformers_version)
    except InvalidVersion:
        raise LrcliError(f"transformers version {transformers_version!r} is not a version number") from None
    if version >= LOGS_LR_USED:
        return 1, f"transformers {transformers_version} (≥ 4.51.0) logs at step g the LR update g used (row g − 1)"
    return 0, f"transformers {transformers_version} (≤ 4.50.3) logs at step g the LR after g scheduler steps (row g)"


def deepspeed_rule(series: LoggedSeries) -> LoggedSeries:
    """`series` (an HF Trainer log) under the rule of a run under DeepSpeed, any transformers version: accelerate's
    `DeepSpeedEngineWrapper.backward` (accelerate 1.16.0 utils/deepspeed.py) calls `engine.step()`, which steps the
    optimizer AND the scheduler, inside `accelerator.backward(loss)`; the Trainer then reads "the learning rate before
    update" (transformers 5.25.0 trainer.py `_inner_training_loop`) after the scheduler already stepped, and
    `DeepSpeedSchedulerWrapper.step` is a no-op. So step g logs the LR after g scheduler steps (row g), as
    ≤ 4.50.3 did. Seen in the real DeepSpeed 0.19.8 run (tests/data/overlay/hf-deepspeed)."""
    if series.log_format not in HF_FORMATS:
        return series
    return replace(series, row_offset=0, rule="under DeepSpeed the engine steps the scheduler inside accelerator."
                   "backward, before the Trainer reads the LR: step g logs the LR after g scheduler steps (row g)")


# trainer_state.json keys → TrainConfig fields: what the log records about the run it belongs to.
RECORDED = {"max_steps": "max_steps", "num_train_epochs": "num_train_epochs",
            "train_batch_size": "per_device_train_batch_size", "logging_steps": "logging_steps"}  # fmt: skip


def parse_trainer_state(data: Any, where: str, transformers_version: str) -> LoggedSeries:
    history = data.get("log_history") if isinstance(data, dict) else None
    if not isinstance(history, list):
        raise LrcliError(f"{where}: no log_history list; expected a transformers trainer_state.json")
    points = []
    for entry in history:
        if isinstance(entry, dict) and "learning_rate" in entry and "step" in entry:
            step = logged_step(entry["step"], f"{where} log_history")
            points.append((step, logged_number(entry["learning_rate"], f"{where} learning_rate at step {step}")))
    steps, lrs, notes = series_from_points(points, where, "log_history learning_rate")
    recorded = {field: data[key] for key, field in RECORDED.items()
                if isinstance(data.get(key), (int, float)) and not isinstance(data.get(key), bool)}  # fmt: skip
    offset, rule = hf_rule(transformers_version)
    return LoggedSeries(steps, lrs, where, FORMAT, EXACT, offset, rule, recorded, notes)


def read_trainer_state(path: str, where: str, transformers_version: str) -> LoggedSeries:
    text = read_text(path, where, limit=TABLE_BYTES)
    return parse_trainer_state(parse_json(text, where), where, transformers_version)


def with_version(series: LoggedSeries, transformers_version: str) -> LoggedSeries:
    """`series` with the HF logging rule of `transformers_version` (other formats unchanged): the version is known
    only once the config is resolved, after the log was read."""
    if series.log_format not in HF_FORMATS or "transformers_version" in series.recorded:
        return series  # not the HF Trainer's, or the log recorded the version that wrote it (a W&B run)
    offset, rule = hf_rule(transformers_version)
    return replace(series, row_offset=offset, rule=rule)
