"""Properties every HF schedule must have, checked on random inputs; registry behaviour."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.errors import LrcliError
from lrcli.schedules import SCHEDULES, bind_kwargs, evaluate, get_schedule

# Valid kwargs for each HF schedule whose curve must stay within [0, lr] up to T.
BOUNDED = {
    "linear": {},
    "cosine": {},
    "cosine_with_restarts": {"num_cycles": 3},
    "polynomial": {"power": 2.0},
    "constant": {},
    "constant_with_warmup": {},
    "inverse_sqrt": {},
    "cosine_with_min_lr": {"min_lr_rate": 0.1},
    "cosine_warmup_with_min_lr": {"min_lr_rate": 0.1},
    "warmup_stable_decay": {"num_decay_steps": 10, "min_lr_ratio": 0.1},
}

shapes = st.integers(1, 400).flatmap(lambda t: st.tuples(st.just(t), st.integers(0, t)))


def _curve(name, total, warmup, lr=1e-3):
    steps = np.arange(total + 1, dtype=np.int64)
    return evaluate(get_schedule(name), steps, lr=lr, warmup=warmup, total=total, kwargs=BOUNDED[name])


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(BOUNDED)), shape=shapes)
def test_finite_and_within_zero_and_peak(name, shape):
    total, warmup = shape
    if name == "polynomial" and warmup == total:
        return  # transformers divides by T - W = 0 there; test_parity_hf_golden checks lrcli refuses it
    lr = _curve(name, total, warmup)
    assert np.all(np.isfinite(lr))
    assert np.all(lr >= 0)
    assert np.all(lr <= 1e-3 * (1 + 1e-15))


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(BOUNDED)), shape=shapes)
def test_warmup_never_decreases(name, shape):
    total, warmup = shape
    if name == "polynomial" and warmup == total:
        return
    lr = _curve(name, total, warmup)
    assert np.all(np.diff(lr[: min(warmup, total + 1)]) >= 0)  # rows s < W are the warmup


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(BOUNDED)), shape=shapes, data=st.data())
def test_vectorised_equals_one_step_at_a_time(name, shape, data):
    total, warmup = shape
    if name == "polynomial" and warmup == total:
        return
    whole = _curve(name, total, warmup)
    picks = data.draw(st.lists(st.integers(0, total), min_size=1, max_size=8))
    schedule = get_schedule(name)
    for s in picks:
        one = evaluate(schedule, np.array([s]), lr=1e-3, warmup=warmup, total=total, kwargs=BOUNDED[name])
        assert one[0] == whole[s]


def test_unknown_name_suggests_the_closest():
    with pytest.raises(LrcliError, match="did you mean 'cosine'"):
        get_schedule("cosin")


def test_unknown_kwarg_names_the_accepted_ones():
    with pytest.raises(LrcliError, match=r"cosine takes no 'eta_min'.*it takes: num_cycles"):
        bind_kwargs(SCHEDULES["cosine"], {"eta_min": 0.0})


def test_kwarg_near_miss_is_suggested():
    with pytest.raises(LrcliError, match="did you mean 'min_lr_rate'"):
        bind_kwargs(SCHEDULES["cosine_with_min_lr"], {"min_lr_ratio": 0.1})


def test_missing_required_kwarg_is_named():
    with pytest.raises(LrcliError, match="warmup_stable_decay needs num_decay_steps"):
        bind_kwargs(SCHEDULES["warmup_stable_decay"], {})


def test_step_counts_inside_kwargs_are_refused():
    # transformers #34905: num_warmup_steps in lr_scheduler_kwargs is a duplicate-argument TypeError.
    with pytest.raises(LrcliError, match="num_warmup_steps cannot go in the scheduler kwargs"):
        bind_kwargs(SCHEDULES["warmup_stable_decay"], {"num_decay_steps": 5, "num_warmup_steps": 3})


@pytest.mark.parametrize("value", ["abc", float("nan"), float("inf"), True])
def test_non_numeric_kwarg_is_refused(value):
    with pytest.raises(LrcliError, match="num_cycles must be"):
        bind_kwargs(SCHEDULES["cosine"], {"num_cycles": value})


def test_numeric_string_kwarg_is_read_as_number():
    assert bind_kwargs(SCHEDULES["cosine"], {"num_cycles": "1e0"}) == {"num_cycles": 1.0}
