"""The Hugging Face Trainer's step count and warmup, per transformers version (`Trainer.set_initial_training_values`,
`TrainingArguments.get_warmup_steps`), on accelerate's sharded dataloader (`hf_accelerate`) with the rules of the
version in force (`hf_versions`). Every other planner that hands its run to the HF Trainer builds on `plan_hf_steps`."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from lrcli.config import TrainConfig
from lrcli.errors import LrcliError
from lrcli.schedules import SCHEDULES
from lrcli.steps.hf_accelerate import shard_batches
from lrcli.steps.hf_deepspeed import check_deepspeed_auto_warmup
from lrcli.steps.hf_versions import HFRules, contrast_version, lacking_keys, parse_version, rules_for
from lrcli.steps.plan import Stage, StepPlan, no_total_steps


def hf_warmup_steps(total: int, warmup_steps: float, warmup_ratio: float | None) -> tuple[int, tuple[str, ...]]:
    """W as transformers 5.x `TrainingArguments.get_warmup_steps(T)`: int(ws) if ws >= 1 else ceil(T · ws).

    `warmup_ratio` (removed in 5.15) is read as 5.0–5.14's `__post_init__` does: it replaces `warmup_steps`.
    """
    notes: tuple[str, ...] = ()
    if warmup_ratio is not None:
        if warmup_steps:
            notes = (
                f"warmup_ratio {warmup_ratio} overrides warmup_steps {warmup_steps:g}, as in transformers 5.0–5.14",
            )
        warmup_steps = warmup_ratio
    if warmup_steps >= 1:
        return int(warmup_steps), notes
    return math.ceil(total * warmup_steps), notes


def _warmup_4x(total: int, ws: float, ratio: float | None, version: str) -> tuple[int, tuple[str, ...], Stage]:
    """4.x: `warmup_steps: int` (a whole number, checked from 4.42.0) wins when > 0, else ceil(T · warmup_ratio)."""
    if ws != int(ws):
        raise LrcliError(
            f"--warmup-steps {ws:g}: transformers {version} takes warmup_steps as a whole step count "
            f"(a fraction is a 5.x meaning); use --warmup-ratio {ws:g}"
        )
    if ws > 0:
        notes = (f"warmup_steps {int(ws)} overrides warmup_ratio {ratio:g} (transformers 4.x)",) if ratio else ()
        return int(ws), notes, ("warmup steps W", f"warmup_steps (> 0, so it wins) = {int(ws)}", int(ws))
    ratio = ratio or 0.0
    warmup = math.ceil(total * ratio)
    return warmup, (), ("warmup steps W", f"ceil(T · warmup_ratio) = ceil({total} · {ratio!r})", warmup)


def _warmup_5x(total: int, ws: float, ratio: float | None, version: str) -> tuple[int, tuple[str, ...], Stage]:
    """5.0–5.14: a set warmup_ratio is copied over warmup_steps in `__post_init__`, then the float rule."""
    warmup, notes = hf_warmup_steps(total, ws, ratio)
    source = "warmup_steps"
    if ratio is not None:
        if ratio >= 1:
            notes += (
                f"warmup_ratio {ratio!r} becomes warmup_steps {ratio!r} in transformers {version}: "
                f"a count, so W = {warmup}",
            )
        ws, source = ratio, "warmup_steps := warmup_ratio (5.0–5.14 __post_init__)"
    if ws >= 1:
        return warmup, notes, ("warmup steps W", f"int({source}) = int({ws!r}), since it is ≥ 1", warmup)
    return warmup, notes, ("warmup steps W", f"ceil(T · {source}) = ceil({total} · {ws!r})", warmup)


def _warmup_5_15(total: int, ws: float, ratio: float | None, version: str) -> tuple[int, tuple[str, ...], Stage]:
    """5.15+: the float rule. warmup_ratio no longer exists there: a config file's is refused or dropped before this
    (`_refuse_lacking_keys`, `steps.trl`), so a ratio here is lrcli's own `--warmup-ratio` (or a Python caller's):
    W = ceil(T · R), as 4.x read it, with a note on how to write it for that version."""
    if ratio is None:
        return _warmup_5x(total, ws, None, version)
    if ratio == 0:
        # 4.x dumps (training_args.json, to_dict) always carry its default warmup_ratio 0.0: nothing was asked for.
        warmup, _, stage = _warmup_5x(total, ws, None, version)
        return warmup, (f"warmup_ratio 0 asks for no ratio (4.x training_args.json dumps always carry it), so W comes "
                        f"from warmup_steps; transformers {version} has no warmup_ratio",), stage
    notes = (
        f"transformers {version} has no warmup_ratio (TrainingArguments raises TypeError); lrcli's warmup ratio "
        f"{ratio!r} keeps its meaning, W = ceil(T · {ratio!r}); in a config for that version "
        f"{warmup_ratio_fix(ratio, total, ws)}",
    )
    if ws:
        notes += (f"warmup ratio {ratio!r} is used in place of warmup_steps {ws:g}, as transformers 5.0–5.14 did",)
    warmup = math.ceil(total * ratio)
    return warmup, notes, ("warmup steps W", f"ceil(T · warmup_ratio) = ceil({total} · {ratio!r})", warmup)


WARMUP_RULES = {"4.x": _warmup_4x, "5.0-5.14": _warmup_5x, "5.15+": _warmup_5_15}


# What a fix for each key a transformers version lacks looks like (the key is refused: see `_refuse_lacking_keys`).
_LACKING_KEY_FIX = {
    "lr_scheduler_kwargs": "drop the key (the schedule then takes its defaults)",
    "accelerator_config": "drop the key (before 4.38 split_batches and dispatch_batches were keys of their own; lrcli "
                          "takes them as --split-batches / --no-even-batches)",
}


def warmup_ratio_fix(ratio: float, total: int, warmup_steps: float) -> str:
    """How to ask transformers ≥ 5.15 for the warmup `warmup_ratio: ratio` meant (W = ceil(T · ratio))."""
    meant = math.ceil(total * ratio)
    both = " in place of both keys" if warmup_steps else " in its place"
    if ratio < 1:
        return f"write warmup_steps: {ratio!r}{both} (there a value < 1 is a fraction of T: W = {meant} here)"
    return f"write warmup_steps: {total}{both} (a count there: W = T = {total})"


def _refuse_lacking_keys(config: TrainConfig, rules: HFRules, total: int) -> None:
    """A TrainingArguments key of the config file that this version does not have: `TrainingArguments(**keys)`
    raises TypeError and `HfArgumentParser.parse_yaml_file`/`parse_dict` ValueError (LLaMA-Factory's parser is
    `parse_dict`), so the run never starts. TRL's launcher drops such keys instead (`steps.trl`). A `warmup_ratio`
    of 0 is let through with a note (4.x `training_args.json` dumps always carry it; `_warmup_5_15`), and a key
    whose every field a flag overrides is lrcli's to plan with."""
    lacking = lacking_keys(rules, config.version_bound_keys)
    for key, when in lacking.items():
        fields = KEY_FIELDS[key]
        if all(config.source_kind(name) == "flag" for name in fields) or (key == "warmup_ratio" and not config.warmup_ratio):
            continue
        if key == "warmup_ratio":
            fix = warmup_ratio_fix(config.warmup_ratio, total, config.warmup_steps)
        else:
            fix = _LACKING_KEY_FIX[key]
        raise LrcliError(
            f"{config.source('version_bound_keys')} key {key}: transformers {rules.name} "
            f"({config.source('transformers_version')}) has no {key} ({when}), so the run stops before training: "
            f"TrainingArguments raises TypeError (TrainingArguments.__init__() got an unexpected keyword argument "
            f"'{key}') and HfArgumentParser ValueError (Some keys are not used by the HfArgumentParser: ['{key}']); "
            f"for that version {fix}; or, if the run uses another transformers, give --transformers-version"
        )


# TrainConfig fields each version-bound TrainingArguments key sets.
KEY_FIELDS = {
    "warmup_ratio": ("warmup_ratio",),
    "lr_scheduler_kwargs": ("lr_scheduler_kwargs",),
    "accelerator_config": ("split_batches", "even_batches"),
}


def _check_schedule_exists(config: TrainConfig, rules: HFRules) -> None:
    schedule = SCHEDULES.get(config.lr_scheduler_type)
    if schedule is not None and schedule.added_in and rules.version < parse_version(schedule.added_in):
        raise LrcliError(
            f"lr_scheduler_type {schedule.name!r} does not exist in transformers {rules.name}: it was added "
            f"in {schedule.added_in}; pick --transformers-version {schedule.added_in} or later, or another schedule"
        )


def _final_epoch(total: int, batches: int, accumulation: int, rules: HFRules) -> float | None:
    """`state.epoch` at the last optimizer step: whole epochs done plus the share of the last one consumed.

    From 4.47.0 the loop takes ceil(L/GA) updates per epoch (the last window may be partial); older loops
    are not modelled (windows crossed epoch boundaries), so `None`.
    """
    if not rules.loop_steps_partial_window:
        return None
    per_epoch = -(-batches // accumulation)
    full, rest = divmod(total, per_epoch)
    return float(full) if rest == 0 else full + rest * accumulation / batches


def plan_hf_steps(config: TrainConfig) -> StepPlan:
    """The Hugging Face Trainer's plan, as `Trainer.set_initial_training_values` + `get_warmup_steps(T)`.

    L = per-process batches (accelerate sharding), U = max(ceil(L/GA), 1) update steps per epoch (floor before
    4.52.1; the Trainer's `num_update_steps_per_epoch`), T = max_steps if > 0 else ceil(E · U) in Python floats,
    W per the version's warmup rule.
    """
    rules, notes = rules_for(config.transformers_version, version_subject(config))
    _check_schedule_exists(config, rules)
    version = rules.name
    stages: list[Stage] = []
    batches = updates = looped = effective = final_epoch = None
    if config.total_steps is not None:
        total = config.total_steps
        stages.append(("total steps T", "--total-steps", total))
        unused = [f"the dataset size {config.dataset_size}"] if config.dataset_size is not None else []
        unused += [f"max_steps {config.max_steps}"] if config.max_steps > 0 else []
        if unused:
            notes += (f"T = {total} comes from --total-steps; {' and '.join(unused)} not used",)
    else:
        total, batches, updates, looped, effective, final_epoch, counted = _count_steps(config, rules)
        stages.extend(counted)
        notes += _step_notes(config, rules, total, batches, updates, final_epoch)
    _refuse_lacking_keys(config, rules, total)
    warmup, warmup_notes, warmup_stage = WARMUP_RULES[rules.warmup_rule](
        total, config.warmup_steps, config.warmup_ratio, version
    )
    notes += warmup_notes
    stages.append(warmup_stage)
    check_deepspeed_auto_warmup(config, warmup)  # a DeepSpeed file's "auto" warmup, filled by this version
    samples_per_update = None
    if effective is not None:
        b, ga, w = config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size
        samples_per_update = b * ga if config.split_batches else effective  # split_batches: w share each batch
        formula = f"b · GA · w = {b} · {ga} · {w}"
        if config.split_batches and w > 1:  # the Trainer's number; the samples per update are b · GA
            formula += f" as the Trainer logs it; split_batches: b · GA = {b * ga} samples per update"
        stages.append(("effective batch", formula, effective))
    if warmup > total:
        notes += (f"warmup ({warmup} steps) is longer than training ({total} steps): the LR never reaches its peak",)
    return StepPlan(
        total=total,
        warmup=warmup,
        notes=notes,
        batches_per_epoch=batches,
        update_steps_per_epoch=updates,
        num_train_epochs=looped,
        total_train_batch_size=effective,
        samples_per_update=samples_per_update,
        final_epoch=final_epoch,
        transformers_version=version,
        transformers_source=config.source("transformers_version"),
        stages=tuple(stages),
    )


def version_subject(config: TrainConfig) -> str:
    """How an error names the transformers version: the flag, else where the version came from."""
    source = config.source("transformers_version")
    return source if config.source_kind("transformers_version") == "flag" else f"transformers ({source})"


# The Trainer's `num_train_epochs`: how many times its epoch loop starts (the last pass may end early, at T).
LOOPED = "epochs looped (passes of the Trainer's epoch loop)"


class _Count(NamedTuple):
    total: int
    batches: int | None
    updates: int | None
    looped: int | None
    effective: int
    final_epoch: float | None
    stages: list[Stage]


def _count_steps(config: TrainConfig, rules: HFRules) -> _Count:
    """T from the dataset (or from max_steps alone), with every stage of the count."""
    max_steps, epochs = config.max_steps, config.num_train_epochs
    b, ga, w = config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size
    epoch_based = max_steps <= 0 if rules.max_steps_zero_is_epochs else max_steps < 0
    if max_steps == 0 and not epoch_based:
        raise LrcliError(
            f"--max-steps 0: transformers {rules.name} takes it literally and plans 0 optimizer steps; "
            "give a positive --max-steps, or -1 to train for --epochs"
        )
    effective = b * ga * w
    stages: list[Stage] = []
    if config.dataset_size is None:
        if epoch_based:
            raise no_total_steps(
                config.datasets_missing,
                "add --samples N (the dataset size, counted as the HF Trainer does), or --max-steps N, or --total-steps N",
            )
        # The Trainer's branch for a dataloader without a length: T = max_steps, one "epoch" of T updates.
        stages.append(("total steps T", "max_steps (no dataset size given)", max_steps))
        return _Count(max_steps, None, None, None, effective, None, stages)
    n = config.dataset_size
    shard = shard_batches(
        n, b, w, config.dataloader_drop_last, split_batches=config.split_batches, even_batches=config.even_batches
    )
    stages.append(("batches per epoch B (all processes)", shard.batches_formula, shard.batches))
    stages.append(("batches per epoch per process L", shard.per_process_formula, shard.per_process))
    batches = shard.per_process
    if batches == 0:
        # 4.49+ `set_initial_training_values` raises (a length of 0 is falsy); up to 4.48 the count went on with
        # nupe = 1 and the loop then stopped at step 0 ("There seems not to be a single sample in your epoch_iterator").
        raise LrcliError(
            f"with --drop-last, {n} samples do not fill one batch of {b} on each of {w} process{'es' if w > 1 else ''}: "
            "every process "
            'gets an empty dataloader and no step can run (transformers 4.49+ raises "args.max_steps must be set '
            'to a positive value if dataloader does not have a length", older versions stop at step 0); '
            "lower --batch, or drop --drop-last"
        )
    if rules.ceil_updates_per_epoch:
        updates = max(-(-batches // ga), 1)
        formula = f"max(ceil(L / GA), 1) = max(ceil({batches} / {ga}), 1)"
    else:
        updates = max(batches // ga, 1)
        formula = f"max(floor(L / GA), 1) = max(floor({batches} / {ga}), 1)"
    label = "update steps per epoch U" + ("" if rules.ceil_updates_per_epoch else " (floor before 4.52.1)")
    stages.append((label, formula, updates))
    if epoch_based:
        product = epochs * updates
        total = math.ceil(product)
        stages.append(("total steps T", f"ceil(E · U) = ceil({epochs!r} · {updates}) = ceil({product!r})", total))
        looped = math.ceil(epochs)
        stages.append((LOOPED, f"ceil(E) = ceil({epochs!r})", looped))
    else:
        total = max_steps
        stages.append(("total steps T", "max_steps (> 0, overrides --epochs)", total))
        looped = total // updates + int(total % updates > 0)
        stages.append((LOOPED, f"ceil(T / U) = ceil({total} / {updates})", looped))
    final_epoch = _final_epoch(total, batches, ga, rules)
    return _Count(total, batches, updates, looped, effective, final_epoch, stages)


def _step_notes(
    config: TrainConfig,
    rules: HFRules,
    total: int,
    batches: int | None,
    updates: int | None,
    final_epoch: float | None,
) -> tuple[str, ...]:
    if batches is None or updates is None:
        return ()
    ga, version = config.gradient_accumulation_steps, rules.name
    notes: list[str] = []
    partial = batches % ga if total >= updates else 0  # a run shorter than one epoch never reaches the last window
    if batches < ga:
        notes.append(
            f"an epoch has {batches} micro-batches per process, fewer than GA = {ga}: "
            "the Trainer still counts 1 update per epoch"
        )
    elif partial and rules.ceil_updates_per_epoch:
        notes.append(f"the last accumulation window of each epoch has {partial} of {ga} micro-batches")
    elif partial and rules.loop_steps_partial_window:
        notes.append(
            f"transformers {version} counts floor(L / GA) = {updates} updates per epoch, but its loop also steps "
            f"on the last window ({partial} of {ga} micro-batches), so it runs {-(-batches // ga)} per epoch and "
            f"reaches T sooner than it counted (transformers #36297)"
        )
    elif partial:
        notes.append(
            f"the last {partial} micro-batches of each epoch close no update of their own: transformers "
            f"{version} counts floor(L / GA) and carries them into the next window"
        )
    if final_epoch is not None:
        epochs = config.num_train_epochs
        if config.max_steps > 0:
            notes.append(f"max_steps overrides epochs: training stops at epoch {final_epoch:.4g}")
        elif not math.isclose(final_epoch, epochs, rel_tol=1e-9):
            stop, planned = _distinct_texts(final_epoch, epochs)
            notes.append(f"training stops at epoch {stop}, not {planned}")
    elif config.max_steps > 0:
        notes.append(f"max_steps overrides epochs: training takes {total} steps of the {updates} per epoch counted")
    notes.extend(_accelerator_notes(config, batches))
    return tuple(notes)


def _accelerator_notes(config: TrainConfig, batches: int) -> list[str]:
    b, ga, w = config.per_device_train_batch_size, config.gradient_accumulation_steps, config.world_size
    if w == 1:
        return []
    if config.split_batches:
        return [
            f"split_batches: an update sees b · GA = {b * ga} samples in all ({b // w} per process per micro-batch); "
            f"the Trainer's 'Total train batch size' still says b · GA · w = {b * ga * w}"
        ]
    rest = -(-config.dataset_size // b) % w if config.dataset_size is not None else 0  # B mod w
    if not config.even_batches and not config.dataloader_drop_last and rest:
        return [
            f"even_batches=False: {w - rest} of {w} processes get {batches - 1} batches per epoch, not "
            f"{batches}; each process's Trainer counts its own T from its own dataloader (process 0's shown)"
        ]
    return []


def _distinct_texts(a: float, b: float) -> tuple[str, str]:
    """Two different floats printed with the fewest significant digits (from 4) that tell them apart."""
    for digits in range(4, 18):
        text_a, text_b = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if text_a != text_b:
            break
    return text_a, text_b


def contrast_hf_plan(
    config: TrainConfig, planner: Callable[[TrainConfig], StepPlan] = plan_hf_steps
) -> tuple[str, StepPlan | str]:
    """The same inputs under the other side of the floor/ceil change (4.51.3 vs 5.25): `planner`'s plan, or its
    error."""
    rules, _ = rules_for(config.transformers_version, version_subject(config))
    other = contrast_version(rules)
    try:
        return other, planner(replace(config, transformers_version=other))
    except LrcliError as exc:
        return other, str(exc)
