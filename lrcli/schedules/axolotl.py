"""axolotl's own schedules (axolotl 0.19 `utils/schedulers.py`, chosen in `SchedulerMixin.create_scheduler`).
Signatures only for now; the math follows."""

from __future__ import annotations

from lrcli.schedules.types import Factors, Schedule, Steps


def axolotl_rex(steps: Steps, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float | None = None) -> Factors:
    raise NotImplementedError


def axolotl_cosine_quadratic_warmup(steps: Steps, *, lr: float, warmup: int, total: int) -> Factors:
    raise NotImplementedError


def axolotl_cosine_min_lr(steps: Steps, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float) -> Factors:
    raise NotImplementedError


def axolotl_cosine_min_lr_constant(
    steps: Steps, *, lr: float, warmup: int, total: int, cosine_min_lr_ratio: float, cosine_constant_lr_ratio: float
) -> Factors:
    raise NotImplementedError


AXOLOTL = "axolotl"

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    "axolotl_rex": Schedule("axolotl_rex", AXOLOTL, axolotl_rex, "REX: linear warmup, then reflected-exponential decay"),
    "axolotl_cosine_quadratic_warmup": Schedule(
        "axolotl_cosine_quadratic_warmup",
        AXOLOTL,
        axolotl_cosine_quadratic_warmup,
        "quadratic warmup, then HF cosine (lr_quadratic_warmup)",
    ),
    "axolotl_cosine_min_lr": Schedule(
        "axolotl_cosine_min_lr", AXOLOTL, axolotl_cosine_min_lr, "linear warmup, then cosine to lr·cosine_min_lr_ratio"
    ),
    "axolotl_cosine_min_lr_constant": Schedule(
        "axolotl_cosine_min_lr_constant",
        AXOLOTL,
        axolotl_cosine_min_lr_constant,
        "linear warmup, cosine to lr·cosine_min_lr_ratio by T·cosine_constant_lr_ratio, then constant",
    ),
}
