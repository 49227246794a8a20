"""PyTorch `torch.optim.lr_scheduler` classes (torch 2.13–2.15: `lr_scheduler.py` differs only in a docstring), with torch's class names and constructor parameters.

Every value is what `scheduler.step()` leaves in `optimizer.param_groups[0]["lr"]`, not the textbook closed form.
Most torch schedulers are *chainable*: each step rescales the current lr, so lrcli replays that recursion in the same
float operations (a `cumprod` of the per-step ratios, or a scalar loop where `math.cos`/`**` or an affine update is
involved). Where the replay and the closed form differ (see each docstring):

* CosineAnnealingLR drifts from η + (B − η)·½(1 + cos(πt/T)) over many periods (≈4e-11 relative after 1e5 steps),
  and is periodic (climbs back to B at t = 2T) rather than clamped.
* ConstantLR(total_iters=0) and LinearLR(total_iters=0) stay at B·factor / B·start_factor forever (the closed form
  says B, or divides by zero); ConstantLR's restored lr can be 1 ulp off B.
* PolynomialLR(total_iters=0) stays at B (the closed form divides by zero).
* MultiStepLR ignores negative milestones (the closed form counts them).

Long runs: every class also replays in blocks (`replay`: each block's chain starts from the last value of the one
before, so the values are the one-block run's, bit for bit; a chain whose ratios are all 1.0 from some step on ends in
one `Level`), which is how tables of any length and exact plots up to 10^7 steps are made. Past that a plot of a
chained class draws torch's `_get_closed_form_lr` (`CLOSED_FORMS`), with the difference measured against the replay.

`lrcli check` (lrcli/curve_facts.py) reads a curve's peak and final LR from a scalar twin (`TorchClass.scalar`) at a
few steps, without numpy: the class's get_lr in Python floats, the per-value code its `at` uses (StepLR and
MultiStepLR multiply one decay after another with math.prod, as the replay's cumprod does). The chained classes have
none: their value at step s is s float operations (ExponentialLR: s products), so check evaluates them with numpy.

Parameters torch requires but lrcli can derive default to None and are filled in: `OneCycleLR.max_lr` and
`CyclicLR.max_lr` from `--lr`; `OneCycleLR.total_steps`, `PolynomialLR.total_iters` and `CosineAnnealingLR.T_max` from
T (the number of scheduler steps; inside SequentialLR, the length of the scheduler's own segment). A value given in the
kwargs always wins. `--lr` is the lr the optimizer was built with (B).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import repeat
from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.pieces import joined, periodic
from lrcli.schedules.types import Factors, Level, Schedule, Steps, np

Blocks = Iterator["Factors | Level"]  # the values at steps 0 … n, in order, a block at a time

TORCH = "PyTorch torch.optim.lr_scheduler"
_MODULE = "torch.optim.lr_scheduler."


@dataclass(frozen=True)
class Origin:
    """Where a scheduler starts: `base` is its `base_lrs[0]` (the group's `initial_lr` when it was built), `lr` the
    group lr just before its initial step; `restart` means SequentialLR restarts it at a milestone, where torch
    computes step 0 with `_get_closed_form_lr()` (or `get_lr()` for classes without one) instead of the initial step."""

    base: float
    lr: float
    restart: bool = False


def _cos(x: Sequence[float]) -> list[float]:
    # math.cos, not np.cos: torch calls libm per value and a 1-ulp difference can decide a branch.
    return [math.cos(v) for v in x]


def _chain(first: float, ratios: np.ndarray) -> Factors:
    """lr(0) = first, lr(t) = lr(t − 1) · ratios[t − 1]: the same multiplications torch performs, in the same order."""
    return np.cumprod(np.concatenate(([first], ratios.astype(np.float64))))


_CHAIN_BLOCK = 1 << 20  # products replayed at a time: memory stays ~8 MB however long the chain
_LIST_BLOCK = 1 << 16  # steps at a time where each value goes through a Python float (math.cos, **): ~5 MB of lists


def _chain_at(first: float, ratio: float, counts: Steps) -> Factors:
    """p(k) for each k in `counts`, with p(0) = first and p(k) = p(k − 1) · ratio: the products torch performs
    (a step whose ratio is 1.0 changes nothing, exactly), replayed block by block up to the largest k."""
    need = np.unique(counts)
    found = np.empty(len(need), dtype=np.float64)
    carry, done = float(first), 0
    top = int(need[-1]) if len(need) else 0
    while True:
        stop = min(top, done + _CHAIN_BLOCK)
        block = np.cumprod(np.concatenate(([carry], np.full(stop - done, ratio, dtype=np.float64))))
        lo, hi = np.searchsorted(need, [done, stop + 1])
        found[lo:hi] = block[need[lo:hi] - done]
        carry, done = float(block[-1]), stop
        if done >= top:
            break
    return found[np.searchsorted(need, counts)]


def _chained(first: float, ratios: Callable[[Steps], Factors], n: int, size: int, settled: float = math.inf) -> Blocks:
    """`_chain` a block of `size` steps at a time: each block's products start from the last value of the one before
    (the carry), so the values are those of one cumprod over all steps. Past `settled` every ratio is 1.0 and the
    product stays as it is: one `Level`."""
    carry = float(first)
    yield np.array([carry])
    start = 1
    while start <= n:
        if start > settled:
            yield Level(carry, n + 1 - start)
            return
        stop = min(start + size, n + 1)
        block = np.cumprod(np.concatenate(([carry], ratios(np.arange(start, stop, dtype=np.int64)).astype(np.float64))))
        carry, start = float(block[-1]), stop
        yield block[1:]


def collect(blocks: Blocks) -> Factors:
    """Every value of a replay, in one array (what `run` returns)."""
    parts = [np.full(b.count, b.value) if isinstance(b, Level) else b for b in blocks]
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _zero_division(name: str, where: str) -> LrcliError:
    return LrcliError(f"{name}: torch raises ZeroDivisionError {where}; change the parameters")


def _steps_step(n: int, origin: Origin, size: int, *, step_size: float, gamma: float) -> Blocks:
    if step_size == 0 and n >= 1:
        raise _zero_division("StepLR", "at the first step (step_size=0)")
    return _chained(origin.base if origin.restart else origin.lr,
                    lambda t: np.where(t % step_size == 0, gamma, 1.0), n, size)


def _run_step(n: int, origin: Origin, *, step_size: float, gamma: float) -> Factors:
    return collect(_steps_step(n, origin, n + 1, step_size=step_size, gamma=gamma))


def _whole_step_size(step_size: Any) -> bool:
    """StepLR decays at the multiples of a step_size that is an int > 0; for a fractional or negative one only the
    replay knows where t % step_size == 0."""
    return isinstance(step_size, int) and not isinstance(step_size, bool) and step_size > 0


def _at_step(steps: Steps, n: int, origin: Origin, *, step_size: float, gamma: float) -> Factors | None:
    if not _whole_step_size(step_size):
        return None
    return _chain_at(origin.base if origin.restart else origin.lr, gamma, steps // step_size)


def _step_scalar(s: int, origin: Origin, *, step_size: float, gamma: float) -> float:
    """StepLR.get_lr: group["lr"] * gamma at each multiple of step_size, so ⌊s/step_size⌋ products in turn
    (math.prod multiplies left to right in doubles, as the replay's cumprod; one product per decay, not per step)."""
    if not _whole_step_size(step_size):
        raise ValueError("StepLR with a step_size that is not a positive int: only the replay knows its decays")
    return math.prod(repeat(float(gamma), s // step_size), start=float(origin.base if origin.restart else origin.lr))


def _valid_milestones(milestones: list[Any], n: int) -> Counter:
    return Counter({m: c for m, c in Counter(milestones).items() if m == int(m) and 1 <= m <= n})


def _multistep_decays(milestones: list[Any], n: int, gamma: float) -> tuple[list[int], list[float]]:
    """The milestones step() meets in steps 1 … n, in order, and the ratio γ^count it multiplies by at each."""
    valid = _valid_milestones(milestones, n)
    at = sorted(int(m) for m in valid)
    return at, [gamma ** valid[m] for m in at]


def _multistep_first(origin: Origin, milestones: list[Any], gamma: float) -> float:
    """The lr after the initial step (a milestone 0 applies at once); SequentialLR's restart uses the closed form,
    γ ** bisect_right(sorted milestones, 0), negative milestones included."""
    counts = Counter(milestones)
    if origin.restart:
        return origin.base * gamma ** bisect_right(sorted(counts.elements()), 0)
    return origin.lr * gamma ** counts[0] if 0 in counts else origin.lr


def _at_multistep(steps: Steps, n: int, origin: Origin, *, milestones: list[Any], gamma: float) -> Factors:
    at, ratios = _multistep_decays(milestones, n, gamma)
    chain = _chain_parts(_multistep_first(origin, milestones, gamma), ratios)
    return chain[np.searchsorted(np.array(at, dtype=np.int64), steps, side="right")]


# A twin reads every milestone at each of the ~3 rows check evaluates per milestone: past this many, numpy's one pass
# over the curve is the cheaper way (256 milestones: 0.2 s).
TWIN_MILESTONES = 256


def _multistep_scalar(s: int, origin: Origin, *, milestones: list[Any], gamma: float) -> float:
    """MultiStepLR.get_lr: group["lr"] * gamma ** count at each milestone up to s, the products in turn."""
    if len(milestones) > TWIN_MILESTONES:
        raise ValueError(f"more than {TWIN_MILESTONES} milestones: evaluated with numpy")
    return math.prod(_multistep_decays(milestones, s, gamma)[1], start=_multistep_first(origin, milestones, gamma))


def _chain_parts(first: float, ratios: list[float]) -> Factors:
    return np.cumprod(np.array([first, *ratios], dtype=np.float64))


def _run_multistep(n: int, origin: Origin, *, milestones: list[Any], gamma: float) -> Factors:
    ratios = np.ones(n, dtype=np.float64)
    for milestone, ratio in zip(*_multistep_decays(milestones, n, gamma), strict=True):
        ratios[milestone - 1] = ratio  # step() compares last_epoch with each key
    return _chain(_multistep_first(origin, milestones, gamma), ratios)


def _constant_first(origin: Origin, factor: float, total_iters: float) -> float:
    """The lr after the initial step (get_lr at last_epoch 0: × factor), or the closed form at a restart."""
    if origin.restart:
        return origin.base * (factor + (0 >= total_iters) * (1 - factor))
    return origin.lr * factor


def _constant_restore(n: int, factor: float, total_iters: float) -> float | None:
    """The ratio 1.0 / factor step() multiplies by at last_epoch == total_iters, if that is among steps 1 … n."""
    if not (total_iters == int(total_iters) and 1 <= total_iters <= n):
        return None
    if factor == 0:
        raise _zero_division("ConstantLR", f"at step total_iters={total_iters} (factor=0 cannot be undone)")
    return 1.0 / factor


def _run_constant(n: int, origin: Origin, *, factor: float, total_iters: float) -> Factors:
    ratios = np.ones(n, dtype=np.float64)
    restore = _constant_restore(n, factor, total_iters)
    if restore is not None:
        ratios[int(total_iters) - 1] = restore
    return _chain(_constant_first(origin, factor, total_iters), ratios)


def _at_constant(steps: Steps, n: int, origin: Origin, *, factor: float, total_iters: float) -> Factors:
    first = _constant_first(origin, factor, total_iters)
    restore = _constant_restore(n, factor, total_iters)
    if restore is None:
        return np.full(steps.shape, first)
    return np.where(steps >= total_iters, first * restore, first)


def _constant_scalar(s: int, origin: Origin, *, factor: float, total_iters: float) -> float:
    """ConstantLR.get_lr: group["lr"] * factor at step 0, then * (1.0 / factor) once, at total_iters."""
    first = _constant_first(origin, factor, total_iters)
    restore = _constant_restore(s, factor, total_iters)
    return first if restore is None else first * restore


def _steps_linear(
    n: int, origin: Origin, size: int, *, start_factor: float, end_factor: float, total_iters: float
) -> Blocks:
    if origin.restart:
        if total_iters == 0:
            raise _zero_division("LinearLR", "when SequentialLR restarts it with total_iters=0")
        first = origin.base * (start_factor + (end_factor - start_factor) * min(total_iters, 0) / total_iters)
    else:
        first = origin.lr * start_factor
    delta = end_factor - start_factor

    def ratios(steps: Steps) -> Factors:
        t = steps.astype(np.float64)
        with np.errstate(all="ignore"):
            ratio = 1.0 + delta / (total_iters * start_factor + (t - 1) * delta)
        return np.where(t > total_iters, 1.0, ratio)

    return _chained(first, ratios, n, size, settled=total_iters)


def _run_linear(n: int, origin: Origin, *, start_factor: float, end_factor: float, total_iters: float) -> Factors:
    params = {"start_factor": start_factor, "end_factor": end_factor, "total_iters": total_iters}
    return collect(_steps_linear(n, origin, n + 1, **params))


def _steps_exponential(n: int, origin: Origin, size: int, *, gamma: float) -> Blocks:
    first = origin.base * gamma**0 if origin.restart else origin.lr
    return _chained(first, lambda t: np.full(len(t), gamma, dtype=np.float64), n, size)


def _run_exponential(n: int, origin: Origin, *, gamma: float) -> Factors:
    return collect(_steps_exponential(n, origin, n + 1, gamma=gamma))


def _at_exponential(steps: Steps, n: int, origin: Origin, *, gamma: float) -> Factors:
    return _chain_at(origin.base * gamma**0 if origin.restart else origin.lr, gamma, steps)


def _steps_polynomial(n: int, origin: Origin, size: int, *, total_iters: float, power: float) -> Blocks:
    if origin.restart:
        if total_iters == 0:
            raise _zero_division("PolynomialLR", "when SequentialLR restarts it with total_iters=0")
        first = origin.base * (1.0 - min(total_iters, 0) / total_iters) ** power
    else:
        first = origin.lr

    def ratios(steps: Steps) -> Factors:
        out = np.ones(len(steps), dtype=np.float64)
        live = steps <= total_iters
        t = steps[live].astype(np.float64)  # t / total_iters: one correctly rounded division, as Python's
        with np.errstate(all="ignore"):
            decay = ((1.0 - t / total_iters) / (1.0 - (t - 1) / total_iters)).tolist()
        try:  # Python's float ** (C pow, per value, as torch's `** self.power`): numpy's power may differ by an ulp
            out[live] = list(map(pow, decay, repeat(power)))
        except ZeroDivisionError:
            at = int(t[decay.index(0.0)])
            raise _zero_division("PolynomialLR", f"at step {at} (power={power} ≤ 0 at the end)") from None
        return out

    return _chained(first, ratios, n, min(size, _LIST_BLOCK), settled=total_iters)


def _run_polynomial(n: int, origin: Origin, *, total_iters: float, power: float) -> Factors:
    return collect(_steps_polynomial(n, origin, n + 1, total_iters=total_iters, power=power))


def _steps_cosine_annealing(n: int, origin: Origin, size: int, *, T_max: float, eta_min: float) -> Blocks:
    if T_max == 0:
        if n == 0 and not origin.restart:  # the initial step leaves the lr alone; the first step() divides by 0
            yield np.array([origin.lr])
            return
        raise _zero_division("CosineAnnealingLR", "with T_max=0")
    base, eta = origin.base, eta_min
    previous = math.cos(math.pi * 0 / T_max)
    lr = eta + (base - eta) * (1 + previous) / 2 if origin.restart else origin.lr
    bump = (base - eta) * (1 - math.cos(math.pi / T_max)) / 2
    yield np.array([lr])
    size = min(size, _LIST_BLOCK)
    for start in range(1, n + 1, size):
        t = np.arange(start, min(start + size, n + 1), dtype=np.int64)
        cos = _cos((math.pi * t.astype(np.float64) / T_max).tolist())  # math.pi * t / T_max, per value as Python
        troughs = np.flatnonzero((t - 1 - T_max) % (2 * T_max) == 0)  # the ratio there would be 0/0
        block = _cosine_block(lr, previous, cos, troughs, t, eta, bump)
        lr, previous = float(block[-1]), cos[-1]
        yield block


def _cosine_block(lr: float, previous: float, cos: list[float], troughs: Steps, t: Steps, eta: float,
                  bump: float) -> Factors:
    """One block of CosineAnnealingLR's get_lr chain: lr ← (1 + cos t)/(1 + cos(t − 1))·(lr − η) + η, and at a
    trough lr ← lr + bump. With η = 0 the chain is a product (x − 0 and x + 0 change no value): one cumprod
    between troughs; otherwise one step at a time."""
    if eta == 0 and len(troughs) <= 64:
        now = np.array(cos)
        before = np.concatenate(([previous], now[:-1]))
        with np.errstate(all="ignore"):
            ratios = (1 + now) / (1 + before)
        zero = np.flatnonzero(1 + before == 0)
        if np.setdiff1d(zero, troughs).size:
            raise _zero_division("CosineAnnealingLR", f"at step {int(t[np.setdiff1d(zero, troughs)[0]])}")
        out = np.empty(len(t), dtype=np.float64)
        begin = 0
        for stop in [*troughs.tolist(), len(t)]:
            if stop > begin:
                out[begin:stop] = np.cumprod(np.concatenate(([lr], ratios[begin:stop])))[1:]
                lr = float(out[stop - 1])
            if stop < len(t):
                lr = lr + bump
                out[stop] = lr
            begin = stop + 1
        return out
    trough = set(troughs.tolist())
    out_list, before = [], previous
    for i, now in enumerate(cos):
        if i in trough:
            lr = lr + bump
        else:
            try:
                lr = (1 + now) / (1 + before) * (lr - eta) + eta
            except ZeroDivisionError:
                raise _zero_division("CosineAnnealingLR", f"at step {int(t[i])}") from None
        out_list.append(lr)
        before = now
    return np.array(out_list, dtype=np.float64)


def _run_cosine_annealing(n: int, origin: Origin, *, T_max: float, eta_min: float) -> Factors:
    return collect(_steps_cosine_annealing(n, origin, n + 1, T_max=T_max, eta_min=eta_min))


def _run_warm_restarts(n: int, origin: Origin, *, T_0: int, T_mult: int, eta_min: float) -> Factors:
    return _at_warm_restarts(np.arange(n + 1, dtype=np.int64), n, origin, T_0=T_0, T_mult=T_mult, eta_min=eta_min)


def _restart_starts(n: int, T_0: int, T_mult: int) -> tuple[list[int], list[int]]:
    starts, lengths = [0], [T_0]  # cycle k starts at T_0 (m^k − 1)/(m − 1) and lasts T_0 m^k: exact integers
    while starts[-1] + lengths[-1] <= n:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * T_mult)
    return starts, lengths


def _at_warm_restarts(steps: Steps, n: int, origin: Origin, *, T_0: int, T_mult: int, eta_min: float) -> Factors:
    t = np.asarray(steps, dtype=np.int64)
    if T_mult == 1:
        t_cur, t_i = t % T_0, np.full(len(t), T_0, dtype=np.int64)
    else:
        starts, lengths = _restart_starts(n, T_0, T_mult)
        cycle = np.searchsorted(np.array(starts, dtype=np.int64), t, side="right") - 1
        t_cur, t_i = t - np.array(starts)[cycle], np.array(lengths)[cycle]
    lrs = [_warm_restarts_lr(int(c), int(i), origin.base, eta_min) for c, i in zip(t_cur, t_i, strict=True)]
    return np.array(lrs, dtype=np.float64)


def _warm_restarts_lr(t_cur: int, t_i: int, base: float, eta_min: float) -> float:
    """CosineAnnealingWarmRestarts.get_lr, T_cur steps into a cycle of T_i (math.cos: torch calls libm per value)."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2


def _warm_restarts_scalar(s: int, origin: Origin, *, T_0: int, T_mult: int, eta_min: float) -> float:
    """CosineAnnealingWarmRestarts.step() then get_lr: T_cur and T_i after s steps, as exact integers."""
    if T_mult == 1:
        return _warm_restarts_lr(s % T_0, T_0, origin.base, eta_min)
    starts, lengths = _restart_starts(s, T_0, T_mult)  # the last cycle begun by step s is the one s is in
    return _warm_restarts_lr(s - starts[-1], lengths[-1], origin.base, eta_min)


def _run_cyclic(
    n: int,
    origin: Origin,
    *,
    base_lr: float,
    max_lr: float,
    step_size_up: float,
    step_size_down: float | None,
    mode: str,
    gamma: float,
    at: Steps | None = None,
) -> Factors:
    cycle = _cyclic_cycle(step_size_up, step_size_down)
    steps = range(n + 1) if at is None else at.tolist()
    return np.array([_cyclic_lr(t, *cycle, base_lr, max_lr, mode, gamma) for t in steps], dtype=np.float64)


def _cyclic_cycle(step_size_up: float, step_size_down: float | None) -> tuple[float, float]:
    """CyclicLR's constructor: (total_size, step_ratio), from the sizes as floats."""
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total_size = up + down
    if total_size == 0:
        raise _zero_division("CyclicLR", "in its constructor (step_size_up + step_size_down = 0)")
    return total_size, up / total_size


def _cyclic_lr(t: int, total_size: float, ratio: float, base_lr: float, max_lr: float, mode: str,
               gamma: float) -> float:
    """CyclicLR.get_lr at last_epoch t, with the built-in scale_fn of `mode`."""
    cycle = math.floor(1 + t / total_size)
    x = 1.0 + t / total_size - cycle
    try:
        scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    except ZeroDivisionError:
        raise _zero_division("CyclicLR", f"at step {t} (step_size_up=0)") from None
    if mode == "triangular":
        height = 1.0
    elif mode == "triangular2":
        try:
            height = 1 / (2.0 ** (cycle - 1))
        except OverflowError:
            raise LrcliError(f"CyclicLR triangular2: torch raises OverflowError in cycle {cycle}") from None
    else:  # exp_range: scale_mode is forced to 'iterations'
        height = gamma**t
    return base_lr + (max_lr - base_lr) * scale * height


def _cyclic_scalar(s: int, origin: Origin, *, base_lr: float, max_lr: float, step_size_up: float,
                   step_size_down: float | None, mode: str, gamma: float) -> float:
    """CyclicLR at last_epoch s: the constructor's cycle, then get_lr."""
    return _cyclic_lr(s, *_cyclic_cycle(step_size_up, step_size_down), base_lr, max_lr, mode, gamma)


def _run_one_cycle(
    n: int,
    origin: Origin,
    *,
    max_lr: float,
    total_steps: int,
    pct_start: float,
    anneal_strategy: str,
    div_factor: float,
    final_div_factor: float,
    three_phase: bool,
    at: Steps | None = None,
) -> Factors:
    _one_cycle_reach(n, total_steps)
    phases = _one_cycle_phases(max_lr, total_steps, pct_start, div_factor, final_div_factor, three_phase)
    steps = range(n + 1) if at is None else at.tolist()
    return np.array([_one_cycle_lr(t, phases, anneal_strategy) for t in steps], dtype=np.float64)


def _one_cycle_reach(n: int, total_steps: int) -> None:
    """get_lr raises once last_epoch passes total_steps."""
    if n > total_steps:
        raise LrcliError(
            f"OneCycleLR is stepped {n} times but total_steps is {total_steps}: torch raises "
            f"ValueError('Tried to step {total_steps + 1} times') there; set total_steps ≥ {n} or train for fewer steps"
        )


Phases = list[tuple[float, float, float]]  # (end_step, start lr, end lr) of each of OneCycleLR's phases


def _one_cycle_phases(max_lr: float, total_steps: int, pct_start: float, div_factor: float, final_div_factor: float,
                      three_phase: bool) -> Phases:
    """OneCycleLR's constructor: its _schedule_phases, with the group's initial_lr, max_lr and min_lr filled in."""
    initial = _one_cycle_initial_lr(max_lr, div_factor)
    lrs = {"initial_lr": initial, "max_lr": max_lr, "min_lr": initial / final_div_factor}
    if three_phase:
        phases = [
            (float(pct_start * total_steps) - 1, "initial_lr", "max_lr"),
            (float(2 * pct_start * total_steps) - 2, "max_lr", "initial_lr"),
            (total_steps - 1, "initial_lr", "min_lr"),
        ]
    else:
        phases = [(float(pct_start * total_steps) - 1, "initial_lr", "max_lr"), (total_steps - 1, "max_lr", "min_lr")]
    return [(end_step, lrs[start], lrs[end]) for end_step, start, end in phases]


def _one_cycle_lr(t: int, phases: Phases, anneal_strategy: str) -> float:
    """OneCycleLR.get_lr at last_epoch t: the first phase whose end_step is not behind t (or the last one)."""
    start_step = 0.0
    for i, (end_step, start, end) in enumerate(phases):
        if t <= end_step or i == len(phases) - 1:
            try:
                pct = (t - start_step) / (end_step - start_step)
            except ZeroDivisionError:
                where = f"at step {t} (pct_start·total_steps = 1 gives an empty phase)"
                raise _zero_division("OneCycleLR", where) from None
            if anneal_strategy == "cos":
                return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
            return (end - start) * pct + start
        start_step = end_step
    raise AssertionError("the last phase always matches")


def _one_cycle_scalar(s: int, origin: Origin, *, max_lr: float, total_steps: int, pct_start: float,
                      anneal_strategy: str, div_factor: float, final_div_factor: float, three_phase: bool) -> float:
    """OneCycleLR at last_epoch s: the constructor's phases, then get_lr (which raises past total_steps)."""
    _one_cycle_reach(s, total_steps)
    phases = _one_cycle_phases(max_lr, total_steps, pct_start, div_factor, final_div_factor, three_phase)
    return _one_cycle_lr(s, phases, anneal_strategy)


def _at_cyclic(steps: Steps, n: int, origin: Origin, **p: Any) -> Factors:
    return _run_cyclic(n, origin, at=steps, **p)


def _at_one_cycle(steps: Steps, n: int, origin: Origin, **p: Any) -> Factors:
    return _run_one_cycle(n, origin, at=steps, **p)


def _one_cycle_initial_lr(max_lr: float, div_factor: float) -> float:
    if div_factor == 0:
        raise _zero_division("OneCycleLR", "in its constructor (div_factor=0)")
    return max_lr / div_factor


# ---- parameter checks and derived defaults, per class (torch's constructor checks, then lrcli's fill-ins) ----


def _check_constant(p: dict[str, Any]) -> None:
    if p["factor"] > 1.0 or p["factor"] < 0:
        raise LrcliError(f"ConstantLR: factor must be in [0, 1] (torch raises ValueError), got {p['factor']}")


def _check_linear(p: dict[str, Any]) -> None:
    if p["start_factor"] > 1.0 or p["start_factor"] <= 0:
        raise LrcliError(f"LinearLR: start_factor must be in (0, 1] (torch raises ValueError), got {p['start_factor']}")
    if p["end_factor"] > 1.0 or p["end_factor"] < 0:
        raise LrcliError(f"LinearLR: end_factor must be in [0, 1] (torch raises ValueError), got {p['end_factor']}")


def _check_multistep(p: dict[str, Any]) -> None:
    milestones = p["milestones"]
    if not isinstance(milestones, (list, tuple)) or not all(
        isinstance(m, (int, float)) and not isinstance(m, bool) for m in milestones
    ):
        raise LrcliError(f"MultiStepLR: milestones must be a list of step numbers like [30, 80], got {milestones!r}")


def _check_warm_restarts(p: dict[str, Any]) -> None:
    if not isinstance(p["T_0"], int) or p["T_0"] <= 0:
        raise LrcliError(
            f"CosineAnnealingWarmRestarts: T_0 must be a positive integer (torch raises ValueError), got {p['T_0']!r}"
        )
    if not isinstance(p["T_mult"], int) or p["T_mult"] < 1:
        raise LrcliError(
            f"CosineAnnealingWarmRestarts: T_mult must be an integer ≥ 1 (torch raises ValueError), got {p['T_mult']!r}"
        )


def _check_cyclic(p: dict[str, Any]) -> None:
    if p["mode"] not in ("triangular", "triangular2", "exp_range"):
        raise LrcliError(
            f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' (lrcli cannot run a custom scale_fn), "
            f"got {p['mode']!r}"
        )


def _check_one_cycle(p: dict[str, Any]) -> None:
    total = p["total_steps"]
    if not isinstance(total, int) or total <= 0:
        raise LrcliError(f"OneCycleLR: total_steps must be a positive integer (torch raises ValueError), got {total!r}")
    pct = p["pct_start"]
    if not isinstance(pct, float) or not 0 <= pct <= 1:
        raise LrcliError(
            f"OneCycleLR: pct_start must be a float in [0, 1] (torch raises ValueError for {pct!r}); "
            "write it like 0.3 or 1.0"
        )
    if p["anneal_strategy"] not in ("cos", "linear"):
        raise LrcliError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {p['anneal_strategy']!r}")


def _fill_one_cycle(p: dict[str, Any]) -> None:
    epochs, per_epoch = p.pop("epochs"), p.pop("steps_per_epoch")
    if p["total_steps"] is None and (epochs is None) != (per_epoch is None):
        raise LrcliError(
            "OneCycleLR: give epochs and steps_per_epoch together, or total_steps, or neither (then total_steps = T); "
            "torch raises ValueError for one of them alone"
        )
    if p["total_steps"] is None and epochs is not None and per_epoch is not None:
        for key, value in (("epochs", epochs), ("steps_per_epoch", per_epoch)):
            if not isinstance(value, int) or value <= 0:
                raise LrcliError(
                    f"OneCycleLR: {key} must be a positive integer (torch raises ValueError), got {value!r}"
                )
        p["total_steps"] = epochs * per_epoch
    for key in ("cycle_momentum", "base_momentum", "max_momentum"):
        p.pop(key)  # momentum cycling does not touch the lr


def _drop_momentum(p: dict[str, Any]) -> None:
    for key in ("scale_mode", "cycle_momentum", "base_momentum", "max_momentum"):
        p.pop(key)  # built-in modes override scale_mode; momentum cycling does not touch the lr


@dataclass(frozen=True)
class TorchClass:
    """One torch class: how to replay it, which None parameter T (or the segment length) fills, and its checks."""

    run: Callable[..., Factors]
    from_length: str | None = None
    # The values at some steps only, `at(steps, n, origin, **p)` (None: the replay decides), for outlines of long runs;
    # the same float operations as `run`, so the same values.
    at: Callable[..., Factors | None] | None = None
    breaks: Callable[[int, dict[str, Any]], list[float] | None] | None = None  # schedules/pieces.py, standalone
    # `steps(n, origin, size, **p)`: `run` a block of `size` steps at a time with the carry (a chained class)
    steps: Callable[..., Blocks] | None = None
    check: Callable[[dict[str, Any]], None] | None = None
    prepare: Callable[[dict[str, Any]], None] | None = None
    # `scalar(s, origin, **p) -> float`: the lr after s steps in plain Python floats, torch's own get_lr arithmetic
    # (the same as `at`'s, per value), at O(turns before s) cost; None where only a chain of s products gives it.
    scalar: Callable[..., float] | None = None


# ---- where each class turns (schedules/pieces.py), for a standalone scheduler over steps 0 … last ----


def _step_breaks(last: int, p: dict[str, Any]) -> list[float] | None:
    return periodic(0, p["step_size"], last) if _whole_step_size(p["step_size"]) else None


def _multistep_breaks(last: int, p: dict[str, Any]) -> list[float] | None:
    return [float(m) for m in _valid_milestones(p["milestones"], last)]


def _one_cycle_breaks(last: int, p: dict[str, Any]) -> list[float] | None:
    n, pct = p["total_steps"], p["pct_start"]
    return [0, float(pct * n) - 1, float(2 * pct * n) - 2, n - 1, n]


def _cyclic_breaks(last: int, p: dict[str, Any]) -> list[float] | None:
    if p["mode"] == "exp_range":
        return None  # γ^t times a triangle need not be monotone between the turns
    up = float(p["step_size_up"])
    size = up + (float(p["step_size_down"]) if p["step_size_down"] is not None else up)
    return joined(periodic(0, size, last), periodic(up, size, last))


def _restart_breaks(last: int, p: dict[str, Any]) -> list[float] | None:
    if p["T_mult"] == 1:
        return periodic(0, p["T_0"], last)
    return [float(start) for start in _restart_starts(last, p["T_0"], p["T_mult"])[0]]


KINDS: dict[str, TorchClass] = {
    "StepLR": TorchClass(_run_step, at=_at_step, breaks=_step_breaks, steps=_steps_step, scalar=_step_scalar),
    "MultiStepLR": TorchClass(_run_multistep, check=_check_multistep, at=_at_multistep, breaks=_multistep_breaks,
                              scalar=_multistep_scalar),
    "ConstantLR": TorchClass(
        _run_constant, check=_check_constant, at=_at_constant, breaks=lambda last, p: [p["total_iters"]],
        scalar=_constant_scalar,
    ),
    "LinearLR": TorchClass(_run_linear, check=_check_linear, steps=_steps_linear),
    "ExponentialLR": TorchClass(_run_exponential, at=_at_exponential, breaks=lambda last, p: [],
                                steps=_steps_exponential),
    "PolynomialLR": TorchClass(_run_polynomial, from_length="total_iters", steps=_steps_polynomial),
    "CosineAnnealingLR": TorchClass(_run_cosine_annealing, from_length="T_max", steps=_steps_cosine_annealing),
    "CosineAnnealingWarmRestarts": TorchClass(
        _run_warm_restarts, check=_check_warm_restarts, at=_at_warm_restarts, breaks=_restart_breaks,
        scalar=_warm_restarts_scalar,
    ),
    "CyclicLR": TorchClass(_run_cyclic, check=_check_cyclic, prepare=_drop_momentum, at=_at_cyclic,
                           breaks=_cyclic_breaks, scalar=_cyclic_scalar),
    "OneCycleLR": TorchClass(
        _run_one_cycle, from_length="total_steps", check=_check_one_cycle, prepare=_fill_one_cycle,
        at=_at_one_cycle, breaks=_one_cycle_breaks, scalar=_one_cycle_scalar,
    ),
}


def resolved_params(name: str, params: Mapping[str, Any], *, lr: float, length: int | None) -> dict[str, Any]:
    """The constructor arguments torch would get: `max_lr` from --lr, the length-derived one from T, then checks."""
    kind = KINDS[name]
    p = dict(params)
    if kind.prepare:
        kind.prepare(p)
    if "max_lr" in p and p["max_lr"] is None:
        p["max_lr"] = lr
    if kind.from_length and p.get(kind.from_length) is None:
        if length is None or length < 1:
            raise LrcliError(f"{name}: cannot derive {kind.from_length} from an empty segment; give it in the kwargs")
        p[kind.from_length] = length
    if kind.check:
        kind.check(p)
    return p


def own_base_lr(name: str, p: Mapping[str, Any], initial_lr: float) -> float:
    """`base_lrs[0]` of a scheduler built when the group's initial_lr was `initial_lr`."""
    if name == "OneCycleLR":
        return _one_cycle_initial_lr(p["max_lr"], p["div_factor"])
    if name == "CyclicLR":
        return float(p["base_lr"])
    return initial_lr


def _standalone(name: str, steps: Steps, lr: float, total: int, params: Mapping[str, Any]) -> Factors:
    p = resolved_params(name, params, lr=lr, length=total)
    n = int(steps.max()) if steps.size else 0
    base = own_base_lr(name, p, lr)
    kind = KINDS[name]
    if kind.at is not None and steps.size < n + 1:  # some steps of a long run (an outline, a block of a table)
        values = kind.at(steps, n, Origin(base=base, lr=base), **p)
        if values is not None:
            return values
    return kind.run(n, Origin(base=base, lr=base), **p)[steps]


def replay(name: str, n: int, origin: Origin, p: Mapping[str, Any], size: int = _CHAIN_BLOCK) -> Blocks:
    """Steps 0 … n of the class, `size` at a time: a chained class's own replay with the carry, any other through
    its random-access `at`. The same values as `run`, with one block in memory."""
    kind = KINDS[name]
    if kind.steps is not None:
        yield from kind.steps(n, origin, size, **p)
        return
    assert kind.at is not None
    for start in range(0, n + 1, size):
        yield kind.at(np.arange(start, min(start + size, n + 1), dtype=np.int64), n, origin, **p)


def _standalone_replay(name: str) -> Callable[..., Blocks]:
    def replay_fn(n: int, params: dict[str, Any], *, lr: float, warmup: int, total: int) -> Blocks:
        p = resolved_params(name, params, lr=lr, length=total)
        base = own_base_lr(name, p, lr)
        return replay(name, n, Origin(base=base, lr=base), p)

    return replay_fn


def _standalone_breaks(name: str) -> Callable[..., list[float] | None]:
    def breaks(params: dict[str, Any], *, lr: float, warmup: int, total: int, last: int) -> list[float] | None:
        kind = KINDS[name]
        if kind.breaks is None:
            return None
        return kind.breaks(last, resolved_params(name, params, lr=lr, length=total))

    return breaks


def _standalone_scalar(name: str) -> Callable[..., float]:
    """The class's scalar twin (`Schedule.scalar`): torch's constructor checks and lrcli's fill-ins, then its get_lr."""
    def scalar(s: int, *, lr: float, warmup: int, total: int, **params: Any) -> float:
        p = resolved_params(name, params, lr=lr, length=total)
        base = own_base_lr(name, p, lr)
        return KINDS[name].scalar(s, Origin(base=base, lr=base), **p)

    return scalar


# ---- the public schedule functions (registry entries) ----


def step_lr(steps: Steps, *, lr: float, warmup: int, total: int, step_size: int, gamma: float = 0.1) -> Factors:
    """torch `StepLR`: ×gamma every step_size steps. Closed form B·γ^⌊t/step_size⌋; replayed as repeated ×γ."""
    return _standalone("StepLR", steps, lr, total, {"step_size": step_size, "gamma": gamma})


def multistep_lr(steps: Steps, *, lr: float, warmup: int, total: int, milestones: list, gamma: float = 0.1) -> Factors:
    """torch `MultiStepLR`: ×gamma^count at each milestone (a duplicate counts twice; 0 applies at once).

    Closed form B·γ^#{m ≤ t}; the replay (torch's step()) ignores negative milestones, the closed form counts them.
    """
    return _standalone("MultiStepLR", steps, lr, total, {"milestones": milestones, "gamma": gamma})


def constant_lr(
    steps: Steps, *, lr: float, warmup: int, total: int, factor: float = 1.0 / 3, total_iters: int = 5
) -> Factors:
    """torch `ConstantLR`: B·factor for t < total_iters, then ×(1/factor) back to ≈B (can be 1 ulp off).

    total_iters=0 stays at B·factor forever (the closed form says B); factor=0 raises at t = total_iters.
    """
    return _standalone("ConstantLR", steps, lr, total, {"factor": factor, "total_iters": total_iters})


def linear_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    start_factor: float = 1.0 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> Factors:
    """torch `LinearLR`: B·(s + (e − s)·min(t, T)/T), replayed as ×[1 + (e − s)/(T·s + (t − 1)(e − s))] for t ≤ T.

    The replay drifts ≈5e-13 relative from the closed form at T = 1e5; total_iters=0 stays at B·s forever.
    """
    params = {"start_factor": start_factor, "end_factor": end_factor, "total_iters": total_iters}
    return _standalone("LinearLR", steps, lr, total, params)


def exponential_lr(steps: Steps, *, lr: float, warmup: int, total: int, gamma: float) -> Factors:
    """torch `ExponentialLR`: B·γ^t, replayed as repeated ×γ (≈1e-14 relative from γ^t after 1e5 steps)."""
    return _standalone("ExponentialLR", steps, lr, total, {"gamma": gamma})


def polynomial_lr(
    steps: Steps, *, lr: float, warmup: int, total: int, total_iters: int | None = None, power: float = 1.0
) -> Factors:
    """torch `PolynomialLR`: B·(1 − min(t, T)/T)^power, replayed as ×((1 − t/T)/(1 − (t − 1)/T))^power; 0 from T on.

    total_iters defaults to T here (torch's own default is 5); total_iters=0 stays at B.
    """
    return _standalone("PolynomialLR", steps, lr, total, {"total_iters": total_iters, "power": power})


def cosine_annealing_lr(
    steps: Steps, *, lr: float, warmup: int, total: int, T_max: int | None = None, eta_min: float = 0.0
) -> Factors:
    """torch `CosineAnnealingLR`: η + (B − η)·½(1 + cos(πt/T_max)) for every t — periodic, no clamp at T_max.

    Replayed chainably: lr ← η + (lr − η)·(1 + cos(πt/T))/(1 + cos(π(t − 1)/T)), and at t = T+1, 3T+1, …
    lr ← lr + (B − η)(1 − cos(π/T))/2. This drifts from the closed form over many periods (≈4e-11 relative
    after 1e5 steps); lrcli follows the replay. T_max defaults to T here (torch requires it).
    """
    return _standalone("CosineAnnealingLR", steps, lr, total, {"T_max": T_max, "eta_min": eta_min})


def cosine_annealing_warm_restarts(
    steps: Steps, *, lr: float, warmup: int, total: int, T_0: int, T_mult: int = 1, eta_min: float = 0.0
) -> Factors:
    """torch `CosineAnnealingWarmRestarts` (SGDR): η + (B − η)·½(1 + cos(π·T_cur/T_i)).

    Cycle k starts at T_0(m^k − 1)/(m − 1) and lasts T_i = T_0·m^k (m = T_mult); computed with exact integers, as
    step() counts T_cur (the deprecated step(epoch) path's float log misplaces exact boundaries; lrcli does not).
    """
    return _standalone(
        "CosineAnnealingWarmRestarts", steps, lr, total, {"T_0": T_0, "T_mult": T_mult, "eta_min": eta_min}
    )


def cyclic_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    base_lr: float,
    max_lr: float | None = None,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_mode: str = "cycle",
    cycle_momentum: bool = True,
    base_momentum: float = 0.8,
    max_momentum: float = 0.9,
) -> Factors:
    """torch `CyclicLR`: base + (max − base)·h·s, with L = up + down, c = ⌊1 + t/L⌋, x = 1 + t/L − c,
    h = x/ρ if x ≤ ρ else (x − 1)/(ρ − 1), ρ = up/L; s = 1 (triangular), 1/2^(c − 1) (triangular2), γ^t (exp_range).

    max_lr defaults to --lr; the optimizer's lr is otherwise ignored (torch sets it to base_lr). scale_mode and the
    momentum parameters are accepted and do not change the lr (the built-in modes override scale_mode).
    """
    params = {
        "base_lr": base_lr, "max_lr": max_lr, "step_size_up": step_size_up, "step_size_down": step_size_down,
        "mode": mode, "gamma": gamma, "scale_mode": scale_mode, "cycle_momentum": cycle_momentum,
        "base_momentum": base_momentum, "max_momentum": max_momentum,
    }  # fmt: skip
    return _standalone("CyclicLR", steps, lr, total, params)


def one_cycle_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    max_lr: float | None = None,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    cycle_momentum: bool = True,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Factors:
    """torch `OneCycleLR`: max/div → max → max/div/final_div over N = total_steps (or epochs × steps_per_epoch).

    Phase ends e1 = pct·N − 1 (three_phase: e2 = 2·pct·N − 2), last = N − 1; in each phase p = (t − s)/(e − s) and
    cos: b + (a − b)/2·(cos πp + 1), linear: (b − a)·p + a. Step N extrapolates; stepping past N raises, as torch does.
    max_lr defaults to --lr and total_steps to T (unless epochs and steps_per_epoch are given).
    """
    params = {
        "max_lr": max_lr, "total_steps": total_steps, "epochs": epochs, "steps_per_epoch": steps_per_epoch,
        "pct_start": pct_start, "anneal_strategy": anneal_strategy, "cycle_momentum": cycle_momentum,
        "base_momentum": base_momentum, "max_momentum": max_momentum, "div_factor": div_factor,
        "final_div_factor": final_div_factor, "three_phase": bool(three_phase),
    }  # fmt: skip
    return _standalone("OneCycleLR", steps, lr, total, params)


def torch_schedule_name(path: str) -> str:
    """`torch.optim.lr_scheduler.StepLR` (Lightning class_path, torchtune _component_) or `StepLR` -> `StepLR`."""
    return path[len(_MODULE) :] if path.startswith(_MODULE) else path


def scheduler_from_config(block: Mapping[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    """(registry name, kwargs) from a config's scheduler block naming a torch class.

    Lightning CLI: `{class_path: torch.optim.lr_scheduler.OneCycleLR, init_args: {max_lr: 0.1}}`;
    torchtune: `{_component_: torch.optim.lr_scheduler.StepLR, step_size: 30}`. `last_epoch: -1` (torch's default)
    is dropped; resuming from another last_epoch is not modelled.
    """
    body = dict(block)
    if "class_path" in body:
        path, kwargs = body.pop("class_path"), dict(body.pop("init_args", None) or {})
        if body:
            raise LrcliError(f"{where}: a class_path block takes only init_args, also got {', '.join(body)}")
    elif "_component_" in body:
        path, kwargs = body.pop("_component_"), body
    else:
        raise LrcliError(
            f"{where}: expected class_path (Lightning) or _component_ (torchtune) naming a torch scheduler"
        )
    if not isinstance(path, str):
        raise LrcliError(f"{where}: the scheduler class must be a dotted name like torch.optim.lr_scheduler.StepLR")
    if kwargs.pop("last_epoch", -1) != -1:
        raise LrcliError(f"{where}: last_epoch other than -1 resumes a run; lrcli plots a run from its start")
    return torch_schedule_name(path), kwargs


# ---- torch's `_get_closed_form_lr` of the chained classes: drawn instead of the replay for very long plots ----

# max |closed form − replay| / peak LR measured by tools/gen_closed_form_bounds.py (tests/data/closed_form_bounds.json)
# over random settings up to T = 10^8: by how much a drawn closed form may be off, said on stderr when it is drawn.
# The drift grows with T (CosineAnnealingLR: 1.5e-12 at 10^4, 2.1e-7 at 10^7, 5.7e-5 at 10^8; LinearLR 4.7e-10 at 10^8).
CLOSED_FORM_BOUNDS = {"LinearLR": 4.7e-10, "ExponentialLR": 2.8e-13, "PolynomialLR": 1.9e-10, "CosineAnnealingLR": 5.8e-5}
SETTLES_EXACTLY = 10_000_000  # a chain whose ratios are all 1.0 past this step is replayed instead (a flat tail)


def _closed(name: str) -> Callable[..., Any]:
    def closed_form(
        params: dict[str, Any], *, lr: float, warmup: int, total: int, last: int, always: bool = False
    ) -> Any:
        """torch 2.13–2.15 `lr_scheduler.py`, the class's `_get_closed_form_lr`, numpy-vectorized (np.cos/np.power):
        (values at any steps, the steps where they may turn, the measured bound, the formula) of the class's
        closed form, vectorized; (None, …) when the replay settles within SETTLES_EXACTLY steps (then exact and
        cheap; `always`: the formula anyway), None where the closed form divides by zero or has too many turns."""
        p = resolved_params(name, params, lr=lr, length=total)
        base, bound = own_base_lr(name, p, lr), CLOSED_FORM_BOUNDS[name]
        if name in ("LinearLR", "PolynomialLR") and (p["total_iters"] == 0 or (
                p["total_iters"] <= SETTLES_EXACTLY and not always)):
            return None, None, 0.0, ""
        if name == "LinearLR":
            start, end, length = p["start_factor"], p["end_factor"], p["total_iters"]
            return ((lambda t: base * (start + (end - start) * np.minimum(length, t) / length)), [length], bound,
                    "B·(start + (end − start)·min(T, t)/T)")
        if name == "ExponentialLR":
            gamma = float(p["gamma"])
            return (lambda t: base * np.power(gamma, t.astype(np.float64))), [], bound, "B·γ^t"
        if name == "PolynomialLR":
            length, power = p["total_iters"], p["power"]
            return ((lambda t: base * np.power(1.0 - np.minimum(length, t) / length, power)), [length], bound,
                    "B·(1 − min(T, t)/T)^power")
        period, eta = p["T_max"], p["eta_min"]
        turns = periodic(0, abs(period), last) if period else None  # crests and troughs: t = k·T_max
        if turns is None:
            return None
        return ((lambda t: eta + (base - eta) * (1 + np.cos(math.pi * t.astype(np.float64) / period)) / 2), turns,
                bound, "η + (B − η)·(1 + cos(π t/T_max))/2")

    return closed_form


CLOSED_FORMS = {name: _closed(name) for name in CLOSED_FORM_BOUNDS}


def _summary(text: str, derived: str | None = None) -> str:
    return f"{text} ({derived})" if derived else text


SCHEDULES: dict[str, Schedule] = {  # this family's part of the registry; names and kwargs are torch's
    "StepLR": Schedule("StepLR", TORCH, step_lr, "×gamma every step_size steps", ignores_warmup=True),
    "MultiStepLR": Schedule("MultiStepLR", TORCH, multistep_lr, "×gamma at each milestone", ignores_warmup=True),
    "ConstantLR": Schedule(
        "ConstantLR", TORCH, constant_lr, "lr·factor for total_iters steps, then lr", ignores_warmup=True
    ),
    "LinearLR": Schedule(
        "LinearLR",
        TORCH,
        linear_lr,
        "linear from lr·start_factor to lr·end_factor over total_iters",
        ignores_warmup=True,
    ),
    "ExponentialLR": Schedule("ExponentialLR", TORCH, exponential_lr, "×gamma every step", ignores_warmup=True),
    "PolynomialLR": Schedule(
        "PolynomialLR",
        TORCH,
        polynomial_lr,
        _summary("polynomial decay to 0 at total_iters", "total_iters=None means T; torch's default is 5"),
        ignores_warmup=True,
    ),
    "CosineAnnealingLR": Schedule(
        "CosineAnnealingLR",
        TORCH,
        cosine_annealing_lr,
        _summary("cosine from lr to eta_min over T_max, periodic after", "T_max=None means T"),
        ignores_warmup=True,
    ),
    "CosineAnnealingWarmRestarts": Schedule(
        "CosineAnnealingWarmRestarts",
        TORCH,
        cosine_annealing_warm_restarts,
        "cosine restarts every T_0·T_mult^k steps (SGDR)",
        ignores_warmup=True,
    ),
    "CyclicLR": Schedule(
        "CyclicLR",
        TORCH,
        cyclic_lr,
        _summary("triangle waves between base_lr and max_lr", "max_lr=None means --lr"),
        ignores_warmup=True,
    ),
    "OneCycleLR": Schedule(
        "OneCycleLR",
        TORCH,
        one_cycle_lr,
        _summary(
            "1cycle: up to max_lr, then down to max_lr/div/final_div", "max_lr=None means --lr, total_steps=None T"
        ),
        ignores_warmup=True,
    ),
}
# Each class with closed-form turns declares them (schedules/pieces.py); every class replays in blocks; a class
# whose value at step s needs fewer operations than s has a scalar twin for `check` (ExponentialLR's is s products).
SCHEDULES = {
    name: replace(
        schedule, breaks=_standalone_breaks(name) if KINDS[name].breaks else None, replay=_standalone_replay(name),
        replays_from_start=name in ("StepLR", "ExponentialLR"), closed_form=CLOSED_FORMS.get(name),
        scalar=_standalone_scalar(name) if KINDS[name].scalar else None,
    )
    for name, schedule in SCHEDULES.items()
}
