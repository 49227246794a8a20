"""`lrcli schedules`: every schedule lrcli knows, by family, with its parameters and their defaults."""

from __future__ import annotations

from typing import Any

import typer

from lrcli.schedules import REQUIRED, SCHEDULES


def format_default(value: Any) -> str:
    return "required" if value is REQUIRED else repr(value)


def schedules() -> None:
    """List every schedule: name, what it does, and its parameters with defaults.

    Example: lrcli schedules
    """
    families: dict[str, list[str]] = {}
    width = max(len(name) for name in SCHEDULES)  # the longest name still leaves two spaces before its summary
    for schedule in SCHEDULES.values():
        params = ", ".join(f"{k}={format_default(v)}" for k, v in schedule.parameters().items())
        since = f" [transformers ≥ {schedule.added_in}]" if schedule.added_in else ""
        since += " [needs --metrics]" if schedule.needs_metrics else ""
        families.setdefault(schedule.family, []).append(
            f"  {schedule.name:<{width}}  {schedule.summary}{since}\n  {'':<{width}}  params: {params or '(none)'}"
        )
    blocks = [f"{family}:\n" + "\n".join(lines) for family, lines in families.items()]
    typer.echo("\n\n".join(blocks))
