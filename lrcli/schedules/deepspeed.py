"""DeepSpeed's own schedules (`"scheduler": {"type": NAME, "params": {...}}`), as of deepspeed 0.19.8
`runtime/lr_schedules.py`. Signatures only for now; the math follows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from lrcli.schedules.types import Factors, Schedule, Steps

Auto = Literal["auto"]


def fill_auto(params: Mapping[str, Any], *, lr: float, warmup: int, total: int) -> dict[str, Any]:
    """`params` with each `"auto"` replaced as the HF DeepSpeed integration fills it."""
    raise NotImplementedError


def logged_warnings(name: str, params: Mapping[str, Any], *, lr: float, warmup: int, total: int) -> tuple[str, ...]:
    """The warnings DeepSpeed logs when it builds schedule `name` with `params` (as lrcli notes)."""
    raise NotImplementedError


def warmup_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    warmup_min_lr: float | Auto = 0.0,
    warmup_max_lr: float | Auto | None = None,
    warmup_num_steps: int | Auto = 1000,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
) -> Factors:
    raise NotImplementedError


def warmup_decay_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    total_num_steps: int | Auto,
    warmup_min_lr: float | Auto = 0.0,
    warmup_max_lr: float | Auto = 0.001,
    warmup_num_steps: int | Auto = 1000,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
) -> Factors:
    raise NotImplementedError


def warmup_cosine_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    total_num_steps: int | Auto,
    warmup_min_ratio: float = 0.0,
    warmup_num_steps: int | Auto = 1000,
    cos_min_ratio: float = 0.0001,
    warmup_type: str = "log",
    last_batch_iteration: int = -1,
) -> Factors:
    raise NotImplementedError


def one_cycle(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    cycle_min_lr: float,
    cycle_max_lr: float,
    decay_lr_rate: float = 0.0,
    cycle_first_step_size: float = 2000,
    cycle_second_step_size: float | None = None,
    cycle_first_stair_count: float = 0,
    cycle_second_stair_count: float | None = None,
    decay_step_size: float = 0,
    cycle_momentum: bool = True,
    cycle_min_mom: float = 0.8,
    cycle_max_mom: float = 0.9,
    decay_mom_rate: float = 0.0,
    last_batch_iteration: int = -1,
) -> Factors:
    raise NotImplementedError


def lr_range_test(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    lr_range_test_min_lr: float = 1e-3,
    lr_range_test_step_size: int = 2000,
    lr_range_test_step_rate: float = 1.0,
    lr_range_test_staircase: bool = False,
    last_batch_iteration: int = -1,
) -> Factors:
    raise NotImplementedError


DS = "DeepSpeed runtime/lr_schedules.py"

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry; names are DeepSpeed's `type` strings
    "WarmupLR": Schedule("WarmupLR", DS, warmup_lr, "log/linear warmup from warmup_min_lr to warmup_max_lr, then constant"),
    "WarmupDecayLR": Schedule(
        "WarmupDecayLR", DS, warmup_decay_lr, "log/linear warmup, then linear decay to warmup_min_lr at total_num_steps"
    ),
    "WarmupCosineLR": Schedule(
        "WarmupCosineLR", DS, warmup_cosine_lr, "log/linear warmup of the optimizer lr, then cosine decay to cos_min_ratio"
    ),
    "OneCycle": Schedule("OneCycle", DS, one_cycle, "1cycle: min -> max -> min (optional stairs), then inverse-time decay"),
    "LRRangeTest": Schedule("LRRangeTest", DS, lr_range_test, "LR range test: linear (or staircase) growth from the min lr"),
}
