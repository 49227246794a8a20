"""lrcli: the exact learning-rate curve and step count of a training run, before it runs.

The library API (lrcli.api): `load_config` reads a training config with overrides, `plan_steps` counts T and W,
`compute` evaluates the curve, `draw` puts it on a matplotlib Axes, `table` gives its CSV/JSON, `overlay` holds a run's
logged LR against it; errors are `LrcliError`, warnings `LrcliWarning`. See docs/api.md.

The names are loaded on first use (PEP 562), so that `import lrcli.cli` — the command line — pays only for what the
command it runs needs: `lrcli steps` never imports numpy, `lrcli schedules` never imports the config readers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "LrcliWarning": "lrcli.api", "compute": "lrcli.api", "draw": "lrcli.api", "load_config": "lrcli.api",
    "overlay": "lrcli.api", "plan_steps": "lrcli.api", "resolve": "lrcli.api", "table": "lrcli.api",
    "TrainConfig": "lrcli.config", "Curve": "lrcli.curve", "LrcliError": "lrcli.errors",
    "SCHEDULES": "lrcli.schedules", "StepPlan": "lrcli.steps",
}  # fmt: skip

__all__ = [
    "SCHEDULES", "Curve", "LrcliError", "LrcliWarning", "StepPlan", "TrainConfig", "__version__", "compute", "draw",
    "load_config", "overlay", "plan_steps", "resolve", "table",
]

if TYPE_CHECKING:
    from lrcli.api import LrcliWarning, compute, draw, load_config, overlay, plan_steps, resolve, table
    from lrcli.config import TrainConfig
    from lrcli.curve import Curve
    from lrcli.errors import LrcliError
    from lrcli.schedules import SCHEDULES
    from lrcli.steps import StepPlan


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lrcli' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
