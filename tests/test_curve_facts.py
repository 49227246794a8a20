"""The curve facts `check` reads (lrcli/curve_facts.py): a schedule's scalar twin (`Schedule.scalar`, plain Python
floats, no numpy) must give, at every row, the LR the evaluated curve has, and the facts drawn from a few of its
rows (peak, final LR, updates at LR 0) must be the evaluated curve's own; where the twin cannot vouch (a refusal, a
non-finite value) it answers None and the curve is evaluated. The evaluated curves are themselves held to the
frameworks by the parity tests, so a twin equal to them is equal to the framework.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from schedule_settings import KWARGS

import lrcli
from lrcli.curve import compute
from lrcli.curve_facts import of_curve, scalar_facts
from lrcli.schedules import SCHEDULES

ROOT = Path(__file__).resolve().parents[1]
TWINS = sorted(name for name, schedule in SCHEDULES.items() if schedule.scalar is not None)

# Values at the edges of what each kwarg takes, drawn besides the ordinary ones for whichever schedule has the kwarg:
# where the frameworks refuse (a negative timescale, lr_end above lr, 0.0 to a negative power, an infinite angle) or
# where the floor is at or above the peak.
EDGES = {
    "num_cycles": [0, -0.5, 1e300, 3.25],
    "power": [-1.0, 0.0, 400.0],
    "lr_end": [0.0, 1.0, 1e-7],
    "timescale": [None, -5, 0.5, 3, 10_000],
    "min_lr": [None, 1e-4, 1.0],
    "min_lr_rate": [None, 0.0, 1.0, 1.5],
    "warmup_lr_rate": [None, 0.0, 0.3],
    "min_lr_ratio": [0.0, 1.0, 1.2],
    "num_stable_steps": [None, 0, 5, 10_000],
    "num_decay_steps": [0, 1, 40],
    # DeepSpeed: a warmup of 1 (run over 2 steps), refused ones (0, a fraction, a bool), a total below the warmup,
    # a floor at or above the peak, resuming (row 0 is the optimizer lr), halves of a cycle that divide by 0, a decay
    # whose denominator crosses 0 (rate −1); non-finite numbers, which lrcli refuses when binding
    "warmup_num_steps": ["auto", 1, 2, 0, 7.5, True, 10**6],
    "warmup_type": ["log", "linear", "sqrt"],
    "warmup_min_lr": ["auto", 0.0, 1e-3, 0.5],
    "warmup_max_lr": [None, "auto", 0.0, 1e-4],
    "total_num_steps": ["auto", 1, 3, 0, -7, 10**6, math.inf, "x"],
    "warmup_min_ratio": [0.0, 1.0, 2.0],
    "cos_min_ratio": [0.0, 1.0, 1.5, -0.5, math.nan],
    "last_batch_iteration": [-1, 0, 3, -5, 2.5],
    "cycle_first_step_size": [1, 0, 0.5, 1e300],
    "cycle_second_step_size": [None, 0, 1, math.inf],
    "cycle_second_stair_count": [None, 0, 3],
    "decay_lr_rate": [0.0, -1.0, 1e-9, 0.5],
    "decay_step_size": [0, 1, 1e-300],
    "cycle_max_lr": [1e-5, 0.0, math.inf],
    "lr_range_test_step_size": [1, 0, 7, True],
    "lr_range_test_step_rate": [0.0, -1.0, 1e300],
    "lr_range_test_min_lr": [0.0, 1e-3],
    # axolotl: refused ratios (outside [0, 1]), a floor at the peak, a constant phase from step 0 or from T
    "cosine_min_lr_ratio": [0.0, 1.0, 1.5, -0.1],
    "cosine_constant_lr_ratio": [0.0, 1.0, 1e-3, 1.5],
    # torch: zero, negative and fractional periods, a factor of 0 that cannot be undone, an empty OneCycleLR phase,
    # total_steps below T (torch raises on stepping past it), a floor (eta_min, base_lr) at or above the peak
    "step_size": [0, -3, 2.5, 1],
    "gamma": [0.0, 1.0, 3.0],
    "milestones": [[], [0, 0, 7], [-2, 5.0, 5, 3000]],
    "factor": [0.0, 1.0, 5e-324],
    "total_iters": [0, -1, 2.5, 1, 3000],
    "pct_start": [0.0, 1.0, 1, 0.5],
    "div_factor": [0.0, 1.0, 1e-300],
    "final_div_factor": [0.0, 1.0],
    "three_phase": [True],
    "anneal_strategy": ["linear"],
    "base_lr": [0.0, 1.0],
    "step_size_up": [0, 1],
    "step_size_down": [0, 1],
    "mode": ["exp_range"],
    "T_0": [1, 0, 2.5],
    "T_mult": [1, 2, 0],
    "eta_min": [0.0, 1.0, -1e-3],
    # Megatron (in samples): a zero or fractional increment, one past 2^53 samples at T, init_lr above the peak, a
    # warmup at or beyond the decay's end, a decay shorter than a step, an anneal longer than the decay, empty or
    # malformed ramp-up bands
    "increment": [0, 2.0, 3.5, 2**42],
    "init_lr": [-1.0, 1.0],
    "lr_warmup_steps": [0, 0.5, -3, 7, 10**6],
    "lr_decay_steps": [0, 1, 7, 10**6],
    "wsd_decay_steps": [0, 1, -4, 10**7],
    "lr_wsd_decay_style": ["bogus"],
    "rampup_bands": [[], [[0, 5]], [[4, 0], [2, 3]], [[1, 2.5]]],
    # torchtitan: no decay, all decay, a ratio beyond 1 or below 0, a floor above the peak or below 0, a schedule
    # shorter than the run (its lambda keeps going past T', or asserts with no decay steps)
    "decay_ratio": [0.0, 1.0, 1.5, -0.2],
    "decay_type": ["bogus"],
    "min_lr_factor": [1.0, 1.5, -0.5],
    "total_steps": [0, 1, 2, 3, 10],  # torch's OneCycleLR (below T: torch raises past it) and torchtitan's
    # verl: a warmup from the peak or above it, no stable phase or all of it, a huge ratio, one-indexed steps
    "init_lr_ratio": [1.0, 1.5],
    "stable_ratio": [0.0, 1.0, 1.5, -0.5, 1e300],
    "zero_indexed_step": [False],
}

# Ordinary settings each twin must vouch for (not fall back to numpy): a config as people write it.
ORDINARY = {
    "constant": {},
    "constant_with_warmup": {},
    "linear": {},
    "cosine": {},
    "cosine_with_restarts": {"num_cycles": 3},
    "polynomial": {"power": 2.0},
    "inverse_sqrt": {},
    "cosine_with_min_lr": {"min_lr_rate": 0.1},
    "cosine_warmup_with_min_lr": {"min_lr": 1e-5},
    "warmup_stable_decay": {"num_decay_steps": 200, "decay_type": "1-sqrt", "min_lr_ratio": 0.1},
    "WarmupLR": {"warmup_num_steps": "auto", "warmup_max_lr": "auto"},
    "WarmupDecayLR": {"total_num_steps": "auto", "warmup_num_steps": "auto", "warmup_max_lr": "auto"},
    "WarmupCosineLR": {"total_num_steps": "auto", "warmup_num_steps": "auto", "warmup_type": "linear"},
    "OneCycle": {"cycle_min_lr": 1e-5, "cycle_max_lr": 1e-3, "cycle_first_step_size": 200, "decay_lr_rate": 0.01,
                 "decay_step_size": 100},
    "LRRangeTest": {"lr_range_test_step_size": 100, "lr_range_test_staircase": True},
    "axolotl_rex": {"cosine_min_lr_ratio": 0.1},
    "axolotl_cosine_quadratic_warmup": {},
    "axolotl_cosine_min_lr": {"cosine_min_lr_ratio": 0.1},
    "axolotl_cosine_min_lr_constant": {"cosine_min_lr_ratio": 0.1, "cosine_constant_lr_ratio": 0.8},
    # torch, stepped per update: a period long enough that 10^9 steps have fewer turns than curve_facts.MAX_TWIN_ROWS
    # (a StepLR or CyclicLR period of a few thousand updates over 10^9 is evaluated with numpy instead)
    "StepLR": {"step_size": 300_000, "gamma": 0.5},
    "MultiStepLR": {"milestones": [30, 80]},
    "ConstantLR": {},
    "OneCycleLR": {},
    "CyclicLR": {"base_lr": 1e-5, "step_size_up": 500_000},
    "CosineAnnealingWarmRestarts": {"T_0": 100, "T_mult": 2},
    **{f"megatron_{style}": {"increment": 256, "min_lr": 1e-5} for style in ("constant", "linear", "cosine",
                                                                              "inverse_square_root")},
    "megatron_wsd": {"increment": 256, "min_lr": 1e-5, "wsd_decay_steps": 25_600, "lr_wsd_decay_style": "minus_sqrt"},
    "torchtitan_wsd": {"decay_ratio": 0.2, "decay_type": "cosine", "min_lr_factor": 0.1},
    "verl_cosine": {"min_lr_ratio": 0.1},
    "verl_cosine_0_5": {"min_lr_ratio": 0.1},
    "verl_constant": {},
    "verl_wsd": {},
}


def _config(name, total, warmup, kwargs, lr=1e-3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lrcli.load_config(lr_scheduler_type=name, total_steps=total, warmup_steps=warmup,
                                 lr_scheduler_kwargs=kwargs, learning_rate=lr)


@st.composite
def _cases(draw):
    name = draw(st.sampled_from(TWINS))
    total = draw(st.integers(1, 2500))
    warmup = draw(st.integers(0, total))
    taken = SCHEDULES[name].parameters()
    kwargs = {key: draw(value) for key, value in KWARGS.get(name, {}).items()}
    for key, values in EDGES.items():
        if key in taken and draw(st.booleans()):
            kwargs[key] = draw(st.sampled_from(values))
    lr = draw(st.sampled_from([1e-3, 2e-5, 5e-320, 1e300]))
    kept = ("timescale", "min_lr", "warmup_max_lr")  # where None is a value, not "leave the default"
    return name, total, warmup, {k: v for k, v in kwargs.items() if v is not None or k in kept}, lr


def _evaluated(config):
    try:
        return compute(config), None
    except lrcli.LrcliError as exc:
        return None, str(exc)


@settings(max_examples=400, deadline=None)
@given(_cases())
def test_a_twin_equals_the_evaluated_curve_wherever_it_vouches(case):
    name, total, warmup, kwargs, lr = case
    config = _config(name, total, warmup, kwargs, lr)
    dense, refusal = _evaluated(config)
    try:
        facts = scalar_facts(config)
    except lrcli.LrcliError as exc:  # refused before any value: the same refusal the evaluation gives
        assert str(exc) == refusal
        return
    if facts is None:
        return
    assert refusal is None, f"the twin vouched for a curve the framework refuses: {refusal}"
    _assert_same_facts(facts, of_curve(dense))
    schedule = SCHEDULES[name]
    from lrcli.schedules import bind_kwargs
    from lrcli.schedules.pieces import full_params

    params = full_params(schedule.fn, bind_kwargs(schedule, dense.kwargs))
    twin = np.array([schedule.scalar(s, lr=lr, warmup=dense.plan.warmup, total=total, **params)
                     for s in range(total + 1)])
    # the twin computes in Python floats as the framework does (math.cos, float **), the evaluation in numpy (its own
    # cos and pow, which may differ in the last bit): the project's parity bound
    assert np.max(np.abs(twin - dense.lr)) <= 1e-12 * np.max(np.abs(dense.lr))


def _assert_same_facts(got, want):
    assert (got.leading_zeros, got.one_update_behind) == (want.leading_zeros, want.one_update_behind)
    for value, wanted in ((got.peak_lr, want.peak_lr), (got.final_lr, want.final_lr)):
        assert abs(value - wanted) <= 1e-12 * abs(want.peak_lr)


@pytest.mark.parametrize("name", TWINS)
def test_every_twin_vouches_for_ordinary_settings(name):
    for total, warmup in ((1, 0), (1000, 0), (1000, 50), (10**9, 3000)):
        config = _config(name, total, warmup, ORDINARY[name])
        facts = scalar_facts(config)
        assert facts is not None, (total, warmup)
        if total <= 1000:
            _assert_same_facts(facts, of_curve(compute(config)))
        else:  # a run far beyond what is evaluated densely: the facts of its exact outline
            from lrcli.curve import outline

            _assert_same_facts(facts, of_curve(outline(config, columns=1000)))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(TWINS), st.integers(1, 300), st.integers(1, 9), st.integers(0, 40), st.integers(1, 64))
def test_the_facts_follow_an_epoch_clock(name, samples, epochs, warmup, batch):
    """A scheduler stepped once per epoch (Lightning's interval="epoch"): row s has had ⌊s/U⌋ scheduler steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = lrcli.load_config(lr_scheduler_type=name, dataset_size=samples, per_device_train_batch_size=batch,
                                   num_train_epochs=epochs, warmup_steps=warmup, step_unit="epoch",
                                   lr_scheduler_kwargs=ORDINARY[name], learning_rate=1e-3)
    dense, refusal = _evaluated(config)
    facts = scalar_facts(config)
    if facts is not None:
        assert refusal is None
        _assert_same_facts(facts, of_curve(dense))


def test_the_ordinary_cases_cover_every_twin():
    assert sorted(ORDINARY) == TWINS


def _findings(path, *args):
    from lrcli.cli import main

    return main(["check", str(path), "--format", "json", *args])


SAMPLES = sorted(p for p in (ROOT / "sample_configs").iterdir() if p.is_file())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_check_finds_the_same_whether_the_twin_or_numpy_gave_the_facts(path, capsys, monkeypatch):
    """Every sample config checked twice, once with the twins and once with every curve evaluated: the same report."""
    def run():
        try:
            _findings(path, "--samples", "5000")
        except SystemExit as exc:
            return exc.code, capsys.readouterr().out
        return 0, capsys.readouterr().out

    with_twins = run()
    monkeypatch.setattr("lrcli.lint.target.scalar_facts", lambda config: None)
    assert run() == with_twins


@pytest.mark.parametrize(("rate", "fires"), [(1.0, True), (0.1, False)])
def test_a_floor_at_the_peak_is_judged_from_the_values_at_any_length(rate, fires):
    """LR105 looks at the curve's values even for a run of 10^9 steps (numpy evaluation stops at 2·10^5): with
    min_lr_rate 1 the LR never decays, with 0.1 it does."""
    from lrcli.inputs.bounded import Located
    from lrcli.lint import assess, check

    config = _config("cosine_with_min_lr", 10**9, 1000, {"min_lr_rate": rate})
    target = assess("flags", Located({}, {}), config)
    assert target.facts is not None and math.isclose(target.facts.peak_lr, 1e-3)
    assert ("LR105" in {f.code for f in check(target, set())}) is fires
