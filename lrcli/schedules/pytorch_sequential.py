"""torch `SequentialLR` (torch 2.13–2.15): sub-schedulers that take over at milestones, plus lrcli's "warmup + X" form.

Sub-schedulers are JSON-able dicts, one per scheduler, in construction order:
    {"name": "LinearLR", "start_factor": 0.01, "total_iters": 100}          (lrcli form)
    {"class_path": "torch.optim.lr_scheduler.CosineAnnealingLR", "init_args": {"T_max": 900}}   (Lightning)
    {"_component_": "torch.optim.lr_scheduler.CosineAnnealingLR", "T_max": 900}                  (torchtune)
    "CosineAnnealingLR"                                                       (the name alone: torch's defaults)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from typing import Any

from lrcli.errors import LrcliError
from lrcli.schedules.binding import bind_kwargs
from lrcli.schedules.pytorch import (
    CLOSED_FORM_BOUNDS,
    CLOSED_FORMS,
    KINDS,
    TORCH,
    Blocks,
    Origin,
    own_base_lr,
    replay,
    resolved_params,
    torch_schedule_name,
)
from lrcli.schedules.pytorch import SCHEDULES as SCHEDULES_BY_CLASS
from lrcli.schedules.types import Factors, Schedule, Steps, np


def _sub_spec(spec: Any, index: int) -> tuple[str, dict[str, Any]]:
    """(torch class name, its kwargs) from one entry of `schedulers`, in any of the three spellings."""
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, Mapping):
        raise LrcliError(
            f'SequentialLR: schedulers[{index}] must be an object like {{"name": "LinearLR", "total_iters": 100}}, '
            f"got {spec!r}"
        )
    body = dict(spec)
    if "class_path" in body:
        path, args = body.pop("class_path"), body.pop("init_args", None) or {}
        if body or not isinstance(args, Mapping):
            raise LrcliError(f"SequentialLR: schedulers[{index}] with class_path takes only init_args, got {spec!r}")
        body = dict(args)
    else:
        path = body.pop("name", None) or body.pop("_component_", None)
    if not isinstance(path, str):
        raise LrcliError(f'SequentialLR: schedulers[{index}] needs a "name" (a torch scheduler class), got {spec!r}')
    name = torch_schedule_name(path)
    if name == "ReduceLROnPlateau":
        raise LrcliError(f"SequentialLR: schedulers[{index}] is ReduceLROnPlateau, which torch refuses in SequentialLR")
    if name == "SequentialLR":
        raise LrcliError(
            f"SequentialLR: schedulers[{index}] is a SequentialLR; torch cannot restart one at a milestone"
        )
    if name not in KINDS:
        raise LrcliError(f"SequentialLR: schedulers[{index}] names {path!r}; lrcli knows {', '.join(KINDS)}")
    return name, body


def _bound(name: str, kwargs: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The kwargs checked like a top-level schedule's, with every default filled in."""
    schedule = SCHEDULES_BY_CLASS[name]
    try:
        bound = bind_kwargs(schedule, kwargs)
    except LrcliError as exc:
        raise LrcliError(f"SequentialLR: schedulers[{index}]: {exc}") from None
    return {key: bound.get(key, default) for key, default in schedule.parameters().items()}


def _check_milestones(milestones: Any, count: int) -> list[int]:
    if not isinstance(milestones, (list, tuple)) or not all(
        isinstance(m, int) and not isinstance(m, bool) for m in milestones
    ):
        raise LrcliError(
            f"SequentialLR: milestones must be a list of whole step numbers like [100], got {milestones!r}"
        )
    if len(milestones) != count - 1:
        raise LrcliError(
            f"SequentialLR: {count} schedulers need {count - 1} milestones, got {len(milestones)} "
            "(torch raises ValueError)"
        )
    if list(milestones) != sorted(milestones):
        raise LrcliError(f"SequentialLR: milestones must be in increasing order, got {list(milestones)}")
    return list(milestones)


def sequential_lr(
    steps: Steps,
    *,
    lr: float,
    warmup: int,
    total: int,
    schedulers: list,
    milestones: list | None = None,
    warmup_start_factor: float = 1.0 / 3,
) -> Factors:
    """torch `SequentialLR`: lr(t) = S_i(t − m_{i−1}) for m_{i−1} ≤ t < m_i, each S_i restarted from its own base lr.

    At a milestone torch calls the next scheduler's `_update_lr(0)` (its closed form at 0 where it has one), and its
    later steps chain from that value. Every sub-scheduler is built (in list order) before SequentialLR, so each one's
    base lr is the group's `initial_lr` at its construction (OneCycleLR overwrites it with max_lr/div_factor, CyclicLR
    sets it to base_lr if it is first), and the first active scheduler starts from the final `initial_lr`. Every
    OneCycleLR runs with the group's max_lr/initial_lr/min_lr, i.e. the last OneCycleLR's.
    A sub-scheduler's T-derived parameter (T_max, total_iters, total_steps) defaults to its segment length.

    "Warmup + X": give one scheduler and no milestones; with W warmup steps (--warmup-steps/--warmup-ratio) lrcli
    builds SequentialLR([LinearLR(start_factor=warmup_start_factor, end_factor=1.0, total_iters=W), X], milestones=[W]),
    the hand-written pattern; X's T-derived parameter then defaults to T − W. warmup_start_factor defaults to
    LinearLR's own default, 1/3.
    """
    n = int(steps.max()) if steps.size else 0
    out = np.empty(n + 1, dtype=np.float64)
    for start, stop, name, params, origin in _segments(n, lr, total, warmup, schedulers, milestones, warmup_start_factor):
        out[start:stop] = KINDS[name].run(stop - start - 1, origin, **params)
    return out[steps]


def sequential_replay(n: int, params: dict[str, Any], *, lr: float, warmup: int, total: int) -> Blocks:
    """Steps 0 … n of `sequential_lr`, a block at a time: each segment's scheduler replayed with its carry
    (pytorch.replay), so a table or outline of any length holds one block."""
    segments = _segments(n, lr, total, warmup, params["schedulers"], params["milestones"],
                         params["warmup_start_factor"])
    for start, stop, name, kwargs, origin in segments:
        yield from replay(name, stop - start - 1, origin, kwargs)


def sequential_closed_form(
    params: dict[str, Any], *, lr: float, warmup: int, total: int, last: int, always: bool = False
) -> Any:
    """SequentialLR drawn from its parts' closed forms, for plots past lrcli.curve.EXACT_REPLAY_ROWS: each chained
    part (LinearLR, ExponentialLR, PolynomialLR, CosineAnnealingLR) by torch's `_get_closed_form_lr` from the value
    it starts at, every other part by its exact random-access values; its turns are the milestones and each
    part's own, shifted. The bound is the largest of the chained parts'. None when a part has neither."""
    segments = _segments(last, lr, total, warmup, params["schedulers"], params["milestones"],
                         params["warmup_start_factor"])
    parts, turns, bound, forms = [], [], 0.0, []
    for start, stop, name, kwargs, origin in segments:
        kind, n = KINDS[name], stop - start - 1
        turns.append(start)
        if name in CLOSED_FORM_BOUNDS:
            base = origin.base if origin.restart else origin.lr
            shape = CLOSED_FORMS[name]({**kwargs}, lr=base, warmup=0, total=n, last=n, always=True)
            if shape is None:
                return None
            values, part_turns, part_bound, why = shape
            bound, forms = max(bound, part_bound), [*forms, f"{name}: {why}"]
        elif kind.at is not None and kind.breaks is not None and not (name == "StepLR" and not _whole(kwargs)):
            values = _at(kind, n, origin, kwargs)
            part_turns = kind.breaks(n, kwargs)
        else:
            return None
        if part_turns is None:
            return None
        turns.extend(start + t for t in part_turns)
        parts.append((start, values))
    starts = np.array([start for start, _ in parts], dtype=np.int64)

    def values_at(steps: Steps) -> Factors:
        out = np.empty(len(steps), dtype=np.float64)
        part = np.searchsorted(starts, steps, side="right") - 1
        for k in np.unique(part).tolist():
            inside = part == k
            start, values = parts[k]
            out[inside] = values(steps[inside] - start)
        return out

    return values_at, turns, bound, "; ".join(forms)  # no chained part: every value exact, nothing to say


def _whole(kwargs: Mapping[str, Any]) -> bool:
    size = kwargs.get("step_size")
    return isinstance(size, int) and not isinstance(size, bool) and size > 0


def _at(kind: Any, n: int, origin: Origin, kwargs: dict[str, Any]) -> Any:
    return lambda steps: kind.at(steps, n, origin, **kwargs)


def _segments(
    n: int, lr: float, total: int, warmup: int, schedulers: Any, milestones: Any, warmup_start_factor: float
) -> list[tuple[int, int, str, dict[str, Any], Origin]]:
    """(first step, stop, torch class, its parameters, its origin) of each stretch of steps 0 … n one scheduler runs."""
    if not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise LrcliError(
            "SequentialLR: schedulers must be a non-empty list like "
            '[{"name": "LinearLR", "total_iters": 100}, {"name": "CosineAnnealingLR"}]'
        )
    specs = [_sub_spec(spec, i) for i, spec in enumerate(schedulers)]
    if milestones is None:
        if len(specs) != 1:
            raise LrcliError(f"SequentialLR: {len(specs)} schedulers need milestones (one fewer than schedulers)")
        if warmup > 0:
            warmup_spec = {"start_factor": warmup_start_factor, "end_factor": 1.0, "total_iters": warmup}
            specs = [("LinearLR", warmup_spec), specs[0]]
            milestones = [warmup]
        else:
            milestones = []
    milestones = _check_milestones(milestones, len(specs))

    # Construct in list order: resolve parameters and record each scheduler's base lr.
    resolved, bases, initial_lr = [], [], None
    for i, (name, kwargs) in enumerate(specs):
        begin = milestones[i - 1] if i > 0 else 0
        end = milestones[i] if i < len(milestones) else total
        params = resolved_params(name, _bound(name, kwargs, i), lr=lr, length=end - max(begin, 0))
        if name == "OneCycleLR":
            initial_lr = own_base_lr(name, params, lr)  # overwrites the group's initial_lr
        elif initial_lr is None:
            initial_lr = own_base_lr(name, params, lr)  # setdefault: lr, or CyclicLR's base_lr
        bases.append(own_base_lr(name, params, initial_lr))
        resolved.append((name, params))
    assert initial_lr is not None
    # OneCycleLR reads initial_lr/max_lr/min_lr from the param group at every step, and each OneCycleLR constructor
    # rewrote them: every OneCycleLR in the list runs with the last one's.
    one_cycles = [params for name, params in resolved if name == "OneCycleLR"]
    if one_cycles:
        group = {key: one_cycles[-1][key] for key in ("max_lr", "div_factor", "final_div_factor")}
        resolved = [(name, {**params, **group} if name == "OneCycleLR" else params) for name, params in resolved]

    # Segments: step 0 goes to scheduler bisect_right(milestones, 0) (its initial step, from the group's initial_lr);
    # each distinct milestone m > 0 restarts scheduler bisect_right(milestones, m).
    starts = [0] + sorted({m for m in milestones if 0 < m <= n})
    segments = []
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else n + 1
        index = bisect_right(milestones, start)
        name, params = resolved[index]
        segments.append((start, stop, name, params, Origin(base=bases[index], lr=initial_lr, restart=start > 0)))
    return segments


SCHEDULES: dict[str, Schedule] = {
    "SequentialLR": Schedule(
        "SequentialLR",
        TORCH,
        sequential_lr,
        "schedulers one after another at milestones; with one scheduler and no milestones: LinearLR warmup over W, "
        'then it. schedulers=[{"name": "LinearLR", ...}, {"name": "CosineAnnealingLR", ...}]',
        replay=sequential_replay,
        closed_form=sequential_closed_form,
    ),
}
