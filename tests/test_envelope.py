"""Outlines of long curves (issue 15, lrcli/envelope.py): for every column of rows the outline's minimum and maximum
are those of a dense evaluation of every row, bit for bit, as are the peak (its first row), the final LR and any row
read back through `Curve.values`; streamed CSV blocks equal the dense table byte for byte; and the note about updates
at LR 0 that `lrcli steps` settles without numpy agrees with the evaluated rows."""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import TOOLS, oracle_import
from hypothesis import given, settings
from hypothesis import strategies as st
from schedule_settings import AUTO, KWARGS

import lrcli
from lrcli import curve as curve_module
from lrcli.curve import compute, outline, starting_lrs, starting_zero_rows
from lrcli.envelope import column_edges, dense_columns, replayed
from lrcli.render import table
from lrcli.schedules import SCHEDULES, pytorch
from lrcli.schedules.pytorch import CLOSED_FORM_BOUNDS

# (schedule, W, kwargs) at T = 10^6: the four families of the targets, then one of each kind of turn.
MILLION = [
    ("cosine_with_restarts", 1000, {"num_cycles": 3}),
    ("StepLR", 0, {"step_size": 100_000, "gamma": 0.5}),
    ("WarmupDecayLR", 1000, {**AUTO, "warmup_type": "linear"}),
    ("OneCycleLR", 0, {}),
    ("cosine", 5000, {"num_cycles": 2.5}),
    ("warmup_stable_decay", 100, {"num_decay_steps": 300_000, "decay_type": "cosine", "num_cycles": 1.5}),
    ("WarmupCosineLR", 100, {"total_num_steps": "auto", "warmup_num_steps": "auto"}),
    ("ExponentialLR", 0, {"gamma": 0.99999}),
    ("CyclicLR", 0, {"base_lr": 1e-5, "step_size_up": 30_000, "mode": "triangular2"}),
    ("CosineAnnealingWarmRestarts", 0, {"T_0": 70_000, "T_mult": 2}),
    ("axolotl_rex", 2000, {"cosine_min_lr_ratio": 0.1}),
    # torchtitan past its own T' (cosine climbs back), Megatron in samples with a ramp-up, verl's cosine and WSD
    ("torchtitan_wsd", 2000, {"decay_ratio": 0.3, "decay_type": "cosine", "min_lr_factor": 0.1, "total_steps": 400_000}),
    ("megatron_wsd", 3000, {"increment": 8, "min_lr": 1e-5, "wsd_decay_steps": 2_000_000,
                            "lr_wsd_decay_style": "minus_sqrt", "rampup_bands": [[2, 1000], [4, 3000]]}),
    ("megatron_cosine", 3000, {"increment": 512, "min_lr": 1e-5, "init_lr": 1e-6}),
    ("verl_cosine", 1000, {"num_cycles": 2.5, "min_lr_ratio": 0.1, "zero_indexed_step": False}),
    ("verl_wsd", 1000, {"num_cycles": 1.5, "stable_ratio": 0.5}),
    # torch's chained classes: replayed block by block with the carry, every row looked at
    ("CosineAnnealingLR", 0, {"eta_min": 1e-5, "T_max": 300_000}),
    ("LinearLR", 0, {"start_factor": 0.01, "total_iters": 600_000}),
    ("PolynomialLR", 0, {"power": 2.0}),
    ("SequentialLR", 20_000, {"schedulers": [{"name": "CosineAnnealingLR", "eta_min": 1e-5}]}),
]


def _config(name, total, warmup, kwargs, lr=1e-3, **more):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lrcli.load_config(lr_scheduler_type=name, total_steps=total, warmup_steps=warmup,
                                 lr_scheduler_kwargs=kwargs, learning_rate=lr, **more)


def _check_outline(config, columns: int) -> None:
    dense = compute(config)
    drawn = outline(config, columns=columns, dense_rows=0)
    assert drawn.outlined
    rows = dense.plan.total + 1
    _check_columns(dense, drawn, columns)
    assert drawn.notes == dense.notes
    probe = np.unique(np.random.default_rng(rows).integers(0, rows, 64))
    np.testing.assert_array_equal(drawn.values(probe), dense.lr[probe])


@pytest.mark.parametrize(("name", "warmup", "kwargs"), MILLION, ids=[case[0] for case in MILLION])
def test_outline_equals_dense_columns_at_a_million_steps(name, warmup, kwargs):
    _check_outline(_config(name, 1_000_000, warmup, kwargs), columns=1800)


OUTLINED = sorted(name for name, s in SCHEDULES.items() if s.breaks is not None or s.replay is not None)


@st.composite
def _cases(draw):
    name = draw(st.sampled_from(OUTLINED))
    total = draw(st.integers(1, 2500))
    warmup = draw(st.integers(0, total))
    kwargs = {key: draw(value) for key, value in KWARGS.get(name, {}).items()}
    return name, total, warmup, kwargs, draw(st.integers(1, 700))


@settings(max_examples=150, deadline=None)
@given(_cases())
def test_outline_equals_dense_columns_for_random_schedules(case):
    name, total, warmup, kwargs, columns = case
    try:
        config = _config(name, total, warmup, kwargs)
        compute(config)
    except lrcli.LrcliError:
        return  # settings the framework refuses: the outline raises the same error (below)
    _check_outline(config, columns)


def test_outline_follows_an_epoch_clock():
    """A scheduler stepped once per epoch (Lightning): its turns move to the rows where the epochs begin."""
    config = _config("StepLR", None, 0, {"step_size": 3, "gamma": 0.5}, dataset_size=10_000,
                     per_device_train_batch_size=8, num_train_epochs=7, step_unit="epoch")
    _check_outline(config, columns=50)


def test_streamed_table_equals_the_dense_table():
    """Blocks evaluated as they are written give the same bytes as the table of every row."""
    config = _config("cosine_with_restarts", 30_000, 300, {"num_cycles": 4})
    streamed = outline(config, columns=1, dense_rows=0, blocks=True)
    assert streamed.outlined
    assert table.to_csv([streamed]) == table.to_csv([compute(config)])
    floats = [float(line.split(",")[1]) for line in table.to_csv([streamed]).splitlines()[1:]]
    assert np.array_equal(np.array(floats), compute(config).lr)  # repr floats read back bit-identical


def test_streamed_json_equals_the_dense_document():
    """The JSON document of an outlined curve, its values written block by block, parses to the dense one's: the
    same rows, the same summary (sums taken block by block may differ in the last bits only)."""
    config = _config("warmup_stable_decay", 20_000, 500, {"num_decay_steps": 4000, "min_lr_ratio": 0.1})
    streamed = json.loads("".join(table.json_chunks([outline(config, columns=1, dense_rows=0, blocks=True)])))
    dense = json.loads(table.to_json([compute(config)]))
    got, want = streamed["runs"][0]["curve"], dense["runs"][0]["curve"]
    assert got["lr"] == want["lr"]
    for key, value in want["summary"].items():
        assert got["summary"][key] == pytest.approx(value, rel=1e-12, abs=0)
    got["summary"], want["summary"] = {}, {}
    assert streamed == dense


def test_long_runs_are_outlined_without_evaluating_every_row():
    """T = 10^9: the outline evaluates a few thousand rows (a dense curve would take 8 GB)."""
    curve = outline(_config("cosine_with_restarts", 10**9, 1000, {"num_cycles": 3}), columns=1800)
    assert curve.outlined and len(curve.steps) < 10_000
    assert (curve.peak_step, curve.peak_lr, curve.final_lr) == (1000, 1e-3, 0.0)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(n for n, s in SCHEDULES.items() if s.warmup_from_zero)), st.integers(1, 50),
       st.integers(0, 50), st.sampled_from([1e-3, 5e-320, 1.0, 3e-308]))
def test_zero_rows_settled_without_numpy_agree_with_the_evaluated_rows(name, total, warmup, lr):
    config = _config(name, total, min(warmup, total), {"min_lr_rate": 0.1} if "min_lr" in name else {}, lr=lr)
    plan = lrcli.plan_steps(config)
    claimed = starting_zero_rows(config, plan)
    if claimed is None or (plan.warmup == 0 and claimed == 0):
        return
    starting = starting_lrs(config, plan)
    assert claimed == (int(np.argmax(starting != 0)) if (starting != 0).any() else len(starting))
    assert math.isfinite(lr)


def test_streamed_table_of_a_chained_replay_equals_the_dense_table():
    """CosineAnnealingLR (η ≠ 0: one step at a time) streamed block by block with its carry: the same bytes."""
    config = _config("CosineAnnealingLR", 30_000, 0, {"T_max": 7_000, "eta_min": 1e-5})
    streamed = outline(config, columns=1, dense_rows=0, blocks=True)
    assert streamed.outlined
    assert table.to_csv([streamed]) == table.to_csv([compute(config)])


BOUNDS = json.loads((Path(__file__).parent / "data" / "closed_form_bounds.json").read_text())


def test_the_closed_form_bounds_lrcli_states_cover_what_was_measured():
    """tools/gen_closed_form_bounds.py measured max |closed form − torch's steps| / peak over random settings up to
    T = 10^8; the bound lrcli prints when it draws a closed form is at least that."""
    assert set(BOUNDS["worst_relative"]) == set(CLOSED_FORM_BOUNDS)
    for name, worst in BOUNDS["worst_relative"].items():
        assert worst <= CLOSED_FORM_BOUNDS[name] <= 2 * worst + 1e-15


@pytest.mark.parametrize("case", [c for c in BOUNDS["cases"] if c["total"] == 10**4][::6],
                         ids=lambda c: c["schedule"])
def test_closed_form_draws_stay_within_the_bound_of_torchs_steps(case, monkeypatch):
    """A plot past the exact-replay size draws the closed form: per column its extremes are within the stated bound
    of the exact ones (torch's steps, replayed), and the note says so."""
    monkeypatch.setattr(curve_module, "EXACT_REPLAY_ROWS", 1000)
    monkeypatch.setattr(pytorch, "SETTLES_EXACTLY", 100)
    config = _config(case["schedule"], case["total"], 0, case["kwargs"], lr=case["lr"])
    drawn = outline(config, columns=700, dense_rows=0)
    dense = compute(config)
    assert any("drawn from its closed form" in note for note in drawn.notes)
    low, high = dense_columns(dense.lr, column_edges(case["total"] + 1, 700))
    starts = np.searchsorted(drawn.steps, column_edges(case["total"] + 1, 700)[:-1])
    slack = CLOSED_FORM_BOUNDS[case["schedule"]] * dense.peak_lr
    assert np.max(np.abs(np.minimum.reduceat(drawn.lr, starts) - low)) <= slack
    assert np.max(np.abs(np.maximum.reduceat(drawn.lr, starts) - high)) <= slack


@pytest.mark.parametrize("name", ["ReduceLROnPlateau", "reduce_lr_on_plateau", "greedy"])
def test_metric_driven_schedules_are_outlined_at_their_evaluations(name, tmp_path):
    """A metric-driven schedule changes the LR only when an evaluation is logged: its evaluations are its turns."""
    rng = np.random.default_rng(15)
    steps = np.sort(rng.choice(np.arange(1, 1_000_000), 400, replace=False))
    loss = np.cumsum(rng.normal(-0.001, 0.02, len(steps))) + 3
    path = tmp_path / "metrics.csv"
    path.write_text("step,eval_loss\n" + "".join(f"{s},{v!r}\n" for s, v in zip(steps.tolist(), loss.tolist(), strict=True)))
    _check_outline(_config(name, 1_000_000, 0, {"patience": 2}, metrics_path=str(path)), columns=1800)


CHAINED = [("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 777}),
           ("ExponentialLR", {"gamma": 0.999}),
           ("PolynomialLR", {"total_iters": 2500, "power": 0.7}),
           ("CosineAnnealingLR", {"T_max": 301, "eta_min": 1e-5}),
           ("CosineAnnealingLR", {"T_max": 3, "eta_min": 0.0}),
           ("StepLR", {"step_size": 7, "gamma": 0.9})]


@pytest.mark.parametrize(("name", "kwargs"), CHAINED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CHAINED)])
def test_a_replay_in_blocks_carries_the_chain_exactly(name, kwargs):
    """Blocks of any size (7, 1000 steps) give torch's values bit for bit (the carry is the last product), and
    their outline read block by block is the dense one's."""
    torch_values = _torch_steps(name, 1e-3, kwargs, 3000)
    p = pytorch.resolved_params(name, {**SCHEDULES[name].parameters(), **kwargs}, lr=1e-3, length=3000)
    for size in (7, 1000):
        blocks = list(pytorch.replay(name, 3000, pytorch.Origin(1e-3, 1e-3), p, size=size))
        assert np.array_equal(pytorch.collect(iter(blocks)), torch_values)
        shape = replayed(iter(blocks), 3001, 400)
        low, high = dense_columns(torch_values, shape.edges)
        assert np.array_equal(shape.low, low) and np.array_equal(shape.high, high)
        assert (shape.peak_step, shape.peak_lr) == (int(np.argmax(torch_values)), float(torch_values.max()))


def _torch_steps(name, lr, kwargs, count):
    """torch itself, stepped by the same reference loop the bounds were measured with."""
    oracle_import("torch")
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    from gen_closed_form_bounds import torch_steps

    return torch_steps(name, lr, kwargs, count)


@pytest.mark.parametrize("per_epoch_batch", [8, 80_000])
def test_a_chained_replay_follows_an_epoch_clock(per_epoch_batch):
    """CosineAnnealingLR stepped once per epoch (Lightning): replayed per scheduler step, each value held for the
    epoch's updates (short epochs as arrays, long ones as one Level each): the dense outline."""
    config = _config("CosineAnnealingLR", None, 0, {"eta_min": 1e-5}, dataset_size=1_600_000,
                     per_device_train_batch_size=per_epoch_batch // 8 or 1, num_train_epochs=3,
                     gradient_accumulation_steps=1, step_unit="epoch")
    _check_outline(config, columns=700)


@pytest.mark.parametrize(("name", "kwargs"), [
    ("CyclicLR", {"base_lr": 1e-5, "step_size_up": 2, "step_size_down": 5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 1}),
    ("cosine_with_restarts", {"num_cycles": 900}),
])
def test_too_many_turns_to_list_are_outlined_from_every_row(name, kwargs, monkeypatch):
    """Past the dense limit a schedule with more turns than MAX_BREAKS is evaluated block by block (exact, flat
    memory) instead of refused: its columns are the dense ones, bit for bit. (Limits shrunk so the test is quick.)"""
    from lrcli.schedules import pieces

    monkeypatch.setattr(curve_module, "MAX_CURVE_STEPS", 5_000)
    monkeypatch.setattr(curve_module, "EVALUATED_BLOCK_ROWS", 777)
    monkeypatch.setattr(pieces, "MAX_BREAKS", 64)
    config = _config(name, 20_000, 0, kwargs)
    seen = []
    drawn = outline(config, columns=300, dense_rows=0, progress=lambda rows: _Bar(rows, seen))
    assert drawn.outlined and seen[-1] == 20_001  # every row was looked at, and the bar told so
    monkeypatch.setattr(curve_module, "MAX_CURVE_STEPS", 10**7)
    _check_columns(compute(config), drawn, 300)


@pytest.mark.parametrize(("name", "kwargs"), [
    ("CosineAnnealingLR", {"T_max": 3, "eta_min": 1e-5}),
    ("SequentialLR", {"schedulers": [{"name": "CosineAnnealingLR", "T_max": 2, "eta_min": 1e-5}]}),
])
def test_a_chained_replay_with_too_many_turns_is_replayed_at_any_length(name, kwargs, monkeypatch):
    """Past the exact-replay size, a chained schedule whose closed form has too many turns to draw is replayed
    row by row (minutes at 10^9, with a progress bar) rather than refused."""
    from lrcli.schedules import pieces

    monkeypatch.setattr(curve_module, "EXACT_REPLAY_ROWS", 1000)
    monkeypatch.setattr(pieces, "MAX_BREAKS", 64)
    config = _config(name, 20_000, 500 if name == "SequentialLR" else 0, kwargs)
    seen = []
    drawn = outline(config, columns=300, dense_rows=0, progress=lambda rows: _Bar(rows, seen))
    assert not any("closed form" in note for note in drawn.notes) and seen[-1] == 20_001
    _check_columns(compute(config), drawn, 300)


class _Bar:
    def __init__(self, rows, seen):
        self.rows, self.seen = rows, seen

    def update(self, done):
        assert done <= self.rows
        self.seen.append(done)

    def close(self):
        pass


def _check_columns(dense, drawn, columns):
    """Every column's extremes are among the drawn rows, with the dense values; the peak and final LR too."""
    edges = column_edges(dense.plan.total + 1, columns)
    low, high = dense_columns(dense.lr, edges)
    starts = np.searchsorted(drawn.steps, edges[:-1])
    np.testing.assert_array_equal(drawn.lr, dense.lr[drawn.steps])
    assert np.array_equal(np.minimum.reduceat(drawn.lr, starts), low)
    assert np.array_equal(np.maximum.reduceat(drawn.lr, starts), high)
    assert (drawn.peak_step, drawn.peak_lr, drawn.final_lr) == (dense.peak_step, dense.peak_lr, dense.final_lr)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_rows_evaluated_in_threads_equal_one_piece(data):
    """`evaluate` splits a long row-wise evaluation among threads: the same bits as one piece, and the same
    refusal (a failing part is evaluated again in one piece). PARALLEL_ROWS shrunk so that short runs split."""
    import lrcli.schedules as registry

    name = data.draw(st.sampled_from(sorted(n for n, s in SCHEDULES.items() if registry._row_wise(s))))
    total = data.draw(st.integers(1, 3000))
    warmup = data.draw(st.integers(0, total))
    kwargs = {key: data.draw(value) for key, value in KWARGS.get(name, {}).items()}
    steps = np.arange(total + 1, dtype=np.int64)

    def run(workers, rows):
        saved = registry._workers, registry.PARALLEL_ROWS
        registry._workers, registry.PARALLEL_ROWS = (lambda: workers), rows
        try:
            config = _config(name, total, warmup, kwargs)
            run_ = curve_module.prepare_run(config)
            return registry.evaluate(run_.schedule, steps, lr=1e-3, warmup=run_.warmup, total=run_.total,
                                     kwargs=run_.kwargs).tolist()
        except lrcli.LrcliError as exc:
            return str(exc)
        finally:
            registry._workers, registry.PARALLEL_ROWS = saved

    assert run(3, 16) == run(1, 10**9)
