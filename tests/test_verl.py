"""verl: configs and launch overrides read as verl reads them, T and W as its trainers count them, LRs as its
schedulers give them. Golden values: tools/gen_verl_swift_golden.py (verl 0.9.1 and 0.5.0's own code); a small
random sample also runs that code live (tools/verl_swift_reference.py, needs torch from the oracle extra)."""

from __future__ import annotations

import json
import random
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import oracle_import, twin_rows
from hypothesis import given, settings
from hypothesis import strategies as st

import lrcli
from lrcli.dialects import detect
from lrcli.dialects.verl import overrides_mapping
from lrcli.errors import LrcliError

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((ROOT / "tests" / "data" / "verl_swift_golden.json").read_text())["verl"]["cases"]


def _run(case: dict, tmp_path: Path) -> lrcli.Curve:
    path = tmp_path / f"{case['id']}.yaml"
    path.write_text(yaml.safe_dump(case["config"]))
    config = lrcli.load_config(path, dialect="verl", trainer=f"{case['role']}@{case['version']}",
                               dataset_size=case["n"], world_size=case["world"])
    return lrcli.compute(config)


def _check(case: dict, tmp_path: Path) -> None:
    if "error" in case:
        with pytest.raises(LrcliError):
            _run(case, tmp_path)
        return
    curve = _run(case, tmp_path)
    assert (curve.plan.total, curve.plan.warmup) == (case["T"], case["W"]), case["id"]
    expected = np.asarray(case["lr"])
    peak = max(expected.max(), 1e-300)
    assert curve.lr.shape == expected.shape
    assert np.max(np.abs(curve.lr - expected)) <= 1e-12 * peak, case["id"]
    assert twin_rows(curve) == case["lr"], case["id"]  # verl's lambda in its own Python floats, times lr: bit for bit


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_golden_cases_from_verls_own_code(tmp_path: Path) -> None:
    versions = {(c["version"], c["role"]) for c in GOLDEN}
    assert versions == {(v, r) for v in ("0.9.1", "0.8.0", "0.7.1", "0.5.0") for r in ("actor", "critic", "sft")}
    for case in GOLDEN:
        _check(case, tmp_path)


def test_hydra_overrides_typed_as_hydra_types_them() -> None:
    raw = overrides_mapping(["data.train_batch_size=1024", "actor_rollout_ref.actor.optim.lr=1e-6",
                             "+trainer.total_training_steps=null", "++critic.optim.lr_scheduler_type='cosine'",
                             "trainer.use_v1=False", "~data.gen_batch_size", "--config-name", "x"], "run.sh")
    assert raw == {"data": {"train_batch_size": 1024}, "actor_rollout_ref": {"actor": {"optim": {"lr": 1e-6}}},
                   "trainer": {"total_training_steps": None, "use_v1": False},
                   "critic": {"optim": {"lr_scheduler_type": "cosine"}}}


def test_detection_and_refusals(tmp_path: Path) -> None:
    assert detect(yaml.safe_load((ROOT / "sample_configs" / "verl_ppo.yaml").read_text()), Path("x")) == "verl"
    assert detect({"optim": {"lr": 1e-5}, "trainer": {"total_epochs": 2}}, Path("x")) == "verl"
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"actor_rollout_ref": {"actor": {"optim": {"lr_scheduler_type": "linear"}}}}))
    with pytest.raises(LrcliError, match="constant, cosine"):
        lrcli.load_config(path, dataset_size=100)
    with pytest.raises(LrcliError, match="not modelled"):
        lrcli.load_config(path, trainer="actor@0.6", dataset_size=100)
    with pytest.raises(LrcliError, match="actor | critic | sft"):
        lrcli.load_config(path, trainer="ref", dataset_size=100)


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_sample_config_differs_between_releases_as_the_code_does(tmp_path: Path) -> None:
    sample = ROOT / "sample_configs" / "verl_ppo.yaml"
    new = lrcli.compute(lrcli.load_config(sample, trainer="actor@0.9", dataset_size=7473))
    assert new.plan.total == 7473 // 256 * 15 and new.schedule == "verl_cosine"
    with pytest.warns(lrcli.LrcliWarning, match="verl 0.5 has no actor_rollout_ref.actor.optim.lr_scheduler_type"):
        old = lrcli.load_config(sample, trainer="actor@0.5", dataset_size=7473)
    assert old.lr_scheduler_type == "verl_constant"  # 0.5.0 reads warmup_style only
    # 0.5.0 starts the cosine warmup at lr·min_lr_ratio, 0.9.1 at 0 (init_lr_ratio, which the engine never sets)
    raw = yaml.safe_load(sample.read_text())
    raw["actor_rollout_ref"]["actor"]["optim"]["warmup_style"] = raw["actor_rollout_ref"]["actor"]["optim"].pop(
        "lr_scheduler_type")
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(raw))
    old = lrcli.compute(lrcli.load_config(tmp_path / "old.yaml", trainer="actor@0.5", dataset_size=7473))
    assert new.lr[0] == 0.0 and old.lr[0] == pytest.approx(1e-7)


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_live_random_cases_against_verls_code(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import gen_verl_swift_golden as gen

    oracle_import("torch")
    seed = random.randrange(1 << 30)
    for case in gen.random_verl_cases(random.Random(seed), 6):
        result = gen.verl_case(case)
        _check({**case, **result, "id": f"{case['id']} (seed {seed})"}, tmp_path)


_KEYS = ["actor_rollout_ref.actor.optim.lr", "actor_rollout_ref.actor.optim.lr_warmup_steps",
         "actor_rollout_ref.actor.optim.lr_warmup_steps_ratio", "actor_rollout_ref.actor.optim.lr_scheduler_type",
         "actor_rollout_ref.actor.optim.min_lr_ratio", "actor_rollout_ref.actor.optim.num_cycles",
         "actor_rollout_ref.actor.optim.warmup_style", "critic.optim.lr", "data.train_batch_size",
         "data.gen_batch_size", "data.train_max_samples", "trainer.total_epochs", "trainer.total_training_steps",
         "trainer.use_v1", "trainer.v1.trainer_mode", "optim.lr", "data", "actor_rollout_ref.actor.optim"]
_VALUES = ["1e-6", "0", "-1", "null", "true", "cosine", "constant", "x", "1e400", "nan", "9007199254740993", "''",
           "[1,2]", "0.5", "3", "separate_async", "${data.train_batch_size}"]


@given(st.lists(st.tuples(st.sampled_from(_KEYS), st.sampled_from(_VALUES)), max_size=8),
       st.sampled_from([None, "actor", "critic", "sft", "actor@0.5", "sft@0.5"]), st.integers(1, 10**6))
@settings(max_examples=150, deadline=None)
def test_any_override_line_is_read_or_refused_in_one_line(tmp_path_factory, words, trainer, n) -> None:
    script = tmp_path_factory.mktemp("s") / "run.sh"
    script.write_text("python3 -m verl.trainer.main_ppo " + " ".join(f"{k}={v}" for k, v in words) + " x.y=1\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            curve = lrcli.compute(lrcli.load_config(script, trainer=trainer, dataset_size=n))
        except LrcliError as exc:
            assert "\n" not in str(exc)
            return
    assert np.isfinite(curve.lr).all() and (curve.lr >= 0).all()


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_config_name_script_reads_the_users_config_under_its_overrides(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "dapo.yaml").write_text(
        "defaults: [ppo_trainer, _self_]\ndata: {gen_batch_size: '${data.train_batch_size}'}\n"
        "actor_rollout_ref: {actor: {optim: {lr_warmup_steps: 10, lr: 1e-6}}}\ntrainer: {total_epochs: 2}\n")
    (tmp_path / "run.sh").write_text("python3 -m verl.trainer.main_ppo --config-path=config --config-name='dapo' "
                                     "data.train_batch_size=64 actor_rollout_ref.actor.optim.lr=2e-6\n")
    merged = tmp_path / "merged.yaml"
    merged.write_text("data: {gen_batch_size: 64, train_batch_size: 64}\n"
                      "actor_rollout_ref: {actor: {optim: {lr_warmup_steps: 10, lr: 2e-6}}}\ntrainer: {total_epochs: 2}\n")
    for trainer in ("actor@0.9", "actor@0.5"):
        script = lrcli.compute(lrcli.load_config(tmp_path / "run.sh", trainer=trainer, dataset_size=1000))
        plain = lrcli.compute(lrcli.load_config(merged, trainer=trainer, dataset_size=1000))
        assert (script.plan.total, script.plan.warmup) == (plain.plan.total, plain.plan.warmup) == (30, 10)
        assert np.array_equal(script.lr, plain.lr) and script.base_lr == 2e-6
    (tmp_path / "run.sh").write_text("python3 -m verl.trainer.main_ppo --config-name missing x.y=1\n")
    with pytest.raises(LrcliError, match="missing"):
        lrcli.load_config(tmp_path / "run.sh", dataset_size=1000)


def test_other_engines_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.sh"
    path.write_text("python3 -m verl.trainer.main_ppo actor_rollout_ref.actor.strategy=megatron "
                    "actor_rollout_ref.actor.optim.lr_decay_style=cosine\n")
    with pytest.raises(LrcliError, match="FSDP workers only"):
        lrcli.load_config(path, dataset_size=1000)
    path.write_text("python3 -m verl.trainer.main_ppo actor_rollout_ref.actor.strategy=fsdp2 data.train_batch_size=8\n")
    assert lrcli.plan_steps(lrcli.load_config(path, dataset_size=1000)).total == 1000 // 8 * 30


def test_defaults_are_the_releases_own_files() -> None:
    """lrcli's verl defaults (lrcli/dialects/verl.py) against each release's default config files, as merged by
    tools/gen_verl_swift_golden.py (the random golden cases always set lr, batch and epochs)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import gen_verl_swift_golden as gen

    from lrcli.dialects.verl import DATA_DEFAULTS, OPTIM_DEFAULTS

    for version, roles in OPTIM_DEFAULTS.items():
        for role, expected in roles.items():
            config = gen.verl_defaults(version, role)
            section = gen._section(config, role)
            present = {key: section[key] for key in expected if key in section}
            assert present == {key: expected[key] for key in present}, (version, role)
            # 0.5.0's critic section has no lr_warmup_steps: its worker reads optim.get("lr_warmup_steps", -1)
            assert set(expected) - set(present) <= ({"lr_warmup_steps"} if (version, role) == ("0.5.0", "critic")
                                                    else set()), (version, role)
            data = DATA_DEFAULTS["sft" if role == "sft" else "ppo"]
            assert (config["data"]["train_batch_size"], config["trainer"]["total_epochs"]) == (
                data["train_batch_size"], data["total_epochs"]), (version, role)


def test_train_files_of_a_script_are_counted(tmp_path: Path, monkeypatch) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    monkeypatch.chdir(tmp_path)
    pq.write_table(pa.table({"prompt": ["x"] * 7473}), tmp_path / "gsm8k.parquet")
    pq.write_table(pa.table({"prompt": ["x"] * 7500}), tmp_path / "math.parquet")
    (tmp_path / "run.sh").write_text('train_files="[\'gsm8k.parquet\', \'math.parquet\']"\n'
                                     'python3 -m verl.trainer.main_ppo data.train_files="$train_files" '
                                     "data.train_batch_size=1024 data.train_max_samples=10000\n")
    plan = lrcli.plan_steps(lrcli.load_config(tmp_path / "run.sh"))
    assert plan.total == 10000 // 1024 * 30  # train_max_samples cuts the 14,973 rows; 30 epochs by default


# ------------------------------------------------------------------ the scalar twins against verl's own lambdas
_LAMBDA_OF = {  # lrcli schedule -> (verl release, its function in verl/utils/torch_functional.py)
    "verl_cosine": ("verl", "get_cosine_schedule_with_warmup"),
    "verl_cosine_0_5": ("verl-0.5", "get_cosine_schedule_with_warmup"),
    "verl_constant": ("verl", "get_constant_schedule_with_warmup"),
    "verl_wsd": ("verl-0.5", "get_wsd_schedule_with_warmup"),
}


def _verl_lambda(name: str, warmup: int, total: int, kwargs: dict):
    """The lr_lambda verl's function builds, taken from its LambdaLR call (the function lifted from the release's
    file as written; LambdaLR replaced by a recorder, so no torch is needed)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from framework_code import extract
    from framework_sources import package_dir

    source, function = _LAMBDA_OF[name]
    namespace = {"math": __import__("math"), "Optimizer": object, "Optional": __import__("typing").Optional,
                 "LambdaLR": lambda optimizer, lr_lambda, last_epoch=-1: lr_lambda}
    build = extract(package_dir(source) / "utils" / "torch_functional.py", function, namespace)
    if name == "verl_constant":
        return build(None, warmup)
    return build(None, warmup, total, **kwargs)


@given(name=st.sampled_from(sorted(_LAMBDA_OF)), total=st.integers(1, 1500), warmup=st.integers(0, 1600),
       min_lr_ratio=st.sampled_from([None, 0.0, 0.1, 1.0, 1.2]), num_cycles=st.sampled_from([0.5, 0, -0.5, 2.5, 1e300]),
       init_lr_ratio=st.sampled_from([None, 0.2, 1.0, 1.5]), zero_indexed_step=st.booleans(),
       stable_ratio=st.sampled_from([0.0, 0.5, 0.9, 1.0, 1.5, -0.5, 1e300]), lr=st.sampled_from([1e-6, 3e-5, 1e300]))
@settings(max_examples=300, deadline=None)
def test_each_twin_is_verls_own_lambda_times_lr(name, total, warmup, min_lr_ratio, num_cycles, init_lr_ratio,
                                                 zero_indexed_step, stable_ratio, lr) -> None:
    """Schedule.scalar (what `lrcli check` reads without numpy) at every step 0 … T + 20 is LambdaLR's
    `base_lr * lr_lambda(step)` with verl's own lambda, bit for bit; where verl fails (its assert, math.cos on an
    infinite angle) the twin raises too."""
    kwargs = {"verl_cosine": {"min_lr_ratio": min_lr_ratio, "num_cycles": num_cycles, "init_lr_ratio": init_lr_ratio,
                              "zero_indexed_step": zero_indexed_step},
              "verl_cosine_0_5": {"min_lr_ratio": min_lr_ratio, "num_cycles": num_cycles},
              "verl_constant": {},
              "verl_wsd": {"min_lr_ratio": min_lr_ratio or 0.0, "num_cycles": num_cycles,
                           "stable_ratio": stable_ratio}}[name]
    twin = lrcli.SCHEDULES[name].scalar
    try:
        framework = _verl_lambda(name, warmup, total, kwargs)
    except AssertionError:
        with pytest.raises(LrcliError):
            twin(0, lr=lr, warmup=warmup, total=total, **kwargs)
        return
    for step in range(total + 21):
        try:
            want = lr * framework(step)
        except ValueError:  # math domain error
            with pytest.raises(ValueError):
                twin(step, lr=lr, warmup=warmup, total=total, **kwargs)
            continue
        assert twin(step, lr=lr, warmup=warmup, total=total, **kwargs) == want, step
