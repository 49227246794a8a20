"""Golden T / W for the real TRL and LLaMA-Factory configs (tests/data/real_configs/{trl,llamafactory}), computed by
the frameworks' own code: tests/data/real_config_goldens.json, checked by tests/test_real_config_goldens.py.

For each config, dataset size N and world size w, a worker process running inside a throwaway venv that has the
framework's pinned versions installed:
1. parses the config file the way the framework's launcher does:
   - TRL (`trl sft|dpo|orpo|grpo --config x.yaml`, trl 0.24.0 `scripts/*.py`): `TrlParser((ScriptArguments, <X>Config,
     ModelConfig, DatasetMixtureConfig)).parse_args_and_config(["--config", x], return_remaining_strings=True)`;
     keys that no dataclass takes come back as remaining strings, which `trl <cmd>` ignores and alignment-handbook /
     open-r1 scripts (default `fail_with_unknown_args=True`) reject: both are recorded as `unparsed_keys`;
   - LLaMA-Factory 0.9.5 (`llamafactory-cli train x.yaml`): `hparams.parser._parse_train_args`, i.e. OmegaConf.load +
     `HfArgumentParser(ModelArguments, DataArguments, TrainingArguments, ...).parse_dict` (the rest of
     `get_train_args` only checks the environment and sets nothing the step count reads);
   with `use_cpu` added (bf16 configs are refused on a CPU; it changes no step arithmetic), with `deepspeed` dropped (it
   needs the deepspeed package; the DeepSpeed file LLaMA-Factory's example names is not part of the config set, and
   lrcli warns it is not found), and with `TrainingArguments.world_size` answering w (it normally asks torch.distributed);
2. counts the rows the Trainer sees: N, or for LLaMA-Factory its own loader arithmetic on per-dataset counts
   (tools/llamafactory_rows.py: max_samples cut per dataset, concatenation, val_size split);
3. builds the training DataLoader as the trainer does (GRPO: trl 0.24 `RepeatSampler` with batch b · spg, as
   `GRPOTrainer.get_train_dataloader` / `_get_train_sampler`), shards it with accelerate's `prepare_data_loader`, and
   runs `Trainer.set_initial_training_values` + `args.get_warmup_steps(T)` on a Trainer shell (tools/hf_steps_oracle.py).

TRL 1.16.0 (lrcli's default TRL) runs the same cases on transformers 4.57.6 and 5.25.0 (lrcli's default), with one
step more before the count: the recipe is launched the way TRL 1.16 launches it. For `trl sft|dpo|grpo` that is
TRL 1.16's own `TrainingCommand.run` (its script's parser, then accelerate's `launch_command_parser` on the leftover
keys; `launch_command` itself is replaced by a recorder, so nothing starts); TRL 1.16 has no `trl orpo` (ORPO is
`trl.experimental.orpo`), so the alignment-handbook ORPO recipe goes through its own script's
`TrlParser.parse_args_and_config()` (fail_with_unknown_args=True). Where that stops (accelerate's "unrecognized
arguments" exit 2 on a key no dataclass takes, or TrlParser's ValueError), the case records `refused` with the exit
code and message instead of a count, then `refused_keys`: every key TRL 1.16's launcher refuses, found by launching
again without each key it named until it launches (`torch_dtype` first: ModelConfig's `dtype` since TRL 0.27; the
recipes' own script keys such as dataset_mixture or chat_template; `warmup_ratio` under transformers 5.25 but not
4.57.6), and `without_them`: the count of the recipe without those keys.

Versions (pinned, recorded in the golden): TRL 0.24.0 on transformers 4.57.6 (the last 4.x, where TRL 0.24 configs
with `warmup_ratio` run), 5.6.0 (a 5.0–5.14 line, where warmup_ratio replaces warmup_steps; the LLaMA-Factory venv)
and 5.24.0 (lrcli's default, no warmup_ratio); LLaMA-Factory 0.9.5 on transformers 5.6.0 (its newest
allowed, lrcli's default for the dialect) with accelerate 1.11.0, datasets 4.0.0, peft 0.18.1 (its pins).
Build the venvs (torch 2.13.0 comes from local disk), then run this script with the system python:

    python3 -m venv /tmp/venv-tf457 && /tmp/venv-tf457/bin/pip install torch==2.13.0 transformers==4.57.6 \
        accelerate==1.15.0 trl==0.24.0 pyyaml
    python3 -m venv /tmp/venv-tf524 && /tmp/venv-tf524/bin/pip install torch==2.13.0 transformers==5.24.0 \
        accelerate==1.15.0 trl==0.24.0 pyyaml
    python3 -m venv /tmp/venv-tf56 && /tmp/venv-tf56/bin/pip install torch==2.13.0 transformers==5.6.0 \
        accelerate==1.11.0 datasets==4.0.0 peft==0.18.1 trl==0.24.0 omegaconf pyyaml \
        && /tmp/venv-tf56/bin/pip install --no-deps llamafactory==0.9.5
    python3 -m venv /tmp/s20-goldens/trl116-tf525 && /tmp/s20-goldens/trl116-tf525/bin/pip install torch==2.13.0 \
        transformers==5.25.0 accelerate==1.16.0 trl==1.16.0 pyyaml
    python3 -m venv /tmp/s20-goldens/trl116-tf457 && /tmp/s20-goldens/trl116-tf457/bin/pip install torch==2.13.0 \
        transformers==4.57.6 accelerate==1.16.0 trl==1.16.0 pyyaml
    python3 tools/gen_real_config_goldens.py          # writes tests/data/real_config_goldens.json
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "real_configs"  # copies of ../shared/configs/real (SOURCES.md there)
OUT = ROOT / "tests" / "data" / "real_config_goldens.json"

SAMPLES = (1000, 52002)
WORLD_SIZES = (1, 8)

# config (relative to REAL) -> the TRL Config class its command builds (trl 0.24 `trl <cmd>` / the recipe's script).
TRL_CONFIGS = {
    "trl/alignment-handbook_smollm3_dpo_apo_cosine-min-lr.yaml": "DPOConfig",
    "trl/alignment-handbook_smollm3_sft_cosine-min-lr_packing.yaml": "SFTConfig",
    "trl/alignment-handbook_zephyr-141b_orpo_full.yaml": "ORPOConfig",
    "trl/alignment-handbook_zephyr-7b-beta_dpo_full.yaml": "DPOConfig",
    "trl/alignment-handbook_zephyr-7b-beta_sft_full.yaml": "SFTConfig",
    "trl/open-r1_openr1-distill-7b_sft.yaml": "SFTConfig",
    "trl/open-r1_qwen2.5-1.5b_grpo_demo.yaml": "GRPOConfig",
    "trl/trl_cli_example_config.yaml": "SFTConfig",  # its documented command is `trl sft --config example_config.yaml`
}
# config -> per-dataset row counts to try (one tuple entry per name in its `dataset:` list, in order).
LF_CONFIGS = {
    "llamafactory/llama3_lora_sft_2024-06.yaml": [(91, 1000), (91, 52002), (10, 700)],
    "llamafactory/qwen3_full_sft_ds3.yaml": [(91, 1000), (91, 52002), (10, 700)],
    "llamafactory/qwen3_lora_dpo.yaml": [(1000,), (52002,), (300,)],
    "llamafactory/qwen3_lora_pretrain.yaml": [(1000,), (52002,), (300,)],
    "llamafactory/qwen3_lora_sft.yaml": [(91, 1000), (91, 52002), (10, 700)],
}
VENVS = {"4.57.6": "/tmp/venv-tf457", "5.24.0": "/tmp/venv-tf524", "5.6.0": "/tmp/venv-tf56",
         "trl-1.16.0/4.57.6": "/tmp/s20-goldens/trl116-tf457", "trl-1.16.0/5.25.0": "/tmp/s20-goldens/trl116-tf525"}
TRL_TRANSFORMERS = ("4.57.6", "5.6.0", "5.24.0")
TRL_1_16_TRANSFORMERS = ("4.57.6", "5.25.0")
LF_TRANSFORMERS = "5.6.0"


# ---------------------------------------------------------------- worker (runs inside a venv) ----------------------

_WORLD = [1]


def _patch_world_size() -> None:
    """Every TrainingArguments (and TRL/LLaMA-Factory subclass) answers `world_size` with the case's w."""
    from transformers import TrainingArguments

    TrainingArguments.world_size = property(lambda self: _WORLD[0])


def _trainer_numbers(args: Any, loader: Any, world_size: int) -> dict[str, Any]:
    """The Trainer's count on an accelerate-sharded `loader` (as tools/hf_steps_oracle.py)."""
    import inspect

    from accelerate.data_loader import prepare_data_loader
    from transformers import Trainer

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hf_steps_oracle import _trainer_shell

    config = args.accelerator_config
    sharded = prepare_data_loader(loader, num_processes=world_size, process_index=0, put_on_device=False,
                                  split_batches=config.split_batches, even_batches=config.even_batches)
    trainer = _trainer_shell(args)
    ga = args.gradient_accumulation_steps
    try:
        if "total_train_batch_size" in inspect.signature(Trainer.set_initial_training_values).parameters:
            epochs, updates, *_, total = trainer.set_initial_training_values(
                args, sharded, args.train_batch_size * ga * world_size)
        else:
            epochs, updates, *_, total = trainer.set_initial_training_values(args, sharded)
    except ValueError as exc:
        return {"error": f"ValueError: {exc}"}
    schedule = args.lr_scheduler_type
    return {"total_steps": total, "warmup_steps": args.get_warmup_steps(total), "update_steps_per_epoch": updates,
            "num_train_epochs": epochs, "batches_per_epoch": len(sharded), "learning_rate": args.learning_rate,
            "lr_scheduler_type": getattr(schedule, "value", schedule), "lr_scheduler_kwargs": args.lr_scheduler_kwargs}


_LAUNCHED: list[list[Any]] = []


def _trl_launch(path: str, command_name: str) -> dict[str, Any] | None:
    """TRL 1.x: how `trl <command> --config path` (or, without such a command, the recipe's own script) gets to the
    training script: None when it does, else what stopped it (`refused`)."""
    import contextlib
    import io

    import trl
    from trl.cli.commands import get_commands

    commands = {command.name: command for command in get_commands()}
    errors = io.StringIO()
    if command_name in commands:
        from accelerate.commands import launch
        from trl.cli.commands.base import CommandContext

        if not _LAUNCHED:  # bound once as TRL's launcher (a default argument): accelerate's parse runs, nothing starts
            _LAUNCHED.append([])
            launch.launch_command = _LAUNCHED[0].append
        launched = _LAUNCHED[0]
        launched.clear()
        try:
            with contextlib.redirect_stderr(errors):
                argv = [command_name, "--config", path, "--use_cpu", "true"]  # use_cpu: as the count below
                commands[command_name].run(None, CommandContext(argv=argv))
        except SystemExit as exc:
            lines = [line for line in errors.getvalue().splitlines() if line.strip()]
            return {"by": f"trl {command_name} --config (TRL {trl.__version__} TrainingCommand + accelerate launch)",
                    "exit": exc.code, "message": lines[-1] if lines else ""}
        assert len(launched) == 1, launched
        return None
    from trl.experimental.orpo import ORPOConfig  # TRL 1.x: ORPO left the `trl` CLI for trl.experimental

    parser = trl.TrlParser((trl.ScriptArguments, ORPOConfig, trl.ModelConfig))
    try:
        parser.parse_args_and_config(["--config", path, "--use_cpu", "true"])  # the handbook's run_orpo.py call
    except ValueError as exc:
        return {"by": f"the recipe's script: TrlParser.parse_args_and_config() (TRL {trl.__version__}; no `trl "
                      f"{command_name}` command)", "exit": None, "message": f"ValueError: {exc}"}
    return None


def _refused_keys(message: str) -> list[str]:
    """The config keys an "unrecognized arguments: --a --b" / "Unknown arguments from config file: ['--a', 'x']"
    message names."""
    import re

    return re.findall(r"--([A-Za-z_][A-Za-z0-9_]*)", message)


def _launch_without_refused_keys(path: str, config_class: str, samples: int, world_size: int) -> dict[str, Any]:
    """Launch again without each key TRL's launcher named, until it launches: every key it refuses (in the order it
    names them; warmup_ratio among them where the transformers lacks it) and the count of what then runs."""
    import tempfile

    import yaml

    raw = yaml.safe_load(Path(path).read_text())
    refused_keys: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        stripped = Path(tmp) / Path(path).name
        for _ in range(20):
            refused = _trl_launch(str(stripped) if refused_keys else path, config_class.removesuffix("Config").lower())
            if refused is None:
                break
            keys = [key for key in _refused_keys(refused["message"]) if key in raw]
            assert keys, refused
            refused_keys += keys
            raw = {k: v for k, v in raw.items() if k not in keys}
            stripped.write_text(yaml.safe_dump(raw, sort_keys=False))
        counted = _trl_case(str(stripped), config_class, samples, world_size, launch=False)
    return {"refused_keys": refused_keys, "without_them": counted}


def _trl_config_class(config_class: str) -> Any:
    import trl

    if hasattr(trl, config_class):
        return getattr(trl, config_class)
    from trl.experimental import orpo

    return getattr(orpo, config_class)


def _trl_case(path: str, config_class: str, samples: int, world_size: int, launch: bool = True) -> dict[str, Any]:
    import trl
    from torch.utils.data import DataLoader

    _WORLD[0] = world_size
    if launch and int(trl.__version__.split(".")[0]) >= 1:
        refused = _trl_launch(path, config_class.removesuffix("Config").lower())
        if refused is not None:
            return {"refused": refused, **_launch_without_refused_keys(path, config_class, samples, world_size)}
    dataclass_types = (trl.ScriptArguments, _trl_config_class(config_class), trl.ModelConfig, trl.DatasetMixtureConfig)
    parser = trl.TrlParser(dataclass_types)
    try:
        parsed = parser.parse_args_and_config(["--config", path, "--use_cpu", "true"], return_remaining_strings=True)
    except (ValueError, TypeError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    args, remaining = parsed[1], parsed[-1]
    unparsed = sorted(item[2:] for item in remaining if item.startswith("--"))
    if config_class == "GRPOConfig":
        from trl.trainer.utils import RepeatSampler

        generations = args.num_generations
        sampler = RepeatSampler(data_source=range(samples), mini_repeat_count=generations,
                                batch_size=args.generation_batch_size // generations,
                                repeat_count=args.num_iterations * args.steps_per_generation, shuffle=True,
                                seed=args.seed)
        loader = DataLoader(range(samples), batch_size=args.train_batch_size * args.steps_per_generation,
                            sampler=sampler, drop_last=args.dataloader_drop_last)
    else:
        loader = DataLoader(range(samples), batch_size=args.train_batch_size, drop_last=args.dataloader_drop_last)
    return {**_trainer_numbers(args, loader, world_size), "unparsed_keys": unparsed}


def _lf_case(path: str, counts: list[int], world_size: int) -> dict[str, Any]:
    from torch.utils.data import DataLoader

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import llamafactory_rows
    from llamafactory.hparams import parser as lf_parser

    _WORLD[0] = world_size
    sys.argv = ["llamafactory-cli", path, "use_cpu=true", "deepspeed=null"]
    try:
        _, data_args, args, *_ = lf_parser._parse_train_args(None)
    except (ValueError, TypeError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    rows = llamafactory_rows.load()(counts, data_args.max_samples, data_args.val_size)
    loader = DataLoader(range(rows), batch_size=args.train_batch_size, drop_last=args.dataloader_drop_last)
    return {**_trainer_numbers(args, loader, world_size), "training_rows": rows}


def worker(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import warnings

    import accelerate
    import transformers

    warnings.filterwarnings("ignore")
    transformers.logging.set_verbosity_error()
    _patch_world_size()
    results = []
    for job in jobs:
        path = str(REAL / job["config"])
        if job["framework"] == "trl":
            result = _trl_case(path, job["config_class"], job["samples"], job["world_size"])
        else:
            result = _lf_case(path, job["counts"], job["world_size"])
        results.append({**job, "expected": result})
    import importlib.metadata as md

    versions = {"transformers": transformers.__version__, "accelerate": accelerate.__version__}
    for name in ("trl", "llamafactory", "torch", "datasets"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return [{**row, "versions": versions} for row in results]


# ---------------------------------------------------------------- driver (system python) ---------------------------

def _jobs() -> dict[str, list[dict[str, Any]]]:
    by_version: dict[str, list[dict[str, Any]]] = {version: [] for version in VENVS}
    runs = [("0.24.0", version, version) for version in TRL_TRANSFORMERS]
    runs += [("1.16.0", version, f"trl-1.16.0/{version}") for version in TRL_1_16_TRANSFORMERS]
    for release, version, venv in runs:
        for config, config_class in TRL_CONFIGS.items():
            for samples in SAMPLES:
                for world in WORLD_SIZES:
                    by_version[venv].append({"framework": "trl", "trl": release, "config": config,
                                             "config_class": config_class, "transformers": version,
                                             "samples": samples, "world_size": world})
    for config, count_sets in LF_CONFIGS.items():
        for counts in count_sets:
            for world in WORLD_SIZES:
                by_version[LF_TRANSFORMERS].append({"framework": "llamafactory", "config": config,
                                                    "transformers": LF_TRANSFORMERS, "counts": list(counts),
                                                    "world_size": world})
    return by_version


def main() -> None:
    if sys.argv[1:] == ["--worker"]:
        json.dump(worker(json.load(sys.stdin)), sys.stdout)
        return
    # --only PREFIX: run the venvs whose key starts with PREFIX (e.g. trl-1.16.0) and keep the golden's other cases
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    kept = []
    if only:
        runs = {_venv_of(case) for jobs in _jobs().values() for case in jobs if _venv_of(case).startswith(only)}
        kept = [case for case in json.loads(OUT.read_text())["cases"] if _venv_of(case) not in runs]
    cases = []
    for version, jobs in _jobs().items():
        if not version.startswith(only):
            continue
        python = Path(VENVS[version]) / "bin" / "python"
        done = subprocess.run([str(python), __file__, "--worker"], input=json.dumps(jobs), capture_output=True,
                              text=True, check=True)
        cases += json.loads(done.stdout)
    cases = kept + cases
    OUT.write_text(json.dumps({"generator": "tools/gen_real_config_goldens.py", "cases": cases}, indent=1) + "\n")
    print(f"{len(cases)} cases ({len(kept)} kept) -> {OUT.relative_to(ROOT)}")


def _venv_of(case: dict[str, Any]) -> str:
    """The VENVS key a case runs in (cases written before TRL 1.16 was added carry no `trl`: they are 0.24.0's)."""
    if case["framework"] == "trl" and case.get("trl", "0.24.0") != "0.24.0":
        return f"trl-{case['trl']}/{case['transformers']}"
    return case["transformers"]


if __name__ == "__main__":
    main()
