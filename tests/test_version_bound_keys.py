"""A config key the transformers in force does not have: lrcli plans what the run does with it.

Plain HF (`TrainingArguments(**keys)`, `HfArgumentParser.parse_yaml_file`) and LLaMA-Factory (`parse_dict`) refuse it,
so lrcli exits 2 with transformers' own messages (taken live from transformers 5.25.0 here); `trl <cmd> --config`
drops it (tests/test_real_config_goldens.py checks W against TrlParser's own result), so lrcli draws the run without
it and says what was meant. lrcli's own `--warmup-ratio` keeps its meaning. The version bounds themselves are read
from the TrainingArguments of the releases on both sides of each bound.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import pytest
from conftest import assert_one_error_line, framework_source, oracle_import

from lrcli.steps.hf_versions import KEY_VERSIONS, show

SAMPLE_TRL = Path(__file__).resolve().parents[1] / "sample_configs" / "trl_sft.yaml"


def _training_args_fields(version: str) -> set[str]:
    """The dataclass fields of `TrainingArguments` in that release's training_args.py."""
    tree = ast.parse((framework_source(f"transformers-{version}") / "training_args.py").read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TrainingArguments")
    return {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}


# Each bound of KEY_VERSIONS: (key, the release before the bound, the release at it).
BOUNDS = [("lr_scheduler_kwargs", "4.35.2", "4.36.0"), ("accelerator_config", "4.37.2", "4.38.0"),
          ("warmup_ratio", "5.14.1", "5.15.0")]


@pytest.mark.parametrize(("key", "before", "at"), BOUNDS)
def test_the_version_bounds_are_where_training_arguments_gains_or_loses_the_key(key, before, at) -> None:
    added, removed = KEY_VERSIONS[key]
    bound = show(added or removed)
    assert ".".join(bound.split(".")[:2]) == ".".join(at.split(".")[:2])
    present_before, present_at = key in _training_args_fields(before), key in _training_args_fields(at)
    assert (present_before, present_at) == ((False, True) if added else (True, False))
    assert set(KEY_VERSIONS) == {b[0] for b in BOUNDS}


def _transformers_refusals(tmp_path: Path, key: str, value: object) -> list[str]:
    """What transformers 5.25.0 itself says to a config with `key`: TrainingArguments(**keys) and
    HfArgumentParser.parse_yaml_file, the two ways an HF script takes a config file."""
    transformers = oracle_import("transformers")
    assert transformers.__version__ == "5.25.0"
    messages = []
    try:
        transformers.TrainingArguments(output_dir=str(tmp_path / "out"), **{key: value})
    except TypeError as exc:
        messages.append(str(exc))
    config = tmp_path / "args.yaml"
    config.write_text(f"output_dir: {tmp_path / 'out'}\n{key}: {json.dumps(value)}\n")
    try:
        transformers.HfArgumentParser((transformers.TrainingArguments,)).parse_yaml_file(str(config))
    except ValueError as exc:
        messages.append(str(exc))
    assert len(messages) == 2, "transformers 5.25.0 accepted a key lrcli says it lacks"
    return messages


def test_a_plain_hf_config_with_warmup_ratio_on_5_25_is_the_error_transformers_raises(cli, tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nlearning_rate: 2.0e-5\nwarmup_ratio: 0.1\nnum_train_epochs: 1\n")
    line = assert_one_error_line(cli("plot", str(config), "--samples", "1000", "--transformers-version", "5.25.0",
                                     "-o", str(tmp_path / "lr.png")))
    for message in _transformers_refusals(tmp_path, "warmup_ratio", 0.1):
        assert message in line
    total = json.loads(cli("steps", "--samples", "1000", "--epochs", "1", "--json").stdout)["runs"][0]["plan"][
        "total_steps"]
    assert f"write warmup_steps: 0.1 in its place (there a value < 1 is a fraction of T: W = {math.ceil(total * 0.1)}" \
           in line
    assert not (tmp_path / "lr.png").exists()


def test_the_same_config_under_a_version_that_has_the_key_plans_with_it(cli, tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("output_dir: out\nwarmup_ratio: 0.1\nnum_train_epochs: 1\n")
    for version, warmup in (("4.57.6", 13), ("5.14", 13)):  # ceil(125 · 0.1); 5.0–5.14 copy it over warmup_steps
        result = cli("steps", str(config), "--samples", "1000", "--transformers-version", version, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["runs"][0]["plan"]["warmup_steps"] == warmup


def test_a_llamafactory_config_on_a_version_without_the_key_is_refused_too(cli, tmp_path: Path) -> None:
    """LLaMA-Factory 0.9.5 parses the YAML with HfArgumentParser.parse_dict (hparams/parser.py `_parse_args`)."""
    parser = (framework_source("llamafactory") / "hparams" / "parser.py").read_text()
    assert "return parser.parse_dict(args, allow_extra_keys=allow_extra_keys)" in parser
    config = tmp_path / "lf.yaml"
    config.write_text("stage: sft\ndataset: alpaca\nwarmup_ratio: 0.1\nper_device_train_batch_size: 2\n")
    line = assert_one_error_line(cli("steps", str(config), "--samples", "1000", "--transformers-version", "5.24"))
    assert "Some keys are not used by the HfArgumentParser: ['warmup_ratio']" in line


@pytest.mark.parametrize(("key", "yaml", "version"), [
    ("lr_scheduler_kwargs", "lr_scheduler_kwargs: {num_cycles: 2}\nlr_scheduler_type: cosine_with_restarts", "4.35"),
    ("accelerator_config", "accelerator_config: {split_batches: true}", "4.37.2"),
])
def test_older_versions_refuse_the_keys_they_do_not_have_yet(cli, tmp_path: Path, key, yaml, version) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(f"output_dir: out\n{yaml}\n")
    line = assert_one_error_line(cli("steps", str(config), "--samples", "1000", "--transformers-version", version))
    assert f"transformers {version} (--transformers-version) has no {key} (added in" in line
    ok = cli("steps", str(config), "--samples", "1000", "--transformers-version", "4.38")
    assert ok.exit_code == 0, ok.stderr


def test_a_4x_dump_warmup_ratio_of_0_is_no_ratio(cli, tmp_path: Path) -> None:
    config = tmp_path / "training_args.json"
    config.write_text(json.dumps({"output_dir": "o", "warmup_ratio": 0.0, "warmup_steps": 5, "learning_rate": 1e-5}))
    result = cli("steps", str(config), "--samples", "1000", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["plan"]["warmup_steps"] == 5


def test_the_trl_sample_with_warmup_ratio_draws_w_0_and_says_the_fix(cli, tmp_path: Path) -> None:
    """`trl dpo --config` of TRL 0.24 on 5.24 drops warmup_ratio (TrlParser hands it back and the launcher ignores
    it; the goldens of tests/test_real_config_goldens.py pin that W), so the plot, the summary and `show` have W = 0."""
    text = SAMPLE_TRL.read_text().replace("warmup_steps: 0.1", "warmup_ratio: 0.1")
    config = tmp_path / "trl_dpo.yaml"
    config.write_text(text)
    pin = ["--trainer", "dpo@0.24"]
    result = cli("plot", str(config), "--samples", "52002", "--world-size", "8", "-o", str(tmp_path / "lr.json"), *pin)
    assert result.exit_code == 0, result.stderr
    run = json.loads((tmp_path / "lr.json").read_text())["runs"][0]
    total = run["plan"]["total_steps"]
    assert run["plan"]["warmup_steps"] == 0 and run["curve"]["lr"][0] == run["curve"]["summary"]["peak_lr"] == 1e-6
    err = " ".join(result.stderr.split())
    assert f"T={total} steps" in err and "warmup W=0," in err
    assert (f"the run warms up for W = 0 steps, not the ceil(T · 0.1) = {math.ceil(total * 0.1)} meant: to get those, "
            "write warmup_steps: 0.1 in its place") in err
    shown = json.loads(cli("show", str(config), "--samples", "52002", "--world-size", "8", "--json", *pin).stdout)
    assert shown["runs"][0]["plan"]["warmup_steps"] == 0


@pytest.mark.parametrize("trainer", ["sft", "sft@0.24", "dpo", "grpo@1.16"])
def test_the_trl_sample_with_warmup_ratio_is_refused_where_trl_hands_it_to_accelerate(cli, tmp_path: Path,
                                                                                      trainer: str) -> None:
    """TRL 1.x (every command) and `trl sft` of 0.18+ pass the leftover key to `accelerate launch`, which stops;
    on the 4.x line the key exists and W = ceil(T · 0.1)."""
    config = tmp_path / "trl_run.yaml"
    config.write_text(SAMPLE_TRL.read_text().replace("warmup_steps: 0.1", "warmup_ratio: 0.1"))
    args = ("steps", str(config), "--samples", "52002", "--world-size", "8", "--trainer", trainer)
    message = assert_one_error_line(cli(*args))
    assert "'unrecognized arguments: --warmup_ratio'" in message and "write warmup_steps: 0.1" in message
    plan = json.loads(cli(*args, "--transformers-version", "4.57.6", "--json").stdout)["runs"][0]["plan"]
    assert plan["warmup_steps"] == math.ceil(plan["total_steps"] * 0.1)


def test_lrcli_s_own_warmup_ratio_flag_keeps_its_meaning_on_5_24(cli) -> None:
    result = cli("steps", "--samples", "1000", "--warmup-ratio", "0.1", "--transformers-version", "5.24", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["plan"]["warmup_steps"] == 38  # ceil(375 · 0.1)
    assert "transformers 5.24 has no warmup_ratio" in result.stderr
