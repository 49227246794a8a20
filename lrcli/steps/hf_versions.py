"""transformers versions: parsing `--transformers-version`, and which step/warmup rules that version follows.

Every boundary below was read in the transformers source (trainer.py `set_initial_training_values` or
`_inner_training_loop`, training_args.py `get_warmup_steps` / `__post_init__`); see docs frameworks.md §1.2, §1.4.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion
from packaging.version import Version as Pep440

from lrcli.errors import LrcliError

Version = tuple[int, int, int]

OLDEST: Version = (4, 20, 0)  # the oldest line whose rules lrcli has checked
NEWEST: Version = (5, 25, 0)  # the newest line lrcli has checked (TrainConfig's default transformers_version)


def parse_version(text: str, where: str = "--transformers-version") -> Version:
    """The (major, minor, micro) release of a version string read as pip reads it (PEP 440, `packaging`):
    `"4.51"` -> (4, 51, 0), `"v4.52.1"` -> (4, 52, 1), `"2.13.0+cpu"` -> (2, 13, 0). Pre-, post- and dev-release
    tags (`5.0.0rc1`, `4.43.0.dev0`) do not change the rules: a release candidate of 5.0 has 5.0's code."""
    try:
        parts = Pep440(text.strip()).release
    except InvalidVersion:
        raise LrcliError(f"{where} {text!r} is not a version; write it like 4.51 or 4.52.1") from None
    major, minor, micro = (*parts, 0, 0)[:3]
    return (major, minor, micro)


def show(version: Version) -> str:
    return ".".join(str(part) for part in version)


@dataclass(frozen=True)
class HFRules:
    """The parts of the Trainer's step arithmetic that changed between transformers releases."""

    name: str  # as the user wrote it, e.g. "4.51"
    version: Version
    ceil_updates_per_epoch: bool  # 4.52.1+: ceil(L/GA); before: floor(L/GA) (transformers PR #37923)
    loop_steps_partial_window: bool  # 4.47.0+: the epoch loop steps on its last, partial window too
    max_steps_zero_is_epochs: bool  # up to 4.48.x `max_steps=0` meant "train by epochs"; 4.49.0+ means T = 0
    warmup_rule: str  # "4.x" | "5.0-5.14" | "5.15+"

    @property
    def updates_rounding(self) -> str:
        return "ceil" if self.ceil_updates_per_epoch else "floor"


def rules_for(text: str, where: str = "--transformers-version") -> tuple[HFRules, tuple[str, ...]]:
    """The rule set of transformers `text` (named `where` in an error), and notes when lrcli has to assume (a newer
    line than it knows)."""
    version = parse_version(text, where)
    notes: tuple[str, ...] = ()
    if version < OLDEST:
        raise LrcliError(
            f"{where} {text}: lrcli models transformers {show(OLDEST)} … {show(NEWEST)[:-2]}; "
            "give --transformers-version in that range"
        )
    if version[:2] > NEWEST[:2]:
        notes = (
            f"transformers {text} is newer than the newest line lrcli has checked ({show(NEWEST)[:-2]}); "
            "using its rules",
        )
    if version[0] == 4:
        warmup_rule = "4.x"
    elif version < (5, 15, 0):
        warmup_rule = "5.0-5.14"
    else:
        warmup_rule = "5.15+"
    rules = HFRules(
        name=text.strip(),
        version=version,
        ceil_updates_per_epoch=version >= (4, 52, 0),  # PyPI has no 4.52.0: the line starts at 4.52.1
        loop_steps_partial_window=version >= (4, 47, 0),
        max_steps_zero_is_epochs=version < (4, 49, 0),
        warmup_rule=warmup_rule,
    )
    return rules, notes


# TrainingArguments keys lrcli reads that not every version it models has: key -> (first version with it, first
# without it; None: no bound). Read in the training_args.py of 4.35.2/4.36.0 (lr_scheduler_kwargs), 4.37.2/4.38.0
# (accelerator_config; before it split_batches/dispatch_batches were keys of their own) and 5.14/5.15 (warmup_ratio:
# deprecated in 5.0, where it replaces warmup_steps, removed in 5.15.0).
KEY_VERSIONS: dict[str, tuple[Version | None, Version | None]] = {
    "lr_scheduler_kwargs": ((4, 36, 0), None),
    "accelerator_config": ((4, 38, 0), None),
    "warmup_ratio": (None, (5, 15, 0)),
}


def lacking_keys(rules: HFRules, keys: tuple[str, ...]) -> dict[str, str]:
    """The keys of `keys` that TrainingArguments of `rules`' version does not have, each with when it existed."""
    lacking = {}
    for key in keys:
        added, removed = KEY_VERSIONS[key]
        if added is not None and rules.version < added:
            lacking[key] = f"added in {show(added)}"
        elif removed is not None and rules.version >= removed:
            lacking[key] = f"removed in {show(removed)}"
    return lacking


def contrast_version(rules: HFRules) -> str:
    """The release to show next to `rules` in `--explain`: the other side of the floor/ceil change."""
    return show(NEWEST)[:-2] if not rules.ceil_updates_per_epoch else "4.51.3"
