"""TRL runs: what `trl <trainer> --config` hands the HF Trainer, and GRPO's step count.

Keys the transformers in force lacks (a `warmup_ratio` under ≥ 5.15): `trl <trainer> --config` parses the file with
`TrlParser.parse_args_and_config(return_remaining_strings=True)` and hands the keys no dataclass takes to
`accelerate launch`, whose parser stops with "unrecognized arguments: --warmup_ratio" (exit 2): `trl sft` from TRL
0.18 (trl/cli.py `main`: `launch_command_parser().parse_args(launch_args + [script] + ...)`), every training command
from 0.29 (cli/commands/training.py `TrainingCommand.run`, through 1.16). lrcli refuses such a run with the fix.
Before that (and for `trl dpo|grpo|…` up to 0.28) the launcher ignores them and the script drops them
(`return_remaining_strings=True`): the run goes on without the key; lrcli plans that run and says what was meant.
(alignment-handbook and open-r1 scripts call `parse_args_and_config()` and stop with "Unknown arguments from config
file".)

GRPO's step count, before the HF Trainer's own arithmetic, by TRL line (each read in that release's
`trainer/grpo_trainer.py` and `grpo_config.py`; tests/data/grpo_early_golden.json runs 0.14–0.19's own code,
tools/gen_grpo_early_golden.py). G = num_generations, it = num_iterations, N prompts, w processes:
- 0.14: no sampler of its own: the Trainer counts the N prompts in batches of b (each prompt makes G completions).
- 0.15: `RepeatRandomSampler(N, G)`: length N · G, batches of b; `GRPOTrainer.__init__` wants G ≥ 2 dividing b · w.
- 0.16: length N · G · it (`repeat_count=num_iterations`), batches of b; the same check.
- 0.17: `RepeatSampler`, length N · G · it · GA, batches of b · GA (`get_train_dataloader`); G ≥ 2 dividing b · w · GA.
- 0.18–0.19: `GRPOConfig.__post_init__`: spg = steps_per_generation (default GA), gbs = generation_batch_size
  (default b · w · spg; given alone, spg = gbs // (b · w)); length N · G · it · spg, batches of b · spg; G ≥ 2
  dividing gbs. 0.18 checks gbs against b only (`gbs % b * w`: Python reads `(gbs % b) * w`), 0.19 against b · w.
- 0.20 … 1.16 (and RLOO from 0.22): the sampler's length counts whole generation batches only:
  S = floor(N / (gbs/G)) · (gbs/G) · G · it · spg, batches of b · spg; gbs must be divisible by G.
From 0.16 the sampler yields only whole chunks of prompts (b · w · GA / G in 0.16–0.17, gbs / G from 0.18) while
its length before 0.20 counts every prompt: then an epoch ends before the Trainer's count of updates (a note says so).
The dataloader batches are sharded by accelerate and the Trainer counts T from them as usual.

The row rules of TRL's data keys (and the alignment-handbook's `dataset_mixture`) sit here too: they turn the rows
lrcli found for each dataset into the N the HF Trainer then counts from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType

from packaging.version import Version

from lrcli.config import TrainConfig
from lrcli.data.refs import CountedDataset
from lrcli.errors import LrcliError
from lrcli.steps.hf import KEY_FIELDS, plan_hf_steps, version_subject, warmup_ratio_fix
from lrcli.steps.hf_versions import lacking_keys, rules_for
from lrcli.steps.plan import Rows, Stage, StepPlan, counted_stage, held_out_rows

# `trl <trainer> --config` hands the config's keys no dataclass takes to `accelerate launch` (which stops on an
# unknown one): `trl sft` from TRL 0.18, every training command from 0.29.
LAUNCHER_PASSES_LEFTOVERS = {"sft": (0, 18)}
ALL_COMMANDS_PASS_LEFTOVERS = (0, 29)


# The trainers `trl <command>` runs (trl/cli.py 0.18–0.28, cli/commands/__init__.py `get_commands` 0.29–1.16), from
# the line that added each; the others (ORPO, CPO, GKD, …) have no command: their recipes run their own scripts,
# whose `TrlParser.parse_args_and_config()` stops on an unknown key ('Unknown arguments from config file').
TRL_COMMANDS = {"sft": (0, 15), "dpo": (0, 15), "grpo": (0, 15), "kto": (0, 15), "rloo": (0, 22), "reward": (0, 24)}


def has_command(trainer: str | None, version: str) -> bool:
    since = TRL_COMMANDS.get(trainer or "")
    return since is not None and (*Version(version).release, 0)[:2] >= since


def launcher_passes_leftovers(trainer: str | None, version: str | None) -> bool:
    """Whether `trl <trainer> --config` of TRL `version` hands keys no dataclass takes to `accelerate launch`."""
    if version is None:
        return False
    minor = (*Version(version).release, 0)[:2]
    return minor >= LAUNCHER_PASSES_LEFTOVERS.get(trainer or "", ALL_COMMANDS_PASS_LEFTOVERS)


def plan_trl_steps(config: TrainConfig) -> StepPlan:
    """The HF Trainer's plan of what `trl <trainer> --config` runs: the file without the keys TrlParser drops."""
    launched, dropped = _as_trlparser_passes(config)
    notes = _framework_leftovers(config)
    plan = plan_hf_steps(launched)
    _refuse_passed_leftovers(config, dropped, plan)
    return replace(plan, notes=plan.notes + notes + _dropped_notes(config, dropped, plan))


def _framework_leftovers(config: TrainConfig) -> tuple[str, ...]:
    """Keys no dataclass of this TRL release takes (config.framework_leftover_keys, e.g. torch_dtype from 0.27): the
    run stops where the launcher passes leftovers on (or the recipe's own script parses), else they are dropped."""
    keys = config.framework_leftover_keys
    if not keys:
        return ()
    where = config.source("framework_leftover_keys")
    if config.trainer is not None and launcher_passes_leftovers(config.trainer, config.framework_version):
        if has_command(config.trainer, config.framework_version):
            raise LrcliError(f"{where}: `trl {config.trainer} --config` of TRL {config.framework_version} hands "
                             f"--{keys[0]} to `accelerate launch`, which stops: 'unrecognized arguments: --{keys[0]}'; "
                             "rename or remove the key")
        raise LrcliError(f"{where}: TRL {config.framework_version} has no `trl {config.trainer}` command, and the "
                         f"recipe's own script parses the file with TrlParser.parse_args_and_config(), which stops: "
                         f"'Unknown arguments from config file: [--{keys[0]}, …]'; rename or remove the key")
    return (f"{where}: `trl {config.trainer or '<trainer>'} --config` drops them (TrlParser hands them back); a script "
            "calling parse_args_and_config() stops on them instead",)


def _refuse_passed_leftovers(config: TrainConfig, dropped: dict[str, str], plan: StepPlan) -> None:
    """A key the transformers in force lacks, which this TRL's launcher hands to `accelerate launch`: no run."""
    if not dropped or config.dialect != "trl" or not launcher_passes_leftovers(config.trainer, config.framework_version):
        return
    key, when = next(iter(dropped.items()))
    fix = ""
    if key == "warmup_ratio" and config.warmup_ratio:
        fix = "; to warm up for the ceil(T · ratio) steps meant, " + warmup_ratio_fix(
            config.warmup_ratio, plan.total, config.warmup_steps)
    if config.trainer is not None and not has_command(config.trainer, config.framework_version):
        raise LrcliError(
            f"{config.source('version_bound_keys')} key {key}: transformers {plan.transformers_version} "
            f"({plan.transformers_source}) has no {key} ({key} {when}), and TRL {config.framework_version} "
            f"({config.source('framework_version')}) has no `trl {config.trainer}` command: the recipe's own script "
            f"parses the file with TrlParser.parse_args_and_config(), which stops: 'Unknown arguments from config "
            f"file: [--{key}]'{fix}; or plan for a transformers that has it (--transformers-version 4.57.6)"
        )
    raise LrcliError(
        f"{config.source('version_bound_keys')} key {key}: transformers {plan.transformers_version} "
        f"({plan.transformers_source}) has no {key} ({key} {when}), so `trl {config.trainer or '<trainer>'} --config` "
        f"of TRL {config.framework_version} ({config.source('framework_version')}) hands --{key} to `accelerate "
        f"launch`, which stops: 'unrecognized arguments: --{key}'{fix}; or plan for a transformers that has it "
        "(--transformers-version 4.57.6)"
    )


def _as_trlparser_passes(config: TrainConfig) -> tuple[TrainConfig, dict[str, str]]:
    """`config` without the file's TrainingArguments keys that the version in force lacks (each back to the
    Trainer's default, unless a flag set it), and those keys with when they existed."""
    rules, _ = rules_for(config.transformers_version, version_subject(config))
    dropped = {
        key: when for key, when in lacking_keys(rules, config.version_bound_keys).items()
        if not all(config.source_kind(name) == "flag" for name in KEY_FIELDS[key])
    }
    if not dropped:
        return config, {}
    defaults = TrainConfig()
    names = [name for key in dropped for name in KEY_FIELDS[key] if config.source_kind(name) != "flag"]
    sources = MappingProxyType({k: v for k, v in config.sources.items() if k not in names})
    kept = tuple(key for key in config.version_bound_keys if key not in dropped)
    return replace(config, **{name: getattr(defaults, name) for name in names}, version_bound_keys=kept,
                   sources=sources), dropped


def _dropped_notes(config: TrainConfig, dropped: dict[str, str], plan: StepPlan) -> tuple[str, ...]:
    command = f"`trl {config.trainer or '<trainer>'} --config`"
    notes = []
    for key, when in dropped.items():
        meant = ""
        if key == "warmup_ratio" and config.warmup_ratio:
            meant = (f"; the run warms up for W = {plan.warmup} steps, not the ceil(T · {config.warmup_ratio!r}) = "
                     f"{math.ceil(plan.total * config.warmup_ratio)} meant: to get those, "
                     + warmup_ratio_fix(config.warmup_ratio, plan.total, config.warmup_steps))
        notes.append(
            f"{config.source('version_bound_keys')} key {key}: {command} on transformers {plan.transformers_version} "
            f"({plan.transformers_source}) drops it without "
            f"a word ({key} {when}; TrlParser hands back the keys TrainingArguments lacks, and the script ignores "
            f"them){meant}. alignment-handbook and open-r1 scripts stop on it instead ('Unknown arguments from "
            "config file')"
        )
    return tuple(notes)


def plan_grpo_steps(config: TrainConfig) -> StepPlan:
    """GRPO/RLOO (trl 0.20–1.16): the generation batches, then the Trainer's count; launched as `plan_trl_steps`."""
    launched, dropped = _as_trlparser_passes(config)
    notes = _framework_leftovers(config)
    plan = _plan_grpo_steps(launched)
    _refuse_passed_leftovers(config, dropped, plan)
    return replace(plan, notes=plan.notes + notes + _dropped_notes(config, dropped, plan))


# TRL lines whose GRPO count differs (first minor of each; see the module docstring). A key a line's GRPOConfig lacks
# never gets here: the dialect drops it as `trl grpo --config` does (dialects.trl.GRPO_KEYS_SINCE).
GRPO_LINES = ("0.14", "0.15", "0.16", "0.17", "0.18", "0.19", "0.20")


def _minor(version: str) -> tuple[int, int]:
    return (*Version(version).release, 0)[:2]


def grpo_line(config: TrainConfig) -> str:
    """The GRPO line a run follows: the TRL release for a TRL config; axolotl's pinned TRL (1.9–1.14) is 0.20+."""
    if config.dialect != "trl" or config.trainer != "grpo" or config.framework_version is None:
        return GRPO_LINES[-1]
    minor = _minor(config.framework_version)
    return [line for line in GRPO_LINES if _minor(line) <= minor][-1]


def _check_generations(generations: int, batch: int, what: str) -> None:
    """GRPOTrainer.__init__ 0.15–0.17 / GRPOConfig.__post_init__ 0.18–0.19: G must be one of the divisors ≥ 2 of
    `batch`."""
    if generations < 2 or batch % generations:
        possible = [n for n in range(2, batch + 1) if batch % n == 0]
        raise LrcliError(f"GRPO: num_generations {generations} must be ≥ 2 and divide {what} = {batch} (TRL raises; "
                         f"possible values: {possible})")


def _plan_grpo_steps(config: TrainConfig) -> StepPlan:
    line = grpo_line(config)
    options = {key: int(value) for key, value in config.trainer_options.items()}
    notes: tuple[str, ...] = ()
    if line == "0.14":  # no sampler of its own: the HF Trainer counts the prompts
        plan = plan_hf_steps(config)
        return replace(plan, notes=plan.notes + notes + (
            "GRPO (TRL 0.14): the Trainer counts the N prompts in batches of b; each makes num_generations "
            "completions",))
    if line == "0.20":
        return _plan_generation_batches(config, options, notes)
    b, w, ga = config.per_device_train_batch_size, config.world_size, config.gradient_accumulation_steps
    generations = options.get("num_generations", 8)
    iterations = options.get("num_iterations", 1) if line != "0.15" else 1
    if line in ("0.15", "0.16"):
        _check_generations(generations, b * w, "b · w")
        repeat, batch, chunk = iterations, b, (b * w * ga // generations if line == "0.16" else None)
        how = "N · G" + (" · num_iterations" if line == "0.16" else "")
        numbers = f"{config.dataset_size} · {generations}" + (f" · {iterations}" if line == "0.16" else "")
    elif line == "0.17":
        _check_generations(generations, b * w * ga, "b · w · GA")
        repeat, batch, chunk = iterations * ga, b * ga, b * w * ga // generations
        how, numbers = "N · G · num_iterations · GA", f"{config.dataset_size} · {generations} · {iterations} · {ga}"
    else:  # 0.18, 0.19: GRPOConfig.__post_init__
        spg, gbs = options.get("steps_per_generation"), options.get("generation_batch_size")
        if spg is not None and gbs is not None:
            raise LrcliError("GRPO: generation_batch_size and steps_per_generation cannot both be set (TRL raises)")
        spg = spg or ga
        gbs = gbs or b * w * spg
        if (gbs % b) if line == "0.18" else (gbs % (b * w)):
            what = "b" if line == "0.18" else "b · w"
            raise LrcliError(f"GRPO: generation_batch_size {gbs} must be divisible by {what} = "
                             f"{b if line == '0.18' else b * w} (TRL {config.framework_version} raises)")
        spg = gbs // (b * w)
        if spg == 0:  # 0.18 lets gbs < b · w through; the sampler then takes no prompts
            raise LrcliError(f"GRPO: generation_batch_size {gbs} is smaller than b · w = {b * w}: "
                             "steps_per_generation = 0, no step can run")
        _check_generations(generations, gbs, "generation_batch_size")
        repeat, batch, chunk = iterations * spg, b * spg, gbs // generations
        how = "N · G · num_iterations · spg"
        numbers = f"{config.dataset_size} · {generations} · {iterations} · {spg}"
    if config.dataset_size is None or config.total_steps is not None:
        return replace(plan_hf_steps(config), notes=notes)
    n = config.dataset_size
    length = n * generations * repeat
    sampler = "RepeatRandomSampler" if line in ("0.15", "0.16") else "RepeatSampler"
    stages: list[Stage] = [(f"GRPO sampler length S ({sampler}.__len__)", f"{how} = {numbers}", length)]
    plan = plan_hf_steps(replace(config, dataset_size=length, per_device_train_batch_size=batch))
    if chunk and n % chunk:
        notes += (f"GRPO (TRL {config.framework_version}): the sampler yields only whole chunks of {chunk} prompts "
                  f"({n // chunk * chunk} of the {n}) while its length counts all {n}: each epoch runs out of "
                  "batches before the Trainer's count, so the run stops short of T and of the curve's end",)
    return replace(plan, stages=(*stages, *plan.stages), samples_per_update=None, notes=plan.notes + notes + (
        f"GRPO: the dataloader batch is {batch} ({'b' if batch == b else 'b · GA' if line == '0.17' else 'b · spg'}; "
        f"TRL {config.framework_version} rules)",))


def _plan_generation_batches(config: TrainConfig, options: dict[str, int], notes: tuple[str, ...]) -> StepPlan:
    """TRL 0.20 … 1.16 (GRPO; RLOO from 0.22)."""
    b, w, ga = config.per_device_train_batch_size, config.world_size, config.gradient_accumulation_steps
    generations = int(options.get("num_generations") or 8)
    iterations = int(options.get("num_iterations") or 1)
    spg, gbs = options.get("steps_per_generation"), options.get("generation_batch_size")
    if spg is not None and gbs is not None:
        raise LrcliError("GRPO: generation_batch_size and steps_per_generation cannot both be set (TRL raises)")
    if gbs is None:
        spg = int(spg or ga)
        gbs = b * w * spg
    else:
        gbs = int(gbs)
        if gbs % (b * w):
            raise LrcliError(f"GRPO: generation_batch_size {gbs} must be divisible by b · w = {b * w} (TRL raises)")
        spg = gbs // (b * w)
    if gbs % generations:
        raise LrcliError(f"GRPO: generation_batch_size {gbs} must be divisible by num_generations {generations} "
                         "(TRL raises)")
    if config.dataset_size is None or config.total_steps is not None:
        return replace(plan_hf_steps(config), notes=notes)
    prompts = gbs // generations
    n = config.dataset_size
    indices = n // prompts * prompts * generations * iterations * spg
    stages: list[Stage] = [
        ("GRPO generation batch gbs (completions per generation round)",
         f"b · w · spg = {b} · {w} · {spg}, spg = steps_per_generation", gbs),
        ("GRPO sampler length S", f"floor(N / (gbs/G)) · (gbs/G) · G · num_iterations · spg = floor({n} / {prompts}) "
                                  f"· {prompts} · {generations} · {iterations} · {spg}, G = num_generations", indices),
    ]
    if indices == 0:
        raise LrcliError(f"GRPO: {n} prompts do not fill one generation batch of {prompts} prompts "
                         f"(gbs {gbs} / num_generations {generations}): no step can run")
    plan = plan_hf_steps(replace(config, dataset_size=indices, per_device_train_batch_size=b * spg))
    # The Trainer's batch here is b · spg indices (spg steps' worth): samples per update are not what it counts.
    return replace(plan, stages=(*stages, *plan.stages), samples_per_update=None,
                   notes=plan.notes + notes + (f"GRPO: the dataloader batch is b · spg = {b * spg} (TRL 0.20–1.16 "
                                               "rules)",))


# ------------------------------------------------------------------------------------- rows of the TRL data keys
def _weight(entry_options, where: str) -> float | None:
    weight = entry_options.get("weight")
    if weight is None:
        return None
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise LrcliError(f"{where}: weight must be a number ≥ 0, got {weight!r}")
    return weight


def _test_split(n: int, options, stages: list[Stage], where: str) -> int:
    size = options.get("test_split_size")
    if size is None:
        return n
    held = held_out_rows(n, size, f"{where} test_split_size")
    kind = f"int({size})" if isinstance(size, int) else f"ceil({size!r} · {n:,})"
    stages.append(("training rows", f"N − test_split_size rows = {n:,} − {kind} (train_test_split)", n - held))
    return n - held


def dataset_name_rows(datasets: Sequence[CountedDataset], options) -> Rows:
    """`dataset_name` (+ dataset_config): load_dataset(name, config)[dataset_train_split] (trl scripts/sft.py and
    the alignment-handbook / open-r1 scripts)."""
    (only,) = datasets
    count = only.count
    return Rows(count.rows, (counted_stage(1, count.ref.label, count.rows, count.source),), how=count.text)


def datasets_rows(datasets: Sequence[CountedDataset], options) -> Rows:
    """TRL `datasets:` (scripts/utils.py `get_dataset`, 0.22 … 1.16): each entry loaded with its split; from 1.8, when
    the entries give `fraction`s, weights w_i = f_i / Σ f, total = min(rows_i / w_i over w_i > 0) and each dataset cut
    to its first round(w_i · total) rows; concatenated, then `test_split_size` held out by train_test_split."""
    where = str(options.get("where", "datasets"))
    stages = [counted_stage(i, d.count.ref.label, d.count.rows, d.count.source) for i, d in enumerate(datasets, 1)]
    kept = _fraction_rows(datasets, where, stages)
    n = sum(kept)
    if len(datasets) > 1:
        stages.append(("rows concatenated", " + ".join(f"{k:,}" for k in kept), n))
    n = _test_split(n, options, stages, where)
    how = "the datasets concatenated"
    if any("fraction" in d.entry.options for d in datasets):
        how += ", each cut to its fraction share"
    return Rows(n, tuple(stages), how=how + (", less test_split_size" if options.get("test_split_size") else ""))


def _fraction_rows(datasets: Sequence[CountedDataset], where: str, stages: list[Stage]) -> list[int]:
    """Each dataset's rows after TRL 1.8+'s `fraction` cut (Python's float arithmetic and round, as get_dataset)."""
    rows = [d.count.rows for d in datasets]
    fractions = [d.entry.options.get("fraction") for d in datasets]
    if all(f is None for f in fractions):
        return rows
    if any(f is None for f in fractions):
        raise LrcliError(f"{where}: fraction must be set for either all datasets in the mixture or none of them "
                         "(TRL's get_dataset raises ValueError)")
    for i, f in enumerate(fractions):
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not math.isfinite(f):
            raise LrcliError(f"{where}[{i}].fraction must be a number, got {f!r}")
    try:
        weights = [f / sum(fractions) for f in fractions]
        total = min(r / w for r, w in zip(rows, weights, strict=True) if w > 0)
    except (ZeroDivisionError, ValueError):
        raise LrcliError(f"{where}: the fractions {fractions} sum to 0 or none is > 0: TRL's get_dataset fails "
                         "(ZeroDivisionError / ValueError); give each dataset a share > 0") from None
    kept = [max(round(w * total), 0) for w in weights]  # select(range(k)): a negative k keeps nothing
    for i, (r, w, k) in enumerate(zip(rows, weights, kept, strict=True)):
        stages.append((f"dataset {i + 1} kept", f"round(w · total) = round({w!r} · {total!r}), w = fraction / Σ "
                       f"fraction, total = min(rows / w) (of {r:,})", k))
    return kept


def mixture_rows(datasets: Sequence[CountedDataset], options) -> Rows:
    """alignment-handbook / open-r1 `dataset_mixture` (src/alignment/data.py `get_dataset`, same in open-r1): each
    dataset shuffled and cut to int(len · weight) rows (weight defaults to 1.0), concatenated, then
    `test_split_size` held out by train_test_split."""
    where = str(options.get("where", "dataset_mixture"))
    stages: list[Stage] = []
    kept_all = []
    for i, d in enumerate(datasets, 1):
        stages.append(counted_stage(i, d.count.ref.label, d.count.rows, d.count.source))
        weight = _weight(d.entry.options, f"{where}.datasets[{i - 1}]")
        kept = d.count.rows if weight is None else int(d.count.rows * weight)
        if kept > d.count.rows:
            raise LrcliError(f"{where}.datasets[{i - 1}]: weight {weight!r} asks for {kept:,} of {d.count.rows:,} rows "
                             "(the handbook's select(range(int(len · weight))) raises IndexError); use a weight ≤ 1")
        if weight is not None and weight != 1:
            stages.append((f"dataset {i} kept", f"int(rows · weight) = int({d.count.rows:,} · {weight!r})", kept))
        kept_all.append(kept)
    n = sum(kept_all)
    if len(datasets) > 1:
        stages.append(("rows concatenated", " + ".join(f"{k:,}" for k in kept_all), n))
    n = _test_split(n, options, stages, where)
    how = "Σ int(rows · weight)" + (" − test_split_size" if options.get("test_split_size") is not None else "")
    return Rows(n, tuple(stages), how=how)
