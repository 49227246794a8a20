"""Where a setting was written: the key path of a TrainConfig field in the config (or its DeepSpeed file), read
from the field's Source, so that a finding points at the line the user has to change."""

from __future__ import annotations

from lrcli.inputs.bounded import KeyPath
from lrcli.lint.target import DEEPSPEED, Target

# Keys that hold the peak LR, by where a framework keeps it.
LR_KEYS: tuple[KeyPath, ...] = (
    ("learning_rate",), ("optimizer", "lr"), ("optimizer", "params", "lr"), ("optimizer", "init_args", "lr"),
    ("model", "init_args", "lr"), ("scheduler", "params", "warmup_max_lr"), ("scheduler", "params", "cycle_max_lr"),
)  # fmt: skip

# Scheduler arguments that set a floor: (key, what the floor is relative to the peak: "absolute" or "ratio").
MIN_LR_KEYS = {
    "min_lr": "absolute", "min_lr_rate": "ratio", "min_lr_ratio": "ratio", "eta_min": "absolute",
    "warmup_min_lr": "absolute", "cos_min_ratio": "ratio", "lr_end": "absolute", "cycle_min_lr": "absolute",
    "cosine_min_lr_ratio": "ratio",
}  # fmt: skip


def field_key(target: Target, name: str) -> KeyPath | None:
    """The key path field `name` was read from, when it was read from a file key (`x.yaml key a.b` -> ("a", "b"),
    a DeepSpeed `scheduler.params` section -> (DEEPSPEED, "scheduler", "params")); None for flags and defaults."""
    config = target.config
    if config is None or config.source_kind(name) != "file":
        return None
    text = config.source(name)
    if " key " in text:
        dotted = text.split(" key ", 1)[1].split(" ", 1)[0].rstrip(",:")
        key = tuple(dotted.split("."))
        return key if key in target.positions or key[:1] in target.positions else key[:1]
    for section in ("scheduler.params", "scheduler.type"):
        if text.endswith(section) and target.deepspeed_raw is not None:
            return (DEEPSPEED, *section.split("."))
    return None


def first_key(target: Target, *candidates: KeyPath) -> KeyPath | None:
    """The first of `candidates` written in the config (or, with DEEPSPEED first, in its DeepSpeed file)."""
    for key in candidates:
        if key and key[0] == DEEPSPEED:
            if key[1:] in target.deepspeed_positions:
                return key
        elif key in target.positions:
            return key
    return None


def kwarg_key(target: Target, name: str) -> KeyPath | None:
    """Where scheduler argument `name` was written: the file's lr_scheduler_kwargs entry, a DeepSpeed
    `scheduler.params` entry, or a top-level key of the same name (axolotl's cosine_min_lr_ratio)."""
    return first_key(
        target, ("lr_scheduler_kwargs", name), (DEEPSPEED, "scheduler", "params", name), ("scheduler", "params", name),
        ("lr_scheduler", name), ("lr_scheduler", "init_args", name), (name,),
    )


def warmup_key(target: Target) -> KeyPath | None:
    """Where the warmup came from (warmup_steps or warmup_ratio, or a DeepSpeed warmup_num_steps)."""
    for name in ("warmup_steps", "warmup_ratio"):
        key = field_key(target, name)
        if key is not None:
            return key
    return first_key(target, (DEEPSPEED, "scheduler", "params", "warmup_num_steps"),
                     ("scheduler", "params", "warmup_num_steps"), ("lr_scheduler", "num_warmup_steps"))
