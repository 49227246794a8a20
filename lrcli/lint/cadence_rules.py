"""LR5xx: what happens every N steps (evaluation, checkpoints, logs) against T, evaluation-driven schedules with no
evaluation, and data without a length."""

from __future__ import annotations

from collections.abc import Iterator

from lrcli.lint.finding import Hit, Level, Rule
from lrcli.lint.target import Target

HF_LIKE = ("hf", "trl", "llamafactory", "axolotl")
METRIC_SCHEDULES = ("reduce_lr_on_plateau", "greedy")

# key -> (its strategy key, the strategy's default in TrainingArguments 5.24, level, what a run with key > T misses)
CADENCE: dict[str, tuple[str, str, Level, str]] = {
    "eval_steps": ("eval_strategy", "no", "warning",
                   "no evaluation during the run (transformers 5.14+ evaluates once at the end; 4.38 not at all)"),
    "logging_steps": ("logging_strategy", "steps", "warning",
                      "the training loss is never logged at a logging step (only logging_first_step logs)"),
    "save_steps": ("save_strategy", "steps", "info",
                   "no checkpoint is saved during the run (transformers 5.14+ saves once at the end; 4.38 not at all)"),
}


def _strategy(target: Target, key: str, default: str) -> str:
    value = target.raw.get(key)
    if value is None and key == "eval_strategy":
        value = target.raw.get("evaluation_strategy")  # the name before transformers 4.46
    if value is None and key == "eval_strategy" and target.dialect == "axolotl" and target.raw.get("eval_steps"):
        value = "steps"  # axolotl sets eval_strategy "steps" from eval_steps
    if value is False:  # YAML 1.1 reads `eval_strategy: no` as false
        return "no"
    return str(value if value is not None else default).lower()


def cadence_beyond_run(target: Target) -> Iterator[Hit]:
    """LR501: eval_steps / logging_steps / save_steps (a count ≥ 1 with its strategy "steps") larger than T:
    transformers' `DefaultFlowCallback.on_step_end` (trainer_callback.py) acts when global_step % N == 0, which no
    step ≤ T is."""
    plan = target.plan
    if plan is None or target.dialect not in HF_LIKE:
        return
    for key, (strategy_key, default, level, misses) in CADENCE.items():
        value = target.raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 1 or value <= plan.total:
            continue
        if _strategy(target, strategy_key, default) != "steps":
            continue
        yield (level, (key,), f"{key}: {value:g} is larger than T = {plan.total:,}: {misses}",
               f"set {key} ≤ {plan.total:,} (e.g. {max(1, plan.total // 10):,}), or a fraction of T such as 0.1")


def metric_schedule_without_eval(target: Target) -> Iterator[Hit]:
    """LR502: reduce_lr_on_plateau / greedy with eval_strategy "no": transformers' `TrainingArguments.__post_init__`
    (training_args.py, 5.15.0) raises ValueError ("lr_scheduler_type reduce_lr_on_plateau requires an eval
    strategy"): the run never starts."""
    config = target.config
    if config is None or config.lr_scheduler_type not in METRIC_SCHEDULES or target.dialect not in HF_LIKE:
        return
    if config.source_kind("lr_scheduler_type") != "file":
        return
    if _strategy(target, "eval_strategy", "no") == "no":
        yield ("error", ("lr_scheduler_type",),
               f"{config.lr_scheduler_type} steps on evaluation results, but eval_strategy is no: TrainingArguments "
               f"raises ValueError ({config.lr_scheduler_type} requires an eval strategy)",
               "set eval_strategy: steps (with eval_steps) or epoch, and an eval dataset")


def streaming_without_max_steps(target: Target) -> Iterator[Hit]:
    """LR503: streamed data has no length, so the run cannot count T: LLaMA-Factory's `get_train_args`
    (hparams/parser.py, 0.9.5) raises ValueError("Please specify `max_steps` in streaming mode."), and the HF
    Trainer's `set_initial_training_values` (trainer.py, 5.24) raises ValueError ("args.max_steps must be set to a
    positive value if dataloader does not have a length") for TRL's `dataset_streaming: true` datasets."""
    key = {"llamafactory": "streaming", "trl": "dataset_streaming"}.get(target.dialect or "")
    if key is None or target.raw.get(key) is not True:
        return
    max_steps = target.raw.get("max_steps")
    if isinstance(max_steps, (int, float)) and not isinstance(max_steps, bool) and max_steps > 0:
        return
    who = "LLaMA-Factory's argument parser" if target.dialect == "llamafactory" else "the HF Trainer"
    yield ("error", (key,), f"{key}: true without max_steps: streamed data has no length, so {who} "
           "raises ValueError before training", "set max_steps to the number of optimizer steps to train")


RULES = (
    Rule("LR501", "eval/logging/save steps larger than T", cadence_beyond_run),
    Rule("LR502", "an evaluation-driven schedule with no evaluation", metric_schedule_without_eval),
    Rule("LR503", "streaming data without max_steps", streaming_without_max_steps),
)
