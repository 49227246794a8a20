"""The one shape every schedule function has."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

Steps = NDArray[np.int64]
Factors = NDArray[np.float64]


class ScheduleFn(Protocol):
    """`fn(steps, *, lr, warmup, total, **kwargs) -> LR after s scheduler steps, for each s in steps`."""

    def __call__(self, steps: Steps, *, lr: float, warmup: int, total: int, **kwargs: Any) -> Factors: ...


_FIXED = ("steps", "lr", "warmup", "total")
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Schedule:
    """A registered schedule: its function plus what `lrcli schedules` and the version checks need.

    Return values are LRs (not factors): families such as torch or DeepSpeed compute absolute LRs,
    and HF schedules return `lr * λ(s)` exactly as `LambdaLR` multiplies.
    """

    name: str
    family: str
    fn: ScheduleFn
    summary: str
    added_in: str | None = None  # first transformers version with this lr_scheduler_type (HF family)
    ignores_kwargs: bool = False  # the framework drops lr_scheduler_kwargs without a word

    def parameters(self) -> dict[str, Any]:
        """Keyword name -> default (`REQUIRED` when there is none), in signature order."""
        return {
            name: param.default
            for name, param in inspect.signature(self.fn).parameters.items()
            if name not in _FIXED
        }


