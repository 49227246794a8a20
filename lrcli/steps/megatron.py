"""Megatron's step arithmetic (megatron-core 0.12.3 … 0.19.2): megatron/training/arguments.py `validate_args`
(global batch, the iteration- vs sample-based checks) and training.py `get_optimizer_param_scheduler` /
`update_train_iters` / `train_step`.

* global batch GBS = `--global-batch-size`, else micro_batch_size · dp with dp = world // (tp · pp · cp);
* iteration-based (`--train-iters`): T = train_iters; the scheduler's horizon D = (lr_decay_iters or train_iters) · GBS
  samples, warmup W = lr_warmup_fraction · D or lr_warmup_iters · GBS, WSD anneal Wd = lr_wsd_decay_iters · GBS;
* sample-based (`--train-samples`): T = train_samples // GBS (the partial last batch is dropped), D = lr_decay_samples
  or train_samples, W = lr_warmup_fraction · D or lr_warmup_samples, Wd = lr_wsd_decay_samples;
* the scheduler steps by GBS after every iteration, so row s is the LR at s · GBS samples (lrcli.schedules.megatron);
* `--rampup-batch-size START INCREMENT SAMPLES` (0.12–0.17, sample-based): RampupBatchsizeNumMicroBatchesCalculator
  gives each iteration the batch START + int(consumed / (SAMPLES / n)) · INCREMENT (n = (GBS − START) // INCREMENT
  steps), GBS once more than SAMPLES are consumed; update_train_iters counts those iterations while consumed ≤ SAMPLES
  and ≤ train_samples, then (train_samples − consumed) // GBS more. The iterations of each batch size are handed to
  the schedule as `rampup_bands` (the scheduler steps by the batch of each iteration).
* `--step-batch-size-schedule` (0.18+; core/num_microbatches_calculator.py StepBatchsizeNumMicroBatchesCalculator):
  "THRESHOLD:BATCH …" with K/M/B/T suffixes, thresholds tokens // seq_length; each iteration takes the batch of the
  samples consumed before it; sample-based T = update_train_iters' count of iterations while consumed < train_samples;
  with --train-iters the horizons count the default GBS = micro_batch_size · dp (a GBS cannot be given beside it).
  The batches reach the schedule as bands, then the last batch per iteration;
* `--decrease-batch-size-if-needed` (ConstantNumMicroBatchesCalculator): every iteration consumes, and the scheduler
  steps by, GBS rounded down to a multiple of micro_batch_size · dp, while T and the horizons keep GBS.
The W lrcli shows is the first iteration at the peak: the smallest s with s · GBS ≥ W samples.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.inputs.values import number_text
from lrcli.steps.plan import Stage, StepPlan


class MegatronSchedule(NamedTuple):
    """What get_optimizer_param_scheduler hands OptimizerParamScheduler, and the iterations the loop runs."""

    train_iters: int
    global_batch_size: int
    lr_warmup_steps: int | float  # samples (a float with --lr-warmup-fraction)
    lr_decay_steps: int  # samples
    wsd_decay_steps: int | None  # samples
    stages: tuple[Stage, ...]
    notes: tuple[str, ...]
    rampup_bands: tuple[tuple[int, int], ...] | None = None  # (batch, iterations) while the batch ramps up
    increment: int | None = None  # samples per iteration after the bands, when not GBS (step schedule, decrease)


def _option(config: TrainConfig, key: str, default: Any = None) -> Any:
    value = config.trainer_options.get(key)
    return default if value is None else value


def _flag(config: TrainConfig, field: str) -> bool:
    return config.source_kind(field) == "flag"


def megatron_schedule(config: TrainConfig) -> MegatronSchedule:
    """The scheduler's settings in samples and the number of iterations, as Megatron derives them."""
    where = config.source("trainer_options")
    stages: list[Stage] = []
    notes: list[str] = []
    gbs = _option(config, "global_batch_size")
    tp, pp, cp = (int(_option(config, f"{k}_parallel_size", 1)) for k in ("tensor_model", "pipeline_model", "context"))
    model, world = tp * pp * cp, config.world_size
    if world % model and (gbs is None or config.source_kind("world_size") != "default"):
        raise LrcliError(f"world size ({world}, {config.source('world_size')}) is not divisible by total_model_size "
                         f"tp · pp · cp = {tp} · {pp} · {cp} (Megatron's validate_args asserts it); fix --world-size")
    if gbs is None:
        dp = world // model
        stages.append(("data-parallel size dp", f"world // (tp · pp · cp) = {world} // {model}", dp))
        gbs = config.per_device_train_batch_size * dp
        stages.append(("global batch GBS", f"micro_batch_size · dp = {config.per_device_train_batch_size} · {dp}", gbs))
    else:
        stages.append(("global batch GBS", "--global-batch-size", gbs))
        unit = config.per_device_train_batch_size * (world // model)
        decrease = _option(config, "decrease_batch_size_if_needed")
        if config.source_kind("world_size") != "default" and gbs % unit and not decrease:
            raise LrcliError(f"global batch size ({gbs}) is not divisible by micro batch size "
                             f"({config.per_device_train_batch_size}) times data parallel size ({world // model}) "
                             "(Megatron's micro-batch calculator asserts it); fix --global-batch-size or --world-size")
    iters, samples = _option(config, "train_iters"), _option(config, "train_samples")
    if config.total_steps is not None:
        if samples and not iters:
            raise LrcliError("--total-steps sets Megatron's --train-iters, but this run is sample-based "
                             "(--train-samples); change --train-samples in the script instead")
        iters = config.total_steps
    warmup_iters, warmup_samples = _option(config, "lr_warmup_iters", 0), _option(config, "lr_warmup_samples", 0)
    fraction = _option(config, "lr_warmup_fraction")
    if _flag(config, "warmup_ratio") and config.warmup_ratio is not None:
        fraction, warmup_iters, warmup_samples = config.warmup_ratio, 0, 0
    elif _flag(config, "warmup_steps"):
        if config.warmup_steps < 1:
            fraction, warmup_iters, warmup_samples = config.warmup_steps, 0, 0
        elif samples and not iters:
            raise LrcliError("--warmup-steps counts iterations, but this run is sample-based (Megatron refuses "
                             "--lr-warmup-iters with --train-samples); set --lr-warmup-samples in the script")
        else:
            fraction, warmup_iters, warmup_samples = None, int(config.warmup_steps), 0
    decay_iters, decay_samples = _option(config, "lr_decay_iters"), _option(config, "lr_decay_samples")
    wsd_iters, wsd_samples = _option(config, "lr_wsd_decay_iters"), _option(config, "lr_wsd_decay_samples")
    if iters:
        for ok, text in ((not samples, "expected iteration-based training (--train-samples with --train-iters)"),
                         (decay_samples is None, "expected iteration-based learning rate decay (--lr-decay-samples "
                                                 "with --train-iters)"),
                         (warmup_samples == 0, "expected iteration-based learning rate warmup (--lr-warmup-samples "
                                               "with --train-iters)"),
                         (fraction is None or warmup_iters == 0, "can only specify one of lr-warmup-fraction and "
                                                                  "lr-warmup-iters")):
            if not ok:
                raise LrcliError(f"{where}: {text}; Megatron's validate_args asserts it")
        total = iters
        stages.append(("iterations T", "--train-iters", total))
        decay_iters = iters if decay_iters is None else decay_iters
        decay = decay_iters * gbs
        stages.append(("decay horizon D (samples)", f"lr_decay_iters · GBS = {decay_iters} · {gbs}", decay))
        wsd = None if wsd_iters is None else wsd_iters * gbs
        if fraction is not None:
            warmup = fraction * decay
            stages.append(("warmup W (samples)", f"lr_warmup_fraction · D = {fraction!r} · {decay}", warmup))
        else:
            warmup = warmup_iters * gbs
            stages.append(("warmup W (samples)", f"lr_warmup_iters · GBS = {warmup_iters} · {gbs}", warmup))
    elif samples:
        for ok, text in ((decay_iters is None, "expected sample-based learning rate decay (--lr-decay-iters with "
                                               "--train-samples)"),
                         (warmup_iters == 0, "expected sample-based learnig rate warmup (--lr-warmup-iters with "
                                             "--train-samples)"),
                         (fraction is None or warmup_samples == 0, "can only specify one of lr-warmup-fraction and "
                                                                    "lr-warmup-samples")):
            if not ok:
                raise LrcliError(f"{where}: {text}; Megatron's validate_args asserts it")
        ramp = _option(config, "rampup_batch_size")
        step_bands = step_schedule_bands(config, world, model)
        if step_bands is not None:
            total = step_schedule_iterations(step_bands, samples)
            stages.append(("iterations T", f"update_train_iters: iterations while consumed < train_samples = "
                           f"{samples} (each consumes its scheduled batch)", total))
        elif ramp is None:
            total = samples // gbs
            stages.append(("iterations T", f"train_samples // GBS = {samples} // {gbs}", total))
        else:
            bands = rampup_bands(gbs, ramp, config, world, model)
            counted = _ramp_iterations(bands, gbs, ramp, samples)
            total = counted[0] + max(0, samples - counted[1]) // gbs
            stages.append(("ramp-up iterations", f"batches {bands[0][0]} … {bands[-1][0]} while consumed ≤ "
                           f"{ramp[2]} and ≤ train_samples", counted[0]))
            stages.append(("iterations T", f"ramp-up + (train_samples − {counted[1]}) // GBS", total))
        decay = samples if decay_samples is None else decay_samples
        stages.append(("decay horizon D (samples)", "--lr-decay-samples" if decay_samples is not None
                       else "train_samples", decay))
        wsd = wsd_samples
        if fraction is not None:
            warmup = fraction * decay
            stages.append(("warmup W (samples)", f"lr_warmup_fraction · D = {fraction!r} · {decay}", warmup))
        else:
            warmup = warmup_samples
            stages.append(("warmup W (samples)", "--lr-warmup-samples", warmup))
        if samples % gbs and _option(config, "rampup_batch_size") is None and step_bands is None:
            notes.append(f"Megatron runs train_samples // GBS = {total} iterations: the last {samples % gbs} of "
                         f"{number_text(samples)} samples are never trained on")
    else:
        raise LrcliError(f"{where}: either --train-iters or --train-samples should be provided (Megatron raises "
                         "without one); add one to the script or give --total-steps")
    if total < 1:
        raise LrcliError(f"Megatron runs {total} iterations with these settings (train_samples < global batch "
                         f"{gbs}?); nothing is trained")
    if wsd is not None:
        stages.append(("WSD anneal Wd (samples)", "lr_wsd_decay_iters · GBS" if iters else "--lr-wsd-decay-samples",
                       wsd))
    ramp_bands = None
    increment = gbs
    if _option(config, "rampup_batch_size") is not None and not iters:
        ramp_bands = rampup_bands(gbs, _option(config, "rampup_batch_size"), config, world, model)
    step_bands = step_schedule_bands(config, world, model, total)
    if step_bands is not None:
        ramp_bands, increment = step_bands[:-1] or None, step_bands[-1][0]
        stages.append(("batch schedule", "--step-batch-size-schedule: " + ", ".join(
            f"{size} × {count}" for size, count in step_bands[:-1]) + f"{', ' if len(step_bands) > 1 else ''}then "
            f"{increment} per iteration", increment))
        if iters:
            notes.append(f"with --step-batch-size-schedule and --train-iters Megatron counts the warmup and decay "
                         f"horizons in units of its default global batch micro_batch_size · dp = {gbs} samples, "
                         "while each iteration consumes its scheduled batch")
    if _option(config, "decrease_batch_size_if_needed"):
        increment = decreased_batch(config, gbs, world, model)
        stages.append(("running batch", "GBS rounded down to a multiple of micro_batch_size · dp "
                       "(--decrease-batch-size-if-needed)", increment))
        if increment != gbs:
            notes.append(f"--decrease-batch-size-if-needed: Megatron trains on {increment} of each global batch of "
                         f"{gbs} samples and steps the scheduler by {increment}, while its horizons count {gbs} per "
                         "iteration: warmup and decay take longer in iterations")
    decay_end = warmup_iterations(decay, increment, ramp_bands)
    if decay_end < total and config.lr_scheduler_type != "megatron_constant":
        notes.append(f"the decay ends at {number_text(decay)} samples (iteration {decay_end}), before the "
                     f"run's {total} iterations: the LR then stays at min_lr")
    for field in ("dataset_size", "num_train_epochs", "gradient_accumulation_steps", "max_steps"):
        if _flag(config, field):
            notes.append(f"{config.source(field)} has no effect on a Megatron run: it trains for --train-iters / "
                         "--train-samples with its global batch")
    return MegatronSchedule(total, gbs, warmup, decay, wsd, tuple(stages), tuple(notes), ramp_bands, increment)


def rampup_bands(gbs: int, ramp: Any, config: TrainConfig, world: int, model: int) -> tuple[tuple[int, int], ...]:
    """(batch, iterations) of the ramp-up, in order, until more than SAMPLES are consumed: the calculator's
    `update(consumed)` before each iteration, `consumed += batch` after it (megatron/core/num_microbatches_calculator.py
    RampupBatchsizeNumMicroBatchesCalculator, training.py train())."""
    start, step, samples = (int(v) for v in ramp)
    for ok, text in ((start > 0, f"start batch size should be positive, got {start}"),
                     (step > 0, f"batch size increment should be positive, got {step}"),
                     (samples >= 0, f"ramp-up samples should be non-negative, got {samples}"),
                     (gbs - start >= 0, f"expected global batch size to be greater than or equal to start batch "
                                        f"size, got {gbs} and {start}"),
                     ((gbs - start) % step == 0, f"expected global batch size interval ({gbs - start}) to be "
                                                 f"divisible by global batch size increment ({step})")):
        if not ok:
            raise LrcliError(f"--rampup-batch-size: {text} (Megatron's calculator asserts it)")
    increments = (gbs - start) // step
    if increments == 0:
        raise LrcliError(f"--rampup-batch-size starts at the global batch {gbs}: Megatron's calculator divides the "
                         "ramp-up samples by zero increments (ZeroDivisionError); drop --rampup-batch-size")
    per_increment = samples / increments  # self.rampup_samples_per_increment, a float
    unit = config.per_device_train_batch_size * (world // model)
    check = config.source_kind("world_size") != "default" or model == 1

    def batch(consumed: int) -> int:
        return gbs if consumed > samples else start + int(consumed / per_increment) * step

    bands: list[tuple[int, int]] = []
    consumed = 0
    while consumed <= samples:
        size = batch(consumed)
        if check and size % unit:
            raise LrcliError(f"current global batch size ({size}) is not divisible by micro-batch-size "
                             f"({config.per_device_train_batch_size}) times data parallel size ({world // model}) "
                             "during the ramp-up (Megatron asserts it); fix --rampup-batch-size or --world-size")
        # iterations at this batch: the largest k with batch(consumed + i · size) == size for all i < k (monotone)
        low, high = 1, (samples - consumed) // size + 2
        while low < high:
            middle = (low + high + 1) // 2
            if batch(consumed + (middle - 1) * size) == size:
                low = middle
            else:
                high = middle - 1
        bands.append((size, low))
        consumed += low * size
    return tuple(bands)


_SUFFIXES = {"T": 1_000_000_000_000, "B": 1_000_000_000, "M": 1_000_000, "K": 1_000}


def _schedule_number(text: str, where: str) -> int:
    """StepBatchsizeNumMicroBatchesCalculator._parse_numeric_value: an optional K/M/B/T suffix, int(float(v) · m)."""
    value = text.strip().upper()
    multiplier = _SUFFIXES.get(value[-1:], 1)
    if multiplier != 1:
        value = value[:-1]
    try:
        number = float(value) * multiplier
        return int(number)
    except (ValueError, OverflowError):
        raise LrcliError(f"{where}: {text!r} is not a number (Megatron's schedule parser raises ValueError)") from None


def parse_step_schedule(schedule: str, seq_length: int | None, where: str) -> list[tuple[int, int]]:
    """(threshold in samples, batch) pairs as StepBatchsizeNumMicroBatchesCalculator parses and validates them:
    commas are spaces, thresholds are tokens ÷ seq_length (floor) when seq_length is set, sorted by threshold; the
    first must be 0, thresholds strictly increase, batches are positive."""
    entries = []
    for entry in schedule.strip().replace(",", " ").split():
        if ":" not in entry:
            raise LrcliError(f'{where}: Invalid schedule entry "{entry}". Expected format: "THRESHOLD:BATCH_SIZE" '
                             "(Megatron raises ValueError)")
        threshold_text, batch_text = entry.split(":", 1)
        threshold = _schedule_number(threshold_text, where)
        if seq_length is not None:
            threshold //= seq_length
        entries.append((threshold, _schedule_number(batch_text, where)))
    entries.sort(key=lambda pair: pair[0])
    checks = [(len(entries) > 0, "schedule must have at least one entry")]
    if entries:
        checks.append((entries[0][0] == 0, f"first schedule entry must have threshold 0, got {entries[0][0]}"))
        checks += [(later[0] > earlier[0], f"schedule thresholds must be strictly increasing, got {earlier[0]} "
                    f"before {later[0]}") for earlier, later in zip(entries, entries[1:], strict=False)]
        checks += [(batch > 0, f"batch size must be positive, got {batch}") for _threshold, batch in entries]
    for ok, text in checks:
        if not ok:
            raise LrcliError(f"{where}: {text} (Megatron's step batch size calculator asserts it)")
    for threshold, _batch in entries:
        if abs(threshold) > 2**53:
            raise LrcliError(f"{where}: threshold {threshold} samples is beyond what lrcli computes exactly (2^53)")
    return entries


def step_schedule_bands(config: TrainConfig, world: int, model: int,
                        iterations: int | None = None) -> tuple[tuple[int, int], ...] | None:
    """--step-batch-size-schedule as (batch, iterations) bands, the last with iterations 0 (it runs to the end):
    before each iteration train() asks the calculator for the batch of the samples consumed so far, then consumes
    that batch (num_microbatches · micro_batch_size · dp). Within the first `iterations` iterations (when given),
    the checks train() makes: the batch divisible by micro_batch_size · dp (when the world size is known) and the number of
    micro-batches never decreasing."""
    schedule = _option(config, "step_batch_size_schedule")
    if schedule is None:
        return None
    where = config.source("trainer_options")
    if _option(config, "decrease_batch_size_if_needed"):
        raise LrcliError(f"{where}: Cannot specify both --step-batch-size-schedule and --decrease-batch-size-if-needed "
                         "(Megatron's calculator raises ValueError); drop one")
    entries = parse_step_schedule(schedule, _option(config, "seq_length"), f"{where} --step-batch-size-schedule")
    bands: list[tuple[int, int]] = []
    consumed = iteration = 0
    for index, (_threshold, size) in enumerate(entries):
        following = entries[index + 1][0] if index + 1 < len(entries) else None
        if following is not None and consumed >= following:
            continue  # an earlier batch already carried the samples past this threshold
        count = 0 if following is None else -(-(following - consumed) // size)
        bands.append((size, count))
        consumed += count * size
    unit = config.per_device_train_batch_size * (world // model) if world // model else 0
    check = config.source_kind("world_size") != "default" or model == 1
    for index, (size, count) in enumerate(bands):
        if iterations is None or iteration >= iterations:
            break  # train() checks only the batches its iterations reach
        if check and unit and size % unit:
            raise LrcliError(f"{where}: current global batch size ({size}) is not divisible by micro_batch_size "
                             f"({config.per_device_train_batch_size}) * data_parallel_size ({world // model}) at "
                             f"iteration {iteration} (Megatron's calculator asserts it); fix the schedule or "
                             "--world-size")
        if index and unit and size // unit < bands[index - 1][0] // unit:
            raise LrcliError(f"{where}: the batch drops from {bands[index - 1][0]} to {size} at iteration "
                             f"{iteration}: Number of microbatches should not decrease (Megatron's train loop asserts "
                             "it); fix --step-batch-size-schedule")
        iteration += count
    return tuple(bands)


def step_schedule_iterations(bands: tuple[tuple[int, int], ...], samples: int) -> int:
    """update_train_iters with a step schedule: iterations while consumed < train_samples."""
    iterations = consumed = 0
    for size, count in bands:
        if not count or consumed + count * size >= samples:
            return iterations + max(0, -(-(samples - consumed) // size))
        iterations, consumed = iterations + count, consumed + count * size
    return iterations


def decreased_batch(config: TrainConfig, gbs: int, world: int, model: int) -> int:
    """ConstantNumMicroBatchesCalculator with decrease_batch_size_if_needed: the running global batch is GBS rounded
    down to a multiple of micro_batch_size · dp (at least one micro-batch), which is what each iteration consumes
    and what the scheduler steps by."""
    if config.source_kind("world_size") == "default":
        raise LrcliError("--decrease-batch-size-if-needed rounds the global batch down to a multiple of "
                         "micro_batch_size · dp: give the world size (--world-size, or torchrun's --nproc_per_node "
                         "in the script)")
    unit = config.per_device_train_batch_size * (world // model)
    running = gbs // unit * unit if unit else 0
    if running < 1:
        raise LrcliError(f"number of microbatches should be at least 1, got 0 (global batch {gbs} < micro_batch_size "
                         f"· dp = {unit}; Megatron's calculator asserts it)")
    return running


def _ramp_iterations(bands: tuple[tuple[int, int], ...], gbs: int, ramp: Any, limit: int) -> tuple[int, int]:
    """update_train_iters' ramp-up loop: iterations while consumed ≤ SAMPLES and consumed ≤ train_samples, and the
    samples consumed then."""
    iterations = consumed = 0
    limit = min(limit, int(ramp[2]))
    for size, count in bands:
        if consumed > limit:
            break
        # the loop tests consumed before each iteration: those started at consumed ≤ both limits
        take = min(count, (limit - consumed) // size + 1)
        iterations += take
        consumed += take * size
        if take < count:
            break
    return iterations, consumed


def warmup_iterations(warmup_samples: int | float, gbs: int,
                      bands: tuple[tuple[int, int], ...] | None = None) -> int:
    """The first iteration s at the peak: the smallest s whose samples consumed reach W (s · GBS, or through the
    ramp-up's bands first), 0 without warmup; counted exactly."""
    if warmup_samples <= 0:
        return 0
    target = Fraction(warmup_samples)
    first = consumed = 0
    for size, count in bands or ():
        if consumed + count * size >= target:
            return first + math.ceil((target - consumed) / size)
        first, consumed = first + count, consumed + count * size
    return first + math.ceil((target - consumed) / gbs)


def plan_megatron_steps(config: TrainConfig) -> StepPlan:
    plan = megatron_schedule(config)
    increment = plan.increment or plan.global_batch_size
    warmup = warmup_iterations(plan.lr_warmup_steps, increment, plan.rampup_bands)
    if plan.rampup_bands:
        formula = f"the first iteration whose consumed samples reach W = {plan.lr_warmup_steps!r} (changing batches)"
    elif increment != plan.global_batch_size:
        formula = f"ceil(W / running batch) = ceil({plan.lr_warmup_steps!r} / {increment})"
    else:
        formula = f"ceil(W / GBS) = ceil({plan.lr_warmup_steps!r} / {plan.global_batch_size})"
    stages = (*plan.stages, ("warmup W (iterations)", formula, warmup))
    # samples per update: GBS, except while the batch ramps up (then no single number)
    return StepPlan(total=plan.train_iters, warmup=warmup, notes=plan.notes,
                    total_train_batch_size=plan.global_batch_size,
                    samples_per_update=None if plan.rampup_bands else increment, stages=stages)


def megatron_kwargs(config: TrainConfig, plan: StepPlan) -> dict[str, Any]:
    """The OptimizerParamScheduler settings in samples, beside the dialect's init_lr/min_lr/lr_wsd_decay_style."""
    derived = megatron_schedule(config)
    return {
        **config.lr_scheduler_kwargs,
        "lr_warmup_steps": derived.lr_warmup_steps, "lr_decay_steps": derived.lr_decay_steps,
        "wsd_decay_steps": derived.wsd_decay_steps, "increment": derived.increment or derived.global_batch_size,
        **({"rampup_bands": [list(band) for band in derived.rampup_bands]} if derived.rampup_bands else {}),
    }
