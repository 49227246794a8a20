"""Megatron-LM / Megatron-Core's `OptimizerParamScheduler.get_lr` (megatron/core/optimizer_param_scheduler.py,
identical for the default parameter group in megatron-core 0.12.0 … 0.19.2, except WSD's `minus_sqrt`, new in 0.13).

Megatron counts the scheduler in **samples**: the constructor calls `step(0)` and the training loop calls
`step(increment)` after each successful iteration, increment = num_microbatches · micro_batch_size · dp = the
global batch size (megatron/training/training.py `train_step`). Row s is therefore `get_lr` at
num_steps n = s · increment. The kwargs are the constructor's own names, in samples:

* `lr` = max_lr, `init_lr` (`--lr-warmup-init`), `min_lr` (`--min-lr`);
* `lr_warmup_steps` W (None: lrcli's warmup W · increment), `lr_decay_steps` D (None: T · increment);
* `wsd_decay_steps` Wd and `lr_wsd_decay_style` for WSD.

get_lr, in its own float order (Δ = max_lr − min_lr):
1. W > 0 and n ≤ W: `init_lr + (max_lr − init_lr) · float(n) / float(W)` (inclusive: max_lr at n = W);
2. constant: max_lr;  3. n > D: min_lr;
4. inverse-square-root: `max(min_lr, max_lr · max(W, 1)**0.5 / max(n, 1)**0.5)`;
5. r = float(n − W) / float(D − W): linear `min_lr + (1 − r)·Δ`, cosine `min_lr + 0.5·(cos(π r) + 1)·Δ`,
   WSD: a = D − Wd (from 0, not from W); n ≤ a: max_lr, else ρ = float(n − a) / float(Wd) and coefficient
   exponential `2·0.5**ρ − 1`, linear `1 − ρ`, cosine `0.5·(cos(π ρ) + 1)`, minus_sqrt `1 − √ρ`.
The constructor asserts min_lr ≥ 0, max_lr ≥ min_lr, init_lr ≤ max_lr, D > 0, W < D, and Wd given for WSD.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from lrcli.errors import LrcliError
from lrcli.inputs.values import MAX_WHOLE, number_text
from lrcli.schedules.types import Factors, Schedule, Steps, np

WsdStyle = Literal["exponential", "linear", "cosine", "minus_sqrt"]
WSD_STYLES = ("exponential", "linear", "cosine", "minus_sqrt")
MEGATRON = "Megatron-Core"


def _checked(name: str, lr: float, init_lr: float, min_lr: float, warmup: float, decay: float) -> None:
    # OptimizerParamScheduler.__init__'s asserts, in its order.
    for ok, what in (
        (min_lr >= 0.0, f"min_lr ({number_text(min_lr)}) must be ≥ 0"),
        (lr >= min_lr, f"the peak lr ({number_text(lr)}) must be ≥ min_lr ({number_text(min_lr)})"),
        (init_lr <= lr, f"init_lr ({number_text(init_lr)}) must be ≤ the peak lr ({number_text(lr)})"),
        (decay > 0, f"lr_decay_steps ({number_text(decay)} samples) must be > 0"),
        (warmup < decay, f"lr_warmup_steps ({number_text(warmup)} samples) must be < lr_decay_steps "
                         f"({number_text(decay)} samples)"),
    ):
        if not ok:
            raise LrcliError(f"{name}: {what} (OptimizerParamScheduler asserts it); change the settings")


@dataclass(frozen=True)
class _Settings:
    """What OptimizerParamScheduler is built with (all in samples), after its asserts passed."""

    max_lr: float
    init_lr: float
    min_lr: float
    warmup: float  # lr_warmup_steps W
    decay: float  # lr_decay_steps D
    increment: int
    wsd_decay_steps: int | None
    wsd_style: str
    bands: list[list[int]] | None


def _settings(style: str, last: int, *, lr: float, warmup: int, total: int, init_lr: float, min_lr: float,
              lr_warmup_steps: float | None, lr_decay_steps: float | None, increment: int,
              wsd_decay_steps: int | None, lr_wsd_decay_style: str,
              rampup_bands: list[list[int]] | None) -> _Settings:
    """The schedule's kwargs checked as Megatron checks them (the constructor's asserts, in its order) and as lrcli
    must (whole increments and ramp-up bands, sample counts within 2^53 up to row `last`), with W and D defaulted
    from lrcli's W and T: the one place both the numpy evaluation and the scalar twin get them from."""
    name = f"megatron_{style}"
    if isinstance(increment, float) and increment.is_integer():
        increment = int(increment)
    if not isinstance(increment, int) or increment < 1:
        raise LrcliError(f"{name}: increment (samples per iteration) must be a whole number ≥ 1, "
                         f"got {number_text(increment)}")
    warmup_samples = warmup * increment if lr_warmup_steps is None else lr_warmup_steps
    decay_samples = total * increment if lr_decay_steps is None else lr_decay_steps
    max_lr = float(lr)
    _checked(name, max_lr, init_lr, min_lr, warmup_samples, decay_samples)
    if style == "wsd" and wsd_decay_steps is None:
        raise LrcliError(f"{name}: WSD needs wsd_decay_steps (--lr-wsd-decay-iters or --lr-wsd-decay-samples); "
                         "OptimizerParamScheduler asserts it")
    if style == "wsd" and lr_wsd_decay_style not in WSD_STYLES:
        raise LrcliError(f"{name}: lr_wsd_decay_style {lr_wsd_decay_style!r} is not one of {', '.join(WSD_STYLES)}")
    if last * increment > MAX_WHOLE:  # Python's int would be exact; int64/float64 are not past here
        raise LrcliError(f"{name}: {number_text(last * increment)} samples (step · increment) is beyond what lrcli "
                         "computes exactly (2^53); check the global batch and the number of iterations")
    if rampup_bands is not None and not (
        isinstance(rampup_bands, list | tuple)
        and all(isinstance(band, list | tuple) and len(band) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_WHOLE for v in band)
                for band in rampup_bands)
    ):  # the planner builds these from --rampup-batch-size; a hand-given kwarg must have the same shape
        raise LrcliError(f"{name}: rampup_bands is a list of [batch, iterations] pairs of whole numbers "
                         "(e.g. [[16, 100], [32, 100]]); lrcli derives it from --rampup-batch-size")
    return _Settings(max_lr, init_lr, min_lr, warmup_samples, decay_samples, increment, wsd_decay_steps,
                     lr_wsd_decay_style, rampup_bands)


def megatron_lr(steps: Steps, style: str, c: _Settings) -> Factors:
    """get_lr at n = s · increment for every s in `steps` (see the module docstring); all units are samples.
    `c.bands` ([batch, iterations], …): the first iterations step by those batches, then by `increment`."""
    max_lr, init_lr, min_lr = c.max_lr, c.init_lr, c.min_lr
    lr_warmup_steps, lr_decay_steps, wsd_decay_steps = c.warmup, c.decay, c.wsd_decay_steps
    n_int = _consumed(np.asarray(steps, dtype=np.int64), c.increment, c.bands)
    n = n_int.astype(np.float64)  # float(self.num_steps): exact below 2^53
    warmup_lr = init_lr + (max_lr - init_lr) * n / float(lr_warmup_steps) if lr_warmup_steps > 0 else n
    in_warmup = (n <= lr_warmup_steps) if lr_warmup_steps > 0 else np.zeros(n.shape, dtype=bool)
    if style == "constant":
        return np.where(in_warmup, warmup_lr, max_lr)
    delta_lr = max_lr - min_lr
    if style == "inverse_square_root":
        # max(min_lr, max_lr * warmup_steps**0.5 / (num_steps**0.5)): Python's ** (the C library's pow, which differs
        # from a square root in the last bit for 0.08 % of whole numbers: 2921, 3541, …) at the decaying rows;
        # Python's max keeps min_lr against a NaN, as np.fmax does
        root = _per_row(lambda x: x**0.5, np.maximum(n, 1.0), ~in_warmup & (n <= lr_decay_steps))
        decayed = np.fmax(min_lr, max_lr * max(lr_warmup_steps, 1) ** 0.5 / root)
    else:
        ratio = (n - lr_warmup_steps) / float(lr_decay_steps - lr_warmup_steps)  # float(n - W) / float(D - W)
        if style == "linear":
            coeff = 1.0 - ratio
        elif style == "cosine":
            coeff = 0.5 * (np.cos(math.pi * ratio) + 1.0)
        else:  # WSD
            anneal_start = lr_decay_steps - wsd_decay_steps
            with np.errstate(divide="ignore", invalid="ignore"):
                rho = (n - anneal_start) / float(wsd_decay_steps) if wsd_decay_steps else np.zeros(n.shape)
            if c.wsd_style == "linear":
                anneal = 1.0 - rho
            elif c.wsd_style == "cosine":
                anneal = 0.5 * (np.cos(math.pi * rho) + 1.0)
            elif c.wsd_style == "exponential":
                # math.pow, as get_lr calls it: numpy's vectorised power rounds the last bit differently from the C
                # library's pow in places (9 of the 137 recorded release runs)
                half_power = _per_row(lambda x: math.pow(0.5, x), rho, (n > anneal_start) & (n <= lr_decay_steps))
                anneal = (2.0 * half_power) - 1.0
            else:
                anneal = 1.0 - np.sqrt(np.maximum(rho, 0.0))
            coeff = np.where(n <= anneal_start, 1.0, anneal)
        decayed = min_lr + coeff * delta_lr
    return np.where(in_warmup, warmup_lr, np.where(n > lr_decay_steps, min_lr, decayed))


def _per_row(function: Callable[[float], float], values: Factors, used: Factors) -> Factors:
    """`function` of each value in Python floats at the `used` rows (1.0 elsewhere): where get_lr calls the C
    library's pow, whose last bit numpy's own power and sqrt do not always reproduce."""
    out = np.ones(values.shape)
    rows = np.flatnonzero(used)
    out[rows] = np.fromiter(map(function, values[rows].tolist()), np.float64, rows.size)
    return out


def _get_lr(style: str, n: int, c: _Settings) -> float:
    """OptimizerParamScheduler.get_lr with num_steps = n, in Python floats and its own order (the scalar twin)."""
    max_lr, min_lr, warmup, decay = c.max_lr, c.min_lr, c.warmup, c.decay
    if warmup > 0 and n <= warmup:
        return c.init_lr + ((max_lr - c.init_lr) * float(n) / float(warmup))
    if style == "constant":
        return max_lr
    if n > decay:
        return min_lr
    if style == "inverse_square_root":
        return max(min_lr, max_lr * max(warmup, 1) ** 0.5 / (max(n, 1) ** 0.5))
    decay_ratio = float(n - warmup) / float(decay - warmup)
    if style == "linear":
        coeff = 1.0 - decay_ratio
    elif style == "cosine":
        coeff = 0.5 * (math.cos(math.pi * decay_ratio) + 1.0)
    else:
        coeff = _wsd_coeff(n, c)
    return min_lr + coeff * (max_lr - min_lr)


def _wsd_coeff(n: int, c: _Settings) -> float:
    # get_lr's WSD branch: 1.0 up to the anneal start D − Wd, then the lr_wsd_decay_style coefficient
    anneal_start = c.decay - c.wsd_decay_steps
    if n <= anneal_start:
        return 1.0
    ratio = float(n - anneal_start) / float(c.wsd_decay_steps)
    if c.wsd_style == "linear":
        return 1.0 - ratio
    if c.wsd_style == "cosine":
        return 0.5 * (math.cos(math.pi * ratio) + 1.0)
    if c.wsd_style == "exponential":
        return (2.0 * math.pow(0.5, ratio)) - 1.0
    return 1.0 - math.sqrt(ratio)


def _consumed_at(s: int, increment: int, bands: list[list[int]] | None) -> int:
    """`_consumed` for one row, in Python ints: the samples train_step has passed to step() after s iterations."""
    start_row = start_samples = 0
    for size, count in bands or ():
        if s < start_row + count:
            return start_samples + (s - start_row) * size
        start_row, start_samples = start_row + count, start_samples + size * count
    return start_samples + (s - start_row) * increment


def _consumed(steps: Steps, increment: int, bands: list[list[int]] | None) -> Steps:
    """The scheduler's num_steps after s iterations: s · increment, or with a ramp-up the batches of its bands
    summed, then `increment` per iteration."""
    if not bands:
        return steps * increment
    sizes = np.array([int(size) for size, _ in bands], dtype=np.int64)
    counts = np.array([int(count) for _, count in bands], dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(counts)))  # the first iteration of each band, then the ramp's end
    before = np.concatenate(([0], np.cumsum(sizes * counts)))  # samples consumed when each band starts
    band = np.searchsorted(first, steps, side="right") - 1
    inside = band < len(bands)
    band = np.minimum(band, len(bands) - 1)
    ramping = before[band] + (steps - first[band]) * sizes[band]
    after = before[-1] + (steps - first[-1]) * increment
    return np.where(inside, ramping, after)


def _row_of(samples: float, increment: int, bands: list[list[int]] | None) -> float:
    """The (fractional) iteration after which the scheduler has counted `samples`: the inverse of `_consumed`,
    which only grows, so get_lr's turns in samples are turns in rows."""
    start_row, start_samples = 0, 0
    for size, count in bands or ():
        if size > 0 and samples <= start_samples + size * count:
            return start_row + (samples - start_samples) / size
        start_row, start_samples = start_row + count, start_samples + size * count
    return start_row + (samples - start_samples) / increment


def _breaks(style: str):
    def breaks(p: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
        """get_lr is monotone in n between the warmup's end W, WSD's anneal start D − Wd and the decay's end D
        (linear/cosine ratios in [0, 1], inverse square root, the anneal coefficients all fall; n only grows)."""
        increment, bands = int(p["increment"]), p["rampup_bands"]
        if increment < 1 or not (bands is None or all(len(band) == 2 for band in bands)):
            return None  # evaluating raises the framework's error
        warmup_samples = warmup * increment if p["lr_warmup_steps"] is None else p["lr_warmup_steps"]
        decay_samples = total * increment if p["lr_decay_steps"] is None else p["lr_decay_steps"]
        turns = [warmup_samples, decay_samples]
        if style == "wsd" and p["wsd_decay_steps"] is not None:
            turns.append(decay_samples - p["wsd_decay_steps"])
        return [_row_of(float(x), increment, bands) for x in turns]

    return breaks


def _family(style: str):
    def schedule(
        steps: Steps,
        *,
        lr: float,
        warmup: int,
        total: int,
        init_lr: float = 0.0,
        min_lr: float = 0.0,
        lr_warmup_steps: float | None = None,
        lr_decay_steps: int | None = None,
        increment: int = 1,
        wsd_decay_steps: int | None = None,
        lr_wsd_decay_style: WsdStyle = "exponential",
        rampup_bands: list[list[int]] | None = None,
    ) -> Factors:
        settings = _settings(
            style, int(np.max(steps, initial=0)), lr=lr, warmup=warmup, total=total, init_lr=init_lr, min_lr=min_lr,
            lr_warmup_steps=lr_warmup_steps, lr_decay_steps=lr_decay_steps, increment=increment,
            wsd_decay_steps=wsd_decay_steps, lr_wsd_decay_style=lr_wsd_decay_style, rampup_bands=rampup_bands,
        )  # fmt: skip
        return megatron_lr(steps, style, settings)

    schedule.__name__ = f"megatron_{style}"
    schedule.__doc__ = (
        f"Megatron `--lr-decay-style {STYLE_NAMES[style]}`: OptimizerParamScheduler.get_lr at n = s · increment "
        "samples (megatron/core/optimizer_param_scheduler.py); see lrcli.schedules.megatron."
    )
    return schedule


def _scalar(style: str):
    def lr_at(s: int, *, lr: float, warmup: int, total: int, **params: Any) -> float:
        """OptimizerParamScheduler.get_lr after s iterations: the scalar twin of `_family(style)`."""
        settings = _settings(style, s, lr=lr, warmup=warmup, total=total, **params)
        return _get_lr(style, _consumed_at(s, settings.increment, settings.bands), settings)

    return lr_at


# lrcli's name suffix -> Megatron's --lr-decay-style
STYLE_NAMES = {"constant": "constant", "linear": "linear", "cosine": "cosine",
               "inverse_square_root": "inverse-square-root", "wsd": "WSD"}
SUMMARIES = {
    "constant": "linear warmup from init_lr, then max_lr",
    "linear": "linear warmup from init_lr, linear decay to min_lr at lr_decay_steps, then min_lr",
    "cosine": "linear warmup from init_lr, half cosine to min_lr at lr_decay_steps, then min_lr",
    "inverse_square_root": "linear warmup, then max_lr·√(W/n) (not below min_lr); min_lr after lr_decay_steps",
    "wsd": "linear warmup, stable, then the lr_wsd_decay_style anneal over the last wsd_decay_steps samples",
}

SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry
    f"megatron_{style}": Schedule(f"megatron_{style}", MEGATRON, _family(style), f"Megatron {words} (in samples)",
                                  breaks=_breaks(style), scalar=_scalar(style))
    for style, words in SUMMARIES.items()
}
