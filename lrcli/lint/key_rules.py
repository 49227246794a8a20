"""LR3xx (keys of another framework, keys another key makes dead) and LR4xx (keys the transformers version in
force does not have, so the run stops or the launcher drops them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from lrcli.lint.finding import Hit, Rule
from lrcli.lint.foreign import FOREIGN_KWARGS
from lrcli.lint.keys import field_key
from lrcli.lint.target import Target
from lrcli.steps.hf import warmup_ratio_fix
from lrcli.steps.hf_versions import parse_version

HF_FAMILY = ("hf", "trl", "llamafactory")  # dialects whose keys are TrainingArguments'


def foreign_kwargs(target: Target) -> Iterator[Hit]:
    """LR301: a key of another framework in HF `lr_scheduler_kwargs`: transformers' `get_scheduler`
    (optimization.py, 5.24) passes them to the schedule function, which raises TypeError (unexpected keyword, or
    'got multiple values' for the two the Trainer passes itself)."""
    kwargs = target.raw.get("lr_scheduler_kwargs")
    if target.dialect not in (*HF_FAMILY, "axolotl") or not isinstance(kwargs, Mapping):
        return
    for name in kwargs:
        if name in FOREIGN_KWARGS:
            whose, instead = FOREIGN_KWARGS[name]
            yield ("error", ("lr_scheduler_kwargs", name),
                   f"{name} is {whose} key, not a transformers scheduler argument: building the scheduler raises "
                   "TypeError", f"write {instead}")


def dead_epochs(target: Target) -> Iterator[Hit]:
    """LR302 (info): max_steps > 0 sets T, so num_train_epochs (axolotl: num_epochs) written beside it is unused."""
    config = target.config
    if config is None or config.max_steps <= 0 or config.source_kind("max_steps") != "file":
        return
    for key in ("num_train_epochs", "num_epochs"):
        if target.raw.get(key) is not None:
            yield ("info", (key,), f"{key}: {target.raw[key]} is not used: max_steps: {config.max_steps} sets T",
                   f"remove {key}, or max_steps to train by epochs")
            return


def both_warmups(target: Target) -> Iterator[Hit]:
    """LR303: warmup_steps and warmup_ratio both > 0 in a TrainingArguments config: which one counts depends on
    the transformers version (4.x: warmup_steps; 5.0–5.14: warmup_ratio; 5.15+ has no warmup_ratio: LR401)."""
    config = target.config
    if config is None or config.dialect not in HF_FAMILY or "warmup_ratio" in target.lacking:
        return
    steps, ratio = target.raw.get("warmup_steps"), target.raw.get("warmup_ratio")
    if not (isinstance(steps, (int, float)) and steps > 0 and isinstance(ratio, (int, float)) and ratio > 0):
        return
    winner = "warmup_steps" if parse_version(config.transformers_version) < (5, 0, 0) else "warmup_ratio"
    loser = "warmup_ratio" if winner == "warmup_steps" else "warmup_steps"
    yield ("warning", (loser,), f"warmup_steps and warmup_ratio are both set: transformers "
           f"{config.transformers_version} uses {winner} and ignores {loser} (other versions choose differently)",
           "keep one of them (transformers ≥ 5.15 knows only warmup_steps: a value < 1 is a fraction of T)")


def _lacking(target: Target, warmup_ratio: bool) -> Iterator[Hit]:
    """LR401 (warmup_ratio from transformers 5.15) and LR402 (lr_scheduler_kwargs before 4.36, accelerator_config
    before 4.38): a TrainingArguments key the version in force does not have. `TrainingArguments(**keys)` raises
    TypeError and HfArgumentParser ValueError (the run stops); `trl <cmd> --config` drops it without a word (the
    run trains without it) — until the TRL release whose launcher hands such keys to `accelerate launch`, which
    stops (`sft` from 0.18, every command from 0.29: lrcli.steps.trl)."""
    from lrcli.steps.trl import launcher_passes_leftovers  # TRL's planner and its data records: on use only

    config, plan = target.config, target.plan
    if config is None:
        return
    for key, when in target.lacking.items():
        if (key == "warmup_ratio") != warmup_ratio:
            continue
        if key == "warmup_ratio" and not config.warmup_ratio:
            continue  # a 4.x dump's warmup_ratio: 0.0 means unset
        if config.source_kind(key if key != "accelerator_config" else "split_batches") == "flag":
            continue
        version = f"transformers {config.transformers_version} ({config.source('transformers_version')})"
        launcher = f"`trl {config.trainer or '<trainer>'} --config`"
        if config.dialect == "trl" and launcher_passes_leftovers(config.trainer, config.framework_version):
            launcher += f" of TRL {config.framework_version}"
            happens = (f"{launcher} hands --{key} to `accelerate launch` ({key} {when}), which stops: "
                       f"'unrecognized arguments: --{key}'; the run never starts")
        elif config.dialect == "trl":
            happens = (f"{launcher} drops it ({key} {when}): the run trains without it (alignment-handbook and "
                       "open-r1 scripts stop on it instead)")
        else:
            happens = f"{version} has no {key} ({when}): TrainingArguments raises TypeError, the run never starts"
        if key == "warmup_ratio":
            fix = warmup_ratio_fix(config.warmup_ratio, plan.total, config.warmup_steps) if plan is not None else \
                f"write warmup_steps: {config.warmup_ratio!r} instead (< 1 is a fraction of T there)"
        else:
            fix = f"remove {key}, or run a transformers that has it"
        code_key = field_key(target, "version_bound_keys")
        yield ("error", (key,) if (key,) in target.positions else code_key,
               f"{happens}" + (f" on {version}" if config.dialect == "trl" else ""), fix)


def version_lacks_warmup_ratio(target: Target) -> Iterator[Hit]:
    return _lacking(target, warmup_ratio=True)


def version_lacks_other(target: Target) -> Iterator[Hit]:
    return _lacking(target, warmup_ratio=False)


RULES = (
    Rule("LR301", "a key of another framework in lr_scheduler_kwargs", foreign_kwargs),
    Rule("LR302", "max_steps makes the epoch count dead", dead_epochs),
    Rule("LR303", "warmup_steps and warmup_ratio both set", both_warmups),
    Rule("LR401", "warmup_ratio on transformers ≥ 5.15 (refused, or dropped by old TRL launchers)", version_lacks_warmup_ratio,
         noted=True),
    Rule("LR402", "a TrainingArguments key the transformers version in force lacks", version_lacks_other,
         noted=True),
)
