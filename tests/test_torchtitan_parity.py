"""torchtitan (0.1.0, 0.2.0, 0.2.1, 0.2.2, 0.3.0) against its own code: the scheduler cases and the real configs
recorded by tools/gen_torchtitan_golden.py (each release's lr_scheduler.py and ConfigManager), and random cases run
live through the downloaded releases' scheduler code (the oracle test)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import DATA, TOOLS, framework_source, oracle_import, twin_rows
from hypothesis import given
from hypothesis import strategies as st

from lrcli.config import resolve
from lrcli.curve import compute
from lrcli.dialects import read_config
from lrcli.errors import LrcliError
from lrcli.inputs.files import load_mapping
from lrcli.steps import plan_steps

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((DATA / "torchtitan_golden.json").read_text())
CASES = [(version, case) for version, cases in GOLDEN["releases"].items() for case in cases]


def _config_of(version: str, case: dict[str, Any]):
    """The case as the torchtitan dialect hands it on: TrainConfig fields with the scheduler's kwargs."""
    section = dict(case["lr_scheduler"])
    warmup = section.pop("warmup_steps")
    if "lr_min" in section:
        section["min_lr_factor"] = section.pop("lr_min")
    kwargs = {key: value for key, value in section.items() if value is not None}
    return resolve([({"framework": "torchtitan", "lr_scheduler_type": "torchtitan_wsd", "learning_rate": case["lr"],
                      "max_steps": case["steps"], "warmup_steps": int(warmup), "lr_scheduler_kwargs": kwargs},
                     f"torchtitan {version} case")])


def _case_id(item: tuple[str, dict[str, Any]]) -> str:
    version, case = item
    return f"{version}-T{case['steps']}-{json.dumps(case['lr_scheduler'], sort_keys=True)}"


def _assert_curve(got: np.ndarray, want: list[float], lr: float) -> None:
    want_array = np.asarray(want, dtype=np.float64)
    assert got.shape == want_array.shape
    assert np.max(np.abs(got - want_array)) <= 1e-12 * lr


def _warned(notes: tuple[str, ...]) -> bool:
    return any("exceed total steps" in note for note in notes)


@pytest.mark.parametrize("item", [c for c in CASES if "values" in c[1]], ids=_case_id)
def test_curve_matches_release(item):
    version, case = item
    curve = compute(_config_of(version, case))
    _assert_curve(curve.lr, case["values"], case["lr"])
    assert np.array_equal(curve.lr, np.asarray(case["values"]))  # bit-identical, in fact
    assert twin_rows(curve) == case["values"]  # the lambda's own Python floats, times lr: bit-identical
    # lrcli warns exactly where torchtitan logs its "exceed total steps" adjustments
    assert _warned(curve.notes) == bool(case["warnings"])


@pytest.mark.parametrize("item", [c for c in CASES if "raises" in c[1]], ids=_case_id)
def test_refuses_where_release_raises(item):
    version, case = item
    with pytest.raises(LrcliError):
        compute(_config_of(version, case))


def test_golden_covers_every_release_and_decay_type():
    assert set(GOLDEN["releases"]) == {"0.1.0", "0.2.0", "0.2.1", "0.2.2", "0.3.0"}
    kinds = {case["lr_scheduler"]["decay_type"] for _, case in CASES if "values" in case}
    assert kinds == {"linear", "sqrt", "cosine"}
    assert len(CASES) >= 200


# ------------------------------------------------------------------------------------------- real configs
REAL = list(GOLDEN["real_configs"])


def _real_id(run: dict[str, Any]) -> str:
    return f"{run['release']}-{Path(run['config']).name}-{len(run['overrides'])}"


def _read(run: dict[str, Any], tmp_path: Path):
    """The run as lrcli reads it: the TOML alone, or a launch script passing its overrides after the job file."""
    config = ROOT / run["config"]
    trainer = f"torchtitan@{run['release']}"
    if not run["overrides"]:
        return read_config(load_mapping(config), config, trainer=trainer)
    script = tmp_path / "train.sh"
    words = " ".join(run["overrides"])
    script.write_text(f"torchrun --nproc_per_node=8 -m torchtitan.train --job.config_file {config} {words}\n")
    return read_config(load_mapping(script), script, trainer=trainer)


@pytest.mark.parametrize("run", [r for r in REAL if "values" in r], ids=_real_id)
def test_real_config_gives_the_releases_curve(run, tmp_path):
    reading = _read(run, tmp_path)
    config = resolve(reading.layers())
    plan = plan_steps(config)
    assert plan.total == run["steps"]
    assert config.learning_rate == run["lr"]
    curve = compute(config)
    _assert_curve(curve.lr[run["rows"]], run["values"], run["lr"])
    # 0.1.0 drops a min_lr_factor key silently: lrcli computes the same curve and says so
    floor_ignored = run["release"] == "0.1.0" and "min_lr_factor" in (load_mapping(ROOT / run["config"])
                                                                       .get("lr_scheduler") or {})
    assert any("ignores [lr_scheduler] min_lr_factor" in note for note in reading.notes) == floor_ignored


# A job_config module a custom_config_module names that the release lacks (0.2.0 has no torchtitan.models.flux)
# fails torchtitan's import; lrcli does not import it, so it does not model that failure.
REFUSED = [r for r in REAL if "raises" in r and r["raises"] != "ModuleNotFoundError"]


@pytest.mark.parametrize("run", REFUSED, ids=_real_id)
def test_real_config_refused_where_the_release_refuses_it(run, tmp_path):
    """0.1.0's configs ([float8], lr_min) under 0.2.x are torchtitan's ValueError; an override its parser (tyro)
    refuses (an unknown option, `7.0` or `1e3` for an int, an unknown decay_type) its exit: each is lrcli's error."""
    with pytest.raises(LrcliError, match="Invalid field names" if run["raises"] == "ValueError" else None):
        _read(run, tmp_path)


def test_real_runs_cover_parses_and_refusals():
    assert len([r for r in REAL if "values" in r]) >= 40 and len(REFUSED) >= 15


def test_job_tables_are_each_releases_jobconfig_fields():
    from lrcli.dialects.torchtitan import JOB_SECTIONS, TABLE_KEYS, rules, scheduler_keys

    for version, recorded in GOLDEN["job_sections"].items():
        assert list(JOB_SECTIONS[version]) == recorded[""]
        assert list(TABLE_KEYS["training"][version]) == recorded["training"]
        assert list(TABLE_KEYS["optimizer"]) == recorded["optimizer"]
        assert sorted(scheduler_keys(rules(version))) == sorted(recorded["lr_scheduler"])


# ------------------------------------------------------------------------------------------- oracle (live)
@pytest.mark.oracle
def test_random_cases_live_against_each_release():
    """60 random cases (seeded per run in CI) through each release's own scheduler code, loaded from its wheel."""
    oracle_import("torch")
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    import gen_torchtitan_golden as gen

    rng = random.Random(20261205)
    releases = {version: gen.Release(version, framework_source(f"torchtitan-{version}")) for version in gen.RELEASES}
    checked = 0
    for version, release in releases.items():
        for case in gen.cases_for(version, rng)[-12:]:  # the random ones
            expected = gen.run_case(release, case)
            if "raises" in expected:
                with pytest.raises(LrcliError):
                    compute(_config_of(version, case))
                continue
            curve = compute(_config_of(version, case))
            _assert_curve(curve.lr, expected["values"], case["lr"])
            assert twin_rows(curve) == expected["values"], (version, case)
            checked += 1
    assert checked >= 50


def test_torchtitans_own_run_train_script_gives_the_debug_models_curve(tmp_path, monkeypatch):
    """torchtitan 0.2.2's run_train.sh as shipped, from a checkout's root: its default CONFIG_FILE (the llama3
    debug model's job file) read through the launch command of its normal branch, the curve 0.2.2 computes."""
    job = tmp_path / "torchtitan" / "models" / "llama3" / "train_configs" / "debug_model.toml"
    job.parent.mkdir(parents=True)
    job.write_text((DATA / "real_configs" / "torchtitan" / "v0.2.2_llama3_debug_model.toml").read_text())
    script = tmp_path / "run_train.sh"
    script.write_text((DATA / "real_configs" / "torchtitan" / "v0.2.2_run_train.sh").read_text())
    monkeypatch.chdir(tmp_path)
    reading = read_config(load_mapping(script), script, trainer="torchtitan@0.2.2")
    assert any("reads line" in note for note in reading.notes)  # the COMM_MODE debug launch is passed over
    run = next(r for r in REAL if r["release"] == "0.2.2" and r["config"].endswith("v0.2.2_llama3_debug_model.toml"))
    curve = compute(resolve(reading.layers()))
    _assert_curve(curve.lr[run["rows"]], run["values"], run["lr"])


# ------------------------------------------------------------------------------------------- shape properties
@given(total=st.integers(1, 3000), warmup=st.integers(0, 3500), ratio=st.none() | st.floats(0, 1.5),
       kind=st.sampled_from(["linear", "sqrt", "cosine"]), floor=st.floats(0, 0.9))
def test_virtual_last_step_keeps_the_last_update_above_the_floor(total, warmup, ratio, kind, floor):
    """The "virtual last step": the decay reaches the floor at row T (after the last scheduler step, which no update
    uses), so the last update (row T − 1) still runs above it whenever there is a decay phase; warmup peaks at 1."""
    lr = 1e-3
    values = compute(_config_of("0.2.2", {"lr": lr, "steps": total, "lr_scheduler": {
        "warmup_steps": warmup, "decay_ratio": ratio, "decay_type": kind, "min_lr_factor": floor}})).lr
    w = min(warmup, total)
    decay = total - w if ratio is None else min(round(total * ratio), total - w)
    if decay > 0:
        assert values[total] == lr * floor
        assert values[total - 1] > lr * floor
    else:
        assert values[total] == lr  # no decay phase: the stable stretch runs to the end
    if w > 0:
        assert values[w - 1] == lr and np.all(np.diff(values[:w]) > 0)


def test_sample_launch_script_gives_torchtitans_curve():
    """sample_configs/torchtitan_train.sh as written: its job file and overrides, the curve 0.2.2's ConfigManager
    and scheduler give for them (tools/gen_torchtitan_golden.py SAMPLE_RUNS)."""
    script = ROOT / "sample_configs" / "torchtitan_train.sh"
    run = next(r for r in REAL if r["release"] == "0.2.2" and r["overrides"])
    config = resolve(read_config(load_mapping(script), script).layers())
    assert plan_steps(config).total == run["steps"]
    _assert_curve(compute(config).lr[run["rows"]], run["values"], run["lr"])


# ------------------------------------------------------------------------------------------- the scalar twin
def _release_lambda(version: str):
    """`linear_warmup_stable_decay` as written in the release's lr_scheduler.py (nested in the builder from 0.2.0
    on), lifted out with ast and executed on its own: the per-step function LambdaLR multiplies the lr by."""
    import ast

    folder = framework_source(f"torchtitan-{version}") / "components"
    path = folder / ("optimizer/lr_scheduler.py" if version == "0.3.0" else "lr_scheduler.py")
    node = next(n for n in ast.walk(ast.parse(path.read_text()))
                if isinstance(n, ast.FunctionDef) and n.name == "linear_warmup_stable_decay")
    namespace: dict[str, Any] = {"math": __import__("math")}
    exec(compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec"), namespace)  # noqa: S102
    return namespace["linear_warmup_stable_decay"]


@given(version=st.sampled_from(["0.1.0", "0.2.2", "0.3.0"]), total=st.integers(1, 1500), warmup=st.integers(0, 1600),
       ratio=st.sampled_from([None, 0.0, 0.2, 0.5, 1.0, 1.5, -0.2]), kind=st.sampled_from(["linear", "sqrt", "cosine"]),
       floor=st.sampled_from([0.0, 0.1, 1.0, 1.5, -0.5]), schedule_total=st.sampled_from([None, 0, 1, 3, 700]),
       lr=st.sampled_from([3e-4, 8e-4, 1e300]))
def test_the_twin_is_the_releases_lambda_times_lr(version, total, warmup, ratio, kind, floor, schedule_total, lr):
    """Schedule.scalar (what `lrcli check` reads without numpy) at every step 0 … T + 20 is LambdaLR's
    `base_lr * lr_lambda(step)` with the release's own lambda, bit for bit, on the lengths build_lr_schedulers
    derives (wsd_lengths, held to the releases by the golden cases above); where the lambda fails (its assertion:
    no decay steps past T'; math.sqrt's domain) the twin raises too."""
    from lrcli.schedules import SCHEDULES
    from lrcli.schedules.torchtitan import wsd_lengths

    w, decay, stable = wsd_lengths(warmup, total if schedule_total is None else schedule_total, ratio)
    framework = _release_lambda(version)
    twin = SCHEDULES["torchtitan_wsd"].scalar
    kwargs = {"decay_ratio": ratio, "decay_type": kind, "min_lr_factor": floor, "total_steps": schedule_total}
    for step in range(total + 21):
        try:
            want = lr * framework(step, w, stable, decay, kind, floor)  # 0.1.0 names the floor lr_min
        except AssertionError:
            with pytest.raises(LrcliError):
                twin(step, lr=lr, warmup=warmup, total=total, **kwargs)
            continue
        except ValueError:  # math.sqrt of a negative progress (a negative decay_ratio, past T')
            with pytest.raises(ValueError):
                twin(step, lr=lr, warmup=warmup, total=total, **kwargs)
            continue
        assert twin(step, lr=lr, warmup=warmup, total=total, **kwargs) == want, step
