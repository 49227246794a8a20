"""The one shape every schedule function has."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Steps = NDArray[np.int64]
Factors = NDArray[np.float64]


class ScheduleFn(Protocol):
    """`fn(steps, *, lr, warmup, total, **kwargs) -> LR after s scheduler steps, for each s in steps`."""

    def __call__(self, steps: Steps, *, lr: float, warmup: int, total: int, **kwargs: Any) -> Factors: ...
