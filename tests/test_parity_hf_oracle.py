"""Random cases against live transformers (skipped when torch/transformers are not installed; CI installs them): the\nnumpy evaluation within 1e-12 × lr, the scalar twins bit for bit."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import oracle_import
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrcli.errors import LrcliError
from lrcli.schedules import bind_kwargs, evaluate, get_schedule
from lrcli.schedules.pieces import full_params

oracle_import("torch")
transformers = oracle_import("transformers")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from hf_reference import hf_curve  # noqa: E402

pytestmark = pytest.mark.oracle

ratio = st.floats(0.0, 1.0, allow_nan=False)
cycles = st.one_of(st.integers(0, 6), st.floats(0.05, 4.0, allow_nan=False))
kwargs_for = {
    "linear": st.just({}),
    "cosine": st.fixed_dictionaries({}, optional={"num_cycles": cycles}),
    "cosine_with_restarts": st.fixed_dictionaries({}, optional={"num_cycles": st.integers(1, 8)}),
    "polynomial": st.fixed_dictionaries({}, optional={"power": st.floats(0.1, 4.0), "lr_end": st.floats(0.0, 1e-7)}),
    "constant": st.just({}),
    "constant_with_warmup": st.just({}),
    "inverse_sqrt": st.fixed_dictionaries({}, optional={"timescale": st.integers(1, 500)}),
    "cosine_with_min_lr": st.one_of(
        st.fixed_dictionaries({"min_lr_rate": ratio}, optional={"num_cycles": cycles}),
        st.fixed_dictionaries({"min_lr": st.floats(0.0, 1e-7)}),
    ),
    "cosine_warmup_with_min_lr": st.fixed_dictionaries(
        {"min_lr_rate": ratio}, optional={"warmup_lr_rate": ratio, "num_cycles": cycles}
    ),
    "warmup_stable_decay": st.fixed_dictionaries(
        {"num_decay_steps": st.integers(0, 60)},
        optional={
            "num_stable_steps": st.integers(0, 60),
            "warmup_type": st.sampled_from(["linear", "cosine", "1-sqrt"]),
            "decay_type": st.sampled_from(["linear", "cosine", "1-sqrt"]),
            "min_lr_ratio": ratio,
            "num_cycles": cycles,
        },
    ),
}


@st.composite
def cases(draw):
    name = draw(st.sampled_from(sorted(kwargs_for)))
    total = draw(st.integers(1, 300))
    warmup = draw(st.integers(0, total + 5))
    lr = draw(st.floats(1e-6, 1.0))
    return name, lr, warmup, total, draw(kwargs_for[name])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_random_cases_match_live_transformers(case):
    name, lr, warmup, total, kwargs = case
    try:
        expected = hf_curve(name, lr=lr, warmup=warmup, total=total, kwargs=kwargs)
    except (ValueError, TypeError, ZeroDivisionError):
        with pytest.raises(LrcliError):
            evaluate(get_schedule(name), np.arange(total + 1), lr=lr, warmup=warmup, total=total, kwargs=kwargs)
        return
    got = evaluate(get_schedule(name), np.arange(total + 1), lr=lr, warmup=warmup, total=total, kwargs=kwargs)
    assert np.max(np.abs(got - np.array(expected))) <= 1e-12 * lr
    # the scalar twin `check` reads (lrcli/curve_facts.py) runs transformers' own lambda arithmetic: bit for bit
    schedule = get_schedule(name)
    params = full_params(schedule.fn, bind_kwargs(schedule, kwargs))
    assert [schedule.scalar(s, lr=lr, warmup=warmup, total=total, **params) for s in range(total + 1)] == list(expected)


def test_oracle_is_the_pinned_version():
    assert transformers.__version__ == "5.25.0"
