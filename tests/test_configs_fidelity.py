"""Config reading against the frameworks' own code: transformers' HfArgumentParser / TrainingArguments (live) and
training_args.json dumps (tools/gen_training_args_dump.py), accelerate's launcher (live), TRL's per-trainer defaults
(its 0.24.0 and 0.11.4 sources, tools/gen_trl_defaults.py), LLaMA-Factory 0.9.5's v0 split and v1 step count."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DATA, assert_one_error_line, framework_source, oracle_import, run_json
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
REAL = ROOT / "tests/data/real_configs"
TRL_SOURCES = {"1.16.0": "trl", "0.24.0": "trl-0.24", "0.11.4": "trl-0.11"}  # TRL release -> tools/framework_sources.py name


def _json(cli, *args: str) -> dict:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)


def _tools() -> None:
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))


# --- transformers: training_args.json dumps --------------------------------------------------------------------


def _dump_files() -> list[Path]:
    return sorted(DATA.glob("training_args_dumps_*.json"))


def _check_dump(cli, tmp_path: Path, version: str, case: dict[str, Any]) -> None:
    path = tmp_path / "training_args.json"
    path.write_text(json.dumps(case["dump"]))
    version_flag = ("--transformers-version", version)
    steps = _json(cli, "steps", str(path), *version_flag)
    plan = steps["plan"]
    assert (plan["total_steps"], plan["warmup_steps"]) == (case["total_steps"], case["warmup_steps"]), case["given"]
    settings_ = _json(cli, "show", str(path), *version_flag)["settings"]
    assert settings_["lr_scheduler_type"]["value"] == case["lr_scheduler_type"]
    assert (settings_["lr_scheduler_kwargs"]["value"] or {}) == case["lr_scheduler_kwargs"]
    assert settings_["learning_rate"]["value"] == case["learning_rate"]


@pytest.mark.parametrize("path", _dump_files(), ids=lambda p: p.stem)
def test_training_args_dumps_read_to_the_t_w_and_kwargs_transformers_computed(cli, tmp_path: Path, path: Path) -> None:
    """Dumps written by transformers 4.51.3, 5.24.0 and 5.25.0 themselves (golden, tools/gen_training_args_dump.py)."""
    golden = json.loads(path.read_text())
    assert golden["cases"]
    for case in golden["cases"]:
        _check_dump(cli, tmp_path, golden["transformers"], case)


@pytest.mark.oracle
def test_training_args_dumps_live(cli, tmp_path: Path) -> None:
    oracle_import("transformers")
    oracle_import("accelerate")
    _tools()
    from gen_training_args_dump import dump_cases

    version, cases = dump_cases()
    for case in cases:
        _check_dump(cli, tmp_path, version, case)


def test_4x_dump_warmup_ratio_zero_is_unset_under_5x_rules(cli, tmp_path: Path) -> None:
    """A 4.x dump always says warmup_ratio 0.0; read with lrcli's default (5.25) rules, warmup_steps still decides W."""
    golden = json.loads((DATA / "training_args_dumps_4.51.3.json").read_text())
    case = next(c for c in golden["cases"] if c["given"] == {"max_steps": 200, "warmup_steps": 10})
    assert case["dump"]["warmup_ratio"] == 0.0
    path = tmp_path / "training_args.json"
    path.write_text(json.dumps(case["dump"]))
    result = cli("steps", str(path), "--json")
    assert run_json(result.stdout)["plan"]["warmup_steps"] == case["warmup_steps"]
    assert "warmup_ratio 0 asks for no ratio" in result.stderr


# --- transformers: numeric strings in YAML ---------------------------------------------------------------------

NUMERIC_STRINGS = {"learning_rate": "2e-5", "warmup_steps": "10", "max_steps": "1e2", "num_train_epochs": "3e0",
                   "per_device_train_batch_size": "8", "gradient_accumulation_steps": "4"}


@pytest.mark.oracle
@pytest.mark.parametrize(("key", "text"), NUMERIC_STRINGS.items())
def test_numeric_string_warning_matches_what_hf_argument_parser_does(cli, tmp_path: Path, key: str, text: str) -> None:
    transformers = oracle_import("transformers")
    torch = oracle_import("torch")
    path = tmp_path / "train.yaml"
    path.write_text(f"output_dir: {tmp_path}\nreport_to: none\n{key}: '{text}'\n")
    assert yaml.safe_load(path.read_text())[key] == text
    parser = transformers.HfArgumentParser(transformers.TrainingArguments)
    from lrcli.dialects.hf import STRING_CONSEQUENCE

    if key == "warmup_steps":
        with pytest.raises(TypeError):
            parser.parse_yaml_file(str(path))
    else:
        (args,) = parser.parse_yaml_file(str(path))
        assert getattr(args, key) == text  # transformers keeps the string
        if key == "learning_rate":
            with pytest.raises(TypeError):
                torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=args.learning_rate)
    record = _json(cli, "show", str(path), "--total-steps", "10")
    [note] = [note for note in record["notes"] if f"{key}: '{text}' is a string" in note]
    assert STRING_CONSEQUENCE.get(key, "stays a string") in note
    assert record["settings"][key]["value"] == float(text)


@pytest.mark.oracle
def test_yaml_floats_with_a_dot_are_numbers_to_both(cli, tmp_path: Path) -> None:
    transformers = oracle_import("transformers")
    path = tmp_path / "train.yaml"
    path.write_text(f"output_dir: {tmp_path}\nreport_to: none\nlearning_rate: 2.0e-5\nwarmup_steps: 10\n")
    (args,) = transformers.HfArgumentParser(transformers.TrainingArguments).parse_yaml_file(str(path))
    record = _json(cli, "show", str(path), "--total-steps", "10")
    assert not [note for note in record["notes"] if "is a string" in note]
    assert record["settings"]["learning_rate"]["value"] == args.learning_rate


# --- accelerate launcher configs -------------------------------------------------------------------------------


def _accelerate_world(path: Path, monkeypatch: pytest.MonkeyPatch) -> int | str:
    """Processes `accelerate launch --config_file path x.py` starts, from accelerate's own launch code: which launcher
    `launch_command` picks, and the torchrun / deepspeed arguments its `prepare_*_env` functions compute."""
    launch = oracle_import("accelerate.commands.launch")
    from accelerate.utils import launch as launch_utils

    chosen: dict[str, Any] = {}

    def simple(args):
        chosen["world"] = 1

    def multi_gpu(args):
        launch_utils.prepare_multi_gpu_env(args)
        chosen["world"] = int(getattr(args, "nnodes", 1) or 1) * int(args.nproc_per_node)

    def deepspeed(args):
        cmd, _ = launch_utils.prepare_deepspeed_cmd_env(args)
        if cmd is not None:  # pdsh multinode: --num_gpus per host, one host per machine
            chosen["world"] = args.num_machines * int(cmd[cmd.index("--num_gpus") + 1])
        else:
            chosen["world"] = int(getattr(args, "nnodes", 1) or 1) * int(args.nproc_per_node)

    monkeypatch.setattr(launch, "simple_launcher", simple)
    monkeypatch.setattr(launch, "multi_gpu_launcher", multi_gpu)
    monkeypatch.setattr(launch, "deepspeed_launcher", deepspeed)
    monkeypatch.setattr(launch_utils, "is_port_in_use", lambda port: False)
    args = launch.launch_command_parser().parse_args(["--config_file", str(path), "train.py"])
    try:
        launch.launch_command(args)
    except ValueError as exc:
        return f"error: {exc}"
    return chosen["world"]


@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["NO", "MULTI_GPU", "DEEPSPEED", "FSDP"])
@pytest.mark.parametrize(("processes", "machines"), [(1, 1), (2, 1), (8, 1), (8, 2), (10, 4), (16, 2), (None, 1)])
def test_accelerate_config_world_size_matches_accelerate_launch(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, processes: int | None, machines: int
) -> None:
    config = {"compute_environment": "LOCAL_MACHINE", "distributed_type": kind, "num_machines": machines,
              "machine_rank": 0, "main_process_ip": "127.0.0.1", "main_process_port": 29500, "mixed_precision": "no",
              "use_cpu": False, "gpu_ids": "all"}
    if processes is not None:
        config["num_processes"] = processes
    if kind == "DEEPSPEED":
        config["deepspeed_config"] = {"zero_stage": 2, "deepspeed_multinode_launcher": "standard"}
    path = tmp_path / "accelerate.yaml"
    path.write_text(yaml.safe_dump(config))
    expected = _accelerate_world(path, monkeypatch)
    result = cli("show", str(ROOT / "sample_configs" / "hf_training_args.json"), "--accelerate-config", str(path),
                 "--samples", "100", "--json")
    if isinstance(expected, str):
        assert result.exit_code == 2 and "num_processes" in result.stderr, (expected, result.stderr)
    else:
        assert result.exit_code == 0, result.stderr
        assert run_json(result.stdout)["settings"]["world_size"]["value"] == expected


@pytest.mark.oracle
@pytest.mark.parametrize("path", sorted(REAL.glob("accelerate/*.yaml")), ids=lambda p: p.name)
def test_real_accelerate_configs_match_accelerate_launch(cli, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    expected = _accelerate_world(path, monkeypatch)
    record = _json(cli, "show", str(ROOT / "sample_configs" / "hf_training_args.json"), "--accelerate-config",
                   str(path), "--samples", "100")
    assert record["settings"]["world_size"]["value"] == expected


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["fsdp1", "fsdp2", "multi_gpu", "single_gpu", "zero1", "zero2", "zero3"])
def test_trl_shipped_accelerate_configs_match_accelerate_launch(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    shipped = framework_source("trl") / "accelerate_configs" / f"{name}.yaml"
    expected = _accelerate_world(shipped, monkeypatch)
    config = tmp_path / "sft.yaml"
    config.write_text(f"model_name_or_path: m\naccelerate_config: {name}\n")
    assert _json(cli, "show", str(config), "--samples", "100")["settings"]["world_size"]["value"] == expected


# --- TRL: per-trainer defaults and the trainer's name ----------------------------------------------------------


def _trl_golden() -> dict[str, Any]:
    return json.loads((DATA / "trl_defaults.json").read_text())


def _lr_relevant(defaults: dict[str, Any]) -> dict[str, Any]:
    from lrcli.dialects.hf import HF_KEYS

    return {key: value for key, value in defaults.items() if key in HF_KEYS or key.startswith("num_")}


@pytest.mark.oracle
@pytest.mark.parametrize("version", sorted(TRL_SOURCES))
def test_trl_golden_is_what_the_trl_source_says(version: str) -> None:
    source = framework_source(TRL_SOURCES[version])
    _tools()
    from gen_trl_defaults import trainer_table, version_of

    assert version_of(source) == version
    assert trainer_table(source) == _trl_golden()[version]


@pytest.mark.parametrize("release", ["0.24.0", "1.16.0"])
def test_trl_key_hints_are_fields_of_that_trainer_alone(release: str) -> None:
    """Among the trainers lrcli models (the experimental GRPO variants of a release share GRPO's keys and are not
    modelled), a hint key belongs to its trainer's Config (and its subclasses') alone."""
    from lrcli.dialects.trl import KNOWN_TRAINERS, SUBCLASS_OF, TRL_KEY_HINTS

    trainers = {name: entry for name, entry in _trl_golden()[release].items() if name in KNOWN_TRAINERS}
    for key, trainer in TRL_KEY_HINTS.items():
        if trainer not in trainers or key not in trainers[trainer]["fields"]:
            assert release != "0.24.0", (key, trainer)
            continue  # gone from this release (prm, nash_md, rpo_alpha, ... by 1.16): a 0.24 config's evidence

        family = {trainer} | {name for name, parent in SUBCLASS_OF.items() if parent == trainer}
        others = [name for name, entry in trainers.items() if key in entry["fields"] and name not in family]
        assert not others, (key, trainer, others)


@pytest.mark.parametrize("trainer", ["sft", "dpo", "kto", "online_dpo", "reward", "orpo", "gkd"])
@pytest.mark.parametrize("version", ["0.11", "0.24", "v0.11.4", "0.24.0rc1", "1.16"])  # read as pip reads versions
def test_trainer_at_version_takes_that_trl_versions_lr(cli, tmp_path: Path, trainer: str, version: str) -> None:
    release = {"0.11": "0.11.4", "0.24": "0.24.0", "1.16": "1.16.0"}[version.removeprefix("v")[:4]]
    golden = _trl_golden()[release][trainer]
    config = tmp_path / "run.yaml"
    config.write_text("model_name_or_path: m\nmax_steps: 10\n")
    settings_ = _json(cli, "show", str(config), "--trainer", f"{trainer}@{version}")["settings"]
    # No override in the trainer's Config: TrainingArguments' own default (5e-5 in 4.x and 5.x alike).
    assert settings_["learning_rate"]["value"] == golden["defaults"].get("learning_rate", 5e-5)


def test_trainers_missing_from_a_trl_version_or_on_policy_are_refused(cli, tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("model_name_or_path: m\nmax_steps: 10\n")
    assert "grpo" in assert_one_error_line(cli("show", str(config), "--trainer", "grpo@0.11"))
    assert "on-policy" in assert_one_error_line(cli("show", str(config), "--trainer", "ppo@0.24"))
    assert "has no ppo" in assert_one_error_line(cli("show", str(config), "--trainer", "ppo"))
    assert "on-policy" in assert_one_error_line(cli("show", str(config), "--trainer", "rloo@0.11"))
    assert "version" in assert_one_error_line(cli("show", str(config), "--trainer", "sft@latest"))


@pytest.mark.parametrize("trainer", ["sft", "dpo", "orpo", "grpo", "kto"])
def test_trainer_from_a_recipe_folder(cli, tmp_path: Path, trainer: str) -> None:
    folder = tmp_path / "recipes" / "zephyr-7b-beta" / trainer
    folder.mkdir(parents=True)
    (folder / "config_full.yaml").write_text("model_name_or_path: m\nbf16: true\nmax_steps: 10\n")
    settings_ = _json(cli, "show", str(folder / "config_full.yaml"))["settings"]
    assert settings_["trainer"]["value"] == trainer
    assert settings_["learning_rate"]["value"] == _trl_golden()["0.24.0"][trainer]["defaults"]["learning_rate"]


@pytest.mark.parametrize(("key", "trainer"), [("desirable_weight", "kto"), ("rpo_alpha", "dpo"),
                                              ("completion_only_loss", "sft"), ("center_rewards_coefficient", "reward")])
def test_trainer_from_keys_only_its_config_has(cli, tmp_path: Path, key: str, trainer: str) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(f"model_name_or_path: m\nmax_steps: 10\n{key}: 1\n")
    settings_ = _json(cli, "show", str(config))["settings"]
    assert settings_["trainer"]["value"] == trainer
    assert settings_["learning_rate"]["value"] == _trl_golden()["0.24.0"][trainer]["defaults"]["learning_rate"]


def test_keys_of_two_trainers_ask_for_trainer(cli, tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text("model_name_or_path: m\nmax_steps: 10\ndesirable_weight: 1\nrpo_alpha: 1\n")
    assert "--trainer" in assert_one_error_line(cli("show", str(config)))


# --- LLaMA-Factory ---------------------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("val_size", [1, 1.0, 0.1, 0.5, 5, 5.7, 1e-7])
def test_val_size_reaches_train_test_split_as_llamafactory_passes_it(cli, tmp_path: Path, val_size: Any) -> None:
    """LLaMA-Factory 0.9.5's own `split_dataset`, with a dataset that records the test_size it is split by."""
    source = framework_source("llamafactory")
    _tools()
    from types import SimpleNamespace

    from framework_code import extract

    split_dataset = extract(source / "data" / "data_utils.py", "split_dataset",
                            {"Optional": Any, "Union": Any, "logger": None})
    asked: list[Any] = []

    class Recording:
        def train_test_split(self, test_size, seed):
            asked.append(test_size)
            return {"train": None, "test": None}

    split_dataset(Recording(), None, SimpleNamespace(val_size=val_size, streaming=False), seed=0)
    config = tmp_path / "lf.yaml"
    config.write_text(f"stage: sft\ndataset: alpaca\nval_size: {val_size!r}\nmax_steps: 10\n")
    result = cli("steps", str(config), "--samples", "100", "--json")
    if not asked:  # val_size ≤ 1e-6: no split
        assert result.exit_code == 0 and "training samples" not in result.stdout
        return
    test_size = asked[0]
    if isinstance(test_size, float) and test_size >= 1:  # datasets raises for a float test_size outside (0, 1)
        assert "train_test_split" in assert_one_error_line(result)
        return
    record = run_json(result.stdout)
    stage = next(stage for stage in record["plan"]["stages"] if stage["what"] == "training samples")
    # datasets `train_test_split`: an int is a row count; a float holds out ceil(test_size · n).
    held = test_size if isinstance(test_size, int) else -int(-test_size * 100 // 1)
    assert stage["value"] == 100 - held


def test_max_samples_cuts_each_dataset(cli, tmp_path: Path) -> None:
    config = tmp_path / "lf.yaml"
    config.write_text("stage: sft\ndataset: identity,alpaca_en_demo\nmax_samples: 500\nnum_train_epochs: 1\n")
    assert "EACH" in assert_one_error_line(cli("steps", str(config), "--samples", "800"))
    # The HF Trainer's count (checked against the Trainer elsewhere) for 500 rows, under LLaMA-Factory's transformers.
    uncut = _json(cli, "steps", "--samples", "500", "--epochs", "1", "--transformers-version", "5.6")["plan"][
        "total_steps"]
    # At most max_samples rows in all: no dataset can have been cut.
    assert _json(cli, "steps", str(config), "--samples", "500")["plan"]["total_steps"] == uncut
    single = tmp_path / "one.yaml"
    single.write_text("stage: sft\ndataset: alpaca_en_demo\nmax_samples: 500\nnum_train_epochs: 1\n")
    assert _json(cli, "steps", str(single), "--samples", "800")["plan"]["total_steps"] == uncut
    # the case tells a cut apart
    assert _json(cli, "steps", str(single), "--samples", "400")["plan"]["total_steps"] != uncut


@pytest.mark.oracle
@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 400), micro=st.integers(1, 4), micro_batches=st.sampled_from([None, 1, 2, 3]),
       dp=st.sampled_from([1, 2, 4]), epochs=st.sampled_from([1, 2, 3]))
def test_llamafactory_v1_steps_match_its_sampler_and_loader(n, micro, micro_batches, dp, epochs) -> None:
    """v1 `BatchGenerator` (NORMAL): torch's DistributedSampler (StatefulDistributedSampler's base, drop_last=True)
    and DataLoader(batch_size = micro · num_micro_batch, drop_last=True); `BaseTrainer`: T = epochs · len."""
    torch = oracle_import("torch")
    from lrcli.config import resolve
    from lrcli.errors import LrcliError
    from lrcli.steps import plan_steps

    global_batch = None if micro_batches is None else dp * micro * micro_batches
    sampler = torch.utils.data.DistributedSampler(range(n), num_replicas=dp, rank=0, shuffle=True, drop_last=True)
    loader = torch.utils.data.DataLoader(range(n), batch_size=micro * (micro_batches or 1), sampler=sampler,
                                         drop_last=True)
    expected = epochs * len(loader)
    options = {} if global_batch is None else {"global_batch_size": global_batch}
    config = resolve([({"framework": "llamafactory_v1", "per_device_train_batch_size": micro, "world_size": dp,
                        "num_train_epochs": epochs, "dataset_size": n, "trainer_options": options}, "test")])
    if expected == 0:
        with pytest.raises(LrcliError):
            plan_steps(config)
    else:
        plan = plan_steps(config)
        assert (plan.total, plan.warmup) == (expected, 0)


def test_llamafactory_v1_refuses_what_it_cannot_honour(cli, tmp_path: Path) -> None:
    base = (REAL / "llamafactory" / "v1_train_lora_sft.yaml").read_text()
    for extra, word in (("lr_scheduler_config:\n  name: cosine\n", "lr_scheduler_config"),
                        ("optim_config:\n  name: adamw\n", "optim_config")):
        config = tmp_path / "v1.yaml"
        config.write_text(base + extra)
        assert word in assert_one_error_line(cli("plot", str(config), "--samples", "100", "-o", str(tmp_path / "x.csv")))
    assert not (tmp_path / "x.csv").exists()
    config = tmp_path / "v1.yaml"
    config.write_text(base.replace("max_steps: 10", "num_train_epochs: 2") + "batching_strategy: dynamic_batching\n")
    assert "max_steps" in assert_one_error_line(cli("steps", str(config), "--samples", "100"))


# --- TRL RLOO (0.24): GRPO's RepeatSampler count with RLOOConfig's own defaults ---------------------------------

# The module-scoped fixture that puts TRL 0.24's source on sys.path (imported so pytest finds it here).
from test_configs_planners_oracle import grpo_oracle  # noqa: E402,F401


@pytest.mark.oracle
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 600), b=st.integers(1, 6), ga=st.integers(1, 4), w=st.sampled_from([1, 2, 4]))
def test_rloo_config_file_counts_steps_as_trl(cli, grpo_oracle, n, b, ga, w) -> None:  # noqa: F811
    """A file named *rloo*.yaml without num_generations: RLOOConfig's default (2), its __post_init__ (spg, gbs), the
    RepeatSampler its trainer builds, accelerate's sharding and the HF Trainer's count. (`cli` is stateless, so
    hypothesis may share it across examples.)"""
    import tempfile

    from accelerate.data_loader import prepare_data_loader
    from torch.utils.data import DataLoader
    from trl import RLOOConfig

    _, sampler_cls, trainer_shell, output_dir = grpo_oracle

    class RLOOConfigAtWorldSize(RLOOConfig):
        @property
        def world_size(self) -> int:
            return w

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "qwen_rloo.yaml"
        config.write_text(f"model_name_or_path: m\nper_device_train_batch_size: {b}\n"
                          f"gradient_accumulation_steps: {ga}\nnum_train_epochs: 1\n")
        result = cli("steps", str(config), "--samples", str(n), "--world-size", str(w), "--json")
    try:
        args = RLOOConfigAtWorldSize(output_dir=output_dir, per_device_train_batch_size=b,
                                     gradient_accumulation_steps=ga, num_train_epochs=1, report_to=[], use_cpu=True,
                                     bf16=False)
    except ValueError:
        assert result.exit_code == 2 and "divisible" in result.stderr
        return
    generations = args.num_generations
    sampler = sampler_cls(data_source=range(n), mini_repeat_count=generations,
                          batch_size=args.generation_batch_size // generations,
                          repeat_count=args.num_iterations * args.steps_per_generation, shuffle=True, seed=0)
    loader = DataLoader(range(n), batch_size=b * args.steps_per_generation, sampler=sampler)
    sharded = prepare_data_loader(loader, num_processes=w, process_index=0, put_on_device=False)
    if len(sharded) == 0:
        assert result.exit_code == 2 and "generation batch" in result.stderr
        return
    *_, total = trainer_shell(args).set_initial_training_values(args, sharded)
    assert result.exit_code == 0, result.stderr
    assert run_json(result.stdout)["plan"]["total_steps"] == total


@pytest.mark.oracle
@pytest.mark.parametrize(("world_size", "cp_size"), [(1, 1), (1, 2), (1, 4), (2, 2), (4, 2), (8, 4), (8, 1), (6, 3)])
def test_llamafactory_v1_data_parallel_size_is_its_distributed_strategys(monkeypatch, world_size, cp_size) -> None:
    """0.9.5's own DistributedStrategy: one process (no RANK) is dp 1 whatever cp_size; torchrun gives world // cp."""
    source = framework_source("llamafactory")
    monkeypatch.syspath_prepend(str(source.parent))
    from llamafactory.v1.accelerator.interface import DistributedStrategy

    from lrcli.steps.llamafactory import v1_data_parallel_size

    if world_size == 1:
        monkeypatch.delenv("RANK", raising=False)
    else:
        monkeypatch.setenv("RANK", "0")
        monkeypatch.setenv("WORLD_SIZE", str(world_size))
    assert v1_data_parallel_size(world_size, cp_size) == DistributedStrategy(cp_size=cp_size).dp_size
