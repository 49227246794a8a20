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
@settings(max_examples=60, deadline=None)
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
    _check_live(case, gen.run_deepspeed(ds_module, log, case))


@pytest.mark.oracle
@settings(max_examples=80, deadline=None)
@given(
    schedule=st.sampled_from(
        ["axolotl_rex", "axolotl_cosine_quadratic_warmup", "axolotl_cosine_min_lr", "axolotl_cosine_min_lr_constant"]
    ),
    warmup=st.integers(0, 30),
    total=st.integers(1, 120),
    ratio=st.floats(0.001, 1.0),
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
    _check_live(case, gen.run_axolotl(mixin, case))
