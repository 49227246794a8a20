"""DeepSpeed (0.19.8 `runtime/lr_schedules.py`) and axolotl (0.19.0, 0.20.0 and 0.21.0 `utils/schedulers.py` +
`core/trainers/mixins/scheduler.py`) schedules against the real code: golden curves from
tools/gen_deepspeed_axolotl_golden.py (the 0.20.0 / 0.21.0 axolotl cases in axolotl_schedules_golden_<V>.json, run
on the transformers each release pins), and the same cases plus random ones live when the downloaded package sources
are present (the oracle tests)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import oracle_import
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcli.errors import LrcliError
from lrcli.schedules import deepspeed, evaluate, get_schedule

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((ROOT / "tests" / "data" / "deepspeed_axolotl_golden.json").read_text())
CASES = GOLDEN["cases"]
# axolotl release -> its scheduler cases (0.19.0's sit beside DeepSpeed's)
AXOLOTL_RELEASES = {"0.19.0": [c for c in CASES if c["family"] == "axolotl"]}
for _release in ("0.20.0", "0.21.0"):
    _document = json.loads((ROOT / "tests" / "data" / f"axolotl_schedules_golden_{_release}.json").read_text())
    assert _document["versions"]["axolotl"] == _release
    AXOLOTL_RELEASES[_release] = _document["cases"]


def _lrcli(case: dict[str, Any]) -> np.ndarray:
    steps = np.arange(case["rows"], dtype=np.int64)
    return evaluate(
        get_schedule(case["schedule"]),
        steps,
        lr=case["lr"],
        warmup=case["warmup"],
        total=case["total"],
        kwargs=case["kwargs"],
    )


def _assert_matches(case: dict[str, Any], expected: list[float]) -> None:
    got = _lrcli(case)
    want = np.asarray(expected, dtype=np.float64)
    peak = float(np.max(np.abs(want)))
    assert got.shape == want.shape
    np.testing.assert_array_less(np.abs(got - want), 1e-12 * peak + 1e-300)


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['schedule']}-W{case['warmup']}-T{case['total']}-{json.dumps(case['kwargs'], sort_keys=True)}"


def test_golden_data_covers_every_registered_schedule_of_both_families():
    from lrcli.schedules import axolotl

    covered = {case["schedule"] for case in CASES if "values" in case}
    assert covered == set(deepspeed.SCHEDULES) | set(axolotl.SCHEDULES)
    assert GOLDEN["versions"]["deepspeed"] == "0.19.8" and GOLDEN["versions"]["axolotl"] == "0.19.0"


@pytest.mark.parametrize("case", [c for c in CASES if "values" in c], ids=_case_id)
def test_curve_matches_framework(case):
    _assert_matches(case, case["values"])


@pytest.mark.parametrize("case", [c for c in CASES if "raises" in c], ids=_case_id)
def test_refuses_what_framework_refuses(case):
    with pytest.raises(LrcliError):
        _lrcli(case)


NEWER_AXOLOTL = [(release, case) for release in ("0.20.0", "0.21.0") for case in AXOLOTL_RELEASES[release]]


@pytest.mark.parametrize(("release", "case"), NEWER_AXOLOTL, ids=[f"{r}-{_case_id(c)}" for r, c in NEWER_AXOLOTL])
def test_newer_axolotl_curve_matches_that_release(release, case):
    """lrcli has one axolotl scheduler set: each newer release's own code must give the same curves (or refuse)."""
    if "raises" in case:
        with pytest.raises(LrcliError):
            _lrcli(case)
    else:
        _assert_matches(case, case["values"])


def test_every_axolotl_release_golden_has_the_same_cases():
    """The same inputs in each release's file (so a curve that changed between releases shows as a failing case
    above, not as a missing one), each schedule covered."""
    keys = ("schedule", "kwargs", "lr", "warmup", "total", "rows")
    inputs = {release: [tuple(json.dumps(c[k], sort_keys=True) for k in keys) for c in cases]
              for release, cases in AXOLOTL_RELEASES.items()}
    assert inputs["0.20.0"] == inputs["0.19.0"] == inputs["0.21.0"]
    from lrcli.schedules import axolotl

    for cases in AXOLOTL_RELEASES.values():
        assert {c["schedule"] for c in cases if "values" in c} == set(axolotl.SCHEDULES)


AUTO_CASES = [c for c in CASES if "filled_params" in c and "auto" in c["kwargs"].values()]


@pytest.mark.parametrize("case", AUTO_CASES, ids=_case_id)
def test_auto_filled_as_transformers_fills_it(case):
    filled = deepspeed.fill_auto(case["kwargs"], lr=case["lr"], warmup=case["warmup"], total=case["total"])
    assert filled == case["filled_params"]


def _warning_kinds(messages: list[str]) -> list[str]:
    kinds = []
    for message in messages:
        if "warmup_type" in message:
            kinds.append("warmup_type")
        elif "is less than" in message:
            kinds.append("total<warmup")
    return kinds


@pytest.mark.parametrize("case", [c for c in CASES if "deepspeed_warnings" in c], ids=_case_id)
def test_logged_warnings_match_deepspeed(case):
    notes = deepspeed.logged_warnings(
        case["schedule"], case["kwargs"], lr=case["lr"], warmup=case["warmup"], total=case["total"]
    )
    assert _warning_kinds(list(notes)) == _warning_kinds(case["deepspeed_warnings"])


def test_auto_warmup_zero_still_warms_up_over_two_log_steps():
    # frameworks.md §5: an "auto" config with warmup_steps 0 gets DeepSpeed's 2-step log warmup, one update late.
    case = next(c for c in AUTO_CASES if c["schedule"] == "WarmupDecayLR" and c["warmup"] == 0)
    values = case["values"]
    assert values[0] == 0 and values[1] == 0 and values[2] == case["lr"]
    _assert_matches(case, values)


# ------------------------------------------------------------------------------------------- oracle (live)


def _generator():
    spec = importlib.util.spec_from_file_location("gen_golden", ROOT / "tools" / "gen_deepspeed_axolotl_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def live():
    oracle_import("torch")
    oracle_import("transformers")
    gen = _generator()
    ds_dir, ax_dir = gen.default_dirs()
    ds_module, log = gen.load_deepspeed(ds_dir)
    mixin = gen.load_axolotl(ax_dir)
    return gen, ds_module, log, mixin


@pytest.mark.oracle
def test_golden_data_is_what_the_sources_give_today(live):
    gen, ds_module, log, mixin = live
    for case in gen.deepspeed_cases()[::7] + gen.axolotl_cases()[::7]:
        run = gen.run_deepspeed(ds_module, log, case) if case["family"] == "deepspeed" else gen.run_axolotl(mixin, case)
        stored = next(c for c in CASES if all(c[k] == case[k] for k in ("schedule", "kwargs", "lr", "warmup", "total")))
        assert run.get("values") == stored.get("values") and run.get("raises") == stored.get("raises")


def _check_live(case: dict[str, Any], run: dict[str, Any]) -> None:
    if "raises" in run:
        with pytest.raises(LrcliError):
            _lrcli(case)
    else:
        _assert_matches(case, run["values"])


@pytest.mark.oracle
@settings(max_examples=60, deadline=None)
@given(
    schedule=st.sampled_from(["WarmupLR", "WarmupDecayLR", "WarmupCosineLR"]),
    warmup_num_steps=st.one_of(st.integers(1, 40), st.just("auto")),
    total=st.integers(1, 80),
    warmup=st.integers(0, 40),
    warmup_type=st.sampled_from(["log", "linear", "sqrt"]),
    ratios=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    last_batch_iteration=st.sampled_from([-1, -1, -1, 0, 3]),
)
def test_warmup_family_random_against_deepspeed(
    live, schedule, warmup_num_steps, total, warmup, warmup_type, ratios, last_batch_iteration
):
    gen, ds_module, log, _ = live
    if warmup_num_steps != "auto":
        warmup = warmup_num_steps  # explicit values must equal HF's or transformers refuses the config
    params: dict[str, Any] = {
        "warmup_num_steps": warmup_num_steps,
        "warmup_type": warmup_type,
        "last_batch_iteration": last_batch_iteration,
    }
    if schedule == "WarmupCosineLR":
        params.update(total_num_steps="auto", warmup_min_ratio=ratios[0], cos_min_ratio=ratios[1])
    else:
        params.update(warmup_min_lr=ratios[0] * 1e-5, warmup_max_lr="auto")
        if schedule == "WarmupDecayLR":
            params["total_num_steps"] = total
    case = gen._ds(schedule, params, lr=2e-4, warmup=warmup, total=total, rows=total + 8)
    _check_live(case, gen.run_deepspeed(ds_module, log, case))


@pytest.mark.oracle
@settings(max_examples=100, deadline=None)
@given(
    first=st.one_of(st.integers(1, 30), st.floats(0.5, 30)),
    second=st.one_of(st.none(), st.integers(0, 30)),
    stairs=st.tuples(st.integers(0, 6), st.one_of(st.none(), st.integers(0, 6))),
    decay=st.tuples(st.sampled_from([0.0, 0.1, 1.0]), st.sampled_from([0, 1, 7])),
    last_batch_iteration=st.sampled_from([-1, -1, 2]),
)
def test_one_cycle_random_against_deepspeed(live, first, second, stairs, decay, last_batch_iteration):
    gen, ds_module, log, _ = live
    params = {
        "cycle_min_lr": 3e-6,
        "cycle_max_lr": 4e-4,
        "cycle_first_step_size": first,
        "cycle_second_step_size": second,
        "cycle_first_stair_count": stairs[0],
        "cycle_second_stair_count": stairs[1],
        "decay_lr_rate": decay[0],
        "decay_step_size": decay[1],
        "last_batch_iteration": last_batch_iteration,
    }
    case = gen._ds("OneCycle", params, total=90, optimizer="adamw")
    run = gen.run_deepspeed(ds_module, log, case)
    _check_live(case, run)
    _check_twin(case, run)  # the scalar twin: to the bit


@pytest.mark.oracle
@settings(max_examples=100, deadline=None)
@given(
    schedule=st.sampled_from(
        ["axolotl_rex", "axolotl_cosine_quadratic_warmup", "axolotl_cosine_min_lr", "axolotl_cosine_min_lr_constant"]
    ),
    warmup=st.integers(0, 30),
    total=st.integers(1, 120),
    ratio=st.one_of(st.floats(0.001, 1.0), st.just(1.5)),  # 0 is not axolotl's: it falls through to HF cosine
    constant=st.floats(0.001, 1.0),
)
def test_axolotl_random_against_axolotl(live, schedule, warmup, total, ratio, constant):
    gen, _, _, mixin = live
    kwargs = {
        "axolotl_rex": {"cosine_min_lr_ratio": ratio},
        "axolotl_cosine_quadratic_warmup": {},
        "axolotl_cosine_min_lr": {"cosine_min_lr_ratio": ratio},
        "axolotl_cosine_min_lr_constant": {"cosine_min_lr_ratio": ratio, "cosine_constant_lr_ratio": constant},
    }[schedule]
    case = gen._ax(schedule, kwargs, lr=1e-4, warmup=warmup, total=total)
    run = gen.run_axolotl(mixin, case)
    _check_live(case, run)
    _check_twin(case, run)  # the scalar twin: to the bit


# ------------------------------------------------------------------- scalar twins (Schedule.scalar) vs the frameworks
# The twins compute in the frameworks' own Python float operations, so they must give the frameworks' values to the
# bit, where the numpy evaluation is only held to 1e-12 · peak (numpy's log and cos may differ in the last bit).


def _twin(case: dict[str, Any], rows: Any = None) -> list[float]:
    from lrcli.schedules import bind_kwargs
    from lrcli.schedules.pieces import full_params

    schedule = get_schedule(case["schedule"])
    params = full_params(schedule.fn, bind_kwargs(schedule, case["kwargs"]))
    return [schedule.scalar(s, lr=case["lr"], warmup=case["warmup"], total=case["total"], **params)
            for s in (range(case["rows"]) if rows is None else rows)]


def _check_twin(case: dict[str, Any], run: dict[str, Any]) -> None:
    if "raises" in run:
        with pytest.raises(LrcliError):
            _twin(case)
    else:
        assert _twin(case) == run["values"]


AXOLOTL_TWINS = ["axolotl_rex", "axolotl_cosine_quadratic_warmup", "axolotl_cosine_min_lr",
                 "axolotl_cosine_min_lr_constant"]
GOLDEN_TWIN_CASES = [case for cases in AXOLOTL_RELEASES.values() for case in cases] + [
    c for c in CASES if c["family"] == "deepspeed"]


@pytest.mark.parametrize("case", GOLDEN_TWIN_CASES, ids=_case_id)
def test_twin_gives_the_framework_values_to_the_bit(case):
    _check_twin(case, case)


@pytest.mark.oracle
@settings(max_examples=150, deadline=None)
@given(
    schedule=st.sampled_from(["WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "LRRangeTest"]),
    warmup_num_steps=st.one_of(st.integers(1, 40), st.just("auto")),
    total=st.integers(1, 80),
    total_num_steps=st.sampled_from([1, 17, 10**6]),
    warmup_type=st.sampled_from(["log", "linear", "sqrt"]),
    ratios=st.tuples(st.floats(0, 1), st.sampled_from([0.0, 1e-4, 0.5, 1.0, 1.5])),
    range_test=st.tuples(st.integers(1, 30), st.sampled_from([0.0, 1.0, 7.5]), st.booleans()),
    last_batch_iteration=st.sampled_from([-1, -1, 0, 3, -4]),
)
def test_warmup_and_range_test_twins_against_deepspeed(live, schedule, warmup_num_steps, total, total_num_steps,
                                                       warmup_type, ratios, range_test, last_batch_iteration):
    gen, ds_module, log, _ = live
    if warmup_num_steps == "auto":  # with any "auto", transformers refuses an explicit total other than its own
        total_num_steps = "auto"
    params: dict[str, Any] = {"last_batch_iteration": last_batch_iteration}
    if schedule == "LRRangeTest":
        params.update(lr_range_test_step_size=range_test[0], lr_range_test_step_rate=range_test[1],
                      lr_range_test_staircase=range_test[2])
    else:
        params.update(warmup_num_steps=warmup_num_steps, warmup_type=warmup_type)
    if schedule == "WarmupCosineLR":
        params.update(total_num_steps=total_num_steps, warmup_min_ratio=ratios[0], cos_min_ratio=ratios[1])
    elif schedule in ("WarmupLR", "WarmupDecayLR"):
        params.update(warmup_min_lr=ratios[0] * 1e-5, warmup_max_lr=2e-4)
    if schedule == "WarmupDecayLR":
        params["total_num_steps"] = total_num_steps
    warmup = warmup_num_steps if warmup_num_steps != "auto" else total // 3
    case = gen._ds(schedule, params, lr=2e-4, warmup=warmup, total=total, rows=total + 8)
    _check_twin(case, gen.run_deepspeed(ds_module, log, case))


FAR = [0, 1, 2, 999, 1000, 1001, 123_456_789, 10**9 - 1, 10**9]  # rows of a run of 10^9 updates


@pytest.mark.oracle
@pytest.mark.parametrize("schedule", ["WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest"])
def test_twins_far_into_a_long_run_against_deepspeed_get_lr(live, schedule):
    """DeepSpeed's own get_lr at i = s − 1, set directly (stepping 10^9 times is not an option)."""
    gen, ds_module, _, _ = live
    params = {
        "WarmupDecayLR": {"total_num_steps": 10**9, "warmup_num_steps": 1000, "warmup_max_lr": 3e-4},
        "WarmupCosineLR": {"total_num_steps": 10**9, "warmup_num_steps": 1000},
        "OneCycle": {"cycle_min_lr": 1e-5, "cycle_max_lr": 3e-4, "cycle_first_step_size": 5e8, "decay_lr_rate": 0.1,
                     "decay_step_size": 1000},
        "LRRangeTest": {"lr_range_test_step_size": 1000},
    }[schedule]
    case = gen._ds(schedule, params, lr=3e-4, warmup=1000, total=10**9)
    scheduler = getattr(ds_module, schedule)(gen._optimizer("adamw", 3e-4), **params)
    want = []
    for row in FAR[1:]:
        scheduler.last_batch_iteration = row - 1
        want.append(scheduler.get_lr()[0])
    assert _twin(case, FAR[1:]) == want


@pytest.mark.oracle
@pytest.mark.parametrize("schedule", AXOLOTL_TWINS)
def test_twins_far_into_a_long_run_against_axolotl(live, schedule):
    """axolotl's scheduler at row s, its counter set directly: LambdaLR's last_epoch s, RexLR's last_step s + 1
    (its constructor has already stepped once)."""
    import types
    import warnings

    gen, _, _, mixin = live
    ratios = {"cosine_min_lr_ratio": None if schedule == "axolotl_cosine_quadratic_warmup" else 0.1,
              "cosine_constant_lr_ratio": 0.8 if schedule == "axolotl_cosine_min_lr_constant" else None}
    args = types.SimpleNamespace(
        lr_scheduler_type="cosine", alternate_lr_scheduler_type="rex" if schedule == "axolotl_rex" else None,
        lr_quadratic_warmup=schedule == "axolotl_cosine_quadratic_warmup", learning_rate=3e-4,
        lr_scheduler_kwargs={}, jagged_restart_steps=None, get_warmup_steps=lambda _total: 1000, **ratios)
    trainer = types.SimpleNamespace(args=args, lr_scheduler=None, optimizer=None)
    scheduler = mixin.SchedulerMixin.create_scheduler(trainer, 10**9, optimizer=gen._optimizer("adamw", 3e-4))
    want = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: get_lr() called outside step()
        for row in FAR:
            scheduler.last_epoch = row + (schedule == "axolotl_rex")
            want.append(scheduler.get_lr()[0])
    kwargs = {key: value for key, value in ratios.items() if value is not None}
    assert _twin(gen._ax(schedule, kwargs, lr=3e-4, warmup=1000, total=10**9), FAR) == want
