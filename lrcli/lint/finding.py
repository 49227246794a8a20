"""What a rule reports (`Finding`) and what a rule is (`Rule`): plain data, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from lrcli.lint.target import Target

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("error", "warning", "info")  # most severe first


@dataclass(frozen=True)
class Finding:
    """One problem of one config: a stable code, a level, where (file, line and column of the key, 0 when the
    finding is about the run as a whole or the key is not in a file), what happens, and the fix."""

    code: str
    level: Level
    path: str
    line: int
    column: int
    message: str
    fix: str

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


# A rule's body: the findings of one target, each as (level, key path or None, message, fix); the rule's code
# and the file are added by `Rule.check`.
Hit = tuple[Level, "tuple[str | int, ...] | None", str, str]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its code, the level it usually reports at, a one-line title (docs/rules.md), and the
    function that finds its hits. `noted`: the curve's own notes already say this (plot/steps do not repeat it);
    a string: they do when one of the notes contains it (only some planners warn)."""

    code: str
    title: str
    find: Callable[[Target], Iterator[Hit]]
    noted: bool | str = False

    def repeats(self, notes: Sequence[str]) -> bool:
        """Whether the notes a command already printed say what this rule says."""
        if isinstance(self.noted, str):
            return any(self.noted in note for note in notes)
        return self.noted

    def check(self, target: Target) -> list[Finding]:
        found = []
        for level, key, message, fix in self.find(target):
            path, line, column = target.where(key)
            found.append(Finding(self.code, level, path, line, column, message, fix))
        return found
