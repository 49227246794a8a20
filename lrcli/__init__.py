"""lrcli: the exact learning-rate curve and step count of a training run, before it runs."""

from lrcli.config import TrainConfig, resolve
from lrcli.curve import Curve, compute
from lrcli.schedules import SCHEDULES
from lrcli.steps import StepPlan, plan_steps

__version__ = "0.1.0"

__all__ = ["SCHEDULES", "Curve", "StepPlan", "TrainConfig", "__version__", "compute", "plan_steps", "resolve"]
