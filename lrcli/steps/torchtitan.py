"""torchtitan's step count: T = `training.steps`, and the warmup/stable/decay split its scheduler builds.

The train loop (`torchtitan/train.py` `Trainer.train` in 0.1.0–0.2.2, `torchtitan/trainer.py` in 0.3.0) runs
`while step < training.steps`, one optimizer update and one `lr_schedulers.step()` per step; its dataloaders repeat
the data (`infinite=True`), so T does not depend on the dataset. Gradient accumulation (global_batch_size over
local_batch_size · dp) happens inside one step. The schedule's own total T' is `lr_scheduler.total_steps` when set
(0.2.2+), else T; W, D and S are derived from T' as `build_lr_schedulers` does (schedules.torchtitan.wsd_lengths).
"""

from __future__ import annotations

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.schedules.torchtitan import wsd_lengths
from lrcli.steps.plan import Stage, StepPlan


def plan_torchtitan_steps(config: TrainConfig) -> StepPlan:
    stages: list[Stage] = []
    notes: list[str] = []
    if config.total_steps is not None:
        total = config.total_steps
        stages.append(("total steps T", "--total-steps", total))
    else:
        total = config.max_steps
        stages.append(("total steps T", f"training.steps ({config.source('max_steps')})", total))
    if total < 1:
        raise LrcliError(f"torchtitan: training.steps = {total} runs no step (`while step < training.steps`); "
                         "set training.steps ≥ 1")
    kwargs = config.lr_scheduler_kwargs
    given_total = kwargs.get("total_steps")
    schedule_total = total if given_total is None else int(given_total)
    if given_total is not None:
        stages.append(("schedule total T'", "lr_scheduler.total_steps", schedule_total))
        if schedule_total < total:
            notes.append(f"lr_scheduler.total_steps = {schedule_total} < training.steps = {total}: torchtitan's "
                         "decay runs on past its end for the last steps (linear/sqrt go below the floor, even below "
                         "0; cosine rises again)")
    requested = int(config.warmup_steps)
    warmup, decay, stable = wsd_lengths(requested, schedule_total, kwargs.get("decay_ratio"))
    stages.append(("warmup W", f"min(int(lr_scheduler.warmup_steps), T') = min({requested}, {schedule_total})", warmup))
    if requested > schedule_total:
        notes.append(f"torchtitan: warmup steps ({requested}) exceed total steps ({schedule_total}); it adjusts "
                     f"warmup steps to {schedule_total}")
    ratio = kwargs.get("decay_ratio")
    if ratio is None:
        stages.append(("decay steps D", f"T' − W = {schedule_total} − {warmup}", decay))
    else:
        wanted = round(schedule_total * ratio)
        stages.append(("decay steps D", f"round(T' · decay_ratio) = round({schedule_total} · {ratio})", wanted))
        if wanted != decay:
            notes.append(f"torchtitan: warmup ({warmup}) + decay ({wanted}) steps exceed total steps "
                         f"({schedule_total}); it adjusts decay steps to {decay}")
            stages.append(("decay steps D", f"capped at T' − W = {schedule_total} − {warmup}", decay))
    stages.append(("stable steps S", f"T' + 1 − W − D = {schedule_total} + 1 − {warmup} − {decay} (a virtual last "
                                     "step keeps the last update above the floor)", stable))
    per_update = config.global_batch_size
    return StepPlan(total=total, warmup=warmup, notes=tuple(notes), samples_per_update=per_update,
                    stages=tuple(stages))
