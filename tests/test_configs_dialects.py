"""Config-file reading: detection, numeric strings, lr_scheduler_kwargs strings, near-miss keys, precedence and
sources, --samples files, DeepSpeed references and mismatches, TRL trainer defaults."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from conftest import assert_one_error_line, framework_source, oracle_import, run_json

SAMPLES = Path(__file__).resolve().parents[1] / "sample_configs"


def _show(cli, *args: str) -> dict:
    result = cli("show", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)


@pytest.mark.parametrize(
    ("name", "dialect"),
    [("hf_training_args.json", "hf"), ("trl_sft.yaml", "trl"), ("llamafactory_sft.yaml", "llamafactory"),
     ("axolotl_lora.yml", "axolotl"), ("torchtune_lora.yaml", "torchtune"), ("deepspeed_warmup_decay.json", "deepspeed"),
     ("hf_with_deepspeed.yaml", "hf")],
)
def test_dialect_is_detected_from_the_keys(cli, name: str, dialect: str) -> None:
    assert _show(cli, str(SAMPLES / name))["settings"]["dialect"]["value"] == dialect


def test_dialect_flag_overrides_detection_and_unknown_is_an_error(cli) -> None:
    path = str(SAMPLES / "trl_sft.yaml")
    assert _show(cli, path, "--dialect", "hf")["settings"]["dialect"]["value"] == "hf"
    assert "--dialect" in assert_one_error_line(cli("show", path, "--dialect", "nemo"))  # not a dialect
    assert "config file" in assert_one_error_line(cli("plot", "--dialect", "hf", "--total-steps", "5"))


def test_numeric_strings_are_numbers(cli) -> None:
    """PyYAML reads `2e-4` as a string (YAML 1.1); axolotl converts it, so lrcli does too."""
    raw = yaml.safe_load((SAMPLES / "axolotl_lora.yml").read_text())
    assert raw["learning_rate"] == "2e-4"
    setting = _show(cli, str(SAMPLES / "axolotl_lora.yml"))["settings"]["learning_rate"]
    assert setting == {"value": 2e-4, "source": "axolotl_lora.yml key learning_rate", "kind": "file"}


@pytest.mark.oracle
@pytest.mark.parametrize(
    "given",
    [{"num_cycles": "2"}, {"min_lr": "1e-5", "power": "1.5", "flag": "true", "neg": "-1"},
     {"nested": {"a": "3", "b": "False"}}, {"x": 2, "y": "abc"}],
)
def test_kwargs_string_is_converted_as_transformers_does(given: dict) -> None:
    training_args = oracle_import("transformers.training_args")
    from lrcli.dialects.hf import scheduler_kwargs

    text = json.dumps(given)
    ours, _ = scheduler_kwargs(text, "x")
    assert ours == training_args._convert_str_dict(json.loads(text))


def test_near_miss_keys_warn_and_unknown_keys_are_silent(cli, tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text("learning_rate: 1.0e-4\nwarmup_ratoi: 0.1\nper_device_train_batch_size: 4\nmy_own_key: 1\n")
    result = cli("plot", str(path), "--samples", "100", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "did you mean" in line]
    assert all(line.startswith("lrcli: warning: ") for line in warnings)
    assert len(warnings) == 1 and "'warmup_ratio'" in warnings[0] and "warmup_ratoi" in warnings[0]


def test_flags_override_file_values_and_sources_say_so(cli) -> None:
    record = _show(cli, str(SAMPLES / "axolotl_lora.yml"), "--lr", "1e-3", "--samples", "100")
    assert record["settings"]["learning_rate"] == {"value": 1e-3, "source": "--lr", "kind": "flag"}
    assert record["settings"]["per_device_train_batch_size"]["source"] == "axolotl_lora.yml key micro_batch_size"
    assert record["settings"]["dataset_size"]["source"] == "--samples"


def test_show_without_samples_says_what_is_missing(cli) -> None:
    result = cli("show", str(SAMPLES / "axolotl_lora.yml"))  # its data is on the Hub, and the tests are offline
    assert result.exit_code == 0
    assert "not computed" in result.stdout and "--samples" in result.stdout
    assert "Datasets: N not found: no row count for teknium/GPT4-LLM-Cleaned" in result.stdout


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_samples_may_be_a_dataset_file(cli, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps({"text": str(i)}) + "\n" for i in range(37)) + "\n")
    elif suffix == ".json":
        path.write_text(json.dumps([{"text": str(i)} for i in range(37)]))
    else:
        path.write_text("text\n" + "".join(f"row {i}\n" for i in range(37)))
    config = str(SAMPLES / "hf_training_args.json")
    from_file = cli("steps", config, "--samples", str(path), "--json")
    from_number = cli("steps", config, "--samples", "37", "--json")
    assert from_file.exit_code == 0, from_file.stderr
    assert run_json(from_file.stdout)["plan"]["total_steps"] == run_json(from_number.stdout)["plan"]["total_steps"]


def test_samples_file_missing_is_one_error_line(cli) -> None:
    assert "no such file" in assert_one_error_line(cli("steps", "--samples", "nope.jsonl"))


def test_deepspeed_path_is_relative_to_the_config(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # nowhere near sample_configs/
    record = _show(cli, str(SAMPLES / "hf_with_deepspeed.yaml"), "--samples", "100")
    assert record["settings"]["lr_scheduler_type"] == {
        "value": "WarmupDecayLR",
        "source": f"{SAMPLES / 'deepspeed_warmup_decay.json'} (beside the config) scheduler.type", "kind": "file"}


def test_deepspeed_value_hf_would_reject_is_an_error(cli, tmp_path: Path) -> None:
    ds = json.loads((SAMPLES / "deepspeed_warmup_decay.json").read_text())
    ds["scheduler"]["params"]["warmup_max_lr"] = 1e-3  # the config's learning_rate is 2e-5
    (tmp_path / "ds.json").write_text(json.dumps(ds))
    config = tmp_path / "train.yaml"
    config.write_text((SAMPLES / "hf_with_deepspeed.yaml").read_text().replace("deepspeed_warmup_decay.json", "ds.json"))
    line = assert_one_error_line(cli("plot", str(config), "--samples", "100", "-o", str(tmp_path / "x.csv")))
    assert "warmup_max_lr" in line and "mismatch" in line
    assert not (tmp_path / "x.csv").exists()




def _trl_default_lr(config_file: Path) -> float:
    """`learning_rate: float = field(default=...)` of a TRL `<X>Config` dataclass, read from its source."""
    for node in ast.walk(ast.parse(config_file.read_text())):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "learning_rate":
            call = node.value
            return next(ast.literal_eval(k.value) for k in call.keywords if k.arg == "default")
    raise AssertionError(f"no learning_rate field in {config_file}")


@pytest.mark.oracle
@pytest.mark.parametrize("trainer", ["sft", "dpo", "grpo", "orpo", "kto", "reward", "prm", "online_dpo", "cpo", "rloo"])
def test_trl_trainer_defaults_match_trl(cli, tmp_path: Path, trainer: str) -> None:
    # trl 0.24 keeps every one of these in trainer/ (1.16 moved several to experimental/: test_trl_releases.py)
    source = framework_source("trl-0.24") / "trainer" / f"{trainer}_config.py"
    path = tmp_path / "recipe.yaml"
    path.write_text("model_name_or_path: m\nnum_train_epochs: 1\n")
    setting = _show(cli, str(path), "--trainer", f"{trainer}@0.24")["settings"]["learning_rate"]
    assert setting["value"] == _trl_default_lr(source) and trainer in setting["source"]


def test_trl_trainer_from_file_name(cli, tmp_path: Path) -> None:
    path = tmp_path / "zephyr_dpo_full.yaml"
    path.write_text("model_name_or_path: m\n")
    assert _show(cli, str(path))["settings"]["trainer"]["value"] == "dpo"


def test_llamafactory_val_size_count_and_max_samples(cli, tmp_path: Path) -> None:
    path = tmp_path / "lf.yaml"
    path.write_text("stage: sft\nmax_samples: 500\nval_size: 20\nper_device_train_batch_size: 4\n"
                    "num_train_epochs: 1\nlearning_rate: 1.0e-4\n")
    plain = tmp_path / "hf.yaml"
    plain.write_text("per_device_train_batch_size: 4\nnum_train_epochs: 1\nlearning_rate: 1.0e-4\noutput_dir: o\n")
    lf = run_json(cli("steps", str(path), "--samples", "9999", "--json").stdout)["plan"]
    hf = run_json(cli("steps", str(plain), "--samples", "480", "--json").stdout)["plan"]
    assert lf["total_steps"] == hf["total_steps"]


def test_compare_mixes_configs_and_schedule_names(cli, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    result = cli("compare", str(SAMPLES / "trl_sft.yaml"), "cosine", "--samples", "2001", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    header = out.read_text().splitlines()[0].split(",")
    assert "trl_sft" in header and "cosine" in header


def test_world_size_flag_beats_accelerate_config_beats_file(cli, tmp_path: Path) -> None:
    launcher = tmp_path / "acc.yaml"
    launcher.write_text("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nnum_machines: 2\nnum_processes: 16\n")
    config = str(SAMPLES / "trl_sft.yaml")  # num_processes: 2
    from_launcher = _show(cli, config, "--accelerate-config", str(launcher))["settings"]["world_size"]
    assert from_launcher["value"] == 16 and "acc.yaml" in from_launcher["source"]
    flagged = _show(cli, config, "--accelerate-config", str(launcher), "--world-size", "4")["settings"]["world_size"]
    assert flagged == {"value": 4, "source": "--world-size", "kind": "flag"}


@pytest.mark.oracle
@pytest.mark.parametrize(
    "explicit",
    [{"scheduler.params.total_num_steps": "T"}, {"scheduler.params.total_num_steps": "T+1"},
     {"scheduler.params.warmup_num_steps": "W"}, {"scheduler.params.warmup_num_steps": "W+1"},
     {"train_batch_size": 16, "train_micro_batch_size_per_gpu": 8, "gradient_accumulation_steps": 2},
     {"train_batch_size": 32}, {"optimizer.params.lr": 2e-5, "scheduler.params.warmup_max_lr": 2e-5},
     {"optimizer.params.lr": 1e-4}, {"scheduler.params.warmup_min_lr": 1e-7}],
    ids=lambda e: ",".join(f"{k}={v}" for k, v in e.items()),
)
def test_deepspeed_mismatch_errors_exactly_where_transformers_raises(cli, tmp_path: Path, explicit: dict) -> None:
    """transformers' own HfTrainerDeepSpeedConfig (trainer_config_process/_finalize) decides whether the explicit
    DeepSpeed values are rejected; lrcli must error in exactly those cases."""
    oracle_import("transformers")
    oracle_import("accelerate")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from functools import partialmethod

    from accelerate.utils.deepspeed import HfDeepSpeedConfig
    from transformers import TrainingArguments
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig

    config = tmp_path / "train.yaml"
    config.write_text("output_dir: o\nlearning_rate: 2.0e-5\nper_device_train_batch_size: 8\n"
                      "gradient_accumulation_steps: 2\nwarmup_steps: 0.1\nnum_train_epochs: 1\ndeepspeed: ds.json\n")
    base = json.loads((SAMPLES / "deepspeed_warmup_decay.json").read_text())
    (tmp_path / "ds.json").write_text(json.dumps(base))
    plan = run_json(cli("steps", str(config), "--samples", "1000", "--json").stdout)["plan"]
    total, warmup = plan["total_steps"], plan["warmup_steps"]
    ds = json.loads(json.dumps(base))
    for key, value in explicit.items():
        value = {"T": total, "T+1": total + 1, "W": max(1, warmup), "W+1": max(1, warmup) + 1}.get(value, value)
        node = ds
        *parents, leaf = key.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    (tmp_path / "ds.json").write_text(json.dumps(ds))

    methods = {k: v for k, v in vars(HfTrainerDeepSpeedConfig).items() if k not in ("__init__", "__dict__", "__weakref__")}
    methods["fill_only"] = partialmethod(HfTrainerDeepSpeedConfig.fill_match, must_match=False)
    checker = type("HfTrainerDeepSpeedConfigWithoutDeepSpeed", (HfDeepSpeedConfig,), methods)(json.loads(json.dumps(ds)))
    checker._dtype = None
    checker.mismatches = []
    args = TrainingArguments(output_dir=str(tmp_path / "o"), learning_rate=2e-5, per_device_train_batch_size=8,
                             gradient_accumulation_steps=2, warmup_steps=0.1, max_steps=total, report_to=[])
    checker.trainer_config_process(args)
    try:
        checker.trainer_config_finalize(args, model=None, num_training_steps=total)
        hf_rejects = False
    except ValueError:
        hf_rejects = True
    result = cli("plot", str(config), "--samples", "1000", "-o", str(tmp_path / "x.csv"))
    assert (result.exit_code == 2) == hf_rejects, result.stderr
    if hf_rejects:
        assert "mismatch" in assert_one_error_line(result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, "no such file"), ("a: [1, 2\n", "not valid YAML"), ("- 1\n- 2\n", "mapping"), ("", "empty"),
     ("tokenizer: x\n", "cannot tell which framework")],
)
def test_bad_config_files_are_one_error_line(cli, tmp_path: Path, text: str | None, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    if text is not None:
        path.write_text(text)
    out = tmp_path / "x.png"
    assert expected in assert_one_error_line(cli("plot", str(path), "--samples", "10", "-o", str(out)))
    assert not out.exists()


def test_referenced_files_are_found_beside_the_config_or_in_the_cwd(cli, tmp_path: Path, monkeypatch) -> None:
    """`accelerate_config: PATH` (TRL) and `accelerator_config: PATH` (HF) are opened from the training run's working
    directory by the frameworks; lrcli also looks beside the config (inputs.files.find_referenced_file, as for deepspeed)."""
    accelerate = {"distributed_type": "MULTI_GPU", "num_processes": 4, "compute_environment": "LOCAL_MACHINE"}
    accelerator = {"split_batches": True}
    plans = {}
    for place in ("beside", "cwd"):
        config_dir, run_dir = tmp_path / place / "configs", tmp_path / place / "run"
        config_dir.mkdir(parents=True)
        run_dir.mkdir()
        files_dir = config_dir if place == "beside" else run_dir
        (files_dir / "acc.yaml").write_text(yaml.safe_dump(accelerate))
        (files_dir / "accel.json").write_text(json.dumps(accelerator))
        (config_dir / "sft.yaml").write_text(yaml.safe_dump({
            "max_length": 512, "per_device_train_batch_size": 8, "accelerate_config": "acc.yaml",
            "accelerator_config": "accel.json",
        }))  # fmt: skip
        monkeypatch.chdir(run_dir)
        result = cli("show", str(config_dir / "sft.yaml"), "--samples", "1003", "--json")
        assert result.exit_code == 0, result.stderr
        plans[place] = run_json(result.stdout)
    beside, cwd = plans["beside"], plans["cwd"]
    for name in ("world_size", "split_batches"):
        assert cwd["settings"][name]["source"] != "default", name  # read from the file in the cwd
        assert cwd["settings"][name]["value"] == beside["settings"][name]["value"], name
    assert cwd["plan"] == beside["plan"]
