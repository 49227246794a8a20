"""A DeepSpeed file referenced from a config (`deepspeed: PATH`): where lrcli finds it, how its scheduler section
replaces the config's scheduler (lrcli.dialects.deepspeed.apply_scheduler_section), and the "auto" warmup that
DeepSpeed itself rejects (checked live against deepspeed 0.19.8's lr_schedules.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from conftest import assert_one_error_line, oracle_import, run_json

from lrcli.dialects import deepspeed

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_configs"
SECTION = {"type": "WarmupDecayLR", "params": {"warmup_min_lr": "auto", "warmup_max_lr": "auto",
                                               "warmup_num_steps": "auto", "total_num_steps": "auto"}}


def _axolotl(tmp_path: Path, ds: str, **extra) -> Path:
    config = tmp_path / "cfg" / "axolotl.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(yaml.safe_dump({"base_model": "x", "learning_rate": 1e-4, "micro_batch_size": 2,
                                      "deepspeed": ds, **extra}))
    return config


def _show(cli, *args: str) -> dict:
    result = cli("show", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return run_json(result.stdout)


def test_file_beside_the_config_wins_over_the_cwd(cli, tmp_path: Path, monkeypatch) -> None:
    config = _axolotl(tmp_path, "ds.json")
    (config.parent / "ds.json").write_text(json.dumps({"scheduler": SECTION}))
    (tmp_path / "ds.json").write_text(json.dumps({"scheduler": {**SECTION, "type": "WarmupLR"}}))
    monkeypatch.chdir(tmp_path)
    setting = _show(cli, str(config), "--samples", "100")["settings"]["lr_scheduler_type"]
    assert setting["value"] == "WarmupDecayLR" and "(beside the config)" in setting["source"]


def test_file_in_the_cwd_is_used_as_transformers_opens_it(cli, tmp_path: Path, monkeypatch) -> None:
    config = _axolotl(tmp_path, "ds.json")
    (tmp_path / "ds.json").write_text(json.dumps({"scheduler": {**SECTION, "type": "WarmupLR"}}))
    monkeypatch.chdir(tmp_path)
    setting = _show(cli, str(config), "--samples", "100")["settings"]["lr_scheduler_type"]
    assert setting["value"] == "WarmupLR" and "in the current directory" in setting["source"]


def test_missing_file_names_both_places(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("steps", str(_axolotl(tmp_path, "nope.json")), "--samples", "100")
    assert result.exit_code == 0
    assert f"not found (looked in {tmp_path / 'cfg'} and {tmp_path})" in result.stderr


def test_section_replaces_the_configs_scheduler_and_its_derived_kwargs(tmp_path: Path) -> None:
    (tmp_path / "ds.json").write_text(json.dumps({"scheduler": SECTION, "train_batch_size": 64}))
    values = {"lr_scheduler_type": "OneCycleLR", "lr_scheduler_kwargs": {"anneal_strategy": "cos"},
              "derive_kwargs": "axolotl_one_cycle"}
    merged, sources, notes = deepspeed.apply_scheduler_section(values, {}, "ds.json", tmp_path / "a.yml")
    assert merged["lr_scheduler_type"] == "WarmupDecayLR"
    assert merged["lr_scheduler_kwargs"] == SECTION["params"]
    assert "derive_kwargs" not in merged
    assert merged["deepspeed_values"] == {"train_batch_size": 64}
    assert notes and "replaces lr_scheduler_type" in notes[0]
    unchanged, _, _ = deepspeed.apply_scheduler_section(values, {}, {"zero_optimization": {"stage": 2}},
                                                        tmp_path / "a.yml")
    assert unchanged == values  # no scheduler section: the config's own scheduler stays


def _load_deepspeed():
    spec = importlib.util.spec_from_file_location("gen_golden", ROOT / "tools" / "gen_deepspeed_axolotl_golden.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    ds_dir, _ = gen.default_dirs()
    return gen.load_deepspeed(ds_dir)[0]


@pytest.mark.oracle
def test_auto_warmup_of_zero_is_deepspeeds_error_under_axolotls_transformers(cli, tmp_path: Path) -> None:
    """axolotl 0.19.0 pins transformers 5.16.1, whose trainer_config_finalize fills warmup_num_steps "auto" with
    get_warmup_steps(T) itself (5.18+ wraps it in max(1, ·)); DeepSpeed then raises for 0. axolotl 0.21.0 (the
    default) pins 5.20.1: no error."""
    torch = oracle_import("torch")
    module = _load_deepspeed()
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-4)
    with pytest.raises(ValueError, match="warmup_num_steps"):
        module.WarmupDecayLR(optimizer, warmup_min_lr=0, warmup_max_lr=1e-4, warmup_num_steps=0, total_num_steps=10)
    config = _axolotl(tmp_path, "ds.json", warmup_steps=0)
    (config.parent / "ds.json").write_text(json.dumps({"scheduler": SECTION}))
    assert "warmup_num_steps" in assert_one_error_line(cli("steps", str(config), "--samples", "100", "--trainer", "@0.19"))
    assert cli("steps", str(config), "--samples", "100").exit_code == 0
    hf = tmp_path / "cfg" / "hf.yaml"  # transformers 5.24 (lrcli's HF default) fills max(1, W): no error
    hf.write_text(yaml.safe_dump({"output_dir": "o", "learning_rate": 1e-4, "deepspeed": "ds.json"}))
    assert cli("steps", str(hf), "--samples", "100").exit_code == 0


REAL = ROOT / "tests" / "data" / "real_configs" / "deepspeed"
EXPLICIT = [p for p in sorted(REAL.glob("*.json"))
            if json.loads(p.read_text()).get("train_batch_size") not in (None, "auto")]


def _deepspeed_batch_trio():
    """DeepSpeed 0.19.8 `DeepSpeedConfig._set_batch_related_parameters` + `_batch_assertion`, run from its source."""
    import ast

    _load_deepspeed()  # fails/skips the same way when the sources are missing
    spec = importlib.util.spec_from_file_location("gen_golden", ROOT / "tools" / "gen_deepspeed_axolotl_golden.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    source = (gen.default_dirs()[0] / "runtime" / "config.py").read_text()
    cls = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "DeepSpeedConfig")
    wanted = [n for n in cls.body if isinstance(n, ast.FunctionDef)
              and n.name in ("_set_batch_related_parameters", "_batch_assertion", "_configure_train_batch_size")]
    namespace: dict = {}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), "deepspeed/runtime/config.py", "exec"), namespace)  # noqa: S102
    return type("BatchTrio", (), {name: namespace[name] for name in namespace if name.startswith("_")})


@pytest.mark.oracle
@pytest.mark.parametrize("path", EXPLICIT, ids=lambda p: p.name)
@pytest.mark.parametrize("world", [1, 2, 4, 8])
def test_real_deepspeed_file_counts_with_deepspeeds_batch_trio(cli, path: Path, world: int) -> None:
    """The standalone planner: DeepSpeed's own batch trio, then the HF Trainer's count (tools/hf_steps_oracle.py)."""
    oracle_import("transformers")
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from hf_steps_oracle import hf_steps

    raw = json.loads(path.read_text())
    trio = _deepspeed_batch_trio()()
    trio.world_size = world
    trio.train_batch_size = raw.get("train_batch_size")
    trio.train_micro_batch_size_per_gpu = raw.get("train_micro_batch_size_per_gpu")
    trio.gradient_accumulation_steps = raw.get("gradient_accumulation_steps")
    result = cli("steps", str(path), "--samples", "1000", "--world-size", str(world), "--json")
    try:
        trio._configure_train_batch_size()
    except AssertionError:
        assert_one_error_line(result)
        return
    expected = hf_steps(1000, trio.train_micro_batch_size_per_gpu, trio.gradient_accumulation_steps, 3.0, world,
                        False, -1, 0)
    assert result.exit_code == 0, result.stderr
    record = run_json(result.stdout)["plan"]
    assert (record["total_steps"], record["warmup_steps"]) == (expected["total_steps"], expected["warmup_steps"])


def test_real_files_with_explicit_batches_exist() -> None:
    assert len(EXPLICIT) >= 3


def _auto_fill_tool():
    spec = importlib.util.spec_from_file_location("gen_auto_fill", ROOT / "tools" / "gen_deepspeed_auto_fill.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _check_auto_fill(version: str, case: dict) -> None:
    """lrcli refuses exactly when the filled warmup_num_steps is one DeepSpeed 0.19.8 rejects (≤ 0, checked live in
    the test above), and otherwise fills the same value."""
    from lrcli.config import TrainConfig
    from lrcli.errors import LrcliError
    from lrcli.schedules.deepspeed import fill_auto
    from lrcli.steps.hf import hf_warmup_steps
    from lrcli.steps.hf_deepspeed import check_deepspeed_auto_warmup

    assert hf_warmup_steps(case["total"], case["warmup_steps"], None)[0] == case["W"]
    config = TrainConfig(lr_scheduler_type="WarmupLR", lr_scheduler_kwargs={"warmup_num_steps": "auto"},
                         transformers_version=version)
    try:
        check_deepspeed_auto_warmup(config, case["W"])
        refused = False
    except LrcliError:
        refused = True
    assert refused == (case["filled"] < 1), (version, case)
    if not refused:
        filled = fill_auto({"warmup_num_steps": "auto"}, lr=1e-4, warmup=case["W"], total=case["total"])
        assert filled["warmup_num_steps"] == case["filled"]


AUTO_FILL = json.loads((ROOT / "tests" / "data" / "deepspeed_auto_fill_golden.json").read_text())


@pytest.mark.parametrize("version", sorted(AUTO_FILL))
def test_auto_warmup_fill_matches_transformers_golden(version: str) -> None:
    """5.16.0/5.17.0 fill W itself, 5.18.0 max(1, W) (tools/gen_deepspeed_auto_fill.py, from their wheels)."""
    assert any(case["W"] == 0 for case in AUTO_FILL[version])
    for case in AUTO_FILL[version]:
        _check_auto_fill(version, case)


@pytest.mark.oracle
def test_auto_warmup_fill_matches_installed_transformers() -> None:
    """Live: the installed transformers' (5.25.0 in CI) own HfTrainerDeepSpeedConfig.trainer_config_finalize."""
    oracle_import("accelerate")
    transformers = oracle_import("transformers")
    import transformers.integrations.deepspeed as integration

    tool = _auto_fill_tool()
    for warmup_steps, total in tool.CASES:
        _check_auto_fill(transformers.__version__, tool.filled_warmup(integration, warmup_steps, total))


def _dialect_config(tmp_path: Path, dialect: str, **extra) -> Path:
    keys = {"hf": {"output_dir": "o"}, "trl": {"max_length": 512}, "llamafactory": {"stage": "sft", "dataset": "a"},
            "axolotl": {"base_model": "x", "micro_batch_size": 8}}[dialect]
    config = tmp_path / "cfg" / f"{dialect}.yaml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(yaml.safe_dump({"learning_rate": 1e-4, "deepspeed": "ds.json", **keys, **extra}))
    (config.parent / "ds.json").write_text(json.dumps({"scheduler": SECTION}))
    return config


@pytest.mark.parametrize("dialect", ["hf", "trl", "llamafactory", "axolotl"])
def test_every_dialect_says_where_the_deepspeed_file_was_found(cli, tmp_path: Path, dialect: str) -> None:
    config = _dialect_config(tmp_path, dialect, lr_scheduler_type="cosine", lr_scheduler_kwargs={"num_cycles": 2})
    settings = _show(cli, str(config), "--samples", "100", "--warmup-steps", "2", "--dialect", dialect)["settings"]
    assert settings["dialect"]["value"] == dialect
    assert settings["lr_scheduler_type"]["value"] == "WarmupDecayLR"
    assert "ds.json (beside the config) scheduler.type" in settings["lr_scheduler_type"]["source"]
    assert settings["lr_scheduler_kwargs"]["value"] == SECTION["params"]  # the config's own kwargs are gone


@pytest.mark.parametrize(("dialect", "version", "refused"), [
    ("hf", None, False),  # lrcli's default transformers 5.24 fills max(1, W)
    ("hf", "5.17", True),
    ("hf", "5.18", False),
    ("trl", "5.16", True),
    ("trl", None, False),
    ("llamafactory", None, True),  # LLaMA-Factory 0.9.5 pins transformers ≤ 5.6.0
    ("llamafactory", "5.18", False),
])
def test_auto_warmup_of_zero_under_the_transformers_version_in_force(
    cli, tmp_path: Path, dialect: str, version: str | None, refused: bool
) -> None:
    config = _dialect_config(tmp_path, dialect)
    args = ["steps", str(config), "--samples", "100", "--dialect", dialect]
    args += ["--transformers-version", version] if version else []
    result = cli(*args)
    if refused:
        message = assert_one_error_line(result)
        assert 'warmup_num_steps "auto" with W = 0' in message and (version or "5.6") in message
    else:
        assert result.exit_code == 0, result.stderr
    assert cli(*args, "--warmup-steps", "1").exit_code == 0  # W = 1 is accepted by every version


@pytest.mark.oracle
def test_auto_values_are_shown_filled_as_the_installed_transformers_fills_them(cli, tmp_path: Path) -> None:
    """`show --json` and `plot -o x.json` give each "auto" of the sample DeepSpeed file the value transformers 5.24.0's
    own HfTrainerDeepSpeedConfig (trainer_config_process + trainer_config_finalize) writes there, and its source."""
    transformers = oracle_import("transformers")
    oracle_import("accelerate")
    import transformers.integrations.deepspeed as integration

    config = ROOT / "sample_configs" / "hf_with_deepspeed.yaml"
    args = ("--samples", "1000", "--transformers-version", transformers.__version__)
    shown = run_json(cli("show", str(config), *args, "--json").stdout)
    plotted = run_json(cli("plot", str(config), *args, "--format", "json", "-o", "-").stdout)
    settings = {name: entry["value"] for name, entry in shown["settings"].items()}
    ds = json.loads((ROOT / "sample_configs" / "deepspeed_warmup_decay.json").read_text())
    filler = _auto_fill_tool().hf_filler(integration, json.loads(json.dumps(ds)))
    hf_args = transformers.TrainingArguments(
        output_dir=str(tmp_path), report_to=[], learning_rate=settings["learning_rate"],
        warmup_steps=settings["warmup_steps"], per_device_train_batch_size=settings["per_device_train_batch_size"],
        gradient_accumulation_steps=settings["gradient_accumulation_steps"])
    filler.trainer_config_process(hf_args)
    filler.trainer_config_finalize(hf_args, model=None, num_training_steps=shown["plan"]["total_steps"])
    expected = filler.config["scheduler"]["params"]
    auto = {key for key, value in ds["scheduler"]["params"].items() if value == "auto"}
    assert auto == {"warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "total_num_steps"}
    for run in (shown, plotted):
        kwargs = run["scheduler"]["kwargs"]
        assert {key: entry["value"] for key, entry in kwargs.items()} == expected
        assert {key for key, entry in kwargs.items() if entry.get("given") == "auto"} == auto
    sources = {key: entry["source"] for key, entry in shown["scheduler"]["kwargs"].items()}
    assert "learning_rate" in sources["warmup_max_lr"] and "num_training_steps" in sources["total_num_steps"]
    assert "max(1, W)" in sources["warmup_num_steps"] and "fill_only" in sources["warmup_min_lr"]
    assert "warmup_max_lr: 'auto' -> " in cli("show", str(config), *args).stdout


def test_a_deepspeed_curve_that_peaks_after_warmup_says_why(cli) -> None:
    """DeepSpeed 0.19.8's WarmupDecayLR with linear warmup peaks at its step W_d, which is row W_d + 1 (its schedule
    sees step s − 1; tests/data/deepspeed_axolotl_golden.json pins the rows): the summary and the plot say so, and the
    first two updates at LR 0 are DeepSpeed's doing, not transformers #34754."""
    config = ROOT / "sample_configs" / "hf_with_deepspeed.yaml"
    result = cli("plot", str(config), "--samples", "1000", "--format", "svg", "-o", "-")
    assert result.exit_code == 0, result.stderr
    plan = run_json(cli("steps", str(config), "--samples", "1000", "--json").stdout)["plan"]
    warmup = plan["warmup_steps"]
    assert f"peak LR 2e-05 at step {warmup + 1} (DeepSpeed's scheduler sees step s − 1" in result.stderr
    assert f"warmup ends: step {warmup} (DeepSpeed peaks at {warmup + 1}: its scheduler sees step s − 1)" in \
        result.stdout
    assert "the first 2 updates run at LR 0: DeepSpeed's WarmupDecayLR" in result.stderr
    assert "#34754" not in result.stderr
