"""LR2xx: a DeepSpeed config next to the training config — its scheduler section replacing the one the config
names, values transformers' integration refuses, "auto" where nothing fills it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lrcli.inputs.bounded import KeyPath
from lrcli.lint.finding import Hit, Rule
from lrcli.lint.keys import first_key
from lrcli.lint.target import DEEPSPEED, Target

# The config keys that name a scheduler the DeepSpeed section takes the place of.
SCHEDULER_KEYS = ("lr_scheduler_type", "lr_scheduler", "lr_scheduler_kwargs", "cosine_min_lr_ratio")


def replaces_scheduler(target: Target) -> Iterator[Hit]:
    """LR201: transformers `integrations/deepspeed.py` `deepspeed_optim_sched` (5.24) builds DeepSpeed's scheduler
    when the DeepSpeed config has a `scheduler` section, and the Trainer's (`lr_scheduler_type`, its kwargs,
    axolotl's and LLaMA-Factory's choices) is not used. A warning when the config names a scheduler of its own."""
    ds = target.deepspeed_raw
    if target.dialect in (None, "deepspeed") or not isinstance(ds, Mapping) or not isinstance(ds.get("scheduler"), Mapping):
        return
    kind = ds["scheduler"].get("type")
    named = [key for key in SCHEDULER_KEYS if target.raw.get(key) is not None]
    if named:
        yield ("warning", (named[0],),
               f"{named[0]} is not used: the DeepSpeed config's scheduler section ({kind}) replaces it",
               "remove the scheduler section from the DeepSpeed file to get this schedule, or remove "
               f"{', '.join(named)} to say that DeepSpeed's is meant")
    else:
        yield ("info", first_key(target, (DEEPSPEED, "scheduler", "type"), ("deepspeed",)),
               f"the schedule is DeepSpeed's {kind} (the DeepSpeed config's scheduler section), not the framework's "
               "default", "nothing to do if that is meant")


def refused_values(target: Target) -> Iterator[Hit]:
    """LR202: explicit DeepSpeed values transformers' `HfTrainerDeepSpeedConfig.fill_match` compares with the
    Trainer's (train_batch_size, train_micro_batch_size_per_gpu, gradient_accumulation_steps, lr, warmup_max_lr,
    total_num_steps against T, warmup_num_steps against W): a mismatch is its ValueError before training."""
    text = target.errors.get("deepspeed_values")
    config = target.config
    if text is None or config is None or not text.startswith("the DeepSpeed config values mismatch"):
        return  # another refusal of the scheduler's kwargs: the curve fails too, and LR000 says it
    wrong = [key for key in config.deepspeed_values if f"ds {key}=" in text]
    key = (DEEPSPEED, *wrong[0].split(".")) if wrong else ("deepspeed",)
    yield ("error", key, text.removeprefix("the DeepSpeed config values mismatch the Trainer's, which transformers "
                                           "rejects (ValueError): "),
           'set them to "auto" (the Trainer fills them) or to the values the message gives')


def _autos(node: Any, where: KeyPath = ()) -> Iterator[KeyPath]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _autos(value, (*where, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _autos(value, (*where, index))
    elif node == "auto":
        yield where


def standalone_auto(target: Target) -> Iterator[Hit]:
    """LR203 (info): "auto" in a DeepSpeed config checked on its own: only the HF/accelerate integrations fill
    "auto"; DeepSpeed 0.19.8 alone takes the string as the value (a scheduler's warmup_max_lr "auto" makes
    `WarmupLR.__init__` fail computing `warmup_max_lr - warmup_min_lr`). Info, not an error: such files are
    written for the integration (lrcli fills them as it does), and a file cannot say how it is launched."""
    if target.dialect != "deepspeed":
        return
    found = list(_autos(target.raw))
    if found:
        names = ", ".join(".".join(map(str, key)) for key in found)
        yield ("info", found[0], f'"auto" ({names}) is filled only by the Hugging Face/accelerate integration: '
               "run by DeepSpeed alone, this config fails (DeepSpeed takes the string as the value)",
               "write the numbers, or launch it through the HF Trainer / accelerate (`deepspeed: this.json` in a "
               "training config)")


RULES = (
    Rule("LR201", "a DeepSpeed scheduler section replaces the config's scheduler", replaces_scheduler, noted=True),
    Rule("LR202", "DeepSpeed values transformers refuses (against T, W, batch sizes, lr)", refused_values),
    Rule("LR203", '"auto" in a DeepSpeed config run on its own', standalone_auto),
)
