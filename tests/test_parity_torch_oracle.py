"""Random cases against live torch 2.13 (and transformers' GreedyLR); skipped without them, required in CI."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import oracle_import
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrcli.errors import LrcliError
from lrcli.metrics import MetricHistory
from lrcli.schedules import bind_kwargs, evaluate, get_schedule
from lrcli.schedules.pieces import full_params

torch = oracle_import("torch")
transformers = oracle_import("transformers")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from torch_reference import torch_curve  # noqa: E402

pytestmark = pytest.mark.oracle

REFUSALS = (ValueError, TypeError, ZeroDivisionError, OverflowError)
unit = st.floats(0.0, 1.0, allow_nan=False)
gamma = st.one_of(st.floats(0.05, 1.0), st.floats(1.0, 1.01))
LR = st.floats(1e-5, 1.0)


def _lrcli(name, lr, n, kwargs, evals=None):
    metrics = None
    if evals is not None:
        metrics = MetricHistory("eval_loss", tuple(s for s, _ in evals), tuple(v for _, v in evals), "oracle")
    steps = np.arange(n + 1, dtype=np.int64)
    return evaluate(get_schedule(name), steps, lr=lr, warmup=0, total=n, kwargs=kwargs, metrics=metrics)


def _check(name, lr, n, kwargs, evals=None):
    try:
        expected = np.array(torch_curve(name, lr=lr, n=n, kwargs=kwargs, evals=evals))
    except REFUSALS:
        with pytest.raises(LrcliError):
            _lrcli(name, lr, n, kwargs, evals)
        return
    if not np.all(np.isfinite(expected)):
        # torch overflows silently (ConstantLR factor 5e-324 divides by it at total_iters); lrcli refuses the curve
        with pytest.raises(LrcliError, match="non-finite"):
            _lrcli(name, lr, n, kwargs, evals)
        return
    got = _lrcli(name, lr, n, kwargs, evals)
    peak = max(lr, float(np.max(np.abs(expected))))
    assert np.max(np.abs(got - expected)) <= 1e-12 * peak, (name, kwargs)


def _kwargs(lr: float):
    """Explicit torch kwargs for each class (lrcli's derived defaults are tested against golden data)."""
    return {
        "StepLR": st.fixed_dictionaries({"step_size": st.integers(0, 40)}, optional={"gamma": gamma}),
        "MultiStepLR": st.fixed_dictionaries(
            {"milestones": st.lists(st.integers(-3, 120), max_size=6)}, optional={"gamma": gamma}
        ),
        "ConstantLR": st.fixed_dictionaries(
            {}, optional={"factor": st.one_of(unit, st.just(0.0), st.just(1.5)), "total_iters": st.integers(-2, 60)}
        ),
        "LinearLR": st.fixed_dictionaries(
            {},
            optional={
                "start_factor": st.one_of(st.floats(1e-3, 1.0), st.just(0.0)),
                "end_factor": unit,
                "total_iters": st.integers(-1, 150),
            },
        ),
        "ExponentialLR": st.fixed_dictionaries({"gamma": gamma}),
        "PolynomialLR": st.fixed_dictionaries(
            {"total_iters": st.integers(0, 150)}, optional={"power": st.one_of(st.floats(0.1, 4.0), st.just(-1.0))}
        ),
        "CosineAnnealingLR": st.fixed_dictionaries(
            {"T_max": st.integers(0, 60)}, optional={"eta_min": st.floats(0.0, lr / 2)}
        ),
        "CosineAnnealingWarmRestarts": st.fixed_dictionaries(
            {"T_0": st.integers(0, 25)}, optional={"T_mult": st.integers(0, 3), "eta_min": st.floats(0.0, lr / 2)}
        ),
        "CyclicLR": st.fixed_dictionaries(
            {"base_lr": st.floats(0.0, lr), "max_lr": st.just(lr)},
            optional={
                "step_size_up": st.integers(0, 30),
                "step_size_down": st.one_of(st.none(), st.integers(0, 30)),
                "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
                "gamma": st.floats(0.9, 1.0),
            },
        ),
        "OneCycleLR": st.fixed_dictionaries(
            {"max_lr": st.just(lr), "total_steps": st.integers(1, 200)},
            optional={
                "pct_start": st.one_of(unit, st.sampled_from([0, 1])),
                "anneal_strategy": st.sampled_from(["cos", "linear"]),
                "div_factor": st.floats(1.0, 100.0),
                "final_div_factor": st.floats(1.0, 1e5),
                "three_phase": st.booleans(),
            },
        ),
    }


SIMPLE = sorted(_kwargs(1.0))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(SIMPLE), lr=LR, n=st.integers(0, 300))
def test_random_schedulers_match_live_torch(data, name, lr, n):
    _check(name, lr, n, data.draw(_kwargs(lr)[name]))


TWINS = [name for name in SIMPLE if get_schedule(name).scalar is not None]
TWIN_REFUSALS = (LrcliError, ValueError, TypeError, ArithmeticError, KeyError)  # curve_facts evaluates with numpy


def _twin_rows(name, lr, n, kwargs, rows):
    """The scalar twin at `rows`, None where it refuses (at any of them)."""
    schedule = get_schedule(name)
    params = full_params(schedule.fn, bind_kwargs(schedule, kwargs))
    try:
        return [schedule.scalar(s, lr=lr, warmup=0, total=n, **params) for s in rows]
    except TWIN_REFUSALS:
        return None


def _same_floats(got, expected):
    return all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(got, expected, strict=True))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(TWINS), lr=LR, n=st.integers(0, 300))
def test_scalar_twins_are_live_torch_bit_for_bit(data, name, lr, n):
    """A twin's row s is the float torch's optimizer holds after s step() calls, bit for bit (the same Python
    arithmetic); where torch refuses somewhere in 0 … n, so does the twin (it may refuse more: numpy then decides)."""
    kwargs = data.draw(_kwargs(lr)[name])
    twin = _twin_rows(name, lr, n, kwargs, range(n + 1))
    try:
        expected = torch_curve(name, lr=lr, n=n, kwargs=kwargs)
    except REFUSALS:
        assert twin is None, (name, kwargs)
        return
    assert twin is None or _same_floats(twin, expected), (name, kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("StepLR", {"step_size": 7, "gamma": 0.9999}),
        ("MultiStepLR", {"milestones": [1, 5, 5, 77_777, 99_999], "gamma": 0.3}),
        ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 3, "eta_min": 1e-4}),
        ("CyclicLR", {"base_lr": 1e-3, "max_lr": 0.1, "step_size_up": 333, "mode": "triangular2"}),
        ("OneCycleLR", {"max_lr": 0.1, "total_steps": 100_000, "three_phase": True}),
    ],
)
def test_scalar_twins_reach_far_rows_as_live_torch(name, kwargs):
    """1e5 steps: a twin evaluated at a far row alone (14 000 products for StepLR) equals torch's stepped value."""
    n = 100_000
    expected = torch_curve(name, lr=0.1, n=n, kwargs=kwargs)
    rows = [*range(0, n + 1, 997), n]
    assert _same_floats(_twin_rows(name, 0.1, n, kwargs, rows), [expected[s] for s in rows])


# Sub-schedulers with no parameter check torch would refuse, so SequentialLR cases mostly construct.
SUBS = {
    "LinearLR": {"start_factor": st.floats(0.01, 1.0), "total_iters": st.integers(0, 40)},
    "ConstantLR": {"factor": st.floats(0.01, 1.0), "total_iters": st.integers(0, 40)},
    "StepLR": {"step_size": st.integers(1, 20), "gamma": gamma},
    "MultiStepLR": {"milestones": st.lists(st.integers(-2, 40), max_size=3)},
    "ExponentialLR": {"gamma": gamma},
    "PolynomialLR": {"total_iters": st.integers(0, 40), "power": st.floats(0.5, 3.0)},
    "CosineAnnealingLR": {"T_max": st.integers(1, 40), "eta_min": st.floats(0.0, 1e-3)},
    "CosineAnnealingWarmRestarts": {"T_0": st.integers(1, 15), "T_mult": st.integers(1, 3)},
    "CyclicLR": {"base_lr": st.floats(1e-4, 1e-2), "max_lr": st.floats(1e-2, 1.0), "step_size_up": st.integers(1, 10)},
    "OneCycleLR": {"max_lr": st.floats(1e-2, 1.0), "total_steps": st.just(200), "pct_start": st.floats(0.2, 0.8)},
}


@st.composite
def sequential(draw):
    names = draw(st.lists(st.sampled_from(sorted(SUBS)), min_size=1, max_size=3))
    subs = [{"name": name, **draw(st.fixed_dictionaries(SUBS[name]))} for name in names]
    milestones = sorted(draw(st.lists(st.integers(0, 80), min_size=len(names) - 1, max_size=len(names) - 1)))
    return {"schedulers": subs, "milestones": milestones}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kwargs=sequential(), lr=LR, n=st.integers(0, 150))
def test_random_sequential_lr_matches_live_torch(kwargs, lr, n):
    _check("SequentialLR", lr, n, kwargs)


@st.composite
def evaluations(draw):
    count = draw(st.integers(1, 40))
    gaps = draw(st.lists(st.integers(0, 15), min_size=count, max_size=count))
    values = draw(
        st.lists(
            st.one_of(st.floats(-3.0, 3.0), st.sampled_from([1.0, 0.5, -0.5, float("nan")])),
            min_size=count,
            max_size=count,
        )
    )
    return list(zip(np.cumsum(gaps).tolist(), values, strict=True))


plateau_kwargs = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(["min", "max"]),
        "factor": st.one_of(st.floats(0.0, 0.99), st.just(1.0)),
        "patience": st.integers(0, 4),
        "threshold": st.floats(0.0, 0.1),
        "threshold_mode": st.sampled_from(["rel", "abs"]),
        "cooldown": st.integers(0, 3),
        "min_lr": st.floats(0.0, 1e-3),
        "eps": st.sampled_from([1e-8, 1e-4, 0.0]),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kwargs=plateau_kwargs, evals=evaluations(), lr=LR)
def test_random_plateau_matches_live_torch(kwargs, evals, lr):
    _check("ReduceLROnPlateau", lr, int(evals[-1][0]) + 3, kwargs, evals)


greedy_kwargs = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(["min", "max"]),
        "factor": st.floats(0.3, 0.99),
        "patience": st.integers(0, 3),
        "threshold": st.floats(0.0, 0.05),
        "threshold_mode": st.sampled_from(["rel", "abs"]),
        "cooldown": st.integers(0, 2),
        "warmup": st.integers(0, 2),
        "min_lr": st.floats(0.0, 0.05),
        "max_lr": st.floats(0.05, 2.0),
        "smooth": st.booleans(),
        "window_size": st.integers(1, 5),
        "reset_start": st.integers(1, 4),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kwargs=greedy_kwargs, evals=evaluations(), lr=st.floats(1e-3, 0.5))
def test_random_greedy_matches_live_transformers(kwargs, evals, lr):
    _check("greedy", lr, int(evals[-1][0]) + 3, kwargs, evals)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("CosineAnnealingLR", {"T_max": 10}),
        ("CosineAnnealingLR", {"T_max": 1000, "eta_min": 1e-4}),
        ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.02}),
        ("LinearLR", {"start_factor": 1e-3, "end_factor": 0.5, "total_iters": 100_000}),
        ("PolynomialLR", {"total_iters": 100_000, "power": 1.5}),
        ("ExponentialLR", {"gamma": 0.99999}),
        ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 3}),
    ],
)
def test_long_runs_match_live_torch(name, kwargs):
    """1e5 steps: torch's chainable sequence drifts from the closed form (≈4e-11 for cosine); lrcli must not."""
    _check(name, 0.1, 100_000, kwargs)


def test_oracle_is_the_pinned_version():
    assert torch.__version__.startswith("2.13.0")
    assert transformers.__version__ == "5.25.0"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["CosineAnnealingLR", "PolynomialLR", "OneCycleLR", "StepLR", "CosineAnnealingWarmRestarts"]),
    start=st.floats(0.001, 1.0),
    warmup=st.integers(1, 60),
    rest=st.integers(1, 200),
    lr=LR,
)
def test_warmup_plus_x_matches_the_hand_written_sequential_lr(name, start, warmup, rest, lr):
    """lrcli's shorthand (one scheduler, no milestones, W from the warmup flags) against torch's
    SequentialLR([LinearLR(start, 1.0, W), X(T-derived = T − W)], milestones=[W])."""
    total = warmup + rest
    given_x = {"StepLR": {"step_size": 7}, "CosineAnnealingWarmRestarts": {"T_0": 9}}.get(name, {})
    derived = {"CosineAnnealingLR": {"T_max": rest}, "PolynomialLR": {"total_iters": rest},
               "OneCycleLR": {"max_lr": lr, "total_steps": rest}}.get(name, {})  # fmt: skip
    written = {
        "schedulers": [
            {"name": "LinearLR", "start_factor": start, "end_factor": 1.0, "total_iters": warmup},
            {"name": name, **given_x, **derived},
        ],
        "milestones": [warmup],
    }
    expected = np.array(torch_curve("SequentialLR", lr=lr, n=total, kwargs=written))
    shorthand = {"schedulers": [{"name": name, **given_x}], "warmup_start_factor": start}
    got = evaluate(
        get_schedule("SequentialLR"), np.arange(total + 1), lr=lr, warmup=warmup, total=total, kwargs=shorthand
    )
    assert np.max(np.abs(got - expected)) <= 1e-12 * max(lr, float(np.max(expected)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["CosineAnnealingLR", "PolynomialLR", "OneCycleLR", "CyclicLR"]), n=st.integers(1, 300), lr=LR
)
def test_derived_parameters_match_torch_given_them_explicitly(name, n, lr):
    """T fills T_max / total_iters / total_steps and --lr fills max_lr when the kwargs leave them out."""
    explicit = {
        "CosineAnnealingLR": {"T_max": n},
        "PolynomialLR": {"total_iters": n},
        "OneCycleLR": {"max_lr": lr, "total_steps": n},
        "CyclicLR": {"base_lr": lr / 10, "max_lr": lr, "step_size_up": 7},
    }[name]
    expected = np.array(torch_curve(name, lr=lr, n=n, kwargs=explicit))
    implicit = {"CyclicLR": {"base_lr": lr / 10, "step_size_up": 7}}.get(name, {})
    got = _lrcli(name, lr, n, implicit)
    assert np.max(np.abs(got - expected)) <= 1e-12 * max(lr, float(np.max(expected)))


def test_an_overflowing_torch_curve_is_refused():
    """Found by the random test above: torch's ConstantLR divides by factor at total_iters and overflows to inf."""
    _check("ConstantLR", 1.0, 5, {"factor": 5e-324})
    assert not np.all(np.isfinite(torch_curve("ConstantLR", lr=1.0, n=5, kwargs={"factor": 5e-324}, evals=None)))
