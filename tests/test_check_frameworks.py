"""Where a `lrcli check` rule says a framework fails or drops something, the framework's own code does: the
installed transformers (oracle) and the downloaded axolotl 0.19.0 / LLaMA-Factory 0.9.5 sources, whose checks are
lifted out and run as written (tools/framework_code.py). Each case also runs `check` on the same config."""

from __future__ import annotations

import ast
import importlib.util
import json
import types
from pathlib import Path

import huggingface_hub.constants  # noqa: F401
import pytest
from conftest import framework_source, oracle_import

# huggingface_hub reads HF_HUB_OFFLINE once, when first imported. Imported here, at collection (as the full suite's
# data tests do through `datasets`), so that transformers imported by a test below under the autouse fixture's
# HF_HUB_OFFLINE=1 does not leave the Hub stand-in tests that run later in the same process offline.

ROOT = Path(__file__).resolve().parents[1]


def _framework_code():
    spec = importlib.util.spec_from_file_location("framework_code", ROOT / "tools" / "framework_code.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _statement(path: Path, function: str, *words: str, kinds: tuple[type, ...] = (ast.If, ast.Assert, ast.Assign)) -> ast.Module:
    """The first statement (of `kinds`) inside `function` of `path` whose source contains every one of `words`."""
    text = path.read_text()
    tree = ast.parse(text)
    body = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    for node in ast.walk(body):
        if isinstance(node, kinds) and all(w in ast.get_source_segment(text, node) for w in words):
            return ast.Module(body=[node], type_ignores=[])
    raise AssertionError(f"no statement with {words} in {function} of {path}")


def _codes(cli, tmp_path: Path, text: str, *args: str) -> set[str]:
    config = tmp_path / "train.yaml"
    config.write_text(text)
    return {f["code"] for f in json.loads(cli("check", str(config), "--format", "json", *args).stdout)["findings"]}


AXOLOTL = "base_model: m\nmicro_batch_size: 2\nlearning_rate: 2.0e-4\nmax_steps: 100\n"


@pytest.mark.parametrize(("keys", "refused"), [
    ({"gradient_accumulation_steps": 4, "batch_size": 16}, True),
    ({"gradient_accumulation_steps": 0, "batch_size": 16}, False),
    ({"batch_size": 16}, False),
])
def test_axolotl_check_gas_bsz(cli, tmp_path, keys, refused):
    check = _framework_code().extract(framework_source("axolotl") / "utils" / "schemas" / "validation.py",
                                      "check_gas_bsz", {}, class_name="TrainingValidationMixin")
    if refused:
        with pytest.raises(ValueError, match="only one of gradient_accumulation_steps or batch_size"):
            check(None, dict(keys))
    else:
        check(None, dict(keys))
    text = AXOLOTL + "".join(f"{key}: {value}\n" for key, value in keys.items())
    assert ("LR701" in _codes(cli, tmp_path, text)) is refused


@pytest.mark.parametrize(("keys", "refused"), [
    ({"warmup_steps": 10, "warmup_ratio": 0.1}, True),
    ({"warmup_steps": 0, "warmup_ratio": 0.1}, False),  # truthiness: lrcli refused this before (issue 13)
    ({"warmup_steps": 10, "warmup_ratio": 0.0}, False),
])
def test_axolotl_check_warmup(cli, tmp_path, keys, refused):
    check = _framework_code().extract(framework_source("axolotl") / "utils" / "schemas" / "validation.py",
                                      "check_warmup", {}, class_name="TrainingValidationMixin")
    if refused:
        with pytest.raises(ValueError, match="mutually exclusive"):
            check(None, dict(keys))
    else:
        check(None, dict(keys))
    text = AXOLOTL + "".join(f"{key}: {value}\n" for key, value in keys.items())
    codes = _codes(cli, tmp_path, text)
    assert ("LR702" in codes) is refused
    assert "LR000" not in codes


def test_axolotl_warmup_steps_zero_with_ratio_plans_no_warmup(cli, tmp_path):
    """With warmup_steps: 0 beside warmup_ratio, axolotl's _configure_warmup_and_logging keeps warmup_steps (not
    None): W = 0; lrcli plans that run instead of refusing it."""
    configure = _framework_code().extract(framework_source("axolotl") / "core" / "builders" / "base.py",
                                          "_configure_warmup_and_logging", {}, class_name="TrainerBuilderBase")
    cfg = _framework_code().Cfg(warmup_steps=0, warmup_ratio=0.1, logging_steps=1)
    kwargs: dict = {}
    configure(types.SimpleNamespace(cfg=cfg), 100, kwargs)
    config = tmp_path / "ax.yaml"
    config.write_text(AXOLOTL + "warmup_steps: 0\nwarmup_ratio: 0.1\n")
    result = cli("steps", str(config), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["runs"][0]["plan"]["warmup_steps"] == kwargs["warmup_steps"] == 0


@pytest.mark.parametrize(("scheduler", "used"), [("cosine", True), ("linear", False), ("constant", False)])
def test_axolotl_reads_the_min_lr_ratio_only_for_cosine(cli, tmp_path, scheduler, used):
    statement = _statement(framework_source("axolotl") / "core" / "trainers" / "mixins" / "scheduler.py",
                           "create_scheduler", "use_cosine_min_lr =")
    args = types.SimpleNamespace(lr_scheduler_type=scheduler, cosine_min_lr_ratio=0.1)
    namespace = {"self": types.SimpleNamespace(args=args)}
    exec(compile(statement, "scheduler.py", "exec"), namespace)  # noqa: S102 - axolotl's own statement
    assert namespace["use_cosine_min_lr"] is used
    codes = _codes(cli, tmp_path, AXOLOTL + f"lr_scheduler: {scheduler}\ncosine_min_lr_ratio: 0.1\n")
    assert ("LR103" in codes) is not used


@pytest.mark.parametrize(("ratio", "fails"), [(1.5, True), (1.0, False), (0.1, False)])
def test_axolotl_asserts_the_ratio_range(cli, tmp_path, ratio, fails):
    statement = _statement(framework_source("axolotl") / "core" / "trainers" / "mixins" / "scheduler.py",
                           "create_scheduler", "0 <= self.args.cosine_min_lr_ratio", kinds=(ast.Assert,))
    namespace = {"self": types.SimpleNamespace(args=types.SimpleNamespace(cosine_min_lr_ratio=ratio))}
    if fails:
        with pytest.raises(AssertionError, match="between 0.0 and 1.0"):
            exec(compile(statement, "scheduler.py", "exec"), namespace)  # noqa: S102
    else:
        exec(compile(statement, "scheduler.py", "exec"), namespace)  # noqa: S102
    codes = _codes(cli, tmp_path, AXOLOTL + f"lr_scheduler: cosine\ncosine_min_lr_ratio: {ratio}\n")
    assert ("LR703" in codes) is fails
    assert ("LR105" in codes) is (ratio >= 1)  # at the peak: constant after warmup


@pytest.mark.parametrize(("max_steps", "fails"), [(-1, True), (100, False)])
def test_llamafactory_refuses_streaming_without_max_steps(cli, tmp_path, max_steps, fails):
    statement = _statement(framework_source("llamafactory") / "hparams" / "parser.py", "get_train_args",
                           "streaming", "max_steps")
    namespace = {"training_args": types.SimpleNamespace(max_steps=max_steps),
                 "data_args": types.SimpleNamespace(streaming=True)}
    if fails:
        with pytest.raises(ValueError, match="max_steps"):
            exec(compile(statement, "parser.py", "exec"), namespace)  # noqa: S102
    else:
        exec(compile(statement, "parser.py", "exec"), namespace)  # noqa: S102
    text = ("stage: sft\ndo_train: true\nfinetuning_type: lora\ndataset: identity\noutput_dir: out\n"
            f"streaming: true\nmax_steps: {max_steps}\n")
    assert ("LR503" in _codes(cli, tmp_path, text)) is fails


# ------------------------------------------------------------------------------------------ transformers (oracle)
def _optimizer():
    torch = oracle_import("torch")
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=2e-5)


@pytest.mark.oracle
@pytest.mark.parametrize(("kwargs", "code"), [({"eta_min": 1e-6}, "LR301"), ({"num_cycle": 2}, "LR102"),
                                              ({"num_cycles": 0.5}, None)])
def test_transformers_scheduler_refuses_arguments_it_does_not_take(cli, tmp_path, kwargs, code):
    transformers = oracle_import("transformers")
    build = lambda: transformers.get_scheduler("cosine", _optimizer(), num_warmup_steps=0,  # noqa: E731
                                               num_training_steps=100, scheduler_specific_kwargs=kwargs)
    if code:
        with pytest.raises(TypeError):
            build()
    else:
        build()
    (name, value), = kwargs.items()
    codes = _codes(cli, tmp_path, f"output_dir: out\nmax_steps: 100\nlr_scheduler_type: cosine\n"
                                  f"lr_scheduler_kwargs:\n  {name}: {value}\n")
    assert codes & {"LR301", "LR102"} == ({code} if code else set())


@pytest.mark.oracle
def test_transformers_constant_schedule_drops_its_kwargs(cli, tmp_path):
    transformers = oracle_import("transformers")
    optimizer = _optimizer()
    scheduler = transformers.get_scheduler("constant_with_warmup", optimizer, num_warmup_steps=10,
                                           num_training_steps=100, scheduler_specific_kwargs={"min_lr_rate": 0.1})
    for _ in range(100):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [2e-5]  # no floor, no decay: the kwargs did nothing
    assert "LR101" in _codes(cli, tmp_path, "output_dir: out\nlearning_rate: 2.0e-5\nmax_steps: 100\nwarmup_steps: 10\n"
                                            "lr_scheduler_type: constant_with_warmup\nlr_scheduler_kwargs:\n"
                                            "  min_lr_rate: 0.1\n")


@pytest.mark.oracle
@pytest.mark.parametrize(("strategy", "fails"), [(None, True), ("no", True), ("steps", False)])
def test_transformers_plateau_needs_an_eval_strategy(cli, tmp_path, strategy, fails):
    transformers = oracle_import("transformers")
    given = {"eval_strategy": strategy, "eval_steps": 10} if strategy else {}
    build = lambda: transformers.TrainingArguments(output_dir=str(tmp_path / "out"),  # noqa: E731
                                                   lr_scheduler_type="reduce_lr_on_plateau", **given)
    if fails:
        with pytest.raises(ValueError, match="requires an eval strategy"):
            build()
    else:
        build()
    text = "output_dir: out\nmax_steps: 100\nlr_scheduler_type: reduce_lr_on_plateau\n" + "".join(
        f"{key}: {value}\n" for key, value in given.items())
    assert ("LR502" in _codes(cli, tmp_path, text)) is fails


@pytest.mark.oracle
def test_transformers_5_24_has_no_warmup_ratio(cli, tmp_path):
    transformers = oracle_import("transformers")
    with pytest.raises(TypeError, match="warmup_ratio"):
        transformers.TrainingArguments(output_dir=str(tmp_path / "out"), warmup_ratio=0.1)
    codes = _codes(cli, tmp_path, "output_dir: out\nmax_steps: 100\nwarmup_ratio: 0.1\n",
                   "--transformers-version", transformers.__version__)
    assert "LR401" in codes


@pytest.mark.oracle
@pytest.mark.parametrize(("eval_steps", "total", "beyond"), [(500, 100, True), (50, 100, False)])
def test_transformers_never_evaluates_at_a_step_beyond_t(cli, tmp_path, eval_steps, total, beyond):
    """DefaultFlowCallback.on_step_end, stepped through the run: with eval_steps > T no step before the last asks
    for an evaluation (the last one does in 5.24: 'evaluate at the end')."""
    transformers = oracle_import("transformers")
    from transformers.trainer_callback import DefaultFlowCallback, TrainerControl, TrainerState

    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), eval_strategy="steps",
                                          eval_steps=eval_steps, max_steps=total)
    state = TrainerState(max_steps=total, eval_steps=eval_steps, logging_steps=500, save_steps=500)
    asked = []
    for step in range(1, total + 1):
        state.global_step = step
        control = DefaultFlowCallback().on_step_end(args, state, TrainerControl())
        if control.should_evaluate:
            asked.append(step)
    assert (asked == [total]) is beyond
    codes = _codes(cli, tmp_path, f"output_dir: out\nmax_steps: {total}\neval_strategy: steps\neval_steps: {eval_steps}\n")
    assert ("LR501" in codes) is beyond


@pytest.mark.parametrize(("accumulation", "fails"), [(4, True), (1, False)])
@pytest.mark.parametrize("recipe", ["full_finetune_single_device.py", "full_finetune_distributed.py"])
def test_torchtune_refuses_accumulation_with_optimizer_in_backward(cli, tmp_path, recipe, accumulation, fails):
    statement = _statement(framework_source("torchtune-recipes") / recipe, "__init__", "if self._optimizer_in_bwd:",
                           kinds=(ast.If,))
    own = types.SimpleNamespace(_optimizer_in_bwd=True, _clip_grad_norm=None,
                                _gradient_accumulation_steps=accumulation)
    if fails:
        with pytest.raises(RuntimeError, match="Gradient accumulation is not supported"):
            exec(compile(statement, recipe, "exec"), {"self": own})  # noqa: S102 - torchtune's own statement
    else:
        exec(compile(statement, recipe, "exec"), {"self": own})  # noqa: S102
    text = ("output_dir: out\nbatch_size: 2\nepochs: 1\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 2.0e-5\n"
            f"optimizer_in_bwd: true\ngradient_accumulation_steps: {accumulation}\n")
    assert ("LR704" in _codes(cli, tmp_path, text, "--samples", "1000")) is fails


@pytest.mark.oracle
def test_transformers_restarts_with_one_cycle_is_cosine(cli, tmp_path):
    transformers = oracle_import("transformers")

    def lrs(name):
        optimizer = _optimizer()
        scheduler = transformers.get_scheduler(name, optimizer, num_warmup_steps=10, num_training_steps=100)
        values = []
        for _ in range(100):
            values.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
        return values

    assert lrs("cosine_with_restarts") == lrs("cosine")
    assert "LR106" in _codes(cli, tmp_path, "output_dir: out\nmax_steps: 100\nlr_scheduler_type: cosine_with_restarts\n")


@pytest.mark.oracle
@pytest.mark.parametrize(("values", "refused"), [({"train_batch_size": 64}, True), ({"train_batch_size": 16}, False),
                                                 ({"scheduler": {"type": "WarmupDecayLR", "params": {
                                                     "total_num_steps": 1000, "warmup_num_steps": "auto"}}}, True)])
def test_transformers_refuses_deepspeed_values_that_disagree(cli, tmp_path, values, refused):
    """transformers' own HfTrainerDeepSpeedConfig (on accelerate's base, so deepspeed need not be installed:
    tools/gen_deepspeed_auto_fill.py) against a Trainer with b = 8, GA = 2, one process, T = 100."""
    oracle_import("accelerate")
    transformers = oracle_import("transformers")
    import transformers.integrations.deepspeed as integration

    spec = importlib.util.spec_from_file_location("gen_deepspeed_auto_fill", ROOT / "tools" / "gen_deepspeed_auto_fill.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    filler = tool.hf_filler(integration, json.loads(json.dumps(values)))
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), per_device_train_batch_size=8,
                                          gradient_accumulation_steps=2, max_steps=100, report_to=[])

    def run():
        filler.trainer_config_process(args)
        filler.trainer_config_finalize(args, model=None, num_training_steps=100)

    if refused:
        with pytest.raises(ValueError, match="mismatch"):
            run()
    else:
        run()
    (tmp_path / "ds.json").write_text(json.dumps(values))
    codes = _codes(cli, tmp_path, "output_dir: out\nmax_steps: 100\nper_device_train_batch_size: 8\n"
                                  "gradient_accumulation_steps: 2\ndeepspeed: ds.json\n")
    assert ("LR202" in codes) is refused


@pytest.mark.oracle
@pytest.mark.parametrize(("max_steps", "fails"), [(-1, True), (100, False)])
def test_the_trainer_needs_max_steps_for_data_without_a_length(cli, tmp_path, max_steps, fails):
    """Trainer.set_initial_training_values (5.24) on a dataloader without __len__ (a streamed dataset), and check on
    the TRL config that streams its dataset."""
    transformers = oracle_import("transformers")
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), max_steps=max_steps, report_to=[])
    trainer = types.SimpleNamespace(get_total_train_batch_size=lambda a: 8, get_sp_size=lambda: 1)
    count = lambda: transformers.Trainer.set_initial_training_values(trainer, args, iter(()))  # noqa: E731
    if fails:
        with pytest.raises(ValueError, match="does not have a length"):
            count()
    else:
        count()
    text = (f"output_dir: out\ndataset_name: someone/stream\ndataset_streaming: true\nmax_length: 512\n"
            f"max_steps: {max_steps}\n")
    assert ("LR503" in _codes(cli, tmp_path, text)) is fails
