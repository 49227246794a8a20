"""ms-swift: argument files and launch arguments read with ms-swift's defaults, its dataset sampling/splitting and
batch sampler, then the HF Trainer's count. Golden values: tools/gen_verl_swift_golden.py (ms-swift 4.6.0 and 3.12.6's
own code, with the real Trainer of transformers 5.24.0 and 4.57.6)."""

from __future__ import annotations

import json
import random
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import oracle_import
from hypothesis import given, settings
from hypothesis import strategies as st

import lrcli
from lrcli.dialects import detect
from lrcli.dialects.swift import arguments_mapping
from lrcli.errors import LrcliError
from lrcli.inputs.values import SampleCount

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((ROOT / "tests" / "data" / "verl_swift_golden.json").read_text())
CASES = [case for key, block in GOLDEN.items() if key.startswith("swift@") for case in block["cases"]]


def _config(case: dict, tmp_path: Path) -> Path:
    names = [f"data{i}" + ("" if s is None else f"#{s}") for i, s in enumerate(case["samples"])]
    args = {**case["args"], "dataset": names, "split_dataset_ratio": case["ratio"],
            "ENV": {"NPROC_PER_NODE": case["world"]}}
    path = tmp_path / f"{case['id']}.json"
    path.write_text(json.dumps(args))
    return path


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_golden_cases_from_swifts_own_code(tmp_path: Path) -> None:
    assert {(c["release"], c["transformers"]) for c in CASES} == {("4.6.0", "5.24.0"), ("4.6.0", "4.57.6"),
                                                                 ("3.12.6", "4.57.6")}
    for case in CASES:
        path = _config(case, tmp_path)
        settings = {"dataset_size": SampleCount(case["parts"]), "transformers_version": case["transformers"]}
        if "error" in case:
            with pytest.raises(LrcliError):
                lrcli.compute(lrcli.load_config(path, trainer=f"sft@{case['release']}", **settings))
            continue
        config = lrcli.load_config(path, trainer=f"sft@{case['release']}", **settings)
        curve = lrcli.compute(config)
        assert (curve.plan.total, curve.plan.warmup) == (case["T"], case["W"]), case["id"]
        expected = np.asarray(case["lr"])
        assert np.max(np.abs(np.asarray(curve.lr) - expected)) <= 1e-12 * expected.max(), case["id"]


def test_launch_arguments_as_swifts_parser_reads_them() -> None:
    raw = arguments_mapping(["--model", "Qwen/Qwen2.5-7B", "--dataset", "a#500", "b", "--learning_rate=2e-4",
                             "--packing", "--num_train_epochs", "2"], {"NPROC_PER_NODE": "4", "HOME": "/root"})
    assert raw == {"model": "Qwen/Qwen2.5-7B", "dataset": ["a#500", "b"], "learning_rate": "2e-4", "packing": True,
                   "num_train_epochs": "2", "ENV": {"NPROC_PER_NODE": "4"}}


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_sample_config_counts_its_sampled_datasets() -> None:
    sample = ROOT / "sample_configs" / "swift_sft_lora.json"
    assert detect(json.loads(sample.read_text()), sample) == "swift"
    plan = lrcli.plan_steps(lrcli.load_config(sample))  # N = 3 · 500 from dataset#500, 2 processes from ENV
    assert (plan.total, plan.warmup) == (-(-(1500 // 2) // 16), 3)


def test_refusals(tmp_path: Path) -> None:
    path = tmp_path / "grpo.json"
    path.write_text(json.dumps({"rlhf_type": "grpo", "dataset": ["x"]}))
    with pytest.raises(LrcliError, match="generation batches"):
        lrcli.load_config(path, dataset_size=100)
    path.write_text(json.dumps({"tuner_type": "lora", "dataset": ["a", "b"], "split_dataset_ratio": 0.1}))
    with pytest.raises(LrcliError, match="one row count per dataset"):
        lrcli.plan_steps(lrcli.load_config(path, dataset_size=100))
    with pytest.raises(LrcliError, match="not modelled"):
        lrcli.load_config(path, trainer="sft@2.6", dataset_size=100)


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_live_random_cases_against_swifts_code(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import gen_verl_swift_golden as gen

    oracle_import("torch")
    transformers = oracle_import("transformers")

    seed = random.randrange(1 << 30)
    for case in gen.random_swift_cases(random.Random(seed), 8):
        case = {**case, "release": "4.6.0", "id": f"{case['id']} (seed {seed})"}  # 3.x needs transformers 4.x
        case["args"] = {("tuner_type" if k == "train_type" else k): v for k, v in case["args"].items()}
        result = gen.swift_case(case)
        path = _config(case, tmp_path)
        settings = {"dataset_size": SampleCount(case["parts"]), "transformers_version": transformers.__version__}
        if "error" in result:
            with pytest.raises(LrcliError):
                lrcli.compute(lrcli.load_config(path, trainer="sft@4.6", **settings))
            continue
        curve = lrcli.compute(lrcli.load_config(path, trainer="sft@4.6", **settings))
        assert (curve.plan.total, curve.plan.warmup) == (result["T"], result["W"]), case["id"]
        expected = np.asarray(result["lr"])
        assert np.max(np.abs(np.asarray(curve.lr) - expected)) <= 1e-12 * expected.max(), case["id"]


_OPTIONS = ["--learning_rate", "--lr_scheduler_type", "--warmup_ratio", "--warmup_steps", "--num_train_epochs",
            "--max_steps", "--per_device_train_batch_size", "--gradient_accumulation_steps", "--dataset",
            "--split_dataset_ratio", "--tuner_type", "--train_type", "--rlhf_type", "--streaming", "--packing",
            "--dataloader_drop_last", "--lr_scheduler_kwargs", "--sequence_parallel_size", "--deepspeed_autotp_size"]
_WORDS = ["1e-4", "0", "-1", "cosine", "linear", "full", "dpo", "grpo", "true", "false", "a#10", "b", "0.1", "1.5",
          "x", "1e400", "nan", "9007199254740993", "'{\"min_lr_rate\": 0.1}'", "cosine_with_min_lr"]


@given(st.lists(st.tuples(st.sampled_from(_OPTIONS), st.lists(st.sampled_from(_WORDS), max_size=2)), max_size=8),
       st.sampled_from(["sft", "rlhf", "pt"]), st.sampled_from([None, "sft@3", "dpo@4.6"]), st.integers(1, 10**6),
       st.sampled_from(["", "NPROC_PER_NODE=4 ", "NPROC_PER_NODE=x "]))
@settings(max_examples=150, deadline=None)
def test_any_swift_command_is_read_or_refused_in_one_line(tmp_path_factory, options, command, trainer, n, env) -> None:
    script = tmp_path_factory.mktemp("s") / "train.sh"
    words = " ".join(f"{name} {' '.join(values)}" for name, values in options)
    script.write_text(f"{env}swift {command} {words}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            curve = lrcli.compute(lrcli.load_config(script, trainer=trainer, dataset_size=n))
        except LrcliError as exc:
            assert "\n" not in str(exc)
            return
    assert np.isfinite(curve.lr).all() and (curve.lr >= 0).all()


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_a_deepspeed_file_with_a_scheduler_replaces_the_trainers(tmp_path: Path) -> None:
    (tmp_path / "ds.json").write_text(json.dumps({"scheduler": {"type": "WarmupDecayLR", "params": {
        "warmup_num_steps": "auto", "total_num_steps": "auto", "warmup_max_lr": "auto", "warmup_min_lr": 0}}}))
    (tmp_path / "train.sh").write_text("NPROC_PER_NODE=2 swift sft --dataset 'a#1000' --deepspeed ds.json\n")
    config = lrcli.load_config(tmp_path / "train.sh")
    assert config.lr_scheduler_type == "WarmupDecayLR"
    (tmp_path / "train.sh").write_text("NPROC_PER_NODE=2 swift sft --dataset 'a#1000' --deepspeed zero3\n")
    assert lrcli.load_config(tmp_path / "train.sh").lr_scheduler_type == "cosine"  # ms-swift's presets have none


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_local_datasets_are_counted_one_by_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.jsonl").write_text("".join(f'{{"x": {i}}}\n' for i in range(1234)))
    (tmp_path / "b.jsonl").write_text("".join(f'{{"x": {i}}}\n' for i in range(300)))
    (tmp_path / "t.sh").write_text("NPROC_PER_NODE=2 swift sft --dataset a.jsonl 'b.jsonl#500' "
                                   "--split_dataset_ratio 0.1 --per_device_train_batch_size 4\n")
    counted = lrcli.plan_steps(lrcli.load_config(tmp_path / "t.sh"))
    given = lrcli.plan_steps(lrcli.load_config(tmp_path / "t.sh", dataset_size=SampleCount([1234, 300])))
    assert (counted.total, counted.warmup) == (given.total, given.warmup)
    (tmp_path / "t.sh").write_text("swift sft --dataset AI-ModelScope/alpaca-gpt4-data-en\n")
    with pytest.raises(LrcliError, match="ModelScope"):
        lrcli.plan_steps(lrcli.load_config(tmp_path / "t.sh"))


@pytest.mark.filterwarnings("ignore::lrcli.LrcliWarning")
def test_defaults_are_the_releases_own(tmp_path: Path) -> None:
    """per_device_train_batch_size, lr_scheduler_type and warmup_ratio as each release's TrainArgumentsMixin declares
    them, and the lr default of its argument class (run by tools/verl_swift_reference.py)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import verl_swift_reference as ref

    path = tmp_path / "a.json"
    for release, tuner in (("4.6.0", "tuner_type"), ("3.12.6", "train_type")):
        declared = ref.swift_mixin_defaults(release)
        for kind in ("lora", "full"):
            path.write_text(json.dumps({tuner: kind, "dataset": ["x#10"]}))
            config = lrcli.load_config(path, trainer=f"sft@{release}")
            assert config.per_device_train_batch_size == declared["per_device_train_batch_size"]
            assert config.lr_scheduler_type == declared["lr_scheduler_type"]
            assert config.learning_rate == ref.swift_arguments(release, {tuner: kind}, 1, set())["learning_rate"]
        assert declared.get("warmup_ratio", 0.0) == 0.0
