"""The one shape every schedule function has."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Steps = NDArray[np.int64]
    Factors = NDArray[np.float64]
else:
    Steps = Factors = Any  # the registry is read without numpy (`lrcli steps`, `lrcli schedules`, `--help`)


class LazyNumpy:
    """numpy, imported at the first attribute used: the schedule modules use it as `np`, so that reading the
    registry (names, parameters, summaries: `lrcli schedules`, the planners' checks) never imports numpy, and
    evaluating a curve does. Each attribute is looked up once, then kept as a plain attribute."""

    def __getattr__(self, name: str) -> Any:
        value = getattr(importlib.import_module("numpy"), name)
        setattr(self, name, value)
        return value


if not TYPE_CHECKING:
    np = LazyNumpy()


@dataclass(frozen=True)
class Level:
    """`count` consecutive steps at one LR: a chained replay past its last change (a ratio of 1.0 leaves the product
    as it is, exactly), yielded instead of an array so that a flat tail of 10^9 steps costs nothing."""

    value: float
    count: int


class ScheduleFn(Protocol):
    """`fn(steps, *, lr, warmup, total, **kwargs) -> LR after s scheduler steps, for each s in steps`."""

    def __call__(self, steps: Steps, *, lr: float, warmup: int, total: int, **kwargs: Any) -> Factors: ...


_FIXED = ("steps", "lr", "warmup", "total", "metrics")  # metrics: passed by lrcli to needs_metrics schedules
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
    ignores_warmup: bool = False  # the framework class has no warmup (torch schedulers): W does not reach it
    needs_metrics: bool = False  # steps on an evaluation metric: fn takes `metrics: MetricHistory`
    one_update_behind: bool = False  # row s is the scheduler's own step s − 1 (DeepSpeed: built at step −1)
    aliases: tuple[tuple[str, str], ...] = ()  # (framework kwarg, fn parameter) where the name clashes with lrcli's
    # Where the curve may turn (schedules/pieces.py): `breaks(params, *, lr, warmup, total, last)` -> scheduler steps,
    # or None when only evaluating every step gives the exact extremes. Lets a plot of any length cost O(pixels).
    breaks: Any = None
    warmup_from_zero: bool = False  # rows s < W are lr · s / max(1, W): row 0 is 0 (transformers #34754)
    replays_from_start: bool = False  # the value at step s costs s operations (a chained product): no random access
    # `replay(n, params, *, lr, warmup, total)`: the values at steps 0 … n in order, as consecutive blocks (arrays or
    # `Level`s), one block in memory at a time: the framework's chained float operations with the carry kept.
    replay: Any = None
    # `closed_form(params, *, lr, warmup, total) -> (fn(steps) -> LRs, breaks, bound)`: the framework's own closed form
    # (torch's `_get_closed_form_lr`), drawn past EXACT_REPLAY_ROWS; `bound`: its measured max |Δ| / peak vs the replay.
    closed_form: Any = None
    # `scalar(s, *, lr, warmup, total, **params) -> float`: the LR after s scheduler steps in plain Python floats, as
    # the framework's own per-step function computes it (transformers' lambdas, DeepSpeed's get_lr, …). It lets
    # `check` learn a curve's peak, final LR and first rows from a few steps without importing numpy
    # (lrcli/curve_facts.py); it may raise, or return a non-finite value, wherever the framework might refuse: the
    # caller then evaluates with numpy for the framework's own message. None: numpy only.
    scalar: Any = None

    def parameters(self, signature: inspect.Signature | None = None) -> dict[str, Any]:
        """Keyword name (as the framework spells it) -> default (`REQUIRED` when there is none), in signature order
        (`signature`: the function's, when the caller has it already)."""
        framework_name = {fn_name: name for name, fn_name in self.aliases}
        return {
            framework_name.get(name, name): param.default
            for name, param in (signature or inspect.signature(self.fn)).parameters.items()
            if name not in _FIXED
        }


