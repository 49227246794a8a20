"""`lrcli check`: rules over one config — the document with its key positions, the settings resolved from it, and
what lrcli computed (T, W, the curve) — each finding with a stable code, a level, the key's line and the fix.

Families: LR0xx the run's shape (warmup, length, peak), LR1xx scheduler arguments and floors, LR2xx DeepSpeed,
LR3xx keys of another framework or made dead by another key, LR4xx keys the transformers version in force lacks,
LR5xx evaluation/saving/logging against T and data without a length, LR6xx the units a schedule's length counts,
LR7xx a framework's own validation. docs/rules.md lists every code with a bad and a good example.
"""

from __future__ import annotations

from collections.abc import Iterable

from lrcli.lint import (
    cadence_rules,
    deepspeed_rules,
    framework_rules,
    key_rules,
    kwarg_rules,
    shape_rules,
    unit_rules,
)  # fmt: skip
from lrcli.lint.finding import LEVELS, Finding, Level, Rule
from lrcli.lint.target import Target, assess

RULES: dict[str, Rule] = {
    rule.code: rule
    for module in (shape_rules, kwarg_rules, deepspeed_rules, key_rules, cadence_rules, unit_rules, framework_rules)
    for rule in module.RULES
}


def check(target: Target, ignore: Iterable[str] = ()) -> list[Finding]:
    """Every finding of `target`, in file order, leaving out the codes in `ignore`. LR000 (the run fails, in the
    words of the refusal) is left out when another error already names the cause."""
    skipped = set(ignore)
    found = [finding for code, rule in RULES.items() if code not in skipped for finding in rule.check(target)]
    if any(f.level == "error" and f.code != "LR000" for f in found):
        found = [f for f in found if f.code != "LR000"]
    return sorted(found, key=Finding.sort_key)


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """The codes of `codes` that are neither a rule's code nor a family prefix (`LR2`, `LR20`)."""
    return [code for code in codes if not any(known.startswith(code) for known in RULES)]


def expand(codes: Iterable[str]) -> set[str]:
    """A family prefix (`LR2`) stands for every code of the family."""
    return {known for code in codes for known in RULES if known.startswith(code)}


def fails(finding: Finding, strict: bool) -> bool:
    """Whether a finding fails the check: errors always, warnings when `strict`."""
    return finding.level == "error" or (strict and finding.level == "warning")


__all__ = ["LEVELS", "RULES", "Finding", "Level", "Rule", "Target", "assess", "check", "expand", "fails", "unknown_codes"]
