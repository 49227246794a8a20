"""torchtune's `DiskLogger` file (0.6.1 training/metric_logging.py: `log_dict` writes `Step {step} | name:value …`
per line). The recipes (e.g. recipes/lora_finetune_single_device.py `train`) call `self._lr_scheduler.step()`, then
`self.global_step += 1`, then log `"lr": self._optimizer.param_groups[0]["lr"]` at `step=self.global_step`: the LR
after g scheduler steps, lrcli's row g."""

from __future__ import annotations

import re

from lrcli.errors import LrcliError
from lrcli.inputs.bounded import text_lines
from lrcli.logs.series import EXACT, LoggedSeries, logged_number, logged_step, series_from_points

TORCHTUNE_FORMAT = "torchtune DiskLogger"
LINE = re.compile(r"^Step (\d+) \| (.*)$")


def read_disk_log(path: str, where: str, lr_column: str | None = None) -> LoggedSeries:
    name = lr_column or "lr"
    points = []
    for number, line in enumerate(text_lines(path, where), start=1):
        match = LINE.match(line.rstrip("\r\n"))
        if match is None:
            if line.strip():
                raise LrcliError(f"{where} line {number}: not 'Step N | name:value …'; expected a torchtune log_*.txt")
            continue
        fields = dict(item.split(":", 1) for item in match.group(2).split() if ":" in item)
        if name in fields:
            step = logged_step(match.group(1), f"{where} line {number}")
            points.append((step, logged_number(fields[name], f"{where} line {number} {name}")))
    steps, lrs, notes = series_from_points(points, where, name)
    rule = "torchtune logs at step g the LR after g scheduler steps (row g)"
    return LoggedSeries(steps, lrs, where, TORCHTUNE_FORMAT, EXACT, 0, rule, {}, notes)
