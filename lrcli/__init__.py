"""lrcli: the exact learning-rate curve and step count of a training run, before it runs.

The library API (lrcli.api): `load_config` reads a training config with overrides, `plan_steps` counts T and W,
`compute` evaluates the curve, `draw` puts it on a matplotlib Axes, `table` gives its CSV/JSON; errors are `LrcliError`, warnings `LrcliWarning`. See docs/api.md.
"""

from lrcli.api import LrcliWarning, compute, draw, load_config, plan_steps, resolve, table
from lrcli.config import TrainConfig
from lrcli.curve import Curve
from lrcli.errors import LrcliError
from lrcli.schedules import SCHEDULES
from lrcli.steps import StepPlan

__version__ = "0.1.0"

__all__ = [
    "SCHEDULES", "Curve", "LrcliError", "LrcliWarning", "StepPlan", "TrainConfig", "__version__", "compute", "draw",
    "load_config", "plan_steps", "resolve", "table",
]
