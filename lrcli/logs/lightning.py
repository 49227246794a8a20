"""Lightning's `LearningRateMonitor` logging rule (lightning 2.6.6, pytorch/callbacks/lr_monitor.py).

`on_train_batch_start` (logging_interval "step" or None) and `on_train_epoch_start` ("epoch" or None) call
`logger.log_metrics(stats, step=trainer.fit_loop.epoch_loop._batches_that_stepped)`: the LR is read before the
batch's (or epoch's first) update, at the count of optimizer steps done so far, so the value logged at step g is the
LR update g + 1 uses: lrcli's row g. Per-epoch logging gives one point per epoch, at g = epoch · updates per epoch.
"""

from __future__ import annotations

LIGHTNING_FORMAT = "Lightning LearningRateMonitor"


def lightning_rule(steps: tuple[int, ...]) -> tuple[int, str]:
    """(row offset, the rule in words) of a LearningRateMonitor series."""
    return 0, "Lightning's LearningRateMonitor logs at step g the LR read before update g + 1 (row g)"
